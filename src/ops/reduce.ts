// Reductions over one axis, several axes, or all: sum, mean, max, min (with keepdim).
// Kernel: assembly/reduce.ts (through src/kernels/reduce.ts). Reference twin: src/reference/reduce.ts.
import { ReduceOp } from '../backend/generated/opcodes.js';
import { composed, record } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { fill, scale } from '../kernels/memory.js';
import { reduceAlong } from '../kernels/reduce.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { resolveAxes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';
import { mul, div } from './binary.js';
import { eq } from './compare.js';
import { reshape } from './reshape.js';

/** An axis, a list of axes, or undefined for all of them. */
export type Axes = number | readonly number[] | undefined;

export interface ReduceOptions {
  /** The axis or axes to reduce (PyTorch's dim); all when omitted or null. */
  dim?: Axes | null;
  /** Keep reduced dimensions with size 1 (PyTorch's keepdim). Default false. */
  keepdim?: boolean;
}

/**
 * The arguments after the input, as PyTorch takes them (`sum(x, 1, true)`), as an options
 * object (`sum(x, {dim: 1, keepdim: true})`), or mixed (`sum(x, 1, {keepdim: true})`).
 */
export type ReduceArgs = Args<[dim: Axes | null, keepdim: boolean | undefined], ReduceOptions>;

/** The check of a `dim` argument that takes one axis, several, or null for all. */
const AXES: (v: unknown, where: string) => Axes | null = is.nullable(
  is.anyOf<Axes>('an integer, a list of integers or null', is.int(), is.list(is.int())),
);
const REDUCE = { dim: AXES, keepdim: is.boolean };

/** Reads a reduction's input and `ReduceArgs`. */
function reduceArgs(op: string, x: TensorInput, args: readonly unknown[]): { x: Tensor; axes: Axes; keepdim: boolean } {
  const xt = toTensor(op, 'input', x);
  const o = readArgs(op, args, ['dim', 'keepdim'], REDUCE);
  return { x: xt, axes: o.dim ?? undefined, keepdim: o.keepdim ?? false };
}

function reducedShape(shape: readonly number[], axes: number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

// One kernel pass per reduced axis, innermost first, on the [outer, len, inner] view.
function reduceKernel(op: string, kernel: ReduceOp, x: Tensor, axes: number[]): Tensor {
  let cur = x;
  let shape = [...x.shape];
  for (let k = axes.length - 1; k >= 0; k--) {
    const axis = axes[k] as number;
    const len = shape[axis] as number;
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const nextShape = [...shape];
    nextShape[axis] = 1;
    const next = Tensor.empty(nextShape);
    if (len === 0) {
      if (kernel !== ReduceOp.Sum) {
        throw new ShapeError(`${op}: cannot reduce over the empty axis ${axis} of a tensor of shape ${fmtShape(x.shape)}`);
      }
      fill(next, 0);
    } else {
      reduceAlong(kernel, cur, next, outer, len, inner);
    }
    if (cur !== x) cur.dispose();
    cur = next;
    shape = nextShape;
  }
  return cur;
}

function finish(x: Tensor, r: Tensor, shape: number[]): Tensor {
  return r === x ? Tensor.view(x, shape) : reshapeInPlace(r, shape);
}

// r was made here and is not shared: give it its final shape without copying.
function reshapeInPlace(r: Tensor, shape: number[]): Tensor {
  const out = Tensor.view(r, shape);
  r.dispose();
  return out;
}

/** Broadcasts a reduced gradient (keepdim shape) back over the input's shape. */
function expandTo(g: Tensor, keptShape: number[], shape: readonly number[]): Tensor {
  const kept = reshape(g, keptShape);
  const ones = Tensor.empty(shape);
  fill(ones, 1);
  return mul(ones, kept);
}

/** Sum over `dim` (all axes when omitted), like torch.sum. */
export function sum(input: TensorInput, ...args: ReduceArgs): Tensor {
  const { x, axes, keepdim } = reduceArgs('sum', input, args);
  const ax = resolveAxes('sum', axes, x.rank);
  const keptShape = reducedShape(x.shape, ax, true);
  const out = finish(x, reduceKernel('sum', ReduceOp.Sum, x, ax), reducedShape(x.shape, ax, keepdim));
  return releasePromoted(record(out, 'sum', [x], composed((dy) => [() => expandTo(dy, keptShape, x.shape)]), []), [input], [x]);
}

/** Mean over `dim` (all axes when omitted), like torch.mean. */
export function mean(input: TensorInput, ...args: ReduceArgs): Tensor {
  const { x, axes, keepdim } = reduceArgs('mean', input, args);
  const ax = resolveAxes('mean', axes, x.rank);
  const count = ax.reduce((n, a) => n * (x.shape[a] as number), 1);
  const keptShape = reducedShape(x.shape, ax, true);
  const summed = reduceKernel('mean', ReduceOp.Sum, x, ax);
  const out = Tensor.empty(reducedShape(x.shape, ax, keepdim));
  scale(summed, out, 1 / count);
  if (summed !== x) summed.dispose();
  return releasePromoted(record(out, 'mean', [x], composed((dy) => [() => div(expandTo(dy, keptShape, x.shape), count)]), []), [input], [x]);
}

/** @internal The largest or smallest values over `dim` (all axes when omitted), as op `op` (also `max(x)`, `min(x)` in ./argmax.ts). */
export function extremum(op: string, which: 'max' | 'min', input: TensorInput, args: readonly unknown[]): Tensor {
  const kernel = which === 'max' ? ReduceOp.Max : ReduceOp.Min;
  const { x, axes, keepdim } = reduceArgs(op, input, args);
  const ax = resolveAxes(op, axes, x.rank);
  const keptShape = reducedShape(x.shape, ax, true);
  const out = finish(x, reduceKernel(op, kernel, x, ax), reducedShape(x.shape, ax, keepdim));
  // The gradient flows to the elements equal to the extremum, split evenly among ties (as
  // torch.amax/amin do).
  const recorded = record(out, op, [x], composed((dy) => [
    () => {
      const hit = eq(x, Tensor.view(out, keptShape));
      const count = sum(hit, ax, { keepdim: true });
      return mul(expandTo(dy, keptShape, x.shape), div(hit, count));
    },
  ]));
  return releasePromoted(recorded, [input], [x]);
}

/** Maximum over `dim` (all axes when omitted; the values only: torch.amax); NaN propagates. `max` with indices: ./argmax.ts. */
export function amax(input: TensorInput, ...args: ReduceArgs): Tensor {
  return extremum('amax', 'max', input, args);
}

/** Minimum over `dim` (all axes when omitted; the values only: torch.amin); NaN propagates. */
export function amin(input: TensorInput, ...args: ReduceArgs): Tensor {
  return extremum('amin', 'min', input, args);
}
