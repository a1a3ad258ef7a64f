// Metrics of predicted class labels, as scikit-learn defines them (sklearn/metrics/
// _classification.py, 1.2): accuracy, the confusion matrix, precision / recall / F-beta in every
// averaging, and the classification report. Computed in float64.
//
// Predictions are class labels. Where they are scores instead (any non-integer value, or an
// [n, 2] probability matrix, or whenever `threshold` is given) a row is predicted 1 when its
// score is >= `threshold` (default 0.5) and 0 otherwise; the labels must then be 0/1.
//
// `rocAuc` is re-exported from ranking.ts, where the curves it integrates live.
import { ArgumentError, ShapeError, ValueError } from '../errors.js';
import { type Check, type Checked, is, readOptions } from '../validate.js';
import { type Scores, type Values, checkLength, readMatrix, readValues, readWeights, uniqueSorted } from './input.js';

interface LabelsRead {
  yTrue: Float64Array;
  yPred: Float64Array;
  w: Float64Array | undefined;
}

/** yTrue, the predicted labels (thresholding scores) and the weights, all checked. */
export function readLabels(where: string, yTrue: Values, yPred: Scores, threshold: number | undefined, sampleWeight: unknown): LabelsRead {
  const t = readValues(where, 'yTrue', yTrue);
  const m = readMatrix(where, 'yPred', yPred);
  if (m.cols > 2) throw new ShapeError(`${where}: yPred has ${m.cols} columns; pass class labels (e.g. the argmax of each row) or [n, 2] probabilities`);
  let p = m.data;
  const scores = m.cols === 2 ? Float64Array.from({ length: m.rows }, (_, i) => m.data[2 * i + 1] as number) : m.data;
  if (threshold !== undefined || m.cols === 2 || !scores.every(Number.isInteger)) {
    const cut = threshold ?? 0.5;
    p = Float64Array.from(scores, (s) => (s >= cut ? 1 : 0));
    t.forEach((l, i) => {
      if (l !== 0 && l !== 1) throw new ValueError(`${where}: yTrue at row ${i} is ${l}; with scores thresholded at ${cut} the labels must be 0 or 1`);
    });
  }
  checkLength(where, 'yTrue', t, 'yPred', p);
  return { yTrue: t, yPred: p, w: readWeights(where, sampleWeight, t.length) };
}

export { rocAuc } from './ranking.js';

const thresholdSpec = { threshold: is.number(), sampleWeight: is.any };

/** Share of correct predictions (weighted), or their count with `normalize: false`. */
export function accuracy(yTrue: Values, yPred: Scores, options?: { threshold?: number; sampleWeight?: Values; normalize?: boolean }): number {
  const o = readOptions('accuracy', options, { ...thresholdSpec, normalize: is.boolean });
  const { yTrue: t, yPred: p, w } = readLabels('accuracy', yTrue, yPred, o.threshold, o.sampleWeight);
  let hits = 0;
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    const wi = w === undefined ? 1 : (w[i] as number);
    if (t[i] === p[i]) hits += wi;
    total += wi;
  }
  return o.normalize === false ? hits : hits / total;
}

function labelIndex(labels: readonly number[]): Map<number, number> {
  return new Map(labels.map((l, i) => [l, i]));
}

export interface ConfusionMatrixOptions {
  /** Row and column order (default: every label seen, ascending); others are left out. */
  labels?: number[];
  sampleWeight?: Values;
  /** Divide by the row ('true'), column ('pred') or grand total ('all'); 0 where empty. */
  normalize?: 'true' | 'pred' | 'all';
  threshold?: number;
}

/**
 * `C[i][j]`: the (weighted) count of rows of true class `labels[i]` predicted as `labels[j]`,
 * as `sklearn.metrics.confusion_matrix`. For 0/1 labels: `[[tn, fp], [fn, tp]]`.
 */
