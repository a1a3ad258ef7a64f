// What every `fingrad` subcommand shares: user errors as one line and a non-zero exit (no stack
// trace), `--json` output, a progress bar on a terminal (plain lines otherwise), and output files
// that appear whole or not at all (written aside, then renamed).
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import cliProgress from 'cli-progress';
import { FingradError } from '../errors.js';

/** A mistake in how a command was called (a missing option, an unknown model name). */
export class UsageError extends FingradError {}

/** Exit status for a user error (bad option, bad file); 1 is kept for internal failures. */
export const USER_ERROR_EXIT = 2;

/**
 * Wraps a command's action: a FingradError (bad input, named by fingrad) prints
 * `fingrad <command>: <message>` and exits with status 2; anything else is a bug and keeps
 * its stack trace.
 */
export function action<A extends unknown[]>(command: string, fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof FingradError || isUserIoError(e)) {
        process.stderr.write(`fingrad ${command}: ${oneLine((e as Error).message)}\n`);
        process.exitCode = USER_ERROR_EXIT;
        return;
      }
      throw e;
    }
  };
}

// A file the user named that cannot be read or written is their error, not ours.
function isUserIoError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EPERM'].includes(code);
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ');

/** Prints `data` as JSON with --json, or runs `human` to print it for people. */
export function emit(json: boolean | undefined, data: unknown, human: () => void): void {
  if (json) process.stdout.write(`${JSON.stringify(data, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v instanceof Float64Array || v instanceof Float32Array ? Array.from(v) : v), 2)}\n`);
  else human();
}

/** Progress of `total` steps: a bar on a terminal, a line per step elsewhere, nothing with --json. */
export interface Progress {
  tick(info: Record<string, string | number>): void;
  stop(): void;
}

export function progress(label: string, total: number, json: boolean | undefined): Progress {
  if (json) return { tick: () => {}, stop: () => {} };
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} {info}`, hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { info: '' });
    return {
      tick: (info) => bar.increment(1, { info: Object.entries(info).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(4) : v}`).join('  ') }),
      stop: () => bar.stop(),
    };
  }
  let step = 0;
  return {
    tick: (info) => {
      step++;
      console.log(`${label} ${step}/${total}  ${Object.entries(info).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(4) : v}`).join('  ')}`);
    },
    stop: () => {},
  };
}

/** The temporary name beside `path` that a whole write goes to before it is renamed over it. */
function tmpBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Writes a file whole: to a temporary name beside it, then renamed over the target. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tmpBeside(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Streams a file whole: `fill` writes text through `write` (which waits when the disk is behind)
 * into a temporary name beside `path`, renamed over it once `fill` returns; on any failure the
 * temporary file is removed and `path` is untouched. The stream's own errors always have a
 * listener: an input error that stops `fill` while a write is still in flight closes the stream
 * and removes the file, instead of crashing the process with ERR_STREAM_DESTROYED when that write
 * lands (seen in `fingrad predict` on a bad value, under load).
 */
export async function streamFileAtomic(path: string, fill: (write: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
  const tmp = tmpBeside(path);
  const out = createWriteStream(tmp);
  let failure: Error | null = null;
  out.on('error', (e) => void (failure ??= e));
  const write = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (failure !== null) return reject(failure);
      if (out.write(text, (e) => e && reject(e))) resolve();
      else out.once('drain', resolve);
    });
  try {
    await fill(write);
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    if (failure !== null) throw failure;
    await rename(tmp, path);
  } catch (e) {
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()).destroy());
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Fills a directory whole: `fill` writes into a temporary sibling, which then replaces `dir`
 * (an existing one is replaced only after the new one is complete).
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = tmpBeside(dir);
  const old = join(dirname(dir), `.${basename(dir)}.${process.pid}.old`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  let moved = false;
  try {
    await rename(dir, old);
    moved = true;
  } catch {
    // No previous directory.
  }
  await rename(tmp, dir);
  if (moved) await rm(old, { recursive: true, force: true });
}

/** Parses a positive integer option or throws a UsageError naming it. */
export function intOption(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${text}'`);
  return v;
}

/** Parses a number option in [lo, hi] or throws a UsageError naming it. */
export function numberOption(name: string, text: string | undefined, fallback: number, lo: number, hi: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v < lo || v > hi) throw new UsageError(`--${name} must be a number in [${lo}, ${hi}], got '${text}'`);
  return v;
}
