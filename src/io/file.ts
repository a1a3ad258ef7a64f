// File variants of the safetensors and checkpoint functions, for Node. `node:fs/promises` is
// imported on first call through a computed specifier, so browser bundles (which cannot
// resolve Node built-ins) neither include nor fail on it; in a browser use the bytes
// functions with fetch / File / IndexedDB instead.
import { ArgumentError, FingradError } from '../errors.js';
import { describe } from '../validate.js';
import type { Module, StateValue } from '../nn/module.js';
import { type SaveModelOptions, loadModel, saveModel } from './checkpoint.js';
import { type DecodedSafetensors, decodeSafetensors, encodeSafetensors } from './safetensors.js';

type Fs = typeof import('node:fs/promises');

let fsModule: Promise<Fs> | null = null;

function fs(): Promise<Fs> {
  const specifier = ['node', 'fs/promises'].join(':');
  fsModule ??= import(/* @vite-ignore */ specifier) as Promise<Fs>;
  return fsModule;
}

/** A file that cannot be read or written (missing, a directory, no permission); names the path. */
export class FileError extends FingradError {
  constructor(
    message: string,
    readonly path: string,
    /** Node's error code ('ENOENT', 'EISDIR', 'EACCES', …), when there is one. */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

function fileError(op: string, verb: string, path: string, e: unknown): FileError {
  const code = (e as { code?: unknown }).code;
  const known: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied' };
  const reason = typeof code === 'string' ? `${known[code] ?? (e as Error).message} (${code})` : String((e as Error).message ?? e);
  return new FileError(`${op}: cannot ${verb} '${path}': ${reason}`, path, typeof code === 'string' ? code : undefined);
}

// Writes beside the target then renames, so a crash mid-write never leaves a torn checkpoint.
async function writeAtomic(op: string, path: string, bytes: Uint8Array): Promise<void> {
  const { writeFile, rename, rm } = await fs();
  const tmp = `${path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw fileError(op, 'write', path, e);
  }
}

async function readBytes(op: string, path: string): Promise<Uint8Array> {
  if (typeof path !== 'string' || path === '') throw new ArgumentError(`${op}: path must be a non-empty string, got ${describe(path)}`, op, 'path');
  const { readFile } = await fs();
  try {
    return await readFile(path);
  } catch (e) {
    throw fileError(op, 'read', path, e);
  }
}

/** Writes tensors to a `.safetensors` file (see `encodeSafetensors`). */
export async function saveSafetensorsFile(path: string, tensors: Record<string, StateValue>, metadata?: Record<string, string>): Promise<void> {
  await writeAtomic('saveSafetensorsFile', path, encodeSafetensors(tensors, metadata));
}

/** Reads a `.safetensors` file (see `decodeSafetensors`). */
export async function loadSafetensorsFile(path: string): Promise<DecodedSafetensors> {
  return decodeSafetensors(await readBytes('loadSafetensorsFile', path));
}

/** Saves a model and its config to a `.safetensors` file (see `saveModel`). */
export async function saveModelFile(path: string, model: Module, options: SaveModelOptions = {}): Promise<void> {
  await writeAtomic('saveModelFile', path, saveModel(model, options));
}

/** Rebuilds a model from a file written by `saveModelFile` (see `loadModel`). */
export async function loadModelFile<M extends Module = Module>(path: string): Promise<M> {
  return loadModel<M>(await readBytes('loadModelFile', path));
}
