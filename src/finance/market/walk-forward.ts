// Walk-forward evaluation of a one-step-ahead forecaster, without look-ahead: for each fold the
// model is fitted on the training window only, then predicts each test value from the values
// before it; an embargo leaves a gap between the two so that overlapping features (rolling
// windows, multi-day targets) cannot leak. Beside the model, two naive forecasts are scored on
// the same test values — the training mean and the last value — because on daily returns the
// mean is very hard to beat: a model that beats it by a wide margin has probably seen the future.
import { ArgumentError, ShapeError, ValueError, directionalAccuracy, meanAbsoluteError, rootMeanSquaredError } from '../../index.js';
import { describe, is, readOptions } from '../../validate.js';
import { TimeSeriesSplit } from '../split.js';
import { type SeriesLike, readSeries } from './series.js';

/** What walkForward needs of a model: fit on a training window, then one-step predictions. */
export interface OneStepForecaster {
  fit(train: Float64Array): unknown;
  /** Predictions of series[t] from the values before t, for the last k positions t = n − k … n − 1. */
  predictOneStep(series: Float64Array): ArrayLike<number>;
  dispose?(): void;
}

export interface WalkForwardOptions {
  /** Values in the first training window (default: half the series). */
  initialTrain?: number;
  /** Test values per fold (default: a tenth of the series). */
  testSize?: number;
  /** 'expanding' (default: training windows grow) or 'rolling' (fixed length initialTrain). */
  window?: 'expanding' | 'rolling';
  /** Values skipped between a training window and its test window (default 0). */
  embargo?: number;
  /** 'returns' (default: the series is returns; direction = sign) or 'levels' (direction = change). */
  kind?: 'returns' | 'levels';
}

const spec = {
  initialTrain: is.int({ min: 2 }),
  testSize: is.int({ min: 1 }),
  window: is.oneOf(['expanding', 'rolling'] as const),
  embargo: is.int({ min: 0 }),
  kind: is.oneOf(['returns', 'levels'] as const),
};

export interface WalkForwardFold {
  trainStart: number;
  trainEnd: number;
  testStart: number;
  testEnd: number;
}

export interface ForecastScores {
  mae: number;
  rmse: number;
  directionalAccuracy: number;
}

export interface WalkForwardResult {
  folds: WalkForwardFold[];
  /** Test positions, and the model's and the baselines' predictions there. */
  index: Int32Array;
  actual: Float64Array;
  predicted: Float64Array;
  trainingMean: Float64Array;
  lastValue: Float64Array;
  model: ForecastScores;
  baselines: { trainingMean: ForecastScores; lastValue: ForecastScores };
  /** Out-of-sample R² against the training-mean forecast: 1 − MSE(model) / MSE(mean). */
  r2VsMean: number;
  /** Set when a returns model beats the training mean suspiciously well (R² vs mean > 0.1). */
  warning?: string;
}

/**
 * The folds of a walk-forward over n values: TimeSeriesSplit's forward-chaining windows, as many
 * test windows of `testSize` as fit after the first `initialTrain` values and the embargo (the
 * split's gap), aligned to the end of the series; rolling windows keep `initialTrain` values.
 */
export function walkForwardFolds(n: number, options?: WalkForwardOptions): WalkForwardFold[] {
  const where = 'walkForwardFolds';
  const o = readOptions(where, options, spec);
  const initial = o.initialTrain ?? Math.floor(n / 2);
  const test = o.testSize ?? Math.max(1, Math.floor(n / 10));
  const embargo = o.embargo ?? 0;
  const nSplits = Math.floor((n - initial - embargo) / test);
  if (nSplits < 1) throw new ValueError(`${where}: ${n} values cannot hold a training window of ${initial}, an embargo of ${embargo} and a test window of ${test}`);
  const split = new TimeSeriesSplit(nSplits, { testSize: test, gap: embargo, ...(o.window === 'rolling' && { maxTrainSize: initial }) });
  return split.split(n).map((f) => ({
    trainStart: f.train[0] as number,
    trainEnd: (f.train[f.train.length - 1] as number) + 1,
    testStart: f.test[0] as number,
    testEnd: (f.test[f.test.length - 1] as number) + 1,
  }));
}

function scores(actual: Float64Array, predicted: Float64Array, previous: Float64Array, kind: 'returns' | 'levels'): ForecastScores {
  // Direction of a level forecast is its change from the last known value.
  const dir = kind === 'returns' ? directionalAccuracy(actual, predicted, { kind: 'returns' }) : directionalAccuracy(actual.map((v, i) => v - (previous[i] as number)), predicted.map((v, i) => v - (previous[i] as number)), { kind: 'returns' });
  return { mae: meanAbsoluteError(actual, predicted), rmse: rootMeanSquaredError(actual, predicted), directionalAccuracy: dir };
}

/** Walk-forward evaluation of `makeModel()` (a fresh model per fold) on a series. */
export function walkForward(series: SeriesLike, makeModel: () => OneStepForecaster, options?: WalkForwardOptions): WalkForwardResult {
  const where = 'walkForward';
  readOptions(where, options, spec);
  if (typeof makeModel !== 'function') throw new ArgumentError(`${where}: makeModel must be a function returning a fresh forecaster, got ${describe(makeModel)}`, where, 'makeModel');
  const y = readSeries(where, 'series', series, { minLength: 4 });
  const folds = walkForwardFolds(y.length, options);
  const kind = options?.kind ?? 'returns';
  const index: number[] = [];
  const predicted: number[] = [];
  const means: number[] = [];
  for (const f of folds) {
    const train = y.slice(f.trainStart, f.trainEnd);
    const model = makeModel();
    try {
      model.fit(train);
      // The model sees values up to each test position (one step ahead), never the target itself.
      const p = model.predictOneStep(y.slice(0, f.testEnd));
      const k = f.testEnd - f.testStart;
      if (p.length < k) throw new ShapeError(`${where}: the model gave ${p.length} one-step predictions; the fold needs ${k}`);
      let mean = 0;
      for (const v of train) mean += v / train.length;
      for (let t = f.testStart; t < f.testEnd; t++) {
        index.push(t);
        predicted.push(p[p.length - (f.testEnd - t)] as number);
        means.push(mean);
      }
    } finally {
      model.dispose?.();
    }
  }
  const idx = Int32Array.from(index);
  const actual = Float64Array.from(idx, (t) => y[t] as number);
  const last = Float64Array.from(idx, (t) => y[t - 1] as number);
  const pred = Float64Array.from(predicted);
  const mean = Float64Array.from(means);
  const mseModel = actual.reduce((a, v, i) => a + (v - (pred[i] as number)) ** 2, 0);
  const mseMean = actual.reduce((a, v, i) => a + (v - (mean[i] as number)) ** 2, 0);
  const r2VsMean = 1 - mseModel / mseMean;
  const result: WalkForwardResult = {
    folds,
    index: idx,
    actual,
    predicted: pred,
    trainingMean: mean,
    lastValue: last,
    model: scores(actual, pred, last, kind),
    baselines: { trainingMean: scores(actual, mean, last, kind), lastValue: scores(actual, last, last, kind) },
    r2VsMean,
  };
  if (kind === 'returns' && r2VsMean > 0.1) {
    result.warning = `the model explains ${(100 * r2VsMean).toFixed(1)}% of the out-of-sample variance of returns beyond the training mean; on daily returns that usually means look-ahead (a feature or target that saw the future)`;
  }
  return result;
}
