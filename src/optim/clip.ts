import { scale as scaleInto } from '../kernels/memory.js';
import { sumSquares } from '../kernels/optim.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, readArgs } from '../validate.js';
import { readParams } from './optimizer.js';

export interface ClipGradNormOptions {
  /** The p of the p-norm (> 0; Infinity: the largest absolute entry). Default 2. */
  normType?: number;
}

const OPTIONS = { maxNorm: is.number({ min: 0, minOpen: true }), normType: is.number({ min: 0, minOpen: true, finite: false }) };

// Σ|g|^p over all gradients, or max |g| for p = ∞; float64 sums on the host except p = 2 (kernel).
function gradNorm(grads: Tensor[], p: number): number {
  if (p === 2) {
    let sq = 0;
    for (const g of grads) sq += sumSquares(g);
    return Math.sqrt(sq);
  }
  let acc = 0;
  for (const g of grads) {
    for (const v of g.data) acc = p === Infinity ? Math.max(acc, Math.abs(v)) : acc + Math.abs(v) ** p;
    if (Number.isNaN(acc)) break;
  }
  return p === Infinity ? acc : acc ** (1 / p);
}

/**
 * Scales the gradients of `params` in place so that their global p-norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_(parameters, max_norm, norm_type)). Returns the norm before
 * clipping. A non-finite norm throws (a NaN or Infinity in some gradient) instead of silently
 * spreading it.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, options?: ClipGradNormOptions): number;
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType?: number): number;
export function clipGradNorm(params: Iterable<Tensor>, ...args: unknown[]): number {
  const where = 'clipGradNorm';
  const list = readParams(where, params);
  const o = readArgs(where, args, ['maxNorm', 'normType'], OPTIONS);
  const maxNorm = OPTIONS.maxNorm(o.maxNorm, `${where}: maxNorm`);
  const grads: Tensor[] = [];
  for (const p of list) if (p.grad !== null) grads.push(p.grad);
  const norm = gradNorm(grads, o.normType ?? 2);
  if (!Number.isFinite(norm)) {
    throw new ValueError(`${where}: the total gradient norm is ${norm} (a gradient holds NaN or Infinity)`);
  }
  const scale = maxNorm / (norm + 1e-6);
  if (scale < 1) for (const g of grads) scaleInto(g, g, scale);
  return norm;
}
