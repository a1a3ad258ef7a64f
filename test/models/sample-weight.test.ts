// sampleWeight in the linear classifiers' fit: scikit-learn's optimum (fixture from
// scripts/fixtures/sklearn_sample_weight.py), integer weights equal to repeated rows, and named errors.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

const ref = JSON.parse(readFileSync(new URL('../fixtures/sklearn-sample-weight.json', import.meta.url), 'utf8')) as {
  X: number[][];
  y: number[];
  sampleWeight: number[];
  C: number;
  cases: Array<{ name: string; classWeight: 'balanced' | null; coef: number[]; intercept: number }>;
};

beforeAll(async () => {
  await fg.ready();
});

describe('sampleWeight', () => {
  it.each(ref.cases.map((c) => [c.name, c] as const))('LogisticRegression with %s lands on scikit-learn\'s optimum', (_name, c) => {
    const m = new fg.LogisticRegression({ C: ref.C, classWeight: c.classWeight, tol: 1e-10 }).fit(ref.X, ref.y, { sampleWeight: ref.sampleWeight });
    (m.coef[0] as number[]).forEach((v, j) => expect(v).toBeCloseTo(c.coef[j]!, 4));
    expect(m.intercept[0]).toBeCloseTo(c.intercept, 4);
    // The weighted objective Σ wᵢ·(class weight)·logloss + ‖w‖²/(2C), in float64: ours is at least as low.
    const counts = [0, 1].map((k) => ref.y.filter((v) => v === k).length);
    const cw = (k: number): number => (c.classWeight === 'balanced' ? ref.y.length / (2 * counts[k]!) : 1);
    const objective = (coef: number[], b: number): number =>
      ref.X.reduce((acc, row, i) => {
        const z = row.reduce((s, v, j) => s + v * coef[j]!, b);
        const loss = Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - ref.y[i]! * z;
        return acc + ref.sampleWeight[i]! * cw(ref.y[i]!) * loss;
      }, 0) + coef.reduce((s, v) => s + v * v, 0) / (2 * ref.C);
    expect(objective(m.coef[0] as number[], m.intercept[0]!)).toBeLessThanOrEqual(objective(c.coef, c.intercept) + 1e-9);
    m.dispose();
  });

  it.each([['squaredHinge'], ['hinge']] as const)('LinearSVM (%s): integer weights give the fit on repeated rows', (loss) => {
    const x = ref.X.slice(0, 120);
    const y = ref.y.slice(0, 120);
    const w = x.map((_, i) => (i % 3) + (i % 7 === 0 ? 0 : 1));
    const repeated = x.flatMap((r, i) => Array.from({ length: w[i]! }, () => r));
    const yRepeated = y.flatMap((v, i) => Array.from({ length: w[i]! }, () => v));
    const a = new fg.LinearSVM({ loss, C: 0.7 }).fit(x, y, { sampleWeight: w });
    const b = new fg.LinearSVM({ loss, C: 0.7 }).fit(repeated, yRepeated);
    (a.coef[0] as number[]).forEach((v, j) => expect(v).toBeCloseTo((b.coef[0] as number[])[j]!, 4));
    expect(a.intercept[0]).toBeCloseTo(b.intercept[0]!, 4);
    a.dispose();
    b.dispose();
  });

  it('names bad weights and unknown options', () => {
    const m = new fg.LogisticRegression();
    expect(() => m.fit(ref.X, ref.y, { sampleWeight: [1, 2] })).toThrow(/x has 300 rows but sampleWeight has 2 values/);
    expect(() => m.fit(ref.X, ref.y, { sampleWeight: ref.y.map(() => -1) })).toThrow(/sampleWeight at row 0 is -1/);
    expect(() => m.fit(ref.X, ref.y, { sampleWeight: ref.y.map(() => 0) })).toThrow(/every sampleWeight is 0/);
    expect(() => m.fit(ref.X, ref.y, { sample_weight: ref.sampleWeight } as never)).toThrow("did you mean 'sampleWeight'?");
    expect(() => new fg.LinearSVM().fit(ref.X, ref.y, { sampleWeight: ref.y.map(() => NaN) })).toThrow(fg.FingradError);
  });
});

describe('LinearRegression sampleWeight', () => {
  const reg = JSON.parse(readFileSync(new URL('../fixtures/sklearn-weighted-regression.json', import.meta.url), 'utf8')) as {
    X: number[][];
    y: number[];
    w: number[];
    ridge: { alpha: number; coef: number[]; intercept: number };
    ols: { coef: number[]; intercept: number };
  };
  it.each([['ols', 0], ['ridge', 2]] as const)('%s equals scikit-learn\'s weighted fit', (name, alpha) => {
    const m = new fg.LinearRegression({ alpha }).fit(reg.X, reg.y, { sampleWeight: reg.w });
    const want = reg[name];
    (m.coef[0] as number[]).forEach((v, j) => expect(v).toBeCloseTo(want.coef[j]!, 6));
    expect(m.intercept[0]).toBeCloseTo(want.intercept, 6);
    m.dispose();
  });
});
