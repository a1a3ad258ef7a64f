// Metrics of a binary score's ranking: ROC and precision-recall curves, the areas under them,
// the Kolmogorov–Smirnov statistic and the Gini coefficient of credit scoring. All follow
// scikit-learn 1.2 (sklearn/metrics/_ranking.py) step by step, so the values match it to
// rounding: rows of zero weight are dropped, tied scores form one point of the curve, and the
// ROC curve starts at (0, 0) with the threshold max(score) + 1 (scikit-learn >= 1.3 writes
// +Infinity there; 1.2 is the version our fixtures are generated with).
import { is, readOptions } from '../validate.js';
import { type Scores, type Values, checkLength, readBinaryLabels, readScores, readWeights, requireBothClasses } from './input.js';
import { ValueError } from '../errors.js';

export interface BinaryScoreOptions {
  /** The label of the positive class; default 1 (labels must then be 0/1 or -1/1). */
  posLabel?: number;
  /** A weight per row (rows of weight 0 are left out). */
  sampleWeight?: Values;
}

const binarySpec = { posLabel: is.number(), sampleWeight: is.any };

/** Cumulative (weighted) false and true positives at each distinct score, scores descending. */
interface ClfCurve {
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

interface Read {
  y: Uint8Array;
  s: Float64Array;
  w: Float64Array | undefined;
}

function readBinary(where: string, yTrue: Values, yScore: Scores, posLabel: number | undefined, sampleWeight: unknown): Read {
  const y = readBinaryLabels(where, yTrue, posLabel, true);
  const s = readScores(where, 'yScore', yScore);
  checkLength(where, 'yTrue', y, 'yScore', s);
  return { y, s, w: readWeights(where, sampleWeight, y.length) };
}

function clfCurve({ y, s, w }: Read): ClfCurve {
  let idx = Array.from({ length: y.length }, (_, i) => i);
  if (w !== undefined) idx = idx.filter((i) => w[i] !== 0);
  // Descending by score; Array.prototype.sort is stable, so ties keep row order.
  idx.sort((a, b) => (s[b] as number) - (s[a] as number));
  const n = idx.length;
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k] as number;
    const wi = w === undefined ? 1 : (w[i] as number);
    if (y[i] === 1) tp += wi;
    else fp += wi;
    if (k === n - 1 || s[idx[k + 1] as number] !== s[i]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(s[i] as number);
    }
  }
  return { fps: Float64Array.from(fps), tps: Float64Array.from(tps), thresholds: Float64Array.from(thresholds) };
}

export interface RocCurve {
  /** False positive rate at each threshold (non-decreasing, 0 first, 1 last). */
  fpr: number[];
  /** True positive rate at each threshold. */
  tpr: number[];
  /** Decreasing; a row is predicted positive when its score is >= the threshold. */
  thresholds: number[];
}

function roc(r: Read, dropIntermediate: boolean): RocCurve {
  let { fps, tps, thresholds } = clfCurve(r);
  if (dropIntermediate && fps.length > 2) {
    // Keep the ends and every corner: a point where either count's second difference is non-zero.
    const keep: number[] = [0];
    for (let k = 1; k < fps.length - 1; k++) {
      const ddf = (fps[k + 1] as number) - (fps[k] as number) - ((fps[k] as number) - (fps[k - 1] as number));
      const ddt = (tps[k + 1] as number) - (tps[k] as number) - ((tps[k] as number) - (tps[k - 1] as number));
      if (ddf !== 0 || ddt !== 0) keep.push(k);
    }
    keep.push(fps.length - 1);
    fps = Float64Array.from(keep, (k) => fps[k] as number);
    tps = Float64Array.from(keep, (k) => tps[k] as number);
    thresholds = Float64Array.from(keep, (k) => thresholds[k] as number);
  }
  const negTotal = fps[fps.length - 1] as number;
  const posTotal = tps[tps.length - 1] as number;
  return {
    fpr: [0, ...Array.from(fps, (v) => v / negTotal)],
    tpr: [0, ...Array.from(tps, (v) => v / posTotal)],
    thresholds: [(thresholds[0] as number) + 1, ...thresholds],
  };
}

/**
 * The receiver operating characteristic, as `sklearn.metrics.roc_curve`: false and true
 * positive rates at each distinct score, highest first. `dropIntermediate` (default true)
 * leaves out points on a straight segment, which change neither the plot nor the area.
 */
export function rocCurve(yTrue: Values, yScore: Scores, options?: BinaryScoreOptions & { dropIntermediate?: boolean }): RocCurve {
  const o = readOptions('rocCurve', options, { ...binarySpec, dropIntermediate: is.boolean });
  const r = readBinary('rocCurve', yTrue, yScore, o.posLabel, o.sampleWeight);
  requireBothClasses('rocCurve', r.y, r.w);
  return roc(r, o.dropIntermediate ?? true);
}

