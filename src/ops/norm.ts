// Batch normalisation (statistics per channel over the batch and the positions) and layer
// normalisation (statistics over the trailing dimensions of each sample), PyTorch semantics
// (torch.nn.functional.batch_norm / layer_norm). Kernels: assembly/norm.ts
// (through src/kernels/norm.ts).
//
// Each is one fused op, not a chain of mean/sub/mul ops: the forward pass keeps only the
// per-channel (or per-row) mean and 1/√(var + eps) for backward, and the backward pass applies
// the closed form through the statistics in two sweeps over x and dy:
//   x̂ = (x − μ)·r, y = γ·x̂ + β, M values per statistic,
//   dx = γ·r·(dy − mean(dy) − x̂·mean(dy·x̂)),  dγ = Σ dy·x̂,  dβ = Σ dy
// Batch norm in evaluation mode runs the same kernels with the running statistics, fixed, so
// dx = γ·r·dy. The running statistics are updated by the kernel that finishes the batch ones.
import { record } from '../autograd/graph.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import {
  type BatchNormShape, batchNormBackward, batchNormBackwardSums, batchNormForward, batchNormStatistics, type LayerNormShape,
  layerNormBackward, layerNormForward, layerNormParamGrads,
} from '../kernels/norm.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor, tensorCheck } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';

