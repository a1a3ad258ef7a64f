import { ShapeError, fmtShape } from '../errors.js';

/** Number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major element strides of a contiguous shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i] as number;
  }
  return s;
}

/** Numpy broadcasting of two shapes; throws a ShapeError naming `op`. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (dimension ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Resolves a possibly negative axis against a rank; throws a ShapeError naming `op`. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -Math.max(rank, 1) || axis >= Math.max(rank, 1)) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Checks that a shape is a list of non-negative integers. */
export function checkShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${fmtShape(shape)}`);
  }
}

/**
 * Sorted, non-negative axes; all axes when `axes` is undefined or an empty list (as in
 * PyTorch). A scalar accepts axis 0 / -1 and has nothing to reduce. A repeated axis throws.
 */
export function resolveAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  const list = typeof axes === 'number' ? [axes] : [...(axes ?? [])];
  if (list.length === 0) return Array.from({ length: rank }, (_, i) => i);
  const resolved = list.map((a) => normalizeAxis(op, a, rank));
  resolved.forEach((a, i) => {
    if (resolved.indexOf(a) !== i) throw new ShapeError(`${op}: axis ${a} appears more than once in [${list.join(', ')}]`);
  });
  return rank === 0 ? [] : resolved.sort((a, b) => a - b);
}