export function confusionMatrix(yTrue: Values, yPred: Scores, options?: ConfusionMatrixOptions): number[][] {
  const where = 'confusionMatrix';
  const o = readOptions(where, options, { ...thresholdSpec, labels: is.list(is.number(), { minLength: 1 }), normalize: is.oneOf(['true', 'pred', 'all'] as const) });
  const { yTrue: t, yPred: p, w } = readLabels(where, yTrue, yPred, o.threshold, o.sampleWeight);
  const labels = o.labels ?? uniqueSorted(t, p);
  if (o.labels !== undefined && !t.some((l) => labels.includes(l))) throw new ValueError(`${where}: none of labels [${labels.join(', ')}] occurs in yTrue`);
  const at = labelIndex(labels);
  const k = labels.length;
  const c = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) {
    const a = at.get(t[i] as number);
    const b = at.get(p[i] as number);
    if (a !== undefined && b !== undefined) {
      const row = c[a] as number[];
      row[b] = (row[b] as number) + (w === undefined ? 1 : (w[i] as number));
    }
  }
  if (o.normalize === undefined) return c;
  const div = (x: number, d: number): number => (d === 0 ? 0 : x / d);
  const all = c.flat().reduce((s, v) => s + v, 0);
  return c.map((row) =>
    row.map((v, j) => {
      if (o.normalize === 'all') return div(v, all);
      if (o.normalize === 'true') return div(v, row.reduce((s, x) => s + x, 0));
      return div(v, c.reduce((s, r) => s + (r[j] as number), 0));
    }),
  );
}

export type Average = 'binary' | 'micro' | 'macro' | 'weighted';

export interface PrfOptions {
  /** Weight of recall against precision in the F-score (1: F1). */
  beta?: number;
  /** The classes to report, in order (default: every label seen, ascending). */
  labels?: number[];
  /** The class whose scores `average: 'binary'` reports; default 1. */
  posLabel?: number;
  /** null: one value per class; 'binary': posLabel's; 'micro': of pooled counts; 'macro': the mean; 'weighted': the mean weighted by support. */
  average?: Average | null;
  sampleWeight?: Values;
  /** The value of 0/0 (scikit-learn's 'warn' gives 0, without the warning). */
  zeroDivision?: 'warn' | 0 | 1;
  threshold?: number;
}

export interface PrfPerClass {
  labels: number[];
  precision: number[];
  recall: number[];
  fScore: number[];
  /** (Weighted) count of each class in yTrue. */
  support: number[];
}

export interface PrfAveraged {
  precision: number;
  recall: number;
  fScore: number;
}

/** The options of precisionScore, recallScore and f1Score. */
const scoreSpec = {
  ...thresholdSpec,
  labels: is.list(is.number(), { minLength: 1 }),
  posLabel: is.number(),
  average: is.nullable(is.oneOf(['binary', 'micro', 'macro', 'weighted'] as const)),
  zeroDivision: is.anyOf<'warn' | 0 | 1>("'warn', 0 or 1", is.oneOf(['warn'] as const), is.int({ min: 0, max: 1 }) as Check<0 | 1>),
};

/** The options of precisionRecallFscoreSupport and fbetaScore. */
export const prfSpec = { ...scoreSpec, beta: is.number({ min: 0 }) };

/** The shared computation; `o` has been read with `prfSpec` or `scoreSpec`. */
export function prfs(where: string, yTrue: Values, yPred: Scores, o: Checked<typeof prfSpec>, defaultAverage: Average | null): PrfPerClass | PrfAveraged {
  const { yTrue: t, yPred: p, w } = readLabels(where, yTrue, yPred, o.threshold, o.sampleWeight);
  const average = o.average === undefined ? defaultAverage : o.average;
  const posLabel = o.posLabel ?? 1;
  const zd = o.zeroDivision === 1 ? 1 : 0;
  const present = uniqueSorted(t, p);
  let labels = o.labels ?? present;
  if (average === 'binary') {
    if (present.length > 2) throw new ValueError(`${where}: the labels are multiclass (${present.join(', ')}) but average is 'binary'; choose 'micro', 'macro', 'weighted' or null`);
    if (!present.includes(posLabel) && present.length === 2) throw new ValueError(`${where}: posLabel ${posLabel} is not one of the labels ${present.join(', ')}`);
    labels = [posLabel];
  }
  const at = labelIndex(labels);
  let tp = new Array<number>(labels.length).fill(0);
  let pred = new Array<number>(labels.length).fill(0);
  let real = new Array<number>(labels.length).fill(0);
  for (let i = 0; i < t.length; i++) {
    const wi = w === undefined ? 1 : (w[i] as number);
    const a = at.get(t[i] as number);
    const b = at.get(p[i] as number);
    if (a !== undefined) real[a] = (real[a] as number) + wi;
    if (b !== undefined) pred[b] = (pred[b] as number) + wi;
    if (a !== undefined && t[i] === p[i]) tp[a] = (tp[a] as number) + wi;
  }
  const sum = (v: number[]): number => v.reduce((s, x) => s + x, 0);
  const support = real;
  if (average === 'micro') [tp, pred, real] = [[sum(tp)], [sum(pred)], [sum(real)]];
  const precision = tp.map((x, i) => (pred[i] === 0 ? zd : x / (pred[i] as number)));
  const recall = tp.map((x, i) => (real[i] === 0 ? zd : x / (real[i] as number)));
  const b2 = (o.beta ?? 1) ** 2;
  const fScore = precision.map((pr, i) => {
    const denom = b2 * pr + (recall[i] as number);
    return ((1 + b2) * pr * (recall[i] as number)) / (denom === 0 ? 1 : denom);
  });
  if (average === null) return { labels, precision, recall, fScore, support };
  if (average === 'weighted') {
    const total = sum(support);
    if (total === 0) return sum(pred) === 0 ? { precision: zd, recall: zd, fScore: zd } : { precision: 0, recall: zd, fScore: 0 };
    const wavg = (v: number[]): number => sum(v.map((x, i) => x * (support[i] as number))) / total;
    return { precision: wavg(precision), recall: wavg(recall), fScore: wavg(fScore) };
  }
  const mean = (v: number[]): number => sum(v) / v.length;
  return { precision: mean(precision), recall: mean(recall), fScore: mean(fScore) };
}

