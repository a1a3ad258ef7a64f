// LinearRegression (least squares and ridge) against the normal equations solved in float64
// here, including the ill-conditioned and rank-deficient cases; errors and memory.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { gauss, rng } from '../support/linear-problems.js';
import { maxDiff, solve } from '../support/linear-reference.js';
import { expectNoMemoryGrowth } from '../support/memory-check.js';

const { LinearRegression } = fg;

/** Ridge by the normal equations: centred (intercept unpenalised) or not, in float64. */
function ridgeReference(x: number[][], y: number[], alpha: number, fitIntercept = true): { w: number[]; b: number } {
  const n = x.length;
  const d = x[0]!.length;
  const mx = Array.from({ length: d }, (_, j) => (fitIntercept ? x.reduce((s, r) => s + r[j]!, 0) / n : 0));
  const my = fitIntercept ? y.reduce((s, v) => s + v, 0) / n : 0;
  const xc = x.map((r) => r.map((v, j) => v - mx[j]!));
  const G = Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => xc.reduce((s, r) => s + r[j]! * r[k]!, 0) + (j === k ? alpha : 0)));
  const rhs = Array.from({ length: d }, (_, j) => xc.reduce((s, r, i) => s + r[j]! * (y[i]! - my), 0));
  const w = solve(G, rhs);
  return { w, b: my - w.reduce((s, v, j) => s + v * mx[j]!, 0) };
}

function data(seed: number, n: number, d: number, shift = 1): { x: number[][]; y: number[]; w: number[] } {
  const r = rng(seed);
  const w = Array.from({ length: d }, () => gauss(r));
  const x = Array.from({ length: n }, () => Array.from({ length: d }, () => gauss(r) * 2 + shift));
  const y = x.map((row) => row.reduce((s, v, j) => s + v * w[j]!, 3) + 0.3 * gauss(r));
  return { x, y, w };
}

