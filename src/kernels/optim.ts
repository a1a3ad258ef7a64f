// The fused optimizer updates (assembly/optim.ts), one pass over a parameter and its state per
// step, and the gradient-norm reductions of clipping (src/optim/).
import { kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';

/** SGD (PyTorch's rule); `buf` is the momentum buffer or null; `first` fills it from the gradient. */
export function sgdStep(p: Tensor, grad: Tensor, buf: Tensor | null, lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean, first: boolean): void {
  kernels().sgd_step_f32(p.ptr, grad.ptr, buf === null ? 0 : buf.ptr, p.size, lr, momentum, dampening, weightDecay, nesterov ? 1 : 0, first ? 1 : 0);
}

/** Adam / AdamW; bc1 and bc2 are the bias corrections 1 − βᵗ. */
export function adamStep(p: Tensor, grad: Tensor, m: Tensor, v: Tensor, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, bc1: number, bc2: number, decoupled: boolean): void {
  kernels().adam_step_f32(p.ptr, grad.ptr, m.ptr, v.ptr, p.size, lr, beta1, beta2, eps, weightDecay, bc1, bc2, decoupled ? 1 : 0);
}

/** RMSprop; `gradAvg` (centered) and `buf` (momentum) may be null. */
export function rmspropStep(p: Tensor, grad: Tensor, squareAvg: Tensor, gradAvg: Tensor | null, buf: Tensor | null, lr: number, alpha: number, eps: number, weightDecay: number, momentum: number): void {
  kernels().rmsprop_step_f32(p.ptr, grad.ptr, squareAvg.ptr, gradAvg === null ? 0 : gradAvg.ptr, buf === null ? 0 : buf.ptr, p.size, lr, alpha, eps, weightDecay, momentum, gradAvg === null ? 0 : 1);
}

/** Σ t² in float64 (a norm of many float32 gradients without overflow or lost small terms). */
export function sumSquares(t: Tensor): number {
  return kernels().sum_squares_f64(t.ptr, t.size);
}
