import { ArgumentError, ValueError } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { keep } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { describe, is } from '../validate.js';

/** The checks of the options every optimizer shares. */
export const sharedOptions = {
  /** Learning rate ≥ 0. */
  lr: is.number({ min: 0 }),
  /** L2 penalty added to the gradient (decoupled in AdamW). */
  weightDecay: is.number({ min: 0 }),
  eps: is.number({ min: 0 }),
};

/**
 * The parameters an optimizer or `clipGradNorm` takes: an iterable of tensors (a model's
 * `parameters()`); anything else is an ArgumentError naming `where` and what was given.
 */
export function readParams(where: string, params: unknown): Tensor[] {
  if (params !== null && typeof params === 'object' && typeof (params as { parameters?: unknown }).parameters === 'function' && !(Symbol.iterator in params)) {
    throw new ArgumentError(`${where}: params must be an iterable of tensors, got ${describe(params)}; pass model.parameters()`, where, 'params');
  }
  if (params === null || typeof params !== 'object' || typeof (params as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
    throw new ArgumentError(`${where}: params must be an iterable of tensors (model.parameters()), got ${describe(params)}`, where, 'params');
  }
  const list = [...(params as Iterable<unknown>)];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ArgumentError(`${where}: params[${i}] must be a Tensor, got ${describe(p)}`, where, 'params');
    p.assertLive(where);
  });
  return list as Tensor[];
}

/**
 * Base of the optimizers: holds the parameters, the learning rate (which schedulers change)
 * and per-parameter state buffers, which live outside every `tidy` until `dispose()`.
 */
export abstract class Optimizer {
  readonly params: Tensor[];
  private rate = 0;
  /** 'optim.SGD', for errors. */
  private readonly where: string;
  /** Steps taken so far. */
  stepCount = 0;
  private readonly state = new Map<Tensor, Map<string, Tensor>>();

  /** `lr` is checked by the subclass's options table. */
  protected constructor(name: string, params: unknown, lr: number) {
    this.params = readParams(name, params);
    if (this.params.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    this.params.forEach((p, i) => {
      if (!p.requiresGrad) throw new ValueError(`${name}: parameter ${i} (shape [${p.shape.join(', ')}]) does not require a gradient`);
    });
    this.where = name;
    this.lr = lr;
  }

  /** The learning rate used by the next `step()` (schedulers set it; a finite number ≥ 0). */
  get lr(): number {
    return this.rate;
  }

  set lr(value: number) {
    this.rate = sharedOptions.lr(value, `${this.where}: lr`);
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    for (const p of this.params) {
      if (p.grad === null) continue;
      this.update(p, p.grad);
      p.bumpVersion(`${this.constructor.name}.step`); // an in-place write, as in PyTorch
    }
  }

  protected abstract update(p: Tensor, grad: Tensor): void;

  /** Drops the gradients of all parameters. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** A zero-initialised state buffer of `p`'s shape, created on first use. */
  protected buffer(p: Tensor, name: string): Tensor {
    let s = this.state.get(p);
    if (s === undefined) {
      s = new Map();
      this.state.set(p, s);
    }
    let b = s.get(name);
    if (b === undefined) {
      b = keep(zeros(p.shape));
      s.set(name, b);
    }
    return b;
  }

  /** Whether `p` has the named state buffer yet (false before its first update). */
  protected hasBuffer(p: Tensor, name: string): boolean {
    return this.state.get(p)?.has(name) ?? false;
  }

  /** Frees the state buffers. */
  dispose(): void {
    for (const s of this.state.values()) for (const b of s.values()) b.dispose();
    this.state.clear();
  }
}
