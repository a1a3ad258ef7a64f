import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../../src/index.js';
import { ArgumentError, ShapeError, ValueError } from '../../../src/errors.js';
import { driftReport } from '../../../src/finance/monitor/drift.js';
import { fairnessReport } from '../../../src/finance/monitor/fairness.js';
import { populationStabilityIndex, stabilityFlag } from '../../../src/finance/monitor/stability.js';
import { StackedClassifier, averageProba, bootstrapSpread } from '../../../src/finance/ensemble.js';

beforeAll(async () => {
  await fg.ready();
});

describe('population stability index', () => {
  it('equals the hand computation on uniform bins', () => {
    // Reference 0..99 in 4 equal-width bins of 25 each; recent puts 40, 30, 20, 10 in them.
    const ref = Array.from({ length: 100 }, (_, i) => i);
    const recent = [...Array(40).fill(10), ...Array(30).fill(30), ...Array(20).fill(60), ...Array(10).fill(90)];
    const r = populationStabilityIndex(ref, recent, { bins: 4, strategy: 'uniform' });
    const shares = [0.4, 0.3, 0.2, 0.1];
    const hand = shares.reduce((s, a) => s + (a - 0.25) * Math.log(a / 0.25), 0);
    expect(r.psi).toBeCloseTo(hand, 12);
    expect(r.bins.map((b) => b.expectedShare)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(r.bins[0]!.label).toBe('[-inf, 24.75)');
    expect(r.flag).toBe(stabilityFlag(hand));
  });

  it('quantile bins give ~0 for the same distribution and flag a shifted one', () => {
    const rand = fg.dataRng(1);
    const a = Array.from({ length: 5000 }, () => fg.gaussian(rand));
    const b = Array.from({ length: 5000 }, () => fg.gaussian(rand));
    const c = b.map((v) => v + 0.8);
    expect(populationStabilityIndex(a, b).psi).toBeLessThan(0.02);
    expect(populationStabilityIndex(a, b).flag).toBe('stable');
    expect(populationStabilityIndex(a, c).flag).toBe('significant');
    expect(stabilityFlag(0.1)).toBe('moderate');
    expect(stabilityFlag(0.25)).toBe('significant');
  });

  it('categorical columns: categories as bins, new categories and missing values kept, empty bins floored', () => {
    const r = populationStabilityIndex(['a', 'a', 'b', 'b'], ['a', 'b', 'c', null]);
    const eps = 1e-4;
    const term = (a: number, e: number): number => (Math.max(a, eps) - Math.max(e, eps)) * Math.log(Math.max(a, eps) / Math.max(e, eps));
    expect(r.bins.map((b) => b.label)).toEqual(['a', 'b', 'c', 'missing']);
    expect(r.psi).toBeCloseTo(term(0.25, 0.5) * 2 + term(0.25, 0) * 2, 12);
  });

  it('names bad input', () => {
    expect(() => populationStabilityIndex([], [1])).toThrow(ValueError);
    expect(() => populationStabilityIndex([1, 2], ['a', 'b'])).toThrow(ShapeError);
    expect(() => populationStabilityIndex([1, 2], [1, {}] as never)).toThrow(ArgumentError);
    expect(() => populationStabilityIndex([1, 2], [1, 2], { nBins: 3 } as never)).toThrow("did you mean 'bins'?");
    expect(() => populationStabilityIndex(5 as never, [1])).toThrow('populationStabilityIndex: expected must be an array of values, got number 5');
  });
});

describe('drift report', () => {
  it('reports PSI, mean shift, missing rates and new categories per feature', () => {
    const rand = fg.dataRng(2);
    const n = 2000;
    const ref = { income: Array.from({ length: n }, () => 50 + 10 * fg.gaussian(rand)), region: Array.from({ length: n }, (_, i) => (i % 2 ? 'north' : 'south')) };
    const recent = {
      income: Array.from({ length: n }, (_, i) => (i % 10 === 0 ? NaN : 58 + 10 * fg.gaussian(rand))),
      region: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'east' : i % 2 ? 'north' : 'south')),
    };
    const r = driftReport(ref, recent);
    const income = r.features.find((f) => f.feature === 'income')!;
    expect(income.kind).toBe('numeric');
    expect(income.meanShift).toBeGreaterThan(0.6);
    expect(income.meanShift).toBeLessThan(1.0);
    expect(income.missingRateRecent).toBeCloseTo(0.1, 12);
    expect(income.missingRateReference).toBe(0);
    const region = r.features.find((f) => f.feature === 'region')!;
    expect(region.newCategories).toEqual(['east']);
    expect(r.flagged).toContain('region');
    expect(r.worst).toBe('significant');
    // A table-like object with columnNames / column(name) works the same.
    const table = { columnNames: ["income"], column: (_c: string) => ref.income };
    expect(driftReport(table, { income: ref.income }).features[0]!.psi).toBe(0);
    expect(() => driftReport(ref, { income: recent.income })).toThrow("driftReport: feature 'region' is missing from the recent data");
  });
});

