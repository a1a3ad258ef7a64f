// Metrics reported by fit/evaluate, by their short (Keras) names, computed from a whole
// prediction tensor and its targets: a thin adapter over src/metrics.
import { ValueError } from '../errors.js';
import { accuracy, rocAuc } from '../metrics/classification.js';
import { meanAbsoluteError, meanSquaredError } from '../metrics/regression.js';
import type { Tensor } from '../tensor/tensor.js';

/** A metric: `accuracy` (binary or multi-class), `auc` (binary), `mae`, `mse`, or your own. */
export type MetricSpec = 'accuracy' | 'auc' | 'mae' | 'mse' | { name: string; fn: (yTrue: Float32Array, yPred: Float32Array, predShape: readonly number[]) => number };

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function argmaxRows(p: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(p.length / classes);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if ((p[i * classes + c] as number) > (p[i * classes + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}

/** Called when a metric is undefined on the data (reported as NaN), with the reason. */
export type UndefinedMetricHandler = (metric: string, reason: string) => void;

const warnUndefined: UndefinedMetricHandler = (metric, reason) => console.warn(`metric '${metric}' is NaN: ${reason}`);

/**
 * Computes each metric; `fromLogits` says the predictions are scores, not probabilities. A
 * metric that is undefined on these rows (AUC with one class only, as in a validation split of
 * data sorted by label) is NaN, and `onUndefined` (default: console.warn) says why.
 */
export function computeMetrics(
  metrics: readonly MetricSpec[],
  pred: Tensor,
  y: Tensor,
  fromLogits: boolean,
  onUndefined: UndefinedMetricHandler = warnUndefined,
): Record<string, number> {
  if (metrics.length === 0) return {};
  const p = pred.toFloat32Array();
  const t = y.toFloat32Array();
  const classes = pred.rank >= 2 ? (pred.shape[pred.rank - 1] as number) : 1;
  const multi = classes > 1;
  const out: Record<string, number> = {};
  for (const m of metrics) {
    if (typeof m === 'object') {
      out[m.name] = m.fn(t, p, pred.shape);
      continue;
    }
    switch (m) {
      case 'accuracy':
        if (multi) {
          const labels = t.length === p.length ? argmaxRows(t, classes) : t; // one-hot or indices
          out.accuracy = accuracy(labels, argmaxRows(p, classes));
        } else {
          out.accuracy = accuracy(t, fromLogits ? p.map(sigmoid) : p);
        }
        break;
      case 'auc': {
        if (multi) throw new ValueError(`metric 'auc' is for binary outputs; predictions have ${classes} columns`);
        let pos = 0;
        let neg = 0;
        for (const v of t) if (v === 1) pos++; else if (v === 0) neg++;
        if (pos + neg === t.length && (pos === 0 || neg === 0)) {
          onUndefined('auc', `ROC AUC needs both classes, but the ${t.length} rows all have label ${pos === 0 ? 0 : 1}`);
          out.auc = NaN;
        } else {
          out.auc = rocAuc(t, p); // checks the labels are 0/1
        }
        break;
      }
      case 'mae':
      case 'mse':
        // src/metrics refuses non-finite values; a diverged model's metric is NaN here, as its loss.
        out[m] = !p.every(Number.isFinite) ? NaN : (m === 'mae' ? meanAbsoluteError : meanSquaredError)(t, p);
        break;
      default:
        throw new ValueError(`unknown metric '${String(m)}'; expected accuracy, auc, mae, mse or {name, fn}`);
    }
  }
  return out;
}
