// Model checkpoints: one self-describing safetensors file per model.
//
// Design: the state dict (PyTorch dotted names, float32) is the file's tensors; the model's
// architecture config is JSON in the safetensors "__metadata__" under `fingrad.config`, next to
// `format: "pt"` (what `transformers` and `safetensors.torch` expect of a PyTorch-layout file)
// and `fingrad.checkpoint: "1"` (this layout's version). No sidecar config.json: a single file
// cannot get separated from its config, and PyTorch still opens it as a plain state dict
// (`safetensors.torch.load_file` → `model.load_state_dict`), reading the config with
// `safe_open(...).metadata()["fingrad.config"]`.
//
// Rebuilding: a model class exposes `config()` returning a JSON-able object with a `kind`, with
// a factory for that kind: the ready-made models' in the table of src/models/kinds.ts, other
// packages' registered with `registerModel('mlp', (c) => new MLP(c))`. `loadModel`
// reads the config, builds the model from the factory under an allocation budget set by the
// file's weights (the config cannot claim more than the file holds), checks every key and shape
// against the file, then loads the weights (strict); a failure frees what was built. Files from
// PyTorch (no fingrad config) load into a model you construct yourself with `loadWeights`.
import { ArgumentError, CheckpointError, fmtShape } from '../errors.js';
import { type Check, describe, is, isPlainObject, readOptions } from '../validate.js';
import type { Module, StateValue } from '../nn/module.js';
import { AllocationBudgetError, withAllocationBudget } from '../tensor/budget.js';
import { builtInModel, builtInModelKinds } from '../models/kinds.js';
import { type DecodedTensor, checkBytes, decodeSafetensors, encodeSafetensors } from './safetensors.js';

export { CheckpointError };

/** A model's architecture: JSON-able, with the registered `kind` that rebuilds it. */
export interface ModelConfig {
  readonly kind: string;
}

/** Builds a model (with fresh weights) from its config. */
export type ModelFactory<C extends ModelConfig = ModelConfig> = (config: C) => Module;

/** Metadata keys the checkpoint layout uses (user metadata cannot override them). */
export const CHECKPOINT_METADATA = {
  format: 'format',
  config: 'fingrad.config',
  version: 'fingrad.checkpoint',
} as const;

const CHECKPOINT_VERSION = '1';

// Kinds registered by registerModel; the ready-made models' kinds come from a table
// (src/models/kinds.ts) and are registered from the start. A registered factory wins.
const registry = new Map<string, ModelFactory>();

function factoryOf(kind: string): ModelFactory | undefined {
  return registry.get(kind) ?? builtInModel(kind);
}

/**
 * Registers how to rebuild models of `kind` from their config (a model class of another
 * package calls this once, at import; the ready-made models are registered already).
 * Registering a different factory under a taken kind throws unless `replace`.
 */
export function registerModel<C extends ModelConfig>(kind: string, factory: ModelFactory<C>, options: { replace?: boolean } = {}): void {
  const o = readOptions('registerModel', options, { replace: is.boolean });
  if (typeof kind !== 'string' || kind === '') throw new CheckpointError(`registerModel: kind must be a non-empty string, got ${JSON.stringify(kind)}`);
  const existing = factoryOf(kind);
  if (existing !== undefined && existing !== factory && o.replace !== true) {
    throw new CheckpointError(`registerModel: kind '${kind}' is already registered to another factory; pass {replace: true} to override it`);
  }
  registry.set(kind, factory as ModelFactory);
}

/** The registered model kinds (the ready-made ones included), sorted. */
export function registeredModels(): string[] {
  return [...new Set([...builtInModelKinds(), ...registry.keys()])].sort();
}

function configOf(op: string, model: Module, config: ModelConfig | undefined): ModelConfig {
  if (config !== undefined) return config;
  const own = (model as unknown as { config?: unknown }).config;
  if (typeof own !== 'function') {
    throw new CheckpointError(`${op}: ${model.constructor.name} has no config() method; pass {config} (a JSON-able object with a 'kind')`);
  }
  return (own as () => ModelConfig).call(model);
}

function checkKind(op: string, config: unknown): asserts config is ModelConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new CheckpointError(`${op}: config must be a JSON object with a 'kind', got ${JSON.stringify(config)}`);
  }
  const kind = (config as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || kind === '') {
    throw new CheckpointError(`${op}: config needs a non-empty string 'kind' (the registered model name), got ${JSON.stringify(kind)}`);
  }
}

