// The kernel calls of batchNorm and layerNorm (src/ops/norm.ts): assembly/norm.ts. Both keep
// only the mean and r = 1/√(var + eps) for backward.
import { kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';

/** x viewed as [N, C, L]: batch, channels, positions per channel. */
export interface BatchNormShape {
  N: number;
  C: number;
  L: number;
}

export interface BatchNormRunning {
  mean: Tensor | null;
  var: Tensor | null;
}

/**
 * mean and rstd ([C]): in training from the batch, updating the running statistics (if any)
 * with `momentum` and the unbiased variance; in evaluation from the running statistics.
 */
export function batchNormStatistics(x: Tensor, s: BatchNormShape, running: BatchNormRunning, training: boolean, eps: number, momentum: number, mean: Tensor, rstd: Tensor): void {
  const k = kernels();
  const { N, C, L } = s;
  if (training) {
    const M = N * L;
    k.batch_norm_stats_f32(x.ptr, mean.ptr, rstd.ptr, N, C, L);
    k.batch_norm_finish_f32(mean.ptr, rstd.ptr, running.mean?.ptr ?? 0, running.var?.ptr ?? 0, C, eps, momentum, M / (M - 1));
  } else {
    k.copy_f32((running.mean as Tensor).ptr, mean.ptr, C);
    k.copy_f32((running.var as Tensor).ptr, rstd.ptr, C);
    k.batch_norm_finish_f32(mean.ptr, rstd.ptr, 0, 0, C, eps, 0, 1);
  }
}

/** out = (x − mean)·rstd·weight + bias per channel (weight, bias optional). */
export function batchNormForward(x: Tensor, s: BatchNormShape, mean: Tensor, rstd: Tensor, weight: Tensor | null, bias: Tensor | null, out: Tensor): void {
  kernels().batch_norm_f32(x.ptr, mean.ptr, rstd.ptr, weight?.ptr ?? 0, bias?.ptr ?? 0, out.ptr, s.N, s.C, s.L);
}

/** Σ dy (= dβ) and Σ dy·x̂ (= dγ) per channel. */
export function batchNormBackwardSums(x: Tensor, dy: Tensor, s: BatchNormShape, mean: Tensor, rstd: Tensor, sumDy: Tensor, sumDyXhat: Tensor): void {
  kernels().batch_norm_backward_reduce_f32(x.ptr, dy.ptr, mean.ptr, rstd.ptr, sumDy.ptr, sumDyXhat.ptr, s.N, s.C, s.L);
}

/** dx; `sums` (training only: the batch statistics depend on x) from batchNormBackwardSums. */
export function batchNormBackward(x: Tensor, dy: Tensor, s: BatchNormShape, mean: Tensor, rstd: Tensor, weight: Tensor | null, sums: { sumDy: Tensor; sumDyXhat: Tensor } | null, dx: Tensor): void {
  const M = sums === null ? 0 : s.N * s.L;
  kernels().batch_norm_backward_f32(x.ptr, dy.ptr, mean.ptr, rstd.ptr, weight?.ptr ?? 0, sums?.sumDy.ptr ?? 0, sums?.sumDyXhat.ptr ?? 0, dx.ptr, s.N, s.C, s.L, M);
}

/** x viewed as R rows of D normalized values. */
export interface LayerNormShape {
  R: number;
  D: number;
}

/** out = (x − mean)·rstd·weight + bias per row, writing each row's mean and rstd. */
export function layerNormForward(x: Tensor, s: LayerNormShape, weight: Tensor | null, bias: Tensor | null, eps: number, out: Tensor, mean: Tensor, rstd: Tensor): void {
  kernels().layer_norm_f32(x.ptr, weight?.ptr ?? 0, bias?.ptr ?? 0, out.ptr, mean.ptr, rstd.ptr, s.R, s.D, eps);
}

/** dw = Σ over rows of dy·x̂, db = Σ dy (db optional). */
export function layerNormParamGrads(x: Tensor, dy: Tensor, s: LayerNormShape, mean: Tensor, rstd: Tensor, dw: Tensor, db: Tensor | null): void {
  kernels().layer_norm_param_grad_f32(x.ptr, dy.ptr, mean.ptr, rstd.ptr, dw.ptr, db?.ptr ?? 0, s.R, s.D);
}

/** dx from dy through the normalisation (and the weight, if any). */
export function layerNormBackward(x: Tensor, dy: Tensor, s: LayerNormShape, weight: Tensor | null, mean: Tensor, rstd: Tensor, dx: Tensor): void {
  kernels().layer_norm_backward_f32(x.ptr, dy.ptr, weight?.ptr ?? 0, mean.ptr, rstd.ptr, dx.ptr, s.R, s.D);
}
