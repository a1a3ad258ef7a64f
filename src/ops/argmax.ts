// argmax / argmin along one axis or over all elements: float32 tensors of integer indices,
// first occurrence on ties, NaN beating every number (as in PyTorch). Not differentiable, so
// nothing is recorded. max / min along one dim return the values and these indices, as
// PyTorch's (values, indices) pair; the values' gradient goes to the picked element only (not
// split among ties as amax's is). Kernel: assembly/argmax.ts. Reference: src/reference/argmax.ts.
import { ArgOp } from '../backend/generated/opcodes.js';
import { composed, record } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { argAlong } from '../kernels/reduce.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { normalizeAxis } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';
import { gather } from './gather.js';
import { type ReduceArgs, extremum } from './reduce.js';
import { reshape } from './reshape.js';

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

function arg(op: string, kernel: ArgOp, input: TensorInput, args: readonly unknown[]): Tensor {
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
  if (out.size > 0) argAlong(kernel, x, out, outer, len, inner);
  return releasePromoted(out, [input], [x]);
}

/** Index of the largest element along `axis`, or flat index over all elements when omitted. */
export function argmax(input: TensorInput, ...args: ArgArgs): Tensor {
  return arg('argmax', ArgOp.Max, input, args);
}

/** Index of the smallest element along `axis`, or flat index over all elements when omitted. */
export function argmin(input: TensorInput, ...args: ArgArgs): Tensor {
  return arg('argmin', ArgOp.Min, input, args);
}

/**
 * What max, min, sort and topk return, as PyTorch's named tuples: `r.values`, `r.indices`
 * (float32 integers, like argmax), and `const [values, indices] = r`.
 */
export class ValuesIndices implements Iterable<Tensor> {
  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {}

  *[Symbol.iterator](): Iterator<Tensor> {
    yield this.values;
    yield this.indices;
  }

  /** Disposes both tensors. */
  dispose(): void {
    this.values.dispose();
    this.indices.dispose();
  }
}

/**
 * @internal The elements of `from` (x, or x as a vector when x is 0-D) at `indices` along
 * `axis` (gather), viewed as `shape`: one node `op` on x whose rule is gather's (dy scattered
 * back to the picked elements), so max, sort and topk show as themselves in graphs.
 */
export function pick(op: string, x: Tensor, from: Tensor, axis: number, indices: Tensor, shape: readonly number[]): Tensor {
  const picked = gather(from, axis, indices);
  const values = Tensor.view(picked, shape);
  const node = picked.node;
  if (node !== null && node.outputs === undefined) {
    const toX = (g: Tensor): Tensor => (from === x ? g : reshape(g, x.shape));
    record(values, op, [x], composed((dy) => node.backward(reshape(dy, picked.shape)).map((t) => t && (() => toX(t())))), []);
  }
  picked.dispose();
  return values;
}

/** `max(x, dim, keepdim)` / `max(x, {dim, keepdim})` with one integer dim: values and indices. */
export type DimArgs = [dim: number, keepdim?: boolean] | [dim: number, options: { keepdim?: boolean }] | [options: { dim: number; keepdim?: boolean }];

const MAX = { dim: is.int(), keepdim: is.boolean };

// One integer dim (positional or in options) asks for the pair; anything else is amax's reading.
function oneDim(args: readonly unknown[]): boolean {
  const first = args[0];
  return typeof first === 'number' || (typeof first === 'object' && first !== null && typeof (first as { dim?: unknown }).dim === 'number');
}

function extremeAlong(op: 'max' | 'min', kernel: ArgOp, input: TensorInput, args: readonly unknown[]): ValuesIndices {
  const x = toTensor(op, 'input', input);
  const o = readArgs(op, args, ['dim', 'keepdim'], MAX);
  x.assertLive(op);
  // A 0-D tensor has one element along dim 0 (or -1), as in PyTorch.
  const flat = x.rank === 0 ? reshape(x, [1]) : x;
  const axis = Math.max(0, normalizeAxis(op, o.dim as number, x.rank));
  if (flat.shape[axis] === 0) throw new ShapeError(`${op}: cannot reduce over the empty axis ${axis} of a tensor of shape ${fmtShape(x.shape)}`);
  const kept = arg(op, kernel, flat, [axis, true]);
  const shape = x.rank === 0 ? [] : o.keepdim === true ? kept.shape : kept.shape.filter((_, i) => i !== axis);
  const values = pick(op, x, flat, axis, kept, shape);
  const indices = Tensor.view(kept, shape);
  kept.dispose();
  if (flat !== x) flat.dispose();
  releasePromoted(values, [input], [x]);
  return new ValuesIndices(values, indices);
}

/**
 * torch.max: over all elements (`max(x)`) or several dims (`max(x, [0, 1])`, as amax) the
 * largest values; along one dim (`max(x, 1)`, `max(x, 1, true)`, `max(x, {dim: 1})`) the
 * values and their indices, `const [values, indices] = max(x, 1)`. NaN propagates.
 */
export function max(input: TensorInput, ...args: DimArgs): ValuesIndices;
export function max(input: TensorInput, ...args: ReduceArgs): Tensor;
export function max(input: TensorInput, ...args: unknown[]): Tensor | ValuesIndices {
  return oneDim(args) ? extremeAlong('max', ArgOp.Max, input, args) : extremum('max', 'max', input, args);
}

/** torch.min: as `max`, the smallest values (and their indices along one dim). */
export function min(input: TensorInput, ...args: DimArgs): ValuesIndices;
export function min(input: TensorInput, ...args: ReduceArgs): Tensor;
export function min(input: TensorInput, ...args: unknown[]): Tensor | ValuesIndices {
  return oneDim(args) ? extremeAlong('min', ArgOp.Min, input, args) : extremum('min', 'min', input, args);
}