type PerClassOptions = Omit<PrfOptions, 'beta'> & { average: null };
type AveragedOptions = Omit<PrfOptions, 'beta'> & { average?: Average };

/**
 * Precision, recall, F-beta and support per class (`average` null, the default) or averaged,
 * as `precision_recall_fscore_support`.
 */
export function precisionRecallFscoreSupport(yTrue: Values, yPred: Scores, options?: PrfOptions & { average?: null }): PrfPerClass;
export function precisionRecallFscoreSupport(yTrue: Values, yPred: Scores, options: PrfOptions & { average: Average }): PrfAveraged;
export function precisionRecallFscoreSupport(yTrue: Values, yPred: Scores, options?: PrfOptions): PrfPerClass | PrfAveraged {
  const where = 'precisionRecallFscoreSupport';
  return prfs(where, yTrue, yPred, readOptions(where, options, prfSpec), null);
}

function score(where: string, key: 'precision' | 'recall' | 'fScore', yTrue: Values, yPred: Scores, options: unknown): number | number[] {
  return prfs(where, yTrue, yPred, readOptions(where, options, scoreSpec), 'binary')[key];
}

/** tp / (tp + fp): of the rows predicted positive, the share that are (`average` default 'binary'). */
export function precisionScore(yTrue: Values, yPred: Scores, options: PerClassOptions): number[];
export function precisionScore(yTrue: Values, yPred: Scores, options?: AveragedOptions): number;
export function precisionScore(yTrue: Values, yPred: Scores, options?: Omit<PrfOptions, 'beta'>): number | number[] {
  return score('precisionScore', 'precision', yTrue, yPred, options);
}

/** tp / (tp + fn): of the positive rows, the share found (`average` default 'binary'). */
export function recallScore(yTrue: Values, yPred: Scores, options: PerClassOptions): number[];
export function recallScore(yTrue: Values, yPred: Scores, options?: AveragedOptions): number;
export function recallScore(yTrue: Values, yPred: Scores, options?: Omit<PrfOptions, 'beta'>): number | number[] {
  return score('recallScore', 'recall', yTrue, yPred, options);
}

/** The F-beta score, (1 + β²)·P·R / (β²·P + R) (`average` default 'binary'). */
export function fbetaScore(yTrue: Values, yPred: Scores, options: PerClassOptions & { beta: number }): number[];
export function fbetaScore(yTrue: Values, yPred: Scores, options: AveragedOptions & { beta: number }): number;
export function fbetaScore(yTrue: Values, yPred: Scores, options: PrfOptions & { beta: number }): number | number[] {
  const where = 'fbetaScore';
  const o = readOptions(where, options, prfSpec);
  if (o.beta === undefined) throw new ArgumentError(`${where}: options.beta is required`, where, 'beta');
  return prfs(where, yTrue, yPred, o, 'binary').fScore;
}

/** The F1 score, 2·P·R / (P + R) (`average` default 'binary'). */
export function f1Score(yTrue: Values, yPred: Scores, options: PerClassOptions): number[];
export function f1Score(yTrue: Values, yPred: Scores, options?: AveragedOptions): number;
export function f1Score(yTrue: Values, yPred: Scores, options?: Omit<PrfOptions, 'beta'>): number | number[] {
  return score('f1Score', 'fScore', yTrue, yPred, options);
}
