// Reductions over one axis, several axes, or all: sum, mean, max, min (with keepdim).
// Kernel: assembly/reduce.ts. Reference twin: src/reference/reduce.ts.
import { kernels } from '../backend/wasm.js';
import { composed, record } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { normalizeAxis } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { mul, div } from './binary.js';
import { reshape } from './reshape.js';
import { eqMask } from './compare.js';

const enum ReduceKernel {
  Sum = 0,
  Max = 1,
  Min = 2,
}

/** An axis, a list of axes, or undefined for all of them. */
export type Axes = number | readonly number[] | undefined;

export interface ReduceOptions {
  /** Keep reduced dimensions with size 1 (PyTorch's keepdim). Default false. */
  keepdim?: boolean;
}

/**
 * Sorted, non-negative axes; all axes when `axes` is undefined or an empty list (as in
 * PyTorch). A scalar accepts axis 0 / -1 and has nothing to reduce. A repeated axis throws.
 */
export function resolveAxes(op: string, axes: Axes, rank: number): number[] {
  const list = typeof axes === 'number' ? [axes] : [...(axes ?? [])];
  if (list.length === 0) return Array.from({ length: rank }, (_, i) => i);
  const resolved = list.map((a) => normalizeAxis(op, a, rank));
  resolved.forEach((a, i) => {
    if (resolved.indexOf(a) !== i) throw new ShapeError(`${op}: axis ${a} appears more than once in [${list.join(', ')}]`);
  });
  return rank === 0 ? [] : resolved.sort((a, b) => a - b);
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
function reduceKernel(op: string, kernel: ReduceKernel, x: Tensor, axes: number[]): Tensor {
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
      if (kernel !== ReduceKernel.Sum) {
        throw new ShapeError(`${op}: cannot reduce over the empty axis ${axis} of a tensor of shape ${fmtShape(x.shape)}`);
      }
      kernels().fill_f32(next.ptr, next.size, 0);
    } else {
      kernels().reduce_f32(kernel, cur.ptr, next.ptr, outer, len, inner);
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
  kernels().fill_f32(ones.ptr, ones.size, 1);
  return mul(ones, kept);
}

/** Sum over `axes` (all when omitted). */
export function sum(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  x.assertLive('sum');
  const ax = resolveAxes('sum', axes, x.rank);
  const keptShape = reducedShape(x.shape, ax, true);
  const out = finish(x, reduceKernel('sum', ReduceKernel.Sum, x, ax), reducedShape(x.shape, ax, options.keepdim ?? false));
  return record(out, 'sum', [x], composed((dy) => [() => expandTo(dy, keptShape, x.shape)]), []);
}

/** Mean over `axes` (all when omitted). */
export function mean(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  x.assertLive('mean');
  const ax = resolveAxes('mean', axes, x.rank);
  const count = ax.reduce((n, a) => n * (x.shape[a] as number), 1);
  const keptShape = reducedShape(x.shape, ax, true);
  const summed = reduceKernel('mean', ReduceKernel.Sum, x, ax);
  const out = Tensor.empty(reducedShape(x.shape, ax, options.keepdim ?? false));
  kernels().scale_f32(summed.ptr, out.ptr, out.size, 1 / count);
  if (summed !== x) summed.dispose();
  return record(out, 'mean', [x], composed((dy) => [() => div(expandTo(dy, keptShape, x.shape), count)]), []);
}

function extremum(op: 'max' | 'min', kernel: ReduceKernel, x: Tensor, axes: Axes, options: ReduceOptions): Tensor {
  x.assertLive(op);
  const ax = resolveAxes(op, axes, x.rank);
  const keptShape = reducedShape(x.shape, ax, true);
  const out = finish(x, reduceKernel(op, kernel, x, ax), reducedShape(x.shape, ax, options.keepdim ?? false));
  // The gradient flows to the elements equal to the extremum, split evenly among ties (as
  // torch.amax/amin do).
  return record(out, op, [x], composed((dy) => [
    () => {
      const hit = eqMask(x, Tensor.view(out, keptShape));
      const count = sum(hit, ax, { keepdim: true });
      return mul(expandTo(dy, keptShape, x.shape), div(hit, count));
    },
  ]));
}

/** Maximum over `axes` (all when omitted); NaN propagates. */
export function max(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return extremum('max', ReduceKernel.Max, x, axes, options);
}

/** Minimum over `axes` (all when omitted); NaN propagates. */
export function min(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return extremum('min', ReduceKernel.Min, x, axes, options);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    sum(axes?: Axes, options?: ReduceOptions): Tensor;
    mean(axes?: Axes, options?: ReduceOptions): Tensor;
    max(axes?: Axes, options?: ReduceOptions): Tensor;
    min(axes?: Axes, options?: ReduceOptions): Tensor;
  }
}

Tensor.prototype.sum = function (this: Tensor, axes?: Axes, options?: ReduceOptions) { return sum(this, axes, options); };
Tensor.prototype.mean = function (this: Tensor, axes?: Axes, options?: ReduceOptions) { return mean(this, axes, options); };
Tensor.prototype.max = function (this: Tensor, axes?: Axes, options?: ReduceOptions) { return max(this, axes, options); };
Tensor.prototype.min = function (this: Tensor, axes?: Axes, options?: ReduceOptions) { return min(this, axes, options); };