describe('fairness report', () => {
  it('approval rates, adverse impact ratio and per-group AUC', () => {
    const y = [0, 1, 0, 0, 1, 0, 1, 1];
    const p = [0.1, 0.7, 0.4, 0.6, 0.9, 0.2, 0.3, 0.8];
    const g = ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B'];
    const r = fairnessReport(y, p, g);
    expect(r.groups.map((x) => x.approvalRate)).toEqual([0.5, 0.5]);
    expect(r.groups.map((x) => x.adverseImpactRatio)).toEqual([1, 1]);
    expect(r.groups[0]!.auc).toBe(fg.rocAuc([0, 1, 0, 0], [0.1, 0.7, 0.4, 0.6]));
    expect(r.groups[1]!.badRate).toBe(0.75);
    const r2 = fairnessReport(y, p, g, { threshold: 0.35 });
    // Below 0.35: A approves 0.1 only (1 of 4), B approves 0.2 and 0.3 (2 of 4).
    expect(r2.groups.map((x) => x.approvalRate)).toEqual([0.25, 0.5]);
    expect(r2.groups[0]!.adverseImpactRatio).toBe(0.5);
    expect(r2.flagged).toEqual(['A']);
    expect(() => fairnessReport([0, 2], [0.1, 0.2], ['a', 'b'])).toThrow(ValueError);
    expect(() => fairnessReport([0], [0.1, 0.2], ['a', 'b'])).toThrow(ShapeError);
  });
});

describe('ensembles and bootstrap spread', () => {
  function data(n: number, seed: number): { x: number[][]; y: number[] } {
    const rand = fg.dataRng(seed);
    const x = Array.from({ length: n }, () => [fg.gaussian(rand), fg.gaussian(rand), fg.gaussian(rand)]);
    return { x, y: x.map((r) => (rand() < 1 / (1 + Math.exp(-(1.5 * r[0]! - r[1]!))) ? 1 : 0)) };
  }

  it('averages, stacks and bootstraps fitted models', () => {
    const { x, y } = data(600, 3);
    const a = new fg.LogisticRegression({ C: 1 }).fit(x.slice(0, 400), y.slice(0, 400));
    const b = new fg.LogisticRegression({ C: 0.01 }).fit(x.slice(0, 400), y.slice(0, 400));
    const avg = averageProba([a, b], x.slice(400, 410));
    const pa = fg.tidy(() => fg.select(a.predictProba(x.slice(400, 410)), 1, 1).toFloat32Array());
    const pb = fg.tidy(() => fg.select(b.predictProba(x.slice(400, 410)), 1, 1).toFloat32Array());
    avg.forEach((v, i) => expect(v).toBeCloseTo((pa[i]! + pb[i]!) / 2, 7));
    const weighted = averageProba([a, b], x.slice(400, 410), { weights: [3, 1] });
    expect(weighted[0]).toBeCloseTo((3 * pa[0]! + pb[0]!) / 4, 7);

    const stack = new StackedClassifier([a, b], x.slice(400, 500), y.slice(400, 500));
    const ps = stack.predictProba(x.slice(500));
    expect(ps).toHaveLength(100);
    expect(fg.rocAuc(y.slice(500), ps)).toBeGreaterThan(0.7);
    expect(stack.weights.coef).toHaveLength(2);

    const spread = bootstrapSpread(() => new fg.LogisticRegression(), x.slice(0, 300), y.slice(0, 300), x.slice(500, 505), { nBootstrap: 8, seed: 1 });
    expect(spread.scores).toHaveLength(8);
    spread.mean.forEach((m, i) => {
      expect(spread.lower[i]).toBeLessThanOrEqual(m);
      expect(spread.upper[i]).toBeGreaterThanOrEqual(m);
      expect(spread.std[i]).toBeGreaterThan(0);
    });
    expect(() => averageProba([], x)).toThrow(ArgumentError);
    expect(() => averageProba([a, b], x, { weights: [1] })).toThrow(ShapeError);
    for (const m of [a, b, stack]) m.dispose();
  });
});
