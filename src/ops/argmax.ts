// argmax / argmin along one axis or over all elements: float32 tensors of integer indices,
// first occurrence on ties, NaN beating every number (as in PyTorch). Not differentiable, so
// nothing is recorded. Kernel: assembly/argmax.ts. Reference: src/reference/argmax.ts.
import { heap, kernels } from '../backend/wasm.js';
import { ShapeError, fmtShape } from '../errors.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { normalizeAxis } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';

const enum ArgKernel {
  Max = 0,
  Min = 1,
}

export interface ArgOptions {
  /** The axis to reduce (PyTorch's dim); all elements (flat index) when omitted or null. */
  dim?: number | null;
  /**
   * Keep the reduced dimension with size 1 (PyTorch's keepdim); with no axis, every
   * dimension is kept with size 1. Default false.
   */
  keepdim?: boolean;
}

/** `argmax(x, dim, keepdim)` as PyTorch, `argmax(x, {dim, keepdim})`, or `argmax(x, dim, {keepdim})`. */
export type ArgArgs = Args<[dim: number | null | undefined, keepdim: boolean | undefined], ArgOptions>;

const ARG = { dim: is.nullable(is.int()), keepdim: is.boolean };

function arg(op: string, kernel: ArgKernel, input: TensorInput, args: readonly unknown[]): Tensor {
  const x = toTensor(op, 'input', input);
  const o = readArgs(op, args, ['dim', 'keepdim'], ARG);
  const axis = o.dim ?? undefined;
  const keepdim = o.keepdim ?? false;
  let outer: number, len: number, inner: number, shape: number[];
  if (axis === undefined) {
    // The flattened tensor: one row of every element; the index is a flat (row-major) one.
    [outer, len, inner] = [1, x.size, 1];
    shape = keepdim ? x.shape.map(() => 1) : [];
  } else {
    const ax = normalizeAxis(op, axis, x.rank);
    outer = x.shape.slice(0, ax).reduce((a, b) => a * b, 1);
    inner = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
    len = x.shape[ax] ?? 1;
    shape = x.rank === 0 ? [] : x.shape.flatMap((d, i) => (i !== ax ? [d] : keepdim ? [1] : []));
  }
  if (len === 0) {
    const where = axis === undefined ? 'all elements' : `axis ${axis}`;
    throw new ShapeError(`${op}: cannot reduce over ${where} of a tensor of shape ${fmtShape(x.shape)}: it is empty`);
  }
  const out = Tensor.empty(shape);
  if (out.size > 0) {
    const bytes = inner * 4;
    const scratch = inner > 1 ? heap().alloc(bytes) : 0;
    kernels().argmax_f32(kernel, x.ptr, out.ptr, outer, len, inner, scratch);
    if (inner > 1) heap().release(scratch, bytes);
  }
  return releasePromoted(out, [input], [x]);
}

/** Index of the largest element along `axis`, or flat index over all elements when omitted. */
export function argmax(input: TensorInput, ...args: ArgArgs): Tensor {
  return arg('argmax', ArgKernel.Max, input, args);
}

/** Index of the smallest element along `axis`, or flat index over all elements when omitted. */
export function argmin(input: TensorInput, ...args: ArgArgs): Tensor {
  return arg('argmin', ArgKernel.Min, input, args);
}
