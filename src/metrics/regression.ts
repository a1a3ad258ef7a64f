// Regression and forecasting errors, as scikit-learn 1.2 computes them (sklearn/metrics/
// _regression.py): one value per output column, then averaged over the outputs (`multioutput`).
// Also the directional accuracy of a forecast, which scikit-learn does not define.
import { ShapeError, ValueError } from '../errors.js';
import { type Check, is, readOptions } from '../validate.js';
import { type Matrix, type Rows, type Values, readMatrix, readWeights, weightedMean } from './input.js';

/** How per-output values are combined: their mean, each on its own, or a weighted mean. */
export type Multioutput = 'uniformAverage' | 'rawValues' | number[];

export interface RegressionOptions {
  sampleWeight?: Values;
  multioutput?: Multioutput;
}

const multioutputCheck: Check<Multioutput> = is.anyOf<Multioutput>("'uniformAverage', 'rawValues' or a list of weights", is.oneOf(['uniformAverage', 'rawValues'] as const), is.list(is.number({ min: 0 }), { minLength: 1 }));
const regressionSpec = { sampleWeight: is.any, multioutput: multioutputCheck };

interface Pair {
  t: Matrix;
  p: Matrix;
  w: Float64Array | undefined;
}

function readPair(where: string, yTrue: Values | Rows, yPred: Values | Rows, sampleWeight: unknown): Pair {
  const t = readMatrix(where, 'yTrue', yTrue);
  const p = readMatrix(where, 'yPred', yPred);
  if (t.rows !== p.rows || t.cols !== p.cols) throw new ShapeError(`${where}: yTrue is ${t.rows}×${t.cols} but yPred is ${p.rows}×${p.cols}`);
  if (t.rows === 0) throw new ValueError(`${where}: yTrue is empty`);
  return { t, p, w: readWeights(where, sampleWeight, t.rows) };
}

/** Per output column: Σ w·f(true, pred) / Σ w. */
function columnMeans(where: string, { t, p, w }: Pair, f: (a: number, b: number) => number): number[] {
  return Array.from({ length: t.cols }, (_, c) =>
    weightedMean(where, Float64Array.from({ length: t.rows }, (_, i) => f(t.data[i * t.cols + c] as number, p.data[i * t.cols + c] as number)), w),
  );
}

function combine(where: string, values: number[], multioutput: Multioutput | undefined, weights?: number[]): number | number[] {
  if (multioutput === 'rawValues') return values;
  const mw = Array.isArray(multioutput) ? multioutput : weights;
  if (mw !== undefined && mw.length !== values.length) throw new ShapeError(`${where}: multioutput has ${mw.length} weights for ${values.length} outputs`);
  return weightedMean(where, values, mw);
}

function metric(where: string, f: (a: number, b: number) => number, post?: (v: number) => number) {
  return (yTrue: Values | Rows, yPred: Values | Rows, options?: RegressionOptions): number | number[] => {
    const o = readOptions(where, options, regressionSpec);
    const values = columnMeans(where, readPair(where, yTrue, yPred, o.sampleWeight), f);
    return combine(where, post === undefined ? values : values.map(post), o.multioutput);
  };
}

interface RegressionMetric {
  (yTrue: Values | Rows, yPred: Values | Rows, options: RegressionOptions & { multioutput: 'rawValues' }): number[];
  (yTrue: Values | Rows, yPred: Values | Rows, options?: RegressionOptions & { multioutput?: 'uniformAverage' | number[] }): number;
}

/** Mean |yPred − yTrue| (`mean_absolute_error`). */
export const meanAbsoluteError = metric('meanAbsoluteError', (a, b) => Math.abs(b - a)) as RegressionMetric;

/** Mean (yTrue − yPred)² (`mean_squared_error`). */
export const meanSquaredError = metric('meanSquaredError', (a, b) => (a - b) ** 2) as RegressionMetric;

/** √MSE per output, then averaged (`mean_squared_error(squared=False)`). */
export const rootMeanSquaredError = metric('rootMeanSquaredError', (a, b) => (a - b) ** 2, Math.sqrt) as RegressionMetric;

/**
 * Mean |yPred − yTrue| / max(|yTrue|, 2⁻⁵²) (`mean_absolute_percentage_error`): a fraction, not
 * per cent; a true value of 0 gives a huge but finite term, as in scikit-learn.
 */