export interface SaveModelOptions {
  /** The architecture; defaults to `model.config()`. */
  config?: ModelConfig;
  /** Extra string metadata (e.g. dataset, date); `format` and `fingrad.*` keys are reserved. */
  metadata?: Record<string, string>;
}

// The metadata's values are checked as strings by encodeSafetensors; here only its shape.
const stringRecord: Check<Record<string, string>> = (v, where) => {
  if (isPlainObject(v)) return v as Record<string, string>;
  throw new ArgumentError(`${where} must be an object of string values, got ${describe(v)}`, where.slice(0, where.indexOf(':')), 'metadata');
};
const saveSpec = { config: is.any as Check<ModelConfig>, metadata: stringRecord };

/** Serialises a model's state dict and config to safetensors bytes. */
export function saveModel(model: Module, options: SaveModelOptions = {}): Uint8Array {
  if (typeof (model as { stateDict?: unknown } | null)?.stateDict !== 'function') {
    throw new ArgumentError(`saveModel: model must be an nn.Module (a layer stack or a ready-made model), got ${describe(model)}`, 'saveModel', 'model');
  }
  const op = 'saveModel';
  const o = readOptions(op, options, saveSpec);
  const config = configOf(op, model, o.config);
  checkKind(op, config);
  let json: string;
  try {
    json = JSON.stringify(config);
  } catch (e) {
    throw new CheckpointError(`${op}: config of kind '${config.kind}' is not JSON-serialisable (${(e as Error).message})`);
  }
  const roundTrip: unknown = JSON.parse(json);
  if (JSON.stringify(roundTrip) !== json || !sameJson(config, roundTrip)) {
    throw new CheckpointError(`${op}: config of kind '${config.kind}' does not survive JSON (functions, undefined, NaN or class instances?): ${json}`);
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.metadata ?? {})) {
    if (k === CHECKPOINT_METADATA.format || k.startsWith('fingrad.')) throw new CheckpointError(`${op}: metadata key '${k}' is reserved for the checkpoint layout`);
    metadata[k] = v;
  }
  metadata[CHECKPOINT_METADATA.format] = 'pt';
  metadata[CHECKPOINT_METADATA.config] = json;
  metadata[CHECKPOINT_METADATA.version] = CHECKPOINT_VERSION;
  return encodeSafetensors(model.stateDict(), metadata);
}

// Deep equality of a value and its JSON round trip: catches what JSON.stringify rewrites
// silently (NaN → null, Map → {}, Date → string, a function in an array → null). Members set
// to undefined are allowed (optional options): they are dropped, as JSON does.
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number') return typeof b === 'number' && Number.isFinite(a) && a === b;
  if (a === null || typeof a === 'string' || typeof a === 'boolean') return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype && typeof b === 'object' && b !== null && !Array.isArray(b)) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    return ka.length === Object.keys(b).length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** A checkpoint read without building the model. */
export interface Checkpoint {
  config: ModelConfig;
  tensors: Record<string, DecodedTensor>;
  /** All "__metadata__" strings, including the reserved ones. */
  metadata: Record<string, string>;
}

/** Decodes a checkpoint written by `saveModel` (config parsed, weights as float32 arrays). */
export function readCheckpoint(bytes: Uint8Array): Checkpoint {
  const op = 'readCheckpoint';
  checkBytes(op, bytes);
  const { tensors, metadata } = decodeSafetensors(bytes);
  const json = metadata[CHECKPOINT_METADATA.config];
  if (json === undefined) {
    throw new CheckpointError(
      `${op}: no '${CHECKPOINT_METADATA.config}' in the file's metadata (not written by saveModel?); build the model yourself and use loadWeights(model, bytes)`,
    );
  }
  const version = metadata[CHECKPOINT_METADATA.version];
  if (version !== undefined && version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`${op}: checkpoint layout version '${version}' is not one this fingrad reads ('${CHECKPOINT_VERSION}'); it was written by another fingrad version`);
  }
  let config: unknown;
  try {
    config = JSON.parse(json);
  } catch (e) {
    throw new CheckpointError(`${op}: '${CHECKPOINT_METADATA.config}' is not valid JSON (${(e as Error).message})`);
  }
  checkKind(op, config);
  return { config, tensors, metadata };
}

