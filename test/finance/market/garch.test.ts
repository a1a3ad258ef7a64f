import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentError, NotFittedError, ValueError } from '../../../src/errors.js';
import { GARCH } from '../../../src/finance/market/garch.js';

const ref = JSON.parse(readFileSync(new URL('../../fixtures/market-reference.json', import.meta.url), 'utf8')).garch as {
  returns: number[];
  true: { mu: number; omega: number; alpha: number; beta: number };
  estimate: { mu: number; omega: number; alpha: number; beta: number };
  logLikelihood: number;
};

describe('GARCH(1,1) by maximum likelihood', () => {
  const model = new GARCH().fit(ref.returns);

  it('lands on the reference optimum (scipy SLSQP on the same likelihood) on 4,400 simulated days', () => {
    const p = model.params;
    expect(model.converged).toBe(true);
    expect(p.alpha).toBeCloseTo(ref.estimate.alpha, 4);
    expect(p.beta).toBeCloseTo(ref.estimate.beta, 4);
    expect(p.omega / ref.estimate.omega).toBeCloseTo(1, 3);
    expect(p.mu).toBeCloseTo(ref.estimate.mu, 6);
    // At least as good an optimum as the reference's.
    expect(model.logLikelihood).toBeGreaterThanOrEqual(ref.logLikelihood - 1e-6);
  });

  it('recovers the simulating parameters within three standard errors', () => {
    const p = model.params;
    const se = model.stdErrors;
    for (const k of ['mu', 'omega', 'alpha', 'beta'] as const) {
      expect(se[k]).toBeGreaterThan(0);
      expect(Math.abs(p[k] - ref.true[k])).toBeLessThan(3 * se[k]);
    }
  });

  it('stays in the stationary region and forecasts revert to the unconditional variance', () => {
    expect(model.persistence).toBeLessThan(1);
    const f = model.forecastVariance(2000);
    expect(f[1999]).toBeCloseTo(model.unconditionalVariance, 10);
    const vol = model.conditionalVolatility;
    expect(vol).toHaveLength(ref.returns.length);
    expect(vol.every((v) => v > 0)).toBe(true);
  });

  it('recovers its own simulation (zero-mean model) and is reproducible by seed', () => {
    const params = { mu: 0, omega: 1e-5, alpha: 0.1, beta: 0.85 };
    const a = GARCH.simulate(params, 3000, 11);
    expect(GARCH.simulate(params, 3000, 11)).toEqual(a);
    const m = new GARCH({ mean: 'zero' }).fit(a);
    expect(m.params.mu).toBe(0);
    expect(Math.abs(m.params.alpha - 0.1)).toBeLessThan(3 * m.stdErrors.alpha);
    expect(Math.abs(m.params.beta - 0.85)).toBeLessThan(3 * m.stdErrors.beta);
  });

  it('names bad input and misuse', () => {
    expect(() => new GARCH().params).toThrow(NotFittedError);
    expect(() => new GARCH({ mean: 'ar' as never })).toThrow(ArgumentError);
    expect(() => new GARCH({ max_iter: 3 } as never)).toThrow("did you mean 'maxIter'?");
    expect(() => new GARCH().fit([1, 2, 3])).toThrow(/at least 30/);
    expect(() => new GARCH().fit(new Array(40).fill(0.01))).toThrow(ValueError);
    const withNaN = ref.returns.slice(0, 100);
    withNaN[17] = NaN;
    expect(() => new GARCH().fit(withNaN)).toThrow('GARCH.fit: returns[17] is NaN');
    expect(() => GARCH.simulate({ mu: 0, omega: 1e-5, alpha: 0.5, beta: 0.6 }, 10)).toThrow(/α \+ β < 1/);
  });
});
