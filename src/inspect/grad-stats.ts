// gradStats(model): per-parameter gradient and weight statistics after backward(), the first
// look when training stalls or diverges (vanishing or exploding norms, dead ReLU units as
// zero gradients, NaN).
import { Module } from '../nn/module.js';
import { is, readOptions } from '../validate.js';
import { type TensorStats, type TensorStatsOptions, tensorStats } from './tensor-stats.js';

export interface ParameterStats {
  /** PyTorch name (`0.weight`). */
  name: string;
  shape: number[];
  /** Statistics of `.grad`; null when the parameter has no gradient (yet). */
  grad: TensorStats | null;
  weight: TensorStats;
  /** ‖grad‖ / ‖weight‖: the relative size of one plain SGD step per unit learning rate; null without a gradient or for zero weights. */
  ratio: number | null;
}

/**
 * Statistics of every parameter's gradient and values, in `model.namedParameters()` order:
 * norm, mean, std, min/max, fraction of zeros, fraction non-finite and a histogram (`bins`,
 * default 10).
 */
export function gradStats(model: Module, options: TensorStatsOptions = {}): ParameterStats[] {
  is.instance(Module, 'a Module')(model, 'gradStats: model');
  const o = readOptions('gradStats', options, { bins: is.int({ min: 1 }) });
  return model.namedParameters().map(([name, p]) => {
    const weight = tensorStats(p, o);
    const grad = p.grad === null ? null : tensorStats(p.grad, o);
    return { name, shape: [...p.shape], grad, weight, ratio: grad === null || weight.norm === 0 ? null : grad.norm / weight.norm };
  });
}
