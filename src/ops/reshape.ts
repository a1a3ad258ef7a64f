// Shape changes that keep the element order: reshape, flatten, squeeze, unsqueeze. All are
// views over the input's storage (no copy); the gradient is dy viewed back in the input shape.
// Reference twin: src/reference/shape.ts.
import { composed, record } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { normalizeAxis, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Resolves a target shape with at most one -1 against `size` elements; throws a ShapeError naming `op`. */
function inferShape(op: string, from: readonly number[], shape: readonly number[]): number[] {
  const size = sizeOf(from);
  let unknown = -1;
  let known = 1;
  shape.forEach((d, i) => {
    if (d === -1) {
      if (unknown >= 0) throw new ShapeError(`${op}: only one dimension can be -1, got ${fmtShape(shape)}`);
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid size ${d} in shape ${fmtShape(shape)}`);
    } else {
      known *= d;
    }
  });
  const out = [...shape];
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`${op}: cannot reshape a tensor of shape ${fmtShape(from)} (${size} elements) into ${fmtShape(shape)}`);
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new ShapeError(`${op}: cannot reshape a tensor of shape ${fmtShape(from)} (${size} elements) into ${fmtShape(shape)} (${known} elements)`);
  }
  return out;
}

// Every op of this file is this one: a view of x in another shape, recorded under `op`.
function viewAs(op: string, x: Tensor, shape: readonly number[]): Tensor {
  const out = Tensor.view(x, shape);
  return record(out, op, [x], composed((dy) => [() => viewAs(op, dy, x.shape)]), []);
}

/**
 * x with a new shape of the same size; one dimension may be -1 (inferred). Shares storage with
 * x: writes through one are seen through the other.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  x.assertLive('reshape');
  return viewAs('reshape', x, inferShape('reshape', x.shape, shape));
}

/** Merges dimensions startDim..endDim (inclusive, negative allowed) into one; a scalar becomes [1]. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  x.assertLive('flatten');
  const start = normalizeAxis('flatten', startDim, x.rank);
  const end = normalizeAxis('flatten', endDim, x.rank);
  if (x.rank === 0) return viewAs('flatten', x, [1]);
  if (start > end) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim} for a tensor of shape ${fmtShape(x.shape)}`);
  const merged = sizeOf(x.shape.slice(start, end + 1));
  return viewAs('flatten', x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

/**
 * Removes size-1 dimensions: all of them, or those among `axis` (a dimension of another size
 * named in `axis` is kept, as in PyTorch).
 */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  x.assertLive('squeeze');
  const named = axis === undefined ? null : (typeof axis === 'number' ? [axis] : axis).map((a) => normalizeAxis('squeeze', a, x.rank));
  const shape = x.shape.filter((d, i) => d !== 1 || (named !== null && !named.includes(i)));
  return viewAs('squeeze', x, shape);
}

/** Inserts a size-1 dimension at `axis` (in [-rank-1, rank]). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  x.assertLive('unsqueeze');
  const a = normalizeAxis('unsqueeze', axis, x.rank + 1);
  return viewAs('unsqueeze', x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    reshape(shape: readonly number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    unsqueeze(axis: number): Tensor;
  }
}

Tensor.prototype.reshape = function (this: Tensor, shape: readonly number[]) { return reshape(this, shape); };
Tensor.prototype.flatten = function (this: Tensor, startDim?: number, endDim?: number) { return flatten(this, startDim, endDim); };
Tensor.prototype.squeeze = function (this: Tensor, axis?: number | readonly number[]) { return squeeze(this, axis); };
Tensor.prototype.unsqueeze = function (this: Tensor, axis: number) { return unsqueeze(this, axis); };
