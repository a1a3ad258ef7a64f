// Metrics of predicted probabilities: log loss, the Brier score and the calibration curve, as
// scikit-learn 1.2 computes them (log_loss, brier_score_loss, calibration.calibration_curve).
import { ShapeError, ValueError } from '../errors.js';
import { is, readOptions } from '../validate.js';
import { type Rows, type Scores, type Values, checkLength, readBinaryLabels, readMatrix, readScores, readValues, readWeights, uniqueSorted, weightedMean } from './input.js';

function checkProbabilities(where: string, name: string, p: ArrayLike<number>): void {
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    if (v < 0 || v > 1) throw new ValueError(`${where}: ${name} at row ${i} is ${v}; probabilities must lie in [0, 1]`);
  }
}

export interface LogLossOptions {
  /** Probabilities are clipped to [eps, 1 − eps]; default 2⁻⁵² (float64's eps, scikit-learn's 'auto'). */
  eps?: number;
  /** Mean (default) or, with false, sum of the per-row losses. */
  normalize?: boolean;
  sampleWeight?: Values;
  /** The classes, ascending, that the probability columns stand for (default: those in yTrue). */
  labels?: number[];
}

/**
 * Cross-entropy of the labels under predicted probabilities, −mean log p(true class), as
 * `sklearn.metrics.log_loss`. `yProb` is the positive-class probability per row (binary) or an
 * [n, k] matrix of class probabilities; rows are clipped to [eps, 1 − eps] and rescaled to sum to 1.
 */
export function logLoss(yTrue: Values, yProb: Scores | Rows, options?: LogLossOptions): number {
  const where = 'logLoss';
  const o = readOptions(where, options, { eps: is.number({ min: 0, max: 0.5, maxOpen: true }), normalize: is.boolean, sampleWeight: is.any, labels: is.list(is.number(), { minLength: 1 }) });
  const y = readValues(where, 'yTrue', yTrue);
  const m = readMatrix(where, 'yProb', yProb);
  checkLength(where, 'yTrue', y, 'yProb', { length: m.rows });
  const w = readWeights(where, o.sampleWeight, y.length);
  const labels = o.labels === undefined ? uniqueSorted(y) : uniqueSorted(o.labels);
  if (labels.length < 2) {
    throw new ValueError(o.labels === undefined ? `${where}: yTrue holds one label only (${labels[0]}); give the classes with labels` : `${where}: labels must hold two or more classes`);
  }
  const k = m.cols === 1 ? 2 : m.cols;
  if (k !== labels.length) throw new ShapeError(`${where}: yProb has ${k} class columns but there are ${labels.length} classes (${labels.join(', ')})`);
  const column = new Map(labels.map((l, j) => [l, j]));
  const eps = o.eps ?? 2 ** -52;
  const clip = (p: number): number => Math.min(1 - eps, Math.max(eps, p));
  const loss = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const j = column.get(y[i] as number);
    if (j === undefined) throw new ValueError(`${where}: yTrue at row ${i} is ${y[i]}, not one of the labels ${labels.join(', ')}`);
    let sum = 0;
    let mine = 0;
    if (m.cols === 1) {
      const p = clip(m.data[i] as number);
      sum = 1 - p + p;
      mine = j === 1 ? p : 1 - p;
    } else {
      for (let c = 0; c < k; c++) {
        const p = clip(m.data[i * k + c] as number);
        sum += p;
        if (c === j) mine = p;
      }
    }
    loss[i] = -Math.log(mine / sum);
  }
  if (o.normalize === false) {
    let s = 0;
    for (let i = 0; i < loss.length; i++) s += (loss[i] as number) * (w === undefined ? 1 : (w[i] as number));
    return s;
  }
  return weightedMean(where, loss, w);
}

/**
 * Mean squared difference between the positive-class probability and the 0/1 outcome, as
 * `brier_score_loss` (lower is better; 0.25 for a constant 0.5).
 */
export function brierScore(yTrue: Values, yProb: Scores, options?: { sampleWeight?: Values; posLabel?: number }): number {
  const where = 'brierScore';
  const o = readOptions(where, options, { sampleWeight: is.any, posLabel: is.number() });
  const y = readBinaryLabels(where, yTrue, o.posLabel);
  const p = readScores(where, 'yProb', yProb);
  checkLength(where, 'yTrue', y, 'yProb', p);
  checkProbabilities(where, 'yProb', p);
  const w = readWeights(where, o.sampleWeight, y.length);
  return weightedMean(where, Float64Array.from(p, (v, i) => ((y[i] as number) - v) ** 2), w);
}

export interface CalibrationCurve {
  /** Share of positives in each non-empty bin. */
  probTrue: number[];
  /** Mean predicted probability in each non-empty bin. */
  probPred: number[];
}

// np.percentile(sorted, q·100, method='linear') step by step (numpy 1.24), so that an edge
// falling on a tied score is that score exactly, as it is in scikit-learn.
function percentile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const v = (n - 1) * ((q * 100) / 100);
  if (v >= n - 1) return sorted[n - 1] as number;
  const lo = Math.floor(v);
  const t = v - lo;
  const a = sorted[lo] as number;
  const b = sorted[lo + 1] as number;
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/**
 * The reliability diagram, as `sklearn.calibration.calibration_curve`: probabilities cut into
 * `nBins` bins of equal width ('uniform') or equal count ('quantile'); empty bins are left out.
 * A probability on an inner edge belongs to the bin below it.
 */
export function calibrationCurve(yTrue: Values, yProb: Scores, options?: { nBins?: number; strategy?: 'uniform' | 'quantile'; posLabel?: number }): CalibrationCurve {
  const where = 'calibrationCurve';
  const o = readOptions(where, options, { nBins: is.int({ min: 1 }), strategy: is.oneOf(['uniform', 'quantile'] as const), posLabel: is.number() });
  const y = readBinaryLabels(where, yTrue, o.posLabel);
  const p = readScores(where, 'yProb', yProb);
  checkLength(where, 'yTrue', y, 'yProb', p);
  checkProbabilities(where, 'yProb', p);
  const nBins = o.nBins ?? 5;
  const step = 1 / nBins;
  const sorted = Float64Array.from(p).sort();
  const inner: number[] = [];
  for (let k = 1; k < nBins; k++) inner.push(o.strategy === 'quantile' ? percentile(sorted, k * step) : k * step);
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  const count = new Float64Array(nBins);
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    let b = 0;
    while (b < inner.length && (inner[b] as number) < v) b++;
    sumP[b] = (sumP[b] as number) + v;
    sumY[b] = (sumY[b] as number) + (y[i] as number);
    count[b] = (count[b] as number) + 1;
  }
  const probTrue: number[] = [];
  const probPred: number[] = [];
  for (let b = 0; b < nBins; b++) {
    if (count[b] === 0) continue;
    probTrue.push((sumY[b] as number) / (count[b] as number));
    probPred.push((sumP[b] as number) / (count[b] as number));
  }
  return { probTrue, probPred };
}
