import { ValueError } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Base of the optimizers: holds the parameters, the learning rate (which schedulers change)
 * and per-parameter state buffers, which live outside every `tidy` until `dispose()`.
 */
export abstract class Optimizer {
  readonly params: Tensor[];
  /** The learning rate used by the next `step()`. */
  lr: number;
  /** Steps taken so far. */
  stepCount = 0;
  private readonly state = new Map<Tensor, Map<string, Tensor>>();

  protected constructor(name: string, params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    if (this.params.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new ValueError(`${name}: invalid learning rate ${lr}`);
    this.params.forEach((p, i) => {
      if (!p.requiresGrad) throw new ValueError(`${name}: parameter ${i} (shape [${p.shape.join(', ')}]) does not require a gradient`);
    });
    this.lr = lr;
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

export function checkRange(op: string, name: string, value: number, lo: number, hi: number, hiOpen = true): void {
  if (!(value >= lo) || !(hiOpen ? value < hi : value <= hi)) {
    throw new ValueError(`${op}: ${name} must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${value}`);
  }
}
