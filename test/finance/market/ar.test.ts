import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentError, NotFittedError, ValueError } from '../../../src/errors.js';
import { AutoReg } from '../../../src/finance/market/ar.js';

const ref = JSON.parse(readFileSync(new URL('../../fixtures/market-reference.json', import.meta.url), 'utf8')).ar;

function close(a: ArrayLike<number>, b: ArrayLike<number>, rel: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(rel * Math.max(1e-12, Math.abs(b[i] as number)));
}

describe('AutoReg against statsmodels', () => {
  it('AR(2) with an intercept: coefficients, standard errors, sigma2, llf, AIC, BIC, forecasts', () => {
    const m = new AutoReg({ lags: 2 }).fit(ref.series);
    const r = ref.lags2;
    close([m.intercept, ...m.coef], r.params, 1e-9);
    close(m.stdErrors, r.bse, 1e-8);
    expect(m.sigma2 / r.sigma2).toBeCloseTo(1, 10);
    expect(m.logLikelihood).toBeCloseTo(r.llf, 7);
    expect(m.aic).toBeCloseTo(r.aic, 7);
    expect(m.bic).toBeCloseTo(r.bic, 7);
    expect(m.nobs).toBe(r.nobs);
    close(m.forecast(5), r.forecast, 1e-8);
  });

  it('AR(3) without a trend', () => {
    const m = new AutoReg({ lags: 3, trend: 'n' }).fit(ref.series);
    close(m.coef, ref.lags3NoTrend.params, 1e-9);
    expect(m.intercept).toBe(0);
  });

  it('chooses the same order as ar_select_order by AIC and by BIC', () => {
    expect(new AutoReg({ maxLag: 8 }).fit(ref.series).order).toBe(ref.selectAic);
    const bic = new AutoReg({ maxLag: 8, criterion: 'bic' }).fit(ref.series);
    expect(bic.order).toBe(ref.selectBic);
    expect(bic.selection).toHaveLength(9);
  });

  it('one-step predictions equal the fitted equation', () => {
    const m = new AutoReg({ lags: 2 }).fit(ref.series);
    const y = ref.series as number[];
    const p = m.predictOneStep(y);
    expect(p).toHaveLength(y.length - 2);
    const [c, a, b] = [m.intercept, ...m.coef] as [number, number, number];
    expect(p[10]).toBeCloseTo(c + a * (y[11] as number) + b * (y[10] as number), 14);
  });

  it('names bad input and misuse', () => {
    expect(() => new AutoReg().coef).toThrow(NotFittedError);
    expect(() => new AutoReg({ lags: 2, maxLag: 4 })).toThrow(ArgumentError);
    expect(() => new AutoReg({ max_lag: 4 } as never)).toThrow("did you mean 'maxLag'?");
    expect(() => new AutoReg({ lags: 5 }).fit([1, 2, 3, 4, 5, 6])).toThrow(ValueError);
    expect(() => new AutoReg({ lags: 1 }).fit([1, 2, 'x', 4] as never)).toThrow("AutoReg.fit: series[2] must be a number, got string \"x\"");
    expect(() => new AutoReg({ lags: 1 }).fit([1, 1, 1, 1, 1, 1])).toThrow(/collinear/);
  });
});
