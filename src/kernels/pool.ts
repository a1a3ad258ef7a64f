// The kernel calls of max and average pooling (src/ops/pool.ts): assembly/pool.ts, which reads
// the pooling geometry (as i32s) from the shared argument area.
import { intArgs } from '../backend/scratch.js';
import { heap, kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';
import { fill } from './memory.js';

// Written right before each kernel call: the argument area is shared with everything else.
const geomArg = (geom: readonly number[]): number => intArgs(geom)[0] as number;

/** out = the window maxima of x; geom as assembly/pool.ts reads it. */
export function maxPoolForward(x: Tensor, out: Tensor, geom: readonly number[]): void {
  kernels().max_pool2d_f32(x.ptr, out.ptr, geomArg(geom));
}

/** dx = each window's dy at its first maximum, 0 elsewhere. */
export function maxPoolBackward(x: Tensor, dy: Tensor, dx: Tensor, geom: readonly number[]): void {
  fill(dx, 0);
  kernels().max_pool2d_backward_f32(x.ptr, dy.ptr, dx.ptr, geomArg(geom));
}

/** out = the window means of x. */
export function avgPoolForward(x: Tensor, out: Tensor, geom: readonly number[]): void {
  kernels().avg_pool2d_f32(x.ptr, out.ptr, geomArg(geom));
}

/** dx = each window's dy spread evenly over the cells it averaged. */
export function avgPoolBackward(dy: Tensor, dx: Tensor, geom: readonly number[]): void {
  const k = kernels();
  fill(dx, 0);
  const g = geomArg(geom);
  const bytes = k.avg_pool2d_backward_scratch(g);
  const scratch = heap().alloc(bytes);
  k.avg_pool2d_backward_f32(dy.ptr, dx.ptr, g, scratch);
  heap().release(scratch, bytes);
}
