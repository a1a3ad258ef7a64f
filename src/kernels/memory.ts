// Whole-tensor fills and copies (assembly/memory.ts): the kernel calls every op family shares.
import { kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';

/** Every element of t set to value. */
export function fill(t: Tensor, value: number): void {
  kernels().fill_f32(t.ptr, t.size, value);
}

/** dst = src, elementwise over dst's size. */
export function copy(src: Tensor, dst: Tensor): void {
  kernels().copy_f32(src.ptr, dst.ptr, dst.size);
}

/** dst = s·src, elementwise over dst's size (dst may be src). */
export function scale(src: Tensor, dst: Tensor, s: number): void {
  kernels().scale_f32(src.ptr, dst.ptr, dst.size, s);
}

/** y += alpha·x, elementwise over y's size. */
export function axpy(x: Tensor, y: Tensor, alpha: number): void {
  kernels().axpy_f32(x.ptr, y.ptr, y.size, alpha);
}

/** dst += src, elementwise over dst's size (gradient accumulation). */
export function addInto(dst: Tensor, src: Tensor): void {
  kernels().add_into_f32(dst.ptr, src.ptr, dst.size);
}

/** How many elements of t are NaN or ±Infinity (one SIMD pass). */
export function countNonFinite(t: Tensor): number {
  return kernels().count_nonfinite_f32(t.ptr, t.size);
}