export const meanAbsolutePercentageError = metric('meanAbsolutePercentageError', (a, b) => Math.abs(b - a) / Math.max(Math.abs(a), 2 ** -52)) as RegressionMetric;

/**
 * The coefficient of determination, 1 − Σw(y − ŷ)² / Σw(y − ȳ)², per output, as `r2_score`
 * (`force_finite`: a constant yTrue scores 1 if predicted exactly, else 0). `multioutput` may
 * also be 'varianceWeighted' (outputs weighted by the variance of yTrue).
 */
export function r2Score(yTrue: Values | Rows, yPred: Values | Rows, options: Omit<RegressionOptions, 'multioutput'> & { multioutput: 'rawValues' }): number[];
export function r2Score(yTrue: Values | Rows, yPred: Values | Rows, options?: Omit<RegressionOptions, 'multioutput'> & { multioutput?: 'uniformAverage' | 'varianceWeighted' | number[] }): number;
export function r2Score(yTrue: Values | Rows, yPred: Values | Rows, options?: Omit<RegressionOptions, 'multioutput'> & { multioutput?: Multioutput | 'varianceWeighted' }): number | number[] {
  const where = 'r2Score';
  const o = readOptions(where, options, {
    sampleWeight: is.any,
    multioutput: is.anyOf<Multioutput | 'varianceWeighted'>("'uniformAverage', 'rawValues', 'varianceWeighted' or a list of weights", is.oneOf(['varianceWeighted'] as const), multioutputCheck),
  });
  const pair = readPair(where, yTrue, yPred, o.sampleWeight);
  if (pair.t.rows < 2) throw new ValueError(`${where}: R² is not defined for fewer than two samples`);
  const { t, p, w } = pair;
  const mean = columnMeans(where, { t, p: t, w }, (a) => a);
  const num: number[] = [];
  const den: number[] = [];
  for (let c = 0; c < t.cols; c++) {
    let sn = 0;
    let sd = 0;
    for (let i = 0; i < t.rows; i++) {
      const wi = w === undefined ? 1 : (w[i] as number);
      const a = t.data[i * t.cols + c] as number;
      sn += wi * (a - (p.data[i * t.cols + c] as number)) ** 2;
      sd += wi * (a - (mean[c] as number)) ** 2;
    }
    num.push(sn);
    den.push(sd);
  }
  const scores = num.map((n, c) => (n === 0 ? 1 : den[c] === 0 ? 0 : 1 - n / (den[c] as number)));
  if (o.multioutput === 'varianceWeighted') return combine(where, scores, undefined, den.some((d) => d !== 0) ? den : undefined);
  return combine(where, scores, o.multioutput);
}

/**
 * The share of rows where the forecast gets the direction right. With `kind: 'returns'` (the
 * default) yTrue and yPred are changes or returns, and a row is right when both have the same
 * sign. With `kind: 'levels'` they are price or value levels, and the direction of row t is
 * measured from the previous actual value: sign(yPred[t] − yTrue[t−1]) against
 * sign(yTrue[t] − yTrue[t−1]), for t ≥ 1 (the mean directional accuracy). A zero change counts
 * as a direction of its own: it matches only a zero.
 */
export function directionalAccuracy(yTrue: Values, yPred: Values, options?: { kind?: 'returns' | 'levels'; sampleWeight?: Values }): number {
  const where = 'directionalAccuracy';
  const o = readOptions(where, options, { kind: is.oneOf(['returns', 'levels'] as const), sampleWeight: is.any });
  const { t, p, w } = readPair(where, yTrue, yPred, o.sampleWeight);
  if (t.cols !== 1) throw new ShapeError(`${where}: yTrue must be 1-D, got ${t.cols} columns`);
  const levels = o.kind === 'levels';
  if (levels && t.rows < 2) throw new ValueError(`${where}: directions of levels need at least two rows`);
  let hits = 0;
  let total = 0;
  for (let i = levels ? 1 : 0; i < t.rows; i++) {
    const base = levels ? (t.data[i - 1] as number) : 0;
    const wi = w === undefined ? 1 : (w[i] as number);
    if (Math.sign((t.data[i] as number) - base) === Math.sign((p.data[i] as number) - base)) hits += wi;
    total += wi;
  }
  if (total === 0) throw new ValueError(`${where}: sampleWeight sums to zero`);
  return hits / total;
}
