// Basic indexing: slice (Python start:end:step on one axis or several) and select (one index,
// dimension dropped). Forward reads through strides; backward writes dy into zeros at the
// same positions. Kernel: assembly/strided.ts. Reference twin: src/reference/shape.ts.
import { composed, record } from '../autograd/graph.js';
import { ArgumentError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { normalizeAxis, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, describe, is, readArgs } from '../validate.js';

const BOUND = is.nullable(is.int());
const RANGE = is.nullable(is.list(BOUND, { maxLength: 3 }));
const SLICE = { start: BOUND, end: BOUND, step: is.int({ min: 1 }) };
const SELECT = { dim: is.int(), index: is.int() };
import { reshape } from './reshape.js';
import { stridedRead, stridedWriteIntoZeros } from '../kernels/strided.js';

/**
 * One axis of a multi-axis slice: `null` (or omitted) takes the whole axis; `[start, end?,
 * step?]` is Python's `start:end:step` (null or omitted start/end take the default).
 */
export type SliceRange = null | undefined | readonly [start?: number | null, end?: number | null, step?: number];

/** After the axis: `slice(x, 1, 0, 4, 2)` (start, end, step), or `slice(x, 1, {start: 0, step: 2})`. */
export type SliceArgs = Args<[start: number | null | undefined, end: number | null | undefined, step: number | undefined], { start?: number | null; end?: number | null; step?: number }>;

/** `select(x, 1, 2)` as torch.select(input, dim, index), or `select(x, {dim: 1, index: 2})`. */
export type SelectArgs = Args<[dim: number, index: number], { dim?: number; index?: number }>;

/** start, length and step of a Python slice over an axis of `size` (negative ends count from the back, out-of-range ends clamp). */
function resolveRange(op: string, x: Tensor, axis: number, start: number | null | undefined, end: number | null | undefined, step: number): { start: number; length: number; step: number } {
  const size = x.shape[axis] as number;
  if (!Number.isInteger(step) || step <= 0) throw new ValueError(`${op}: step must be a positive integer, got ${step} (axis ${axis}, shape ${fmtShape(x.shape)})`);
  const clamp = (v: number | null | undefined, dflt: number, what: string): number => {
    if (v === null || v === undefined) return dflt;
    if (!Number.isInteger(v)) throw new ValueError(`${op}: ${what} must be an integer, got ${v} (axis ${axis}, shape ${fmtShape(x.shape)})`);
    return Math.min(size, Math.max(0, v < 0 ? v + size : v));
  };
  const s = clamp(start, 0, 'start');
  const e = clamp(end, size, 'end');
  return { start: s, length: Math.max(0, Math.ceil((e - s) / step)), step };
}

/**
 * Python slicing, PyTorch semantics (step > 0). Either one axis — `slice(x, axis, start, end?,
 * step?)` is `x[..., start:end:step, ...]` — or one range per leading axis —
 * `slice(x, [[0, 2], null, [1, -1]])` is `x[0:2, :, 1:-1]`. The result is a copy.
 */
export function slice(x: TensorInput, axis: number, ...args: SliceArgs): Tensor;
export function slice(x: TensorInput, ranges: readonly SliceRange[]): Tensor;
export function slice(input: TensorInput, axisOrRanges: number | readonly SliceRange[], ...args: SliceArgs): Tensor {
  const x = toTensor('slice', 'input', input);
  const ranges: SliceRange[] = [];
  if (typeof axisOrRanges === 'number') {
    const { start, end, step = 1 } = readArgs('slice', args, ['start', 'end', 'step'], SLICE);
    const a = normalizeAxis('slice', is.int()(axisOrRanges, 'slice: axis'), x.rank);
    if (x.rank === 0) throw new ShapeError(`slice: cannot slice a scalar (shape ${fmtShape(x.shape)})`);
    ranges[a] = [start, end, step];
  } else {
    if (!Array.isArray(axisOrRanges)) throw new ArgumentError(`slice: axis must be an integer, or the first argument a list of ranges, got ${describe(axisOrRanges)}`, 'slice', 'axis');
    readArgs('slice', args, [], {});
    axisOrRanges.forEach((r, i) => r !== undefined && RANGE(r, `slice: ranges[${i}]`));
    if (axisOrRanges.length > x.rank) {
      throw new ShapeError(`slice: ${axisOrRanges.length} ranges for a tensor of shape ${fmtShape(x.shape)} (rank ${x.rank})`);
    }
    ranges.push(...axisOrRanges);
  }
  const xStrides = stridesOf(x.shape);
  const shape = [...x.shape];
  const strides = [...xStrides];
  let offset = 0;
  for (let d = 0; d < x.rank; d++) {
    const r = ranges[d];
    if (r === null || r === undefined) continue;
    const { start: s, length, step: k } = resolveRange('slice', x, d, r[0], r[1], r[2] ?? 1);
    shape[d] = length;
    strides[d] = (xStrides[d] as number) * k;
    offset += s * (xStrides[d] as number);
  }
  return readThrough(x, x.shape, shape, strides, offset);
}

// The strided read and its adjoint (dy written into zeros), each recorded with the other as
// its gradient, so that gradients of every order go through them.
function readThrough(x: Tensor, from: readonly number[], shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const out = stridedRead(x, shape, strides, offset);
  return record(out, 'slice', [x], composed((dy) => [() => writeThrough(dy, from, shape, strides, offset)]), []);
}

function writeThrough(dy: Tensor, from: readonly number[], shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const out = stridedWriteIntoZeros(from, dy, strides, offset);
  return record(out, 'slice.backward', [dy], composed((d) => [() => readThrough(d, from, shape, strides, offset)]), []);
}

/** The sub-tensor at `index` along `axis`, that dimension removed (negative index counts from the back). */
export function select(input: TensorInput, ...args: SelectArgs): Tensor {
  const x = toTensor('select', 'input', input);
  const { dim: axis, index } = readArgs('select', args, ['dim', 'index'], SELECT);
  if (axis === undefined || index === undefined) throw new ArgumentError('select: dim and index are required', 'select', axis === undefined ? 'dim' : 'index');
  const a = normalizeAxis('select', axis, x.rank);
  if (x.rank === 0) throw new ShapeError(`select: cannot index a scalar (shape ${fmtShape(x.shape)})`);
  const size = x.shape[a] as number;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new ValueError(`select: index ${index} is out of range for axis ${axis} of size ${size} (shape ${fmtShape(x.shape)})`);
  }
  const i = index < 0 ? index + size : index;
  return reshape(slice(x, a, i, i + 1), [...x.shape.slice(0, a), ...x.shape.slice(a + 1)]);
}
