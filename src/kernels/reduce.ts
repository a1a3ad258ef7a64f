// The kernel calls of the reductions (src/ops/reduce.ts, and the sums inside other ops'
// backward rules): assembly/reduce.ts.
import type { ReduceOp } from '../backend/generated/opcodes.js';
import { kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';

/** out[o, i] = op over l of x[o, l, i], x viewed as [outer, len, inner] (len ≥ 1). */
export function reduceAlong(op: ReduceOp, x: Tensor, out: Tensor, outer: number, len: number, inner: number): void {
  kernels().reduce_f32(op, x.ptr, out.ptr, outer, len, inner);
}
