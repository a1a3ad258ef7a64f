// Regression and forecasting metrics: directional accuracy by hand (scikit-learn has none),
// input forms and errors; the scikit-learn values are checked in sklearn.test.ts.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

describe('directionalAccuracy', () => {
  it('returns: the share of rows whose signs agree (zero matches only zero)', () => {
    // ++ hit, -+ miss, ++ hit, 00 hit, -+ miss.
    expect(fg.directionalAccuracy([0.01, -0.02, 0.03, 0, -0.01], [0.02, 0.01, 0.01, 0, 0.01])).toBe(3 / 5);
    expect(fg.directionalAccuracy([0.01, -0.02], [0.02, 0.01], { sampleWeight: [3, 1] })).toBe(3 / 4);
  });

  it('levels: directions measured from the previous actual value', () => {
    // Actual moves +1, -2, +3; forecasts from the previous actual move +2, -1, +2.
    expect(fg.directionalAccuracy([100, 101, 99, 102], [0, 102, 100, 101], { kind: 'levels' })).toBe(1);
    // The last forecast (98 from 99) misses the rise.
    expect(fg.directionalAccuracy([100, 101, 99, 102], [0, 102, 100, 98], { kind: 'levels' })).toBeCloseTo(2 / 3, 15);
  });

  it('rejects mismatched lengths and unknown kinds', () => {
    expect(() => fg.directionalAccuracy([1, 2], [1])).toThrow(/directionalAccuracy: yTrue is 2×1 but yPred is 1×1/);
    expect(() => fg.directionalAccuracy([1, 2], [1, 2], { kind: 'level' } as never)).toThrow(/did you mean 'levels'/);
  });
});

describe('regression metrics: inputs and errors', () => {
  const t = [3, -0.5, 2, 7];
  const p = [2.5, 0, 2, 8];

  it('by hand, from arrays and Tensors [n], [n, 1]', () => {
    fg.tidy(() => {
      for (const [a, b] of [[t, p], [fg.tensor(t), fg.tensor(p)], [fg.tensor(t.map((v) => [v])), Float32Array.from(p).map((v) => v)]] as const) {
        expect(fg.meanAbsoluteError(a, b)).toBeCloseTo(0.5, 6);
        expect(fg.meanSquaredError(a, b)).toBeCloseTo(0.375, 6);
        expect(fg.rootMeanSquaredError(a, b)).toBeCloseTo(Math.sqrt(0.375), 6);
        expect(fg.r2Score(a, b)).toBeCloseTo(1 - 1.5 / 29.1875, 6);
      }
    });
    expect(fg.meanAbsolutePercentageError([1, 0], [1.1, 1])).toBeCloseTo((0.1 + 2 ** 52) / 2, 0);
  });

  it('multioutput: per column, averaged, weighted', () => {
    const a = [[0.5, 1], [-1, 1], [7, -6]];
    const b = [[0, 2], [-1, 2], [8, -5]];
    expect(fg.meanAbsoluteError(a, b, { multioutput: 'rawValues' })).toEqual([0.5, 1]);
    expect(fg.meanAbsoluteError(a, b)).toBe(0.75);
    expect(fg.meanAbsoluteError(a, b, { multioutput: [0.3, 0.7] })).toBeCloseTo(0.85, 15);
  });

  it('errors name the function and argument', () => {
    expect(() => fg.meanAbsoluteError([1, 2], [[1, 2]])).toThrow(/meanAbsoluteError: yTrue is 2×1 but yPred is 1×2/);
    expect(() => fg.r2Score([1], [1])).toThrow(/r2Score: R² is not defined for fewer than two samples/);
    expect(() => fg.meanSquaredError([1, NaN], [1, 2])).toThrow(/meanSquaredError: yTrue has NaN at row 1/);
    expect(() => fg.meanSquaredError([1, 2], [1, 2], { multioutput: 'raw_values' } as never)).toThrow(fg.ArgumentError);
    expect(() => fg.meanSquaredError([[1, 2]], [[1, 2]], { multioutput: [1] })).toThrow(/meanSquaredError: multioutput has 1 weights for 2 outputs/);
  });
});
