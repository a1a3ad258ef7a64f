// Ensembles for model risk: several fitted models' probabilities averaged (soft voting) or
// combined by a logistic meta-model fitted on held-out rows (stacking), and the bootstrap
// spread of a model's scores — refit on resampled training rows, the spread of each new row's
// score is an honest error bar on it.
import { ArgumentError, LogisticRegression, ShapeError, dataRng, tidy } from '../index.js';
import { describe, is, readOptions } from '../validate.js';
import { type DataLike, type MatrixLike, readFrame, readMatrix, toScorer } from './explain/predictor.js';

function checkModels(where: string, models: unknown): unknown[] {
  if (!Array.isArray(models) || models.length === 0) throw new ArgumentError(`${where}: models must be a non-empty list of fitted models, got ${describe(models)}`, where, 'models');
  return models;
}

/** Each model's probability of class 1 for each row: [model][row]. */
function scoresOf(where: string, models: unknown[], x: DataLike): Float64Array[] {
  const frame = readFrame(where, 'x', x);
  return models.map((model) => toScorer(where, model, frame, 'proba')(frame.columns, frame.rows));
}

/** Soft voting: the (weighted) mean of the models' probabilities of class 1. */
export function averageProba(models: unknown[], x: DataLike, options?: { weights?: number[] }): Float64Array {
  const where = 'averageProba';
  const o = readOptions(where, options, { weights: is.list(is.number({ min: 0 })) });
  const list = checkModels(where, models);
  const w = o.weights ?? list.map(() => 1);
  if (w.length !== list.length) throw new ShapeError(`${where}: ${w.length} weights for ${list.length} models`);
  const total = w.reduce((a, v) => a + v, 0);
  if (!(total > 0)) throw new ArgumentError(`${where}: the weights sum to 0`, where, 'weights');
  const s = scoresOf(where, list, x);
  return Float64Array.from({ length: (s[0] as Float64Array).length }, (_, i) => s.reduce((a, col, k) => a + (w[k] as number) * (col[i] as number), 0) / total);
}

const logit = (p: number): number => {
  const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return Math.log(q / (1 - q));
};

/** A logistic meta-model over fitted models' log-odds (stacking), fitted on held-out rows. */
export class StackedClassifier {
  private readonly models: unknown[];
  private readonly meta: LogisticRegression;

  /** `xHold`, `yHold`: rows none of the models was trained on. */
  constructor(models: unknown[], xHold: DataLike, yHold: ArrayLike<number>, options?: { C?: number }) {
    const where = 'StackedClassifier';
    const o = readOptions(where, options, { C: is.number({ min: 0, minOpen: true }) });
    this.models = checkModels(where, models);
    const features = this.features(where, xHold);
    if (features.length !== yHold.length) throw new ShapeError(`${where}: ${features.length} held-out rows but ${yHold.length} labels`);
    this.meta = new LogisticRegression({ C: o.C ?? 1 }).fit(features, Array.from(yHold));
  }

  private features(where: string, x: DataLike): number[][] {
    const s = scoresOf(where, this.models, x);
    return Array.from({ length: (s[0] as Float64Array).length }, (_, i) => s.map((col) => logit(col[i] as number)));
  }

  /** The meta-model's weight on each model's log-odds, and its intercept. */
  get weights(): { coef: number[]; intercept: number } {
    return { coef: [...(this.meta.coef[0] as number[])], intercept: this.meta.intercept[0] as number };
  }

  /** Stacked probability of class 1 per row. */
  predictProba(x: DataLike): Float64Array {
    const f = this.features('StackedClassifier.predictProba', x);
    return tidy(() => {
      const p = this.meta.predictProba(f).toFloat32Array();
      return Float64Array.from({ length: f.length }, (_, i) => p[i * 2 + 1] as number);
    });
  }

  dispose(): void {
    this.meta.dispose();
  }
}

export interface BootstrapSpread {
  mean: Float64Array;
  std: Float64Array;
  /** The 5th and 95th percentiles of each row's score over the refits. */
  lower: Float64Array;
  upper: Float64Array;
  /** [refit][row]. */
  scores: Float64Array[];
}

/**
 * Refits `makeModel()` on `nBootstrap` (default 20) resamples of (x, y), drawn with
 * replacement (each keeping both classes), and summarises each new row's probability of class 1.
 */
export function bootstrapSpread(
  makeModel: () => { fit(x: number[][], y: number[]): unknown },
  x: MatrixLike,
  y: ArrayLike<number>,
  xNew: MatrixLike,
  options?: { nBootstrap?: number; seed?: number },
): BootstrapSpread {
  const where = 'bootstrapSpread';
  const o = readOptions(where, options, { nBootstrap: is.int({ min: 2 }), seed: is.int() });
  if (typeof makeModel !== 'function') throw new ArgumentError(`${where}: makeModel must be a function returning an unfitted model, got ${describe(makeModel)}`, where, 'makeModel');
  const m = readMatrix(where, 'x', x);
  if (y.length !== m.rows) throw new ShapeError(`${where}: ${m.rows} rows but ${y.length} labels`);
  const rows = Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  const rand = dataRng(o.seed ?? 0);
  const scores: Float64Array[] = [];
  for (let b = 0; b < (o.nBootstrap ?? 20); b++) {
    let idx: number[];
    do idx = Array.from({ length: m.rows }, () => Math.floor(rand() * m.rows));
    while (new Set(idx.map((i) => y[i])).size < 2);
    const model = makeModel();
    model.fit(idx.map((i) => rows[i] as number[]), idx.map((i) => y[i] as number));
    const frame = readFrame(where, 'xNew', xNew);
    scores.push(toScorer(where, model, frame, 'proba')(frame.columns, frame.rows));
    (model as { dispose?: () => void }).dispose?.();
  }
  const n = (scores[0] as Float64Array).length;
  const col = (i: number): number[] => scores.map((s) => s[i] as number).sort((a, b) => a - b);
  const q = (v: number[], p: number): number => {
    const pos = p * (v.length - 1);
    const lo = Math.floor(pos);
    return (v[lo] as number) + (pos - lo) * ((v[Math.min(lo + 1, v.length - 1)] as number) - (v[lo] as number));
  };
  const mean = Float64Array.from({ length: n }, (_, i) => scores.reduce((a, s) => a + (s[i] as number), 0) / scores.length);
  return {
    mean,
    std: Float64Array.from({ length: n }, (_, i) => Math.sqrt(scores.reduce((a, s) => a + ((s[i] as number) - (mean[i] as number)) ** 2, 0) / (scores.length - 1))),
    lower: Float64Array.from({ length: n }, (_, i) => q(col(i), 0.05)),
    upper: Float64Array.from({ length: n }, (_, i) => q(col(i), 0.95)),
    scores,
  };
}
