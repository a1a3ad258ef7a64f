import { isGradEnabled, noGrad, record } from '../autograd/graph.js';
import { ArgumentError, FingradError, ShapeError, fmtShape } from '../errors.js';
import { keep } from '../tensor/scope.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { copy_ } from '../ops/inplace.js';
import { describe, is, isPlainObject, readOptions } from '../validate.js';

function isTensor(v: StateValue): v is Tensor {
  return 'ptr' in v;
}

const LOAD_OPTIONS = { strict: is.boolean };

/** Values a state dict entry may hold when loaded: a tensor, or raw values with a shape. */
export type StateValue = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

/** Runs before `forward` with its inputs; may return replacement inputs (one tensor or a list). */
export type ForwardPreHook = (module: Module, inputs: Tensor[]) => Tensor | Tensor[] | void;
/** Runs after `forward` with its inputs and output; may return a replacement output. */
export type ForwardHook = (module: Module, inputs: Tensor[], output: Tensor) => Tensor | void;
/**
 * Runs during `backward()` once the gradients with respect to the module's inputs are known:
 * `gradInput[i]` for input i (null where it takes none), `gradOutput[0]` for the output. The
 * tensors are valid during the call only (copy what you keep). May return replacement input
 * gradients.
 */
export type FullBackwardHook = (module: Module, gradInput: Array<Tensor | null>, gradOutput: Array<Tensor | null>) => Array<Tensor | null> | void;

/** What `register…Hook` returns: `remove()` unregisters the hook (again: no effect). */
export interface RemovableHandle {
  remove(): void;
}

