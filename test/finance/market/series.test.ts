import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../../src/errors.js';
import { lags, logReturns, priceSeries, rollingMean, rollingStd, simpleReturns } from '../../../src/finance/market/series.js';

const ref = JSON.parse(readFileSync(new URL('../../fixtures/market-reference.json', import.meta.url), 'utf8')).rolling;

function matches(a: Float64Array, b: Array<number | null>): void {
  expect(a.length).toBe(b.length);
  b.forEach((v, i) => {
    if (v === null) expect(a[i]).toBeNaN();
    else expect(Math.abs((a[i] as number) - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
  });
}

describe('returns and rolling statistics against pandas', () => {
  it('rolling mean and std (NaN until the window is full, or minPeriods)', () => {
    matches(rollingMean(ref.x, 5), ref.mean5);
    matches(rollingStd(ref.x, 5), ref.std5);
    matches(rollingStd(ref.x, 5, { minPeriods: 2 }), ref.std5min2);
    const annual = rollingStd(ref.x, 5, { annualize: 252 });
    expect(annual[10]).toBeCloseTo((ref.std5[10] as number) * Math.sqrt(252), 12);
  });

  it('log and simple returns', () => {
    matches(logReturns(ref.x), ref.logReturns);
    expect(Array.from(simpleReturns([100, 110, 99]))).toEqual([0.10000000000000009, -0.09999999999999998]);
    expect(() => logReturns([1, 0, 2])).toThrow('logReturns: prices[1] is 0; prices must be positive');
  });

  it('lags build the AR design, most recent first', () => {
    const l = lags([1, 2, 3, 4, 5], 2);
    expect(l.rows).toBe(3);
    expect(Array.from(l.x[0] as Float64Array)).toEqual([2, 3, 4]);
    expect(Array.from(l.x[1] as Float64Array)).toEqual([1, 2, 3]);
    expect(Array.from(l.y)).toEqual([3, 4, 5]);
  });

  it('priceSeries sorts, reports gaps, and names bad dates', () => {
    const s = priceSeries(['2020-01-06', '2020-01-02', '2020-01-03', '2020-01-20'], [4, 2, 3, 5]);
    expect(s.wasSorted).toBe(false);
    expect(s.dates).toEqual(['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-20']);
    expect(Array.from(s.prices)).toEqual([2, 3, 4, 5]);
    expect(s.gaps).toEqual([{ from: '2020-01-06', to: '2020-01-20', days: 14 }]);
    expect(() => priceSeries(['2020-01-02', '02/01/2020'], [1, 2])).toThrow('priceSeries: date at row 1 is string "02/01/2020"; expected YYYY-MM-DD');
    expect(() => priceSeries(['2020-01-02', '2020-01-02'], [1, 2])).toThrow(/appears twice/);
    expect(() => priceSeries(['2020-01-02'], [1, 2])).toThrow(ShapeError);
    expect(() => rollingMean([1, 2, NaN], 2)).toThrow(ValueError);
    expect(() => rollingMean([1, 2, 3], 2, { min_periods: 1 } as never)).toThrow("did you mean 'minPeriods'?");
  });
});