function trapezoid(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 0; i + 1 < x.length; i++) area += ((x[i + 1] as number) - (x[i] as number)) * ((y[i + 1] as number) + (y[i] as number)) / 2;
  return area;
}

/**
 * Area under the ROC curve (`roc_auc_score` for binary labels): the probability that a random
 * positive scores above a random negative, ties counting one half.
 */
export function rocAuc(yTrue: Values, yScore: Scores, options?: BinaryScoreOptions): number {
  const o = readOptions('rocAuc', options, binarySpec);
  const r = readBinary('rocAuc', yTrue, yScore, o.posLabel, o.sampleWeight);
  requireBothClasses('rocAuc', r.y, r.w);
  const { fpr, tpr } = roc(r, true);
  return trapezoid(fpr, tpr);
}

/** The Gini coefficient of credit scoring (accuracy ratio): 2·AUC − 1. */
export function gini(yTrue: Values, yScore: Scores, options?: BinaryScoreOptions): number {
  const o = readOptions('gini', options, binarySpec);
  const r = readBinary('gini', yTrue, yScore, o.posLabel, o.sampleWeight);
  requireBothClasses('gini', r.y, r.w);
  const { fpr, tpr } = roc(r, true);
  return 2 * trapezoid(fpr, tpr) - 1;
}

export interface KsStatistic {
  /** max |TPR − FPR| over all thresholds: the two-sample Kolmogorov–Smirnov statistic. */
  statistic: number;
  /** The threshold where it is reached (the highest one if several tie). */
  threshold: number;
}

/**
 * The Kolmogorov–Smirnov statistic of credit scoring: the largest gap between the score
 * distributions of positives and negatives, max |TPR − FPR| over the full ROC curve. Unweighted
 * it equals `scipy.stats.ks_2samp(scoresOfPositives, scoresOfNegatives).statistic`.
 */
export function ksStatistic(yTrue: Values, yScore: Scores, options?: BinaryScoreOptions): KsStatistic {
  const o = readOptions('ksStatistic', options, binarySpec);
  const r = readBinary('ksStatistic', yTrue, yScore, o.posLabel, o.sampleWeight);
  requireBothClasses('ksStatistic', r.y, r.w);
  const { fpr, tpr, thresholds } = roc(r, false);
  let best = 0;
  for (let k = 1; k < fpr.length; k++) {
    if (Math.abs((tpr[k] as number) - (fpr[k] as number)) > Math.abs((tpr[best] as number) - (fpr[best] as number))) best = k;
  }
  return { statistic: Math.abs((tpr[best] as number) - (fpr[best] as number)), threshold: thresholds[best] as number };
}

export interface PrecisionRecallCurve {
  /** Precision at each threshold, then 1 (no threshold: the curve's start on the y axis). */
  precision: number[];
  /** Recall at each threshold (decreasing), then 0. */
  recall: number[];
  /** Increasing distinct scores. */
  thresholds: number[];
}

function prCurve(where: string, r: Read): PrecisionRecallCurve {
  const { fps, tps, thresholds } = clfCurve(r);
  const posTotal = tps[tps.length - 1] as number;
  if (!(posTotal > 0)) throw new ValueError(`${where}: yTrue has no positive labels (of positive weight); recall is undefined`);
  const n = tps.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const th: number[] = [];
  for (let k = n - 1; k >= 0; k--) {
    const ps = (tps[k] as number) + (fps[k] as number);
    precision.push(ps === 0 ? 0 : (tps[k] as number) / ps);
    recall.push((tps[k] as number) / posTotal);
    th.push(thresholds[k] as number);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds: th };
}

/** Precision and recall at each distinct score, as `sklearn.metrics.precision_recall_curve`. */
export function precisionRecallCurve(yTrue: Values, yScore: Scores, options?: BinaryScoreOptions): PrecisionRecallCurve {
  const o = readOptions('precisionRecallCurve', options, binarySpec);
  return prCurve('precisionRecallCurve', readBinary('precisionRecallCurve', yTrue, yScore, o.posLabel, o.sampleWeight));
}

/**
 * Average precision, as `average_precision_score`: Σ (Rₖ − Rₖ₋₁)·Pₖ over the thresholds, the
 * step-wise area under the precision-recall curve (no interpolation, which would overstate it).
 */
export function averagePrecision(yTrue: Values, yScore: Scores, options?: BinaryScoreOptions): number {
  const o = readOptions('averagePrecision', options, binarySpec);
  const { precision, recall } = prCurve('averagePrecision', readBinary('averagePrecision', yTrue, yScore, o.posLabel, o.sampleWeight));
  let s = 0;
  for (let k = 0; k + 1 < recall.length; k++) s += ((recall[k + 1] as number) - (recall[k] as number)) * (precision[k] as number);
  return -s;
}
