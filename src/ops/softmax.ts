// Softmax and log-softmax along one axis: max-subtracted (stable for any logits), with fused
// one-kernel backward passes. Kernel: assembly/softmax.ts. Reference: src/reference/softmax.ts.
import { heap, kernels } from '../backend/wasm.js';
import { composed, isGradEnabled, record } from '../autograd/graph.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { normalizeAxis } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';
import { mul, sub } from './binary.js';
import { sum } from './reduce.js';
import { exp } from './unary.js';

const enum SoftmaxKernel {
  Softmax = 0,
  LogSoftmax = 1,
}

/** The [outer, len, inner] view of `shape` around `axis` (a scalar is one row of one). */
function around(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { outer, len: shape[axis] ?? 1, inner };
}

// Runs a kernel that needs `floats` of scratch when inner > 1.
function withScratch(inner: number, floats: number, run: (scratch: number) => void): void {
  if (inner === 1) return run(0);
  const bytes = floats * 4;
  const scratch = heap().alloc(bytes);
  try {
    run(scratch);
  } finally {
    heap().release(scratch, bytes);
  }
}

export interface SoftmaxOptions {
  /** The axis along which the values sum to 1 (PyTorch's dim). Default -1, the last. */
  dim?: number;
}

/** `softmax(x, dim)` as PyTorch, or `softmax(x, {dim})`. */
export type SoftmaxArgs = Args<[dim: number | undefined], SoftmaxOptions>;

const SOFTMAX = { dim: is.int() };

function softmaxOp(op: string, kernel: SoftmaxKernel, input: TensorInput, args: readonly unknown[]): Tensor {
  const x = toTensor(op, 'input', input);
  const ax = normalizeAxis(op, readArgs(op, args, ['dim'], SOFTMAX).dim ?? -1, x.rank);
  const { outer, len, inner } = around(x.shape, ax);
  const out = Tensor.empty(x.shape);
  if (out.size > 0) {
    withScratch(inner, 2 * inner, (scratch) => kernels().softmax_f32(kernel, x.ptr, out.ptr, outer, len, inner, scratch));
  }
  const recorded = record(out, op, [x], composed((dy) => [
    () => {
      // Recording (createGraph): softmax y·(dy − Σ dy·y), log-softmax dy − eʸ·Σ dy.
      if (isGradEnabled()) {
        return kernel === SoftmaxKernel.Softmax
          ? mul(out, sub(dy, sum(mul(dy, out), ax, { keepdim: true })))
          : sub(dy, mul(exp(out), sum(dy, ax, { keepdim: true })));
      }
      const dx = Tensor.empty(x.shape);
      if (dx.size > 0) {
        withScratch(inner, inner, (scratch) => kernels().softmax_backward_f32(kernel, out.ptr, dy.ptr, dx.ptr, outer, len, inner, scratch));
      }
      return dx;
    },
  ]), [out]);
  return releasePromoted(recorded, [input], [x]);
}

/** exp(x) / Σ exp(x) along `dim` (default the last). A row of −inf gives NaN, as in PyTorch. */
export function softmax(input: TensorInput, ...args: SoftmaxArgs): Tensor {
  return softmaxOp('softmax', SoftmaxKernel.Softmax, input, args);
}

/** x − log Σ exp(x) along `dim` (default the last), computed as (x − max) − log Σ exp(x − max). */
export function logSoftmax(input: TensorInput, ...args: SoftmaxArgs): Tensor {
  return softmaxOp('logSoftmax', SoftmaxKernel.LogSoftmax, input, args);
}