describe('LinearRegression — exact solutions', () => {
  it('least squares and ridge within 1e-3 (in fact ~1e-9) of the float64 normal equations', () => {
    const { x, y } = data(1, 500, 6);
    for (const alpha of [0, 1, 100]) {
      const model = new LinearRegression({ alpha }).fit(x, y);
      const ref = ridgeReference(x, y, alpha);
      expect(model.method).toBe('refined');
      expect(maxDiff(model.coef[0]!, ref.w)).toBeLessThan(1e-6);
      expect(Math.abs(model.intercept[0]! - ref.b)).toBeLessThan(1e-6);
      model.dispose();
    }
  });

  it('larger alpha shrinks ‖w‖', () => {
    const { x, y } = data(2, 200, 4);
    const norms = [0, 10, 1000].map((alpha) => {
      const m = new LinearRegression({ alpha }).fit(x, y);
      const v = Math.hypot(...m.coef[0]!);
      m.dispose();
      return v;
    });
    expect(norms[1]!).toBeLessThan(norms[0]!);
    expect(norms[2]!).toBeLessThan(norms[1]!);
  });

  it('without an intercept the fit goes through the origin', () => {
    const { x, y } = data(3, 300, 3);
    const model = new LinearRegression({ fitIntercept: false, alpha: 0.5 }).fit(x, y);
    const ref = ridgeReference(x, y, 0.5, false);
    expect(maxDiff(model.coef[0]!, ref.w)).toBeLessThan(1e-6);
    expect(model.intercept).toEqual([0]);
    model.dispose();
  });

  it('columns far from zero (mean 1000) are centred in float64: still exact', () => {
    const { x, y } = data(4, 400, 3, 1000);
    const model = new LinearRegression().fit(x, y);
    const ref = ridgeReference(x, y, 0);
    expect(maxDiff(model.coef[0]!, ref.w)).toBeLessThan(1e-6);
    expect(Math.abs(model.intercept[0]! - ref.b) / Math.abs(ref.b)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('an ill-conditioned X falls back to the float64 Gram matrix and stays exact', () => {
    const r = rng(5);
    const x = Array.from({ length: 300 }, () => {
      const a = gauss(r);
      return [a, a + 1e-4 * gauss(r), gauss(r)];
    });
    const y = x.map((row) => row[0]! - row[1]! + 0.5 * row[2]! + 0.01 * gauss(r));
    const model = new LinearRegression().fit(x, y);
    const ref = ridgeReference(x, y, 0);
    expect(model.method).toBe('cholesky');
    // cond(XᵀX) ≈ 1e9 here: the float64 solutions agree to ~cond·ε relative.
    expect(maxDiff(model.coef[0]!, ref.w) / Math.max(...ref.w.map(Math.abs))).toBeLessThan(1e-5);
    model.dispose();
  });

  it('collinear columns without a penalty give the minimum-norm solution', () => {
    const { x, y } = data(6, 200, 2);
    const doubled = x.map((row) => [row[0]!, row[0]!, row[1]!]);
    const model = new LinearRegression().fit(doubled, y);
    const ref = ridgeReference(x, y, 0);
    expect(model.method).toBe('eigen');
    // The weight of the repeated column is split evenly between its copies.
    expect(maxDiff(model.coef[0]!, [ref.w[0]! / 2, ref.w[0]! / 2, ref.w[1]!])).toBeLessThan(1e-6);
    expect(Math.abs(model.intercept[0]! - ref.b)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('several targets at once; predictions keep the shape of y', () => {
    const { x, y } = data(7, 150, 3);
    const y2 = y.map((v, i) => [v, -2 * v + x[i]![0]!]);
    const yt = fg.tensor(y2);
    const xt = fg.tensor(x);
    const model = new LinearRegression({ alpha: 2 }).fit(xt, yt);
    expect(model.coef.length).toBe(2);
    const ref0 = ridgeReference(x, y, 2);
    const ref1 = ridgeReference(x, y2.map((r) => r[1]!), 2);
    expect(maxDiff(model.coef[0]!, ref0.w)).toBeLessThan(1e-4);
    expect(maxDiff(model.coef[1]!, ref1.w)).toBeLessThan(1e-4);
    const p = model.predict(x);
    expect(p.shape).toEqual([150, 2]);
    const pv = p.toArray() as number[][];
    const manual = x[5]!.reduce((s, v, j) => s + v * model.coef[1]![j]!, model.intercept[1]!);
    expect(pv[5]![1]!).toBeCloseTo(manual, 3);
    p.dispose();
    yt.dispose();
    xt.dispose();
    model.dispose();
    const flat = new LinearRegression().fit(x, Float32Array.from(y));
    const q = flat.predict(x);
    expect(q.shape).toEqual([150]);
    q.dispose();
    flat.dispose();
  });
});

describe('LinearRegression — errors and memory', () => {
  it('errors name the model, the row and the column', () => {
    const m = new LinearRegression();
    expect(() => m.fit([[1], [2]], [1, NaN])).toThrow(/LinearRegression.fit: y has NaN at row 1/);
    expect(() => m.fit([[1], [NaN]], [1, 2])).toThrow(/LinearRegression.fit: x has NaN at row 1, column 0/);
    expect(() => m.fit([[1], [2]], [1])).toThrow(/LinearRegression.fit: x has 2 rows but y has 1/);
    expect(() => m.predict([[1]])).toThrow(/LinearRegression.predict: the model is not fitted/);
    expect(() => new LinearRegression({ alpha: -1 })).toThrow(/LinearRegression: alpha must be a finite number >= 0, got number -1/);
    m.fit([[1, 0], [0, 1], [1, 1]], [1, 2, 3]);
    expect(() => m.predict([[1, 2, 3]])).toThrow(/LinearRegression.predict: expected x of shape \[samples, 2\] \(samples, features\), got \[1, 3\]/);
    m.dispose();
  });

  it('repeated fit, predict and dispose leave memory as it was', () => {
    const { x, y } = data(8, 300, 5);
    const xt = fg.tensor(x);
    const run = (): void => {
      for (const alpha of [0, 3]) {
        const m = new LinearRegression({ alpha }).fit(xt, y);
        m.predict(xt).dispose();
        m.fit(x, y);
        m.dispose();
      }
    };
    expectNoMemoryGrowth(run);
    xt.dispose();
  });
});
