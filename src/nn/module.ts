import { noGrad } from '../autograd/graph.js';
import { ArgumentError, FingradError, ShapeError, fmtShape } from '../errors.js';
import { keep } from '../tensor/scope.js';
import { sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { copy_ } from '../ops/inplace.js';
import { describe, is, isPlainObject, readOptions } from '../validate.js';

const LOAD_OPTIONS = { strict: is.boolean };

/** Values a state dict entry may hold when loaded: a tensor, or raw values with a shape. */
export type StateValue = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true); otherwise load what matches. */
  strict?: boolean;
}

/**
 * Base of every layer and model: named parameters and buffers, child modules, train/eval
 * mode, and state dicts whose keys and shapes are PyTorch's (`0.weight`, `fc1.bias`,
 * `weight_ih_l0`, `running_mean`), so weights move between the two.
 */
export abstract class Module {
  /** Training mode (dropout active, batch statistics used); `eval()` turns it off. */
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly bufs = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** The layer's computation. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Registers a trainable tensor (it outlives every `tidy` scope). Returns it. */
  protected registerParameter<T extends Tensor | null>(name: string, t: T): T {
    if (t !== null) {
      keep(t);
      t.requiresGrad = true;
    }
    this.params.set(name, t);
    return t;
  }

  /** Registers non-trainable state saved in the state dict (e.g. running means). Returns it. */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    keep(t);
    this.bufs.set(name, t);
    return t;
  }

  /** Registers a child module under `name`. Returns it. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Replaces a buffer's tensor (e.g. after an update that made a new one); frees the old. */
  protected setBuffer(name: string, t: Tensor): void {
    const old = this.bufs.get(name);
    keep(t);
    this.bufs.set(name, t);
    if (old !== undefined && old !== t) old.dispose();
  }

  /** Direct children with their names. */
  namedChildren(): Array<[string, Module]> {
    return [...this.children];
  }

  /** Parameters of this module and its descendants with dotted names, in registration order. */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [name, p] of this.params) if (p !== null) out.push([prefix + name, p]);
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [name, b] of this.bufs) out.push([prefix + name, b]);
    for (const [name, child] of this.children) out.push(...child.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /** Sets training mode here and in every descendant. Returns this. */
  train(mode = true): this {
    this.training = is.boolean(mode, 'Module.train: mode');
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode (same as `train(false)`). Returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Parameters and buffers by dotted name (the tensors themselves, not copies), in PyTorch's
   * order: each module's own parameters, then its own buffers, then its children's.
   */
  stateDict(prefix = ''): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, p] of this.params) if (p !== null) out[prefix + name] = p;
    for (const [name, b] of this.bufs) out[prefix + name] = b;
    for (const [name, child] of this.children) Object.assign(out, child.stateDict(`${prefix}${name}.`));
    return out;
  }

  /**
   * Copies values into the parameters and buffers. Missing or unexpected keys (when strict)
   * and shape mismatches throw, naming the key and both shapes; nothing is changed then.
   */
  loadStateDict(state: Record<string, StateValue>, options: LoadStateDictOptions = {}): void {
    const where = 'loadStateDict';
    const strict = readOptions(where, options, LOAD_OPTIONS).strict ?? true;
    if (!isPlainObject(state)) throw new ArgumentError(`${where}: state must be an object of name → tensor (a state dict), got ${describe(state)}`, where, 'state');
    const own = this.stateDict();
    if (strict) {
      const missing = Object.keys(own).filter((k) => !Object.hasOwn(state, k));
      const unexpected = Object.keys(state).filter((k) => !Object.hasOwn(own, k));
      if (missing.length > 0 || unexpected.length > 0) {
        throw new FingradError(
          `loadStateDict: ${missing.length ? `missing keys ${missing.join(', ')}` : ''}${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys ${unexpected.join(', ')}` : ''}`,
        );
      }
    }
    const pairs: Array<[Tensor, StateValue]> = [];
    for (const [key, target] of Object.entries(own)) {
      const value = Object.hasOwn(state, key) ? state[key] : undefined;
      if (value === undefined) continue;
      const ok = value !== null && typeof value === 'object' && Array.isArray(value.shape);
      if (ok && 'ptr' in value) (value as Tensor).assertLive(where);
      if (ok && !sameShape(value.shape, target.shape)) {
        throw new ShapeError(`loadStateDict: '${key}' has shape ${fmtShape(value.shape)} in the state dict but ${fmtShape(target.shape)} in the model`);
      }
      if (!ok || value.data === null || typeof value.data !== 'object' || value.data.length !== target.size) {
        throw new ArgumentError(`${where}: '${key}' must be a Tensor or {shape, data} with ${target.size} values, got ${describe(value)}`, where, 'state');
      }
      pairs.push([target, value]);
    }
    noGrad(() => {
      for (const [target, value] of pairs) {
        if ('ptr' in value) copy_(target, value as Tensor);
        else target.data.set(value.data);
      }
    });
  }

  /** Drops the gradients of all parameters. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Frees all parameters and buffers (the module is unusable afterwards). */
  dispose(): void {
    for (const [, t] of [...this.namedParameters(), ...this.namedBuffers()]) t.dispose();
  }
}
