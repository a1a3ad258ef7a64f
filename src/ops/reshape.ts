// Shape changes that keep the element order: reshape, flatten, squeeze, unsqueeze. All are
// views over the input's storage (no copy); the gradient is dy viewed back in the input shape.
// Reference twin: src/reference/shape.ts.
import { composed, record } from '../autograd/graph.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { normalizeAxis, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, type SizeArgs, is, readArgs, readSizes } from '../validate.js';

/** torch.flatten's order: `flatten(x, 1)`, `flatten(x, 1, 2)`, or `flatten(x, {startDim: 1})`. */
export type FlattenArgs = Args<[startDim: number | undefined, endDim: number | undefined], { startDim?: number; endDim?: number }>;
/** `squeeze(x)`, `squeeze(x, 1)`, `squeeze(x, [0, 2])`, or `squeeze(x, {dim: 1})`. */
export type SqueezeArgs = Args<[dim: number | readonly number[] | null | undefined], { dim?: number | readonly number[] | null }>;
/** `unsqueeze(x, 0)` or `unsqueeze(x, {dim: 0})`. */
export type UnsqueezeArgs = Args<[dim: number], { dim?: number }>;

const SIZE = is.int({ min: -1 });
const FLATTEN = { startDim: is.int(), endDim: is.int() };
const SQUEEZE = { dim: is.nullable(is.anyOf<number | number[]>('an integer or a list of integers', is.int(), is.list(is.int()))) };
const UNSQUEEZE = { dim: is.int() };

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
export function reshape(input: TensorInput, ...shape: SizeArgs<never>): Tensor {
  const x = toTensor('reshape', 'input', input);
  const { sizes, rest } = readSizes('reshape', shape, SIZE);
  readArgs('reshape', rest, [], {});
  return viewAs('reshape', x, inferShape('reshape', x.shape, sizes));
}

/** Merges dimensions startDim..endDim (inclusive, negative allowed) into one; a scalar becomes [1]. */
export function flatten(input: TensorInput, ...args: FlattenArgs): Tensor {
  const x = toTensor('flatten', 'input', input);
  const { startDim = 0, endDim = -1 } = readArgs('flatten', args, ['startDim', 'endDim'], FLATTEN);
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
export function squeeze(input: TensorInput, ...args: SqueezeArgs): Tensor {
  const x = toTensor('squeeze', 'input', input);
  const axis = readArgs('squeeze', args, ['dim'], SQUEEZE).dim ?? undefined;
  const named = axis === undefined ? null : (typeof axis === 'number' ? [axis] : axis).map((a) => normalizeAxis('squeeze', a, x.rank));
  const shape = x.shape.filter((d, i) => d !== 1 || (named !== null && !named.includes(i)));
  return viewAs('squeeze', x, shape);
}

/** Inserts a size-1 dimension at `axis` (in [-rank-1, rank]). */
export function unsqueeze(input: TensorInput, ...args: UnsqueezeArgs): Tensor {
  const x = toTensor('unsqueeze', 'input', input);
  const axis = readArgs('unsqueeze', args, ['dim'], UNSQUEEZE).dim;
  if (axis === undefined) throw new ArgumentError('unsqueeze: dim is required', 'unsqueeze', 'dim');
  const a = normalizeAxis('unsqueeze', axis, x.rank + 1);
  return viewAs('unsqueeze', x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}
