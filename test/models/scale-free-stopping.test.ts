// Early stopping is scale-free: on daily-return data (losses near 1e-4) the forecasters keep
// training while the loss improves relatively, instead of stopping at once on an absolute tol.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { GARCH } from '../../src/finance/market/garch.js';

beforeAll(async () => {
  await fg.ready();
});

describe('early stopping on returns-scale data', () => {
  const r = GARCH.simulate({ mu: 3e-4, omega: 2e-6, alpha: 0.08, beta: 0.9 }, 1500, 2);
  const train = Array.from(r.subarray(0, 1200));
  const test = Array.from(r.subarray(1200 - 20));
  const mean = train.reduce((a, v) => a + v, 0) / train.length;

  it.each([
    ['RecurrentForecaster', () => new fg.RecurrentForecaster({ cell: 'gru', hiddenSize: 8, maxIter: 40, earlyStopping: true, seed: 0 }), false],
    ['CNN1dForecaster', () => new fg.CNN1dForecaster({ filters: [4, 8], maxIter: 40, earlyStopping: true, seed: 0 }), true],
  ])('%s trains past the first epochs and forecasts no worse than the training mean', (_name, make, channelsFirst) => {
    const w = fg.makeWindows(train, 20, 1, { channelsFirst });
    const model = make() as fg.RecurrentForecaster;
    model.fit(w.x, w.y);
    const history = model.history?.history.loss ?? [];
    expect(history.length).toBeGreaterThan(11);
    const t = fg.makeWindows(test, 20, 1, { channelsFirst });
    const p = fg.tidy(() => model.predict(t.x).toFloat32Array());
    const actual = t.y.toFloat32Array();
    const mse = (f: (i: number) => number): number => actual.reduce((a, v, i) => a + (v - f(i)) ** 2, 0) / actual.length;
    expect(mse((i) => p[i]!)).toBeLessThan(1.05 * mse(() => mean));
    model.dispose();
    w.x.dispose();
    w.y.dispose();
    t.x.dispose();
    t.y.dispose();
  });
});
