// The kernel calls of assembly/strided.ts: strided copies between tensors (transpose, expand,
// slice, concat), and the index lists and kernels of indexSelect and gather (src/ops/gather.ts).
import { intArgs } from '../backend/scratch.js';
import { heap, kernels } from '../backend/wasm.js';
import { ValueError, fmtShape } from '../errors.js';
import { stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { fill } from './memory.js';

/** Where a copy reads or writes: a tensor, element strides per dimension, and an element offset. */
export interface StridedOperand {
  tensor: Tensor;
  strides: readonly number[];
  offset?: number;
}

/**
 * Drops size-1 dimensions and merges neighbours that are contiguous on both sides, so the
 * kernel's inner loop runs as long as possible.
 */
function coalesceStrides(shape: readonly number[], src: readonly number[], dst: readonly number[]): { shape: number[]; src: number[]; dst: number[] } {
  const out = { shape: [] as number[], src: [] as number[], dst: [] as number[] };
  shape.forEach((size, d) => {
    if (size === 1) return;
    const ss = src[d] as number;
    const ds = dst[d] as number;
    const last = out.shape.length - 1;
    if (last >= 0 && out.src[last] === ss * size && out.dst[last] === ds * size) {
      out.shape[last] = (out.shape[last] as number) * size;
      out.src[last] = ss;
      out.dst[last] = ds;
    } else {
      out.shape.push(size);
      out.src.push(ss);
      out.dst.push(ds);
    }
  });
  if (out.shape.length === 0) return { shape: [1], src: [1], dst: [1] };
  return out;
}

/** Copies the index space `shape` from `src` to `dst` through their strides (no-op when empty). */
export function stridedCopy(shape: readonly number[], src: StridedOperand, dst: StridedOperand): void {
  if (shape.some((d) => d === 0)) return;
  const c = coalesceStrides(shape, src.strides, dst.strides);
  const rank = c.shape.length;
  const [meta] = intArgs([...c.shape, ...c.src, ...c.dst, ...new Array<number>(rank).fill(0)]);
  const srcPtr = src.tensor.ptr + 4 * (src.offset ?? 0);
  const dstPtr = dst.tensor.ptr + 4 * (dst.offset ?? 0);
  kernels().strided_copy_f32(srcPtr, dstPtr, meta as number, rank);
}

/** A new contiguous tensor of `shape` read from `x` through `strides` and `offset`. */
export function stridedRead(x: Tensor, shape: readonly number[], strides: readonly number[], offset = 0): Tensor {
  const out = Tensor.empty(shape);
  stridedCopy(shape, { tensor: x, strides, offset }, { tensor: out, strides: stridesOf(shape) });
  return out;
}

/** A tensor of `shape` that is zero except for `src` written through `strides` and `offset`. */
export function stridedWriteIntoZeros(shape: readonly number[], src: Tensor, strides: readonly number[], offset = 0): Tensor {
  const out = Tensor.empty(shape);
  fill(out, 0);
  stridedCopy(src.shape, { tensor: src, strides: stridesOf(src.shape) }, { tensor: out, strides, offset });
  return out;
}

/** Index values as accepted by indexSelect: a list, an Int32Array, or a tensor of integers. */
export type IndexList = readonly number[] | Int32Array | Tensor;

function indexError(op: string, what: string, value: number, at: string, axis: number, size: number, shape: readonly number[]): ValueError {
  if (!Number.isInteger(value)) return new ValueError(`${op}: ${what} ${value}${at} is not an integer`);
  const why = value < 0 ? ' (negative indices are not allowed)' : '';
  return new ValueError(`${op}: ${what} ${value}${at} is out of range for axis ${axis} of size ${size} (input shape ${fmtShape(shape)})${why}`);
}

/**
 * Validates index values for an axis of `size` (integers in [0, size)) and returns them as an
 * Int32Array held in JS, so that backward rules do not depend on the index tensor's lifetime.
 * `shape` is the indexed input's shape, for messages.
 */
export function resolveIndices(op: string, indices: IndexList, axis: number, shape: readonly number[]): Int32Array {
  const size = shape[axis] as number;
  if (!(indices instanceof Tensor)) {
    // Host data: validated while it is converted, like tensor() checks its input.
    for (let i = 0; i < indices.length; i++) {
      const v = indices[i] as number;
      if (!Number.isInteger(v) || v < 0 || v >= size) throw indexError(op, 'index', v, ` at position ${i}`, axis, size, shape);
    }
    return Int32Array.from(indices);
  }
  indices.assertLive(op);
  const n = indices.size;
  const h = heap();
  const bytes = Math.max(4, n * 4);
  const buf = h.alloc(bytes);
  try {
    const bad = kernels().indices_from_f32(indices.ptr, buf, n, size);
    if (bad >= 0) {
      const where = stridesOf(indices.shape).map((s, d) => Math.floor(bad / s) % (indices.shape[d] as number));
      throw indexError(op, 'index', indices.data[bad] as number, ` at [${where.join(', ')}]`, axis, size, shape);
    }
    return h.i32.slice(buf >>> 2, (buf >>> 2) + n);
  } finally {
    h.release(buf, bytes);
  }
}

/** Runs `fn` with `indices` copied into a temporary i32 buffer in linear memory. */
function withIndexBuffer<T>(indices: Int32Array, fn: (ptr: number) => T): T {
  const h = heap();
  const bytes = Math.max(4, indices.length * 4);
  const buf = h.alloc(bytes);
  try {
    h.i32.set(indices, buf >>> 2);
    return fn(buf);
  } finally {
    h.release(buf, bytes);
  }
}

/** out = the slices of x at idx along the middle axis of [outer, len, inner] (out: [outer, idx.length, inner]). */
export function indexSelectForward(x: Tensor, out: Tensor, idx: Int32Array, outer: number, len: number, inner: number): void {
  if (out.size > 0) withIndexBuffer(idx, (p) => kernels().index_select_f32(x.ptr, out.ptr, p, outer, len, idx.length, inner));
}

/** dx = zeros with dy's slices added at idx (its adjoint: repeated indices accumulate). */
export function indexAddBackward(dy: Tensor, dx: Tensor, idx: Int32Array, outer: number, len: number, inner: number): void {
  fill(dx, 0);
  if (dy.size > 0) withIndexBuffer(idx, (p) => kernels().index_add_f32(dx.ptr, dy.ptr, p, outer, len, idx.length, inner));
}

/** How gather reads its source: element strides per index dimension (0 along the axis) and the axis stride. */
export interface GatherLayout {
  strides: readonly number[];
  axisStride: number;
}

// Written right before each kernel call: the argument area is shared with everything else.
function gatherMeta(shape: readonly number[], g: GatherLayout): number {
  return intArgs([...shape, ...g.strides, ...new Array<number>(shape.length).fill(0)])[0] as number;
}

/** out (the index's shape) = src read at idx along the axis, through the layout. */
export function gatherForward(src: Tensor, out: Tensor, idx: Int32Array, g: GatherLayout): void {
  if (out.size > 0) withIndexBuffer(idx, (p) => kernels().gather_f32(src.ptr, out.ptr, p, gatherMeta(out.shape, g), out.rank, g.axisStride));
}

/** dx = zeros with dy (the index's shape) added at idx along the axis: gather's adjoint. */
export function scatterAddBackward(dy: Tensor, dx: Tensor, idx: Int32Array, g: GatherLayout): void {
  fill(dx, 0);
  if (dy.size > 0) withIndexBuffer(idx, (p) => kernels().scatter_add_f32(dx.ptr, dy.ptr, p, gatherMeta(dy.shape, g), dy.rank, g.axisStride));
}