interface HookTables {
  pre: Set<ForwardPreHook>;
  forward: Set<ForwardHook>;
  backward: Set<FullBackwardHook>;
}

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
  private hookTables: HookTables | null = null;

  /** The layer's computation. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /**
   * Throws before a layer allocates `floats` parameters and buffers that WebAssembly memory
   * cannot hold (2^30 float32 fill its 4 GiB), so a layer never fails half-built with its first
   * tensors allocated; `param` names the option to blame.
   */
  protected checkParameterBudget(where: string, floats: number, param: string): void {
    if (floats > 2 ** 30) {
      throw new ArgumentError(`${where}: ${param} asks for ${floats.toExponential(2)} parameters and buffers, more than WebAssembly memory holds (2^30 float32)`, where, param);
    }
  }

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
   * Copies values into the parameters and buffers, all or nothing: every key, shape and value
   * count is checked first (missing or unexpected keys only when strict), and any problem
   * throws, naming the key, with nothing changed.
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
      if (value === null || typeof value !== 'object' || !Array.isArray(value.shape)) {
        throw new ArgumentError(`${where}: '${key}' must be a Tensor or {shape, data} with ${target.size} values, got ${describe(value)}`, where, 'state');
      }
      if (isTensor(value)) value.assertLive(`${where} ('${key}')`);
      if (!sameShape(value.shape, target.shape)) {
        throw new ShapeError(`loadStateDict: '${key}' has shape ${fmtShape(value.shape)} in the state dict but ${fmtShape(target.shape)} in the model`);
      }
      if (!isTensor(value) && (value.data === null || typeof value.data !== 'object' || value.data.length !== target.size)) {
        throw new ShapeError(`loadStateDict: '${key}' has ${value.data?.length ?? 'no'} values but its shape ${fmtShape(value.shape)} needs ${target.size}`);
      }
      pairs.push([target, value]);
    }
    noGrad(() => {
      for (const [target, value] of pairs) {
        if (isTensor(value)) {
          copy_(target, value);
        } else {
          target.data.set(value.data);
          target.bumpVersion('loadStateDict');
        }
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

  /**
   * Adds a hook run before every `forward` of this module (PyTorch's
   * `register_forward_pre_hook`); it may return replacement inputs.
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return this.addHook('pre', is.function(hook, 'registerForwardPreHook: hook') as ForwardPreHook);
  }

  /** Adds a hook run after every `forward` (PyTorch's `register_forward_hook`); it may replace the output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return this.addHook('forward', is.function(hook, 'registerForwardHook: hook') as ForwardHook);
  }

  /**
   * Adds a hook run during `backward()` when the gradients with respect to this module's inputs
   * are computed (PyTorch's `register_full_backward_hook`); it may return replacement input
   * gradients (for a module with one input that takes a gradient).
   */
  registerFullBackwardHook(hook: FullBackwardHook): RemovableHandle {
    return this.addHook('backward', is.function(hook, 'registerFullBackwardHook: hook') as FullBackwardHook);
  }

  /** @internal Whether hooks are registered here (Sequential then runs this layer on its own, unfused). */
  get hasHooks(): boolean {
    return this.hookTables !== null;
  }

  // fingrad calls modules through `forward` (users, Sequential and the models alike), so the
  // first hook puts an own `forward` on this instance that runs the hooks around the class's
  // method; removing the last hook deletes it again (no cost without hooks).
  private addHook<K extends keyof HookTables>(kind: K, hook: HookTables[K] extends Set<infer H> ? H : never): RemovableHandle {
    if (this.hookTables === null) {
      const tables: HookTables = { pre: new Set(), forward: new Set(), backward: new Set() };
      const inner = this.forward;
      this.hookTables = tables;
      Object.defineProperty(this, 'forward', { configurable: true, writable: true, value: (...inputs: Tensor[]) => this.callWithHooks(tables, inner, inputs) });
    }
    const set = this.hookTables[kind] as Set<typeof hook>;
    // A fresh wrapper per registration: registering one function twice gives two handles.
    const entry = ((...args: never[]) => (hook as (...a: never[]) => unknown)(...args)) as typeof hook;
    set.add(entry);
    return {
      remove: () => {
        set.delete(entry);
        const t = this.hookTables;
        if (t !== null && t.pre.size + t.forward.size + t.backward.size === 0) {
          this.hookTables = null;
          delete (this as { forward?: unknown }).forward;
        }
      },
    };
  }

  private callWithHooks(tables: HookTables, inner: (...inputs: Tensor[]) => Tensor, given: Tensor[]): Tensor {
    let inputs = given;
    for (const hook of [...tables.pre]) {
      const r = hook(this, inputs);
      if (r !== undefined) inputs = Array.isArray(r) ? r : [r];
    }
    const backwardHooks = [...tables.backward];
    const watch = backwardHooks.length > 0 && isGradEnabled() ? this.watchGradients(backwardHooks, inputs) : null;
    if (watch !== null) inputs = watch.inputs;
    let output = inner.apply(this, inputs);
    for (const hook of [...tables.forward]) {
      const r = hook(this, inputs, output);
      if (r !== undefined) output = r;
    }
    return watch !== null ? watch.output(output) : output;
  }

  // The inputs and the output pass through identity nodes ('backwardHook') whose backward
  // rules see the gradients: the output's first (it is later in the graph), then the inputs'.
  // The hooks run when the last input that takes a gradient has its gradient (or at the
  // output, when none takes one).
  private watchGradients(hooks: FullBackwardHook[], given: Tensor[]): { inputs: Tensor[]; output: (out: Tensor) => Tensor } {
    const gradInput: Array<Tensor | null> = given.map(() => null);
    const gradOutput: Array<Tensor | null> = [null];
    const watched = given.filter((t) => t instanceof Tensor && t.requiresGrad).length;
    let pending = watched;
    let replaced: Array<Tensor | null> | null = null;
    const fire = (): void => {
      for (const hook of hooks) {
        const r = hook(this, [...gradInput], [...gradOutput]);
        if (r !== undefined) replaced = r;
      }
    };
    const identity = (t: Tensor, onGrad: (dy: Tensor) => Tensor): Tensor => record(Tensor.view(t, t.shape), 'backwardHook', [t], (dy) => [() => onGrad(dy)]);
    const inputs = given.map((t, i) => {
      if (!(t instanceof Tensor) || !t.requiresGrad) return t;
      return identity(t, (dy) => {
        gradInput[i] = dy;
        if (--pending === 0) fire();
        const r = (replaced as Array<Tensor | null> | null)?.[i];
        if (r === undefined || r === null || r === dy) return dy;
        if (watched > 1) throw new FingradError(`full backward hook of ${this.constructor.name}: replacing input gradients works for a module with one input that takes a gradient`);
        if (!sameShape(r.shape, t.shape)) throw new ShapeError(`full backward hook of ${this.constructor.name}: gradInput[${i}] has shape ${fmtShape(r.shape)}, expected ${fmtShape(t.shape)}`);
        return r;
      });
    });
    // Each backward pass reaches the output first: start the pass's bookkeeping there.
    const output = (out: Tensor): Tensor => {
      if (!(out instanceof Tensor) || !out.requiresGrad) return out;
      return identity(out, (dy) => {
        gradOutput[0] = dy;
        gradInput.fill(null);
        pending = watched;
        replaced = null;
        if (watched === 0) fire();
        return dy;
      });
    };
    return { inputs, output };
  }

  /** Frees all parameters and buffers (the module is unusable afterwards). */
  dispose(): void {
    for (const [, t] of [...this.namedParameters(), ...this.namedBuffers()]) t.dispose();
  }
}
