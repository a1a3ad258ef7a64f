// The kernel calls of the reductions (src/ops/reduce.ts, and the sums inside other ops'
// backward rules): assembly/reduce.ts; and of argmax/argmin (src/ops/argmax.ts): assembly/argmax.ts.
import type { ArgOp, ReduceOp } from '../backend/generated/opcodes.js';
import { heap, kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';

/** out[o, i] = op over l of x[o, l, i], x viewed as [outer, len, inner] (len ≥ 1). */
export function reduceAlong(op: ReduceOp, x: Tensor, out: Tensor, outer: number, len: number, inner: number): void {
  kernels().reduce_f32(op, x.ptr, out.ptr, outer, len, inner);
}

/** out[o, i] = index over l of the extreme x[o, l, i] (first on ties, NaN wins), as a float. */
export function argAlong(op: ArgOp, x: Tensor, out: Tensor, outer: number, len: number, inner: number): void {
  // The kernel keeps the best value of each of the `inner` columns in a scratch row.
  const bytes = inner * 4;
  const scratch = inner > 1 ? heap().alloc(bytes) : 0;
  kernels().argmax_f32(op, x.ptr, out.ptr, outer, len, inner, scratch);
  if (inner > 1) heap().release(scratch, bytes);
}
