// The kernel calls of softmax and log-softmax (src/ops/softmax.ts): assembly/softmax.ts, which
// needs a scratch row when the axis is not the last one.
import type { SoftmaxMode } from '../backend/generated/opcodes.js';
import { heap, kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';

// Runs a kernel that needs `floats` of scratch when inner > 1.
function withScratch(inner: number, floats: number, run: (scratch: number) => void): void {
  if (inner === 1) return run(0);
  const bytes = floats * 4;
  const scratch = heap().alloc(bytes);
  try {
    run(scratch);
  } finally {
    heap().release(scratch, bytes);
  }
}

/** out = softmax or log-softmax of x along the middle axis of [outer, len, inner]. */
export function softmaxForward(mode: SoftmaxMode, x: Tensor, out: Tensor, outer: number, len: number, inner: number): void {
  if (out.size > 0) withScratch(inner, 2 * inner, (scratch) => kernels().softmax_f32(mode, x.ptr, out.ptr, outer, len, inner, scratch));
}

/** dx from the forward output y and dy, along the same axis. */
export function softmaxBackward(mode: SoftmaxMode, y: Tensor, dy: Tensor, dx: Tensor, outer: number, len: number, inner: number): void {
  if (dx.size > 0) withScratch(inner, inner, (scratch) => kernels().softmax_backward_f32(mode, y.ptr, dy.ptr, dx.ptr, outer, len, inner, scratch));
}