export interface BatchNormOptions {
  /** Scale per channel, shape [C]; null or omitted for none. */
  weight?: TensorInput | null;
  /** Shift per channel, shape [C]; null or omitted for none. */
  bias?: TensorInput | null;
  /**
   * Normalise with the batch's own statistics and update the running ones (when given).
   * Default false (evaluation: use the running statistics), as torch.nn.functional.batch_norm.
   */
  training?: boolean;
  /** Weight of the batch in the running-statistics update: r ← (1 − m)·r + m·batch. Default 0.1. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
}

/** F.batch_norm's order after the running statistics: (weight, bias, training, momentum, eps), then options. */
export type BatchNormArgs = Args<
  [weight: TensorInput | null | undefined, bias: TensorInput | null | undefined, training: boolean | undefined, momentum: number | undefined, eps: number | undefined],
  BatchNormOptions
>;

const RUNNING = is.nullable(tensorCheck('a Tensor (updated in place) or null'));
const BATCH_NORM = { weight: is.any, bias: is.any, training: is.boolean, momentum: is.number(), eps: is.number({ min: 0 }) };

export interface LayerNormOptions {
  weight?: TensorInput | null;
  bias?: TensorInput | null;
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
}

/** F.layer_norm's order after the normalized shape: (weight, bias, eps), then options. */
export type LayerNormArgs = Args<[weight: TensorInput | null | undefined, bias: TensorInput | null | undefined, eps: number | undefined], LayerNormOptions>;

const LAYER_NORM = { weight: is.any, bias: is.any, eps: is.number({ min: 0 }) };

// An optional tensor argument: null when absent, promoted otherwise.
function optionalTensor(op: string, name: string, v: unknown): Tensor | null {
  return v === undefined || v === null ? null : toTensor(op, name, v);
}

function checkVector(op: string, what: string, t: Tensor | null, C: number, x: Tensor): void {
  if (t === null) return;
  t.assertLive(op);
  if (t.rank !== 1 || t.shape[0] !== C) {
    throw new ShapeError(`${op}: ${what} must have shape [${C}] for input ${fmtShape(x.shape)} (${C} channels), got ${fmtShape(t.shape)}`);
  }
}

/**
 * Batch normalisation of x [N, C, ...] per channel C: (x − mean)/√(var + eps)·weight + bias.
 * Training: mean and the biased variance of the batch (over N and the trailing dimensions);
 * the running statistics, when given, are updated in place with the unbiased variance, as
 * PyTorch does. Evaluation: the running statistics. Weight and bias ([C]) are optional.
 */
export function batchNorm(input: TensorInput, runningMeanInput: Tensor | null, runningVarInput: Tensor | null, ...args: BatchNormArgs): Tensor {
  const op = 'batchNorm';
  const x = toTensor(op, 'input', input);
  // Training updates the running statistics in place: a promoted copy would lose the update.
  const runningMean = RUNNING(runningMeanInput ?? null, `${op}: runningMean`);
  const runningVar = RUNNING(runningVarInput ?? null, `${op}: runningVar`);
  const o = readArgs(op, args, ['weight', 'bias', 'training', 'momentum', 'eps'], BATCH_NORM);
  const weight = optionalTensor(op, 'weight', o.weight);
  const bias = optionalTensor(op, 'bias', o.bias);
  const training = o.training ?? false;
  const momentum = o.momentum ?? 0.1;
  const eps = o.eps ?? 1e-5;
  if (x.rank < 2) throw new ShapeError(`${op}: input must be [N, C] or [N, C, ...], got shape ${fmtShape(x.shape)}`);
  const [N, C] = x.shape as [number, number];
  const L = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const M = N * L;
  if ((runningMean === null) !== (runningVar === null)) {
    throw new ValueError(`${op}: give both runningMean and runningVar, or neither`);
  }
  checkVector(op, 'runningMean', runningMean, C, x);
  checkVector(op, 'runningVar', runningVar, C, x);
  checkVector(op, 'weight', weight, C, x);
  checkVector(op, 'bias', bias, C, x);
  if (!training && runningMean === null) {
    throw new ValueError(`${op}: evaluation (training: false) needs runningMean and runningVar`);
  }
  if (training && M <= 1) {
    throw new ValueError(`${op}: training needs more than 1 value per channel, got input shape ${fmtShape(x.shape)}`);
  }

  // mean and r = 1/√(var + eps), [C], are all that backward keeps.
  const shape: BatchNormShape = { N, C, L };
  const mean = Tensor.empty([C]);
  const rstd = Tensor.empty([C]);
  batchNormStatistics(x, shape, { mean: runningMean, var: runningVar }, training, eps, momentum, mean, rstd);
  const out = Tensor.empty(x.shape);
  batchNormForward(x, shape, mean, rstd, weight, bias, out);

  const inputs = [x, ...(weight === null ? [] : [weight]), ...(bias === null ? [] : [bias])];
  record(out, op, inputs, (dy) => {
    // Σ dy (= dβ) and Σ dy·x̂ (= dγ) per channel, shared by the three gradients of this sweep.
    let sums: { sumDy: Tensor; sumDyXhat: Tensor } | null = null;
    const reduce = (): { sumDy: Tensor; sumDyXhat: Tensor } => {
      if (sums === null) {
        const sumDy = Tensor.empty([C]);
        const sumDyXhat = Tensor.empty([C]);
        batchNormBackwardSums(x, dy, shape, mean, rstd, sumDy, sumDyXhat);
        sums = { sumDy, sumDyXhat };
      }
      return sums;
    };
    const thunks: Array<() => Tensor> = [
      () => {
        const dx = Tensor.empty(x.shape);
        batchNormBackward(x, dy, shape, mean, rstd, weight, training ? reduce() : null, dx);
        return dx;
      },
    ];
    if (weight !== null) thunks.push(() => reduce().sumDyXhat);
    if (bias !== null) thunks.push(() => reduce().sumDy);
    return thunks;
  });
  if (!out.requiresGrad) {
    mean.dispose();
    rstd.dispose();
  }
  return releasePromoted(out, [input, o.weight, o.bias], [x, weight ?? 0, bias ?? 0]);
}

/** A normalized shape: one size, or the sizes of the trailing dimensions. */
export type NormalizedShape = number | readonly number[];

/**
 * Layer normalisation over the trailing dimensions `normalizedShape` of x: each sample's
 * values there become (x − mean)/√(var + eps) (biased variance), then ·weight + bias
 * (optional, of shape `normalizedShape`), as torch.nn.functional.layer_norm.
 */
export function layerNorm(input: TensorInput, normalizedShape: NormalizedShape, ...args: LayerNormArgs): Tensor {
  const op = 'layerNorm';
  const x = toTensor(op, 'input', input);
  const sizes = is.tuple(is.int({ min: 1 }), Array.isArray(normalizedShape) ? normalizedShape.length : 1)(normalizedShape, `${op}: normalizedShape`);
  const shape = typeof sizes === 'number' ? [sizes] : sizes;
  if (shape.length === 0) throw new ValueError(`${op}: normalizedShape must name at least one dimension, got []`);
  const o = readArgs(op, args, ['weight', 'bias', 'eps'], LAYER_NORM);
  const weight = optionalTensor(op, 'weight', o.weight);
  const bias = optionalTensor(op, 'bias', o.bias);
  const eps = o.eps ?? 1e-5;
  const trailing = x.shape.slice(x.rank - shape.length);
  if (x.rank < shape.length || !sameShape(trailing, shape)) {
    throw new ShapeError(`${op}: input of shape ${fmtShape(x.shape)} does not end with the normalized shape ${fmtShape(shape)}`);
  }
  for (const [what, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t === null) continue;
    t.assertLive(op);
    if (!sameShape(t.shape, shape)) throw new ShapeError(`${op}: ${what} must have the normalized shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`);
  }
  const D = shape.reduce((a, b) => a * b, 1);
  const R = x.size / D;
  const mean = Tensor.empty([R]);
  const rstd = Tensor.empty([R]);
  const out = Tensor.empty(x.shape);
  const rows: LayerNormShape = { R, D };
  layerNormForward(x, rows, weight, bias, eps, out, mean, rstd);

  const inputs = [x, ...(weight === null ? [] : [weight]), ...(bias === null ? [] : [bias])];
  record(out, op, inputs, (dy) => {
    let grads: { dw: Tensor; db: Tensor | null } | null = null;
    const paramGrads = (): { dw: Tensor; db: Tensor | null } => {
      if (grads === null) {
        const dw = Tensor.empty(shape);
        const db = bias === null ? null : Tensor.empty(shape);
        layerNormParamGrads(x, dy, rows, mean, rstd, dw, db);
        grads = { dw, db };
      }
      return grads;
    };
    const thunks: Array<() => Tensor> = [
      () => {
        const dx = Tensor.empty(x.shape);
        layerNormBackward(x, dy, rows, weight, mean, rstd, dx);
        return dx;
      },
    ];
    if (weight !== null) thunks.push(() => paramGrads().dw);
    if (bias !== null) thunks.push(() => paramGrads().db as Tensor);
    return thunks;
  });
  if (!out.requiresGrad) {
    mean.dispose();
    rstd.dispose();
  }
  return releasePromoted(out, [input, o.weight, o.bias], [x, weight ?? 0, bias ?? 0]);
}
