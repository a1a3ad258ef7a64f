// Autograd entry points as Tensor methods: t.backward(), t.detach(), t.zeroGrad().
import { ArgumentError } from '../errors.js';
import type { TensorInput } from '../tensor/promote.js';
import { Tensor } from '../tensor/tensor.js';
import { describe, is, readArgs } from '../validate.js';
import { type BackwardOptions, backward } from './backward.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Back-propagates from this tensor (see `backward`): `backward()`, `backward(grad)`, `backward({createGraph: true})`. */
    backward(grad?: TensorInput | null, options?: BackwardOptions): void;
    backward(options: BackwardOptions): void;
    backward(grad: TensorInput | null | undefined, retainGraph?: boolean, createGraph?: boolean, inputs?: readonly Tensor[]): void;
    /** The same values with no graph behind them (shares storage). */
    detach(): Tensor;
    /** Drops the accumulated gradient. */
    zeroGrad(): void;
  }
}

Tensor.prototype.backward = function (this: Tensor, ...rest: unknown[]) {
  (backward as (root: Tensor, ...args: unknown[]) => void)(this, ...rest);
};
Tensor.prototype.detach = function (this: Tensor) {
  return Tensor.view(this, this.shape);
};
Tensor.prototype.zeroGrad = function (this: Tensor) {
  if (this.grad !== null) {
    this.grad.dispose();
    this.grad = null;
  }
};

/** Drops the accumulated gradient of every tensor given. */
export function zeroGrad(tensors: Iterable<Tensor>, ...rest: []): void {
  if (rest.length > 0) readArgs('zeroGrad', rest, [], {});
  if (tensors === null || typeof (tensors as Partial<Iterable<Tensor>> | undefined)?.[Symbol.iterator] !== 'function' || typeof tensors === 'string') {
    throw new ArgumentError(`zeroGrad: tensors must be a list (or iterable) of tensors, got ${describe(tensors)}`, 'zeroGrad', 'tensors');
  }
  let i = 0;
  for (const t of tensors) TENSOR(t, `zeroGrad: tensors[${i++}]`).zeroGrad();
}

const TENSOR = is.instance(Tensor, 'a Tensor');