function checkAgainst(op: string, model: Module, state: Record<string, StateValue>, strict: boolean, what: string): void {
  const own = model.stateDict();
  const problems: string[] = [];
  for (const [key, t] of Object.entries(own)) {
    const v = Object.hasOwn(state, key) ? state[key] : undefined;
    if (v === undefined) {
      if (strict) problems.push(`missing key '${key}' (shape ${fmtShape(t.shape)} in ${what})`);
    } else if (v.shape.length !== t.shape.length || v.shape.some((d, i) => d !== t.shape[i])) {
      problems.push(`'${key}' has shape ${fmtShape(v.shape)} in the checkpoint but ${fmtShape(t.shape)} in ${what}`);
    }
  }
  if (strict) {
    for (const [key, v] of Object.entries(state)) {
      if (!Object.hasOwn(own, key)) problems.push(`unexpected key '${key}' (shape ${fmtShape(v.shape)}) not in ${what}`);
    }
  }
  if (problems.length > 0) throw new CheckpointError(`${op}: checkpoint does not fit ${what}: ${problems.join('; ')}`);
}

// Building a model from a config that matches its weights allocates exactly those weights
// (measured by bisecting the budget for MLPClassifier, CNN1dForecaster, CNN2dClassifier,
// RecurrentForecaster and VAE checkpoints: factor 1.000 each); twice that, plus 4 KiB, leaves
// room for an initialiser that draws into a temporary, and bounds what a config that does not
// match its weights can cost.
const BUILD_BUDGET_FACTOR = 2;
const BUILD_BUDGET_SLACK = 4096;

/**
 * Rebuilds a model saved by `saveModel`: looks up `config.kind` in the registry, builds the
 * model, checks that every key and shape matches, loads the weights. The model is returned in
 * eval mode (as for inference; call `train()` to resume training).
 *
 * All or nothing, and bounded by the file: the model is built under an allocation budget set
 * by the weights the file holds (a config claiming more layers or units than its weights fail
 * at its first oversized tensor, before WebAssembly memory grows), and any failure frees
 * whatever was built.
 */
export function loadModel<M extends Module = Module>(bytes: Uint8Array): M {
  const op = 'loadModel';
  checkBytes(op, bytes);
  const { config, tensors } = readCheckpoint(bytes);
  const factory = factoryOf(config.kind);
  if (factory === undefined) {
    const known = registeredModels();
    throw new CheckpointError(
      `${op}: unknown model kind '${config.kind}' (registered: ${known.length ? known.join(', ') : 'none'}); import the module that calls registerModel('${config.kind}', …) first`,
    );
  }
  let weightBytes = 0;
  for (const t of Object.values(tensors)) weightBytes += t.data.length * 4;
  const budget = BUILD_BUDGET_FACTOR * weightBytes + BUILD_BUDGET_SLACK;
  let model: Module;
  try {
    model = withAllocationBudget(budget, () => factory(config));
  } catch (e) {
    if (!(e instanceof AllocationBudgetError)) throw e;
    throw new CheckpointError(
      `${op}: the '${config.kind}' config asks for more memory than the ${weightBytes} bytes of weights in the file (building it needed a tensor of ${e.requested} bytes, over the budget of ${e.limit}); the config does not match the weights: ${abbreviate(JSON.stringify(config))}`,
    );
  }
  try {
    checkAgainst(op, model, tensors, true, `the '${config.kind}' model built from its config`);
    model.loadStateDict(tensors, { strict: true });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model.eval() as M;
}

function abbreviate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}


export interface LoadWeightsOptions {
  /** Require the file's keys to match the model's exactly (default true). */
  strict?: boolean;
}

/**
 * Loads safetensors weights (from `saveModel`, `encodeSafetensors`, or PyTorch's
 * `safetensors.torch.save_file(model.state_dict(), …)`) into an existing model. Shapes must
 * match; with `strict` (default) so must the keys. Nothing is changed if a check fails.
 */
export function loadWeights(model: Module, bytes: Uint8Array, options: LoadWeightsOptions = {}): void {
  checkBytes('loadWeights', bytes);
  const strict = readOptions('loadWeights', options, { strict: is.boolean }).strict ?? true;
  const { tensors } = decodeSafetensors(bytes);
  checkAgainst('loadWeights', model, tensors, strict, `the ${model.constructor.name} model`);
  model.loadStateDict(tensors, { strict });
}
