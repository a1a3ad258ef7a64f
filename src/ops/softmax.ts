// Softmax and log-softmax along one axis: max-subtracted (stable for any logits), with fused
// one-kernel backward passes. Kernel: assembly/softmax.ts (through src/kernels/softmax.ts).
// Reference: src/reference/softmax.ts.
import { SoftmaxMode } from '../backend/generated/opcodes.js';
import { composed, isGradEnabled, record } from '../autograd/graph.js';
import { softmaxBackward, softmaxForward } from '../kernels/softmax.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { normalizeAxis } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';
import { mul, sub } from './binary.js';
import { sum } from './reduce.js';
import { exp } from './unary.js';

/** The [outer, len, inner] view of `shape` around `axis` (a scalar is one row of one). */
function around(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { outer, len: shape[axis] ?? 1, inner };
}

export interface SoftmaxOptions {
  /** The axis along which the values sum to 1 (PyTorch's dim). Default -1, the last. */
  dim?: number;
}

/** `softmax(x, dim)` as PyTorch, or `softmax(x, {dim})`. */
export type SoftmaxArgs = Args<[dim: number | undefined], SoftmaxOptions>;

const SOFTMAX = { dim: is.int() };

function softmaxOp(op: string, kernel: SoftmaxMode, input: TensorInput, args: readonly unknown[]): Tensor {
  const x = toTensor(op, 'input', input);
  const ax = normalizeAxis(op, readArgs(op, args, ['dim'], SOFTMAX).dim ?? -1, x.rank);
  const { outer, len, inner } = around(x.shape, ax);
  const out = Tensor.empty(x.shape);
  softmaxForward(kernel, x, out, outer, len, inner);
  const recorded = record(out, op, [x], composed((dy) => [
    () => {
      // Recording (createGraph): softmax y·(dy − Σ dy·y), log-softmax dy − eʸ·Σ dy.
      if (isGradEnabled()) {
        return kernel === SoftmaxMode.Softmax
          ? mul(out, sub(dy, sum(mul(dy, out), ax, { keepdim: true })))
          : sub(dy, mul(exp(out), sum(dy, ax, { keepdim: true })));
      }
      const dx = Tensor.empty(x.shape);
      softmaxBackward(kernel, out, dy, dx, outer, len, inner);
      return dx;
    },
  ]), [out]);
  return releasePromoted(recorded, [input], [x]);
}

/** exp(x) / Σ exp(x) along `dim` (default the last). A row of −inf gives NaN, as in PyTorch. */
export function softmax(input: TensorInput, ...args: SoftmaxArgs): Tensor {
  return softmaxOp('softmax', SoftmaxMode.Softmax, input, args);
}

/** x − log Σ exp(x) along `dim` (default the last), computed as (x − max) − log Σ exp(x − max). */
export function logSoftmax(input: TensorInput, ...args: SoftmaxArgs): Tensor {
  return softmaxOp('logSoftmax', SoftmaxMode.LogSoftmax, input, args);
}
