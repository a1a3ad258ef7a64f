import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../../src/index.js';
import { ArgumentError, ValueError } from '../../../src/errors.js';
import { AutoReg } from '../../../src/finance/market/ar.js';
import { windowForecaster } from '../../../src/finance/market/forecasters.js';
import { GARCH } from '../../../src/finance/market/garch.js';
import { walkForward, walkForwardFolds } from '../../../src/finance/market/walk-forward.js';

const ar = JSON.parse(readFileSync(new URL('../../fixtures/market-reference.json', import.meta.url), 'utf8')).ar;

beforeAll(async () => {
  await fg.ready();
});

describe('walk-forward folds', () => {
  it('expanding and rolling windows with an embargo never touch their test window', () => {
    const exp = walkForwardFolds(100, { initialTrain: 50, testSize: 20, embargo: 5 });
    // Two test windows of 20 fit after 50 + 5; they end with the series (TimeSeriesSplit).
    expect(exp).toEqual([
      { trainStart: 0, trainEnd: 55, testStart: 60, testEnd: 80 },
      { trainStart: 0, trainEnd: 75, testStart: 80, testEnd: 100 },
    ]);
    const roll = walkForwardFolds(100, { initialTrain: 50, testSize: 25, window: 'rolling' });
    expect(roll.map((f) => [f.trainStart, f.trainEnd])).toEqual([[0, 50], [25, 75]]);
    for (const f of [...exp, ...roll]) expect(f.trainEnd).toBeLessThanOrEqual(f.testStart);
    expect(() => walkForwardFolds(10, { initialTrain: 8, testSize: 5 })).toThrow(ValueError);
    expect(() => walkForwardFolds(10, { initial_train: 8 } as never)).toThrow("did you mean 'initialTrain'?");
  });
});

describe('walk-forward evaluation', () => {
  it('scores the model and the naive baselines on the same test values', () => {
    const y = ar.series as number[];
    const r = walkForward(y, () => new AutoReg({ lags: 2 }), { initialTrain: 600, testSize: 200, kind: 'levels' });
    expect(r.index[0]).toBe(600);
    expect(r.index).toHaveLength(600);
    expect(r.folds).toHaveLength(3);
    r.index.forEach((t, i) => expect(r.lastValue[i]).toBe(y[t - 1]));
    // The first fold's mean baseline is the mean of its training window.
    expect(r.trainingMean[0]).toBeCloseTo(y.slice(0, 600).reduce((a, v) => a + v, 0) / 600, 14);
    // An AR(2) process is predictable: the fitted AR beats both naive forecasts.
    expect(r.model.rmse).toBeLessThan(r.baselines.trainingMean.rmse);
    expect(r.model.rmse).toBeLessThan(r.baselines.lastValue.rmse);
    expect(r.model.rmse).toBeCloseTo(fg.rootMeanSquaredError(r.actual, r.predicted), 14);
    // The first fold uses a model fitted on values 0 … 599 only.
    const first = new AutoReg({ lags: 2 }).fit(y.slice(0, 600));
    expect(r.predicted[0]).toBeCloseTo(first.forecast(1)[0]!, 12);
  });

  it('flags a returns model that beats the training mean by too much (look-ahead)', () => {
    const returns = GARCH.simulate({ mu: 0, omega: 1e-5, alpha: 0.05, beta: 0.9 }, 600, 3);
    const cheat = { fit: () => undefined, predictOneStep: (s: Float64Array) => s };
    const bad = walkForward(returns, () => cheat, { initialTrain: 300, testSize: 100 });
    expect(bad.warning).toMatch(/look-ahead/);
    const honest = walkForward(returns, () => new AutoReg({ lags: 1 }), { initialTrain: 300, testSize: 100 });
    expect(honest.warning).toBeUndefined();
    expect(honest.r2VsMean).toBeLessThan(0.1);
    expect(() => walkForward(returns, 5 as never)).toThrow(ArgumentError);
  });

  it('a recurrent forecaster on returns-scale data does not do worse than the training mean', () => {
    const returns = GARCH.simulate({ mu: 2e-4, omega: 2e-6, alpha: 0.08, beta: 0.9 }, 700, 5);
    const before = fg.memoryStats().liveTensors;
    const r = walkForward(returns, () => windowForecaster(() => new fg.RecurrentForecaster({ cell: 'gru', hiddenSize: 8, maxIter: 8, seed: 0 }), { window: 10 }), { initialTrain: 500, testSize: 100 });
    expect(fg.memoryStats().liveTensors).toBe(before);
    expect(r.model.rmse).toBeLessThan(1.1 * r.baselines.trainingMean.rmse);
  });
});
