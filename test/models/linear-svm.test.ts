// LinearSVM against float64 references written here: SMO on the dual (hinge, hard and soft
// margin, unpenalised intercept), Newton's method on the primal (squared hinge), Platt's
// likelihood; plus one-vs-rest, errors and memory.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { gauss, rng } from '../support/linear-problems.js';
import { expectNoMemoryGrowth } from '../support/memory-check.js';

const { LinearSVM } = fg;

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, j) => s + v * (b[j] as number), 0);

/**
 * SMO with the maximal violating pair (Keerthi et al.) on the dual of
 * ½‖w‖² + C·Σ max(0, 1 − yᵢ(w·xᵢ + b)), run until the KKT gap is below 1e-10. C may be
 * Infinity (hard margin).
 */
function smo(x: number[][], y: number[], C: number): { w: number[]; b: number } {
  const n = x.length;
  const K = x.map((a) => x.map((b) => dot(a, b)));
  const alpha = new Float64Array(n);
  const G = new Float64Array(n).fill(-1); // gradient of ½αᵀQα − Σα
  for (let it = 0; it < 2_000_000; it++) {
    let up = -Infinity;
    let low = Infinity;
    let i = -1;
    let j = -1;
    for (let t = 0; t < n; t++) {
      const v = -y[t]! * G[t]!;
      const canUp = y[t]! > 0 ? alpha[t]! < C : alpha[t]! > 0;
      const canLow = y[t]! > 0 ? alpha[t]! > 0 : alpha[t]! < C;
      if (canUp && v > up) [up, i] = [v, t];
      if (canLow && v < low) [low, j] = [v, t];
    }
    if (up - low < 1e-10) break;
    const eta = Math.max(K[i]![i]! + K[j]![j]! - 2 * K[i]![j]!, 1e-12);
    let step = (up - low) / eta;
    step = Math.min(step, y[i]! > 0 ? C - alpha[i]! : alpha[i]!, y[j]! > 0 ? alpha[j]! : C - alpha[j]!);
    alpha[i]! += y[i]! * step;
    alpha[j]! -= y[j]! * step;
    for (let t = 0; t < n; t++) G[t]! += y[t]! * step * (K[i]![t]! - K[j]![t]!);
  }
  const d = x[0]!.length;
  const w = new Array<number>(d).fill(0);
  for (let t = 0; t < n; t++) for (let k = 0; k < d; k++) w[k]! += alpha[t]! * y[t]! * x[t]![k]!;
  let sum = 0;
  let count = 0;
  for (let t = 0; t < n; t++) {
    if (alpha[t]! > 1e-9 * Math.min(C, 1e9) && alpha[t]! < C * (1 - 1e-9)) {
      sum += y[t]! - dot(w, x[t]!);
      count++;
    }
  }
  return { w, b: sum / count };
}

/** Newton's method with a backtracking search on ½‖w‖² + C·Σ max(0, 1 − yᵢ(w·xᵢ + b))². */
function squaredHingeReference(x: number[][], y: number[], C: number): { w: number[]; b: number } {
  const d = x[0]!.length;
  const p = d + 1;
  const obj = (t: number[]): number =>
    0.5 * dot(t.slice(0, d), t.slice(0, d)) + C * x.reduce((s, row, i) => s + Math.max(0, 1 - y[i]! * (dot(row, t) + t[d]!)) ** 2, 0);
  let t = new Array<number>(p).fill(0);
  for (let it = 0; it < 200; it++) {
    const g = [...t.slice(0, d), 0];
    const H = Array.from({ length: p }, (_, r) => Array.from({ length: p }, (_, c) => (r === c && r < d ? 1 : 0)));
    x.forEach((row, i) => {
      const m = 1 - y[i]! * (dot(row, t) + t[d]!);
      if (m <= 0) return;
      const xi = [...row, 1];
      for (let r = 0; r < p; r++) {
        g[r]! += -2 * C * m * y[i]! * xi[r]!;
        for (let c = 0; c < p; c++) H[r]![c]! += 2 * C * xi[r]! * xi[c]!;
      }
    });
    if (Math.max(...g.map(Math.abs)) < 1e-12 * C * x.length) break;
    // Gaussian elimination for the Newton step.
    const A = H.map((row, r) => [...row, -g[r]!]);
    for (let c = 0; c < p; c++) {
      for (let r = c + 1; r < p; r++) {
        const f = A[r]![c]! / A[c]![c]!;
        for (let k = c; k <= p; k++) A[r]![k]! -= f * A[c]![k]!;
      }
    }
    const step = new Array<number>(p).fill(0);
    for (let r = p - 1; r >= 0; r--) step[r] = (A[r]![p]! - A[r]!.slice(r + 1, p).reduce((s, v, k) => s + v * step[r + 1 + k]!, 0)) / A[r]![r]!;
    let a = 1;
    const f0 = obj(t);
    while (a > 1e-12 && obj(t.map((v, k) => v + a * step[k]!)) > f0 + 1e-4 * a * dot(g, step)) a /= 2;
    t = t.map((v, k) => v + a * step[k]!);
  }
  return { w: t.slice(0, d), b: t[d]! };
}

function hingeObjective(x: number[][], y: number[], C: number, w: number[], b: number): number {
  return 0.5 * dot(w, w) + C * x.reduce((s, row, i) => s + Math.max(0, 1 - y[i]! * (dot(w, row) + b)), 0);
}

function maxDiff(a: number[], b: number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

/** Two overlapping Gaussian classes (labels ±1) with a shifted, non-centred mean. */
function overlapping(seed: number, n: number, d: number): { x: number[][]; y: number[] } {
  const r = rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = r() < 0.4 ? 1 : -1;
    x.push(Array.from({ length: d }, (_, j) => gauss(r) + (j < 2 ? 1.2 * label : 0) + 2));
    y.push(label);
  }
  return { x, y };
}

/** Linearly separable data: points at least 0.5 from the hyperplane w·x = 0.5. */
function separable(seed: number, n: number): { x: number[][]; y: number[] } {
  const r = rng(seed);
  const wTrue = [1, -2, 0.5];
  const x: number[][] = [];
  const y: number[] = [];
  while (x.length < n) {
    const row = wTrue.map(() => gauss(r) * 2 + 0.5);
    const z = dot(wTrue, row) - 0.5;
    if (Math.abs(z) < 0.5) continue;
    x.push(row);
    y.push(z > 0 ? 1 : -1);
  }
  return { x, y };
}

function geometricMargin(x: number[][], y: number[], w: number[], b: number): number {
  return Math.min(...x.map((row, i) => y[i]! * (dot(w, row) + b))) / Math.hypot(...w);
}

describe('LinearSVM — hinge', () => {
  it('separable data: separated with at least 0.9 of the optimal (hard-margin) geometric margin', () => {
    const { x, y } = separable(1, 200);
    const hard = smo(x, y, Infinity);
    const best = geometricMargin(x, y, hard.w, hard.b);
    for (const loss of ['hinge', 'squaredHinge'] as const) {
      const model = new LinearSVM({ loss, C: 1000 }).fit(x, y);
      const margin = geometricMargin(x, y, model.coef[0]!, model.intercept[0]!);
      expect(margin).toBeGreaterThan(0.9 * best);
      expect(model.predict(x).toArray()).toEqual(y);
      model.dispose();
    }
  });

  it('soft margin: objective and coefficients match SMO run to a 1e-10 KKT gap (several C)', () => {
    const { x, y } = overlapping(2, 300, 4);
    for (const C of [0.01, 1, 100]) {
      const ref = smo(x, y, C);
      const model = new LinearSVM({ loss: 'hinge', C }).fit(x, y);
      const w = model.coef[0]!;
      const b = model.intercept[0]!;
      expect(maxDiff(w, ref.w)).toBeLessThan(1e-3);
      expect(Math.abs(b - ref.b)).toBeLessThan(1e-3);
      const fm = hingeObjective(x, y, C, w, b);
      const fr = hingeObjective(x, y, C, ref.w, ref.b);
      expect((fm - fr) / fr).toBeLessThan(1e-6);
      expect(model.converged).toBe(true);
      model.dispose();
    }
  });

  it('without an intercept', () => {
    const { x, y } = overlapping(3, 150, 3);
    // Reference: the intercept-free dual has no equality constraint; SMO on it with a constant
    // column of 0 is not possible, so compare objectives with coordinate-wise optimality instead.
    const model = new LinearSVM({ loss: 'hinge', fitIntercept: false }).fit(x, y);
    expect(model.intercept).toEqual([0]);
    const w = model.coef[0]!;
    const f0 = hingeObjective(x, y, 1, w, 0);
    for (let j = 0; j < w.length; j++) {
      for (const eps of [1e-4, -1e-4]) {
        const moved = w.map((v, k) => (k === j ? v + eps : v));
        expect(hingeObjective(x, y, 1, moved, 0)).toBeGreaterThanOrEqual(f0 - 1e-9);
      }
    }
    model.dispose();
  });
});

describe('LinearSVM — squared hinge', () => {
  it('coefficients within 1e-3 of Newton on the primal in float64', () => {
    const { x, y } = overlapping(4, 400, 5);
    for (const C of [0.1, 10]) {
      const ref = squaredHingeReference(x, y, C);
      const model = new LinearSVM({ C }).fit(x, y.map((v) => (v > 0 ? 1 : 0)));
      expect(model.loss).toBe('squaredHinge');
      expect(maxDiff(model.coef[0]!, ref.w)).toBeLessThan(1e-3);
      expect(Math.abs(model.intercept[0]! - ref.b)).toBeLessThan(1e-3);
      model.dispose();
    }
  });
});

describe('LinearSVM — one-vs-rest', () => {
  it('3 classes: each row is the binary SVM of its class against the rest; predict is the arg-max', () => {
    const r = rng(5);
    const centres = [
      [0, 0],
      [4, 0],
      [0, 4],
    ];
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 240; i++) {
      const c = i % 3;
      x.push(centres[c]!.map((m) => m + gauss(r)));
      y.push(c * 10); // labels 0, 10, 20
    }
    const model = new LinearSVM({ loss: 'hinge' }).fit(x, y);
    expect(model.classes).toEqual([0, 10, 20]);
    expect(model.coef.length).toBe(3);
    for (let c = 0; c < 3; c++) {
      const ref = smo(x, y.map((v) => (v === c * 10 ? 1 : -1)), 1);
      expect(maxDiff(model.coef[c]!, ref.w)).toBeLessThan(1e-3);
      expect(Math.abs(model.intercept[c]! - ref.b)).toBeLessThan(1e-3);
    }
    const scores = model.decisionFunction(x);
    expect(scores.shape).toEqual([240, 3]);
    const s = scores.toArray() as number[][];
    const pred = model.predict(x).toArray() as number[];
    pred.forEach((v, i) => expect(v).toBe(10 * s[i]!.indexOf(Math.max(...s[i]!))));
    const accuracy = pred.filter((v, i) => v === y[i]).length / y.length;
    expect(accuracy).toBeGreaterThan(0.9);
    const p = model.predictProba(x).toArray() as number[][];
    for (const row of p) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    scores.dispose();
    model.dispose();
  });
});

describe('LinearSVM — Platt scaling', () => {
  it('probabilities increase with the decision value and are calibrated on logistic data', () => {
    // P(y = 1 | x) = σ(2x): the SVM's decision value is monotone in x, so Platt's sigmoid can
    // recover the true probabilities.
    const r = rng(6);
    const x: number[][] = [];
    const y: number[] = [];
    const truth: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const v = gauss(r) * 1.5;
      const p = 1 / (1 + Math.exp(-2 * v));
      x.push([v]);
      y.push(r() < p ? 1 : 0);
      truth.push(p);
    }
    const model = new LinearSVM({ loss: 'hinge' }).fit(x, y);
    const f = model.decisionFunction(x).toArray() as number[];
    const p = (model.predictProba(x).toArray() as number[][]).map((row) => row[1]!);
    const order = f.map((_, i) => i).sort((a, b) => f[a]! - f[b]!);
    for (let k = 1; k < order.length; k++) expect(p[order[k]!]!).toBeGreaterThanOrEqual(p[order[k - 1]!]! - 1e-6);
    const meanError = p.reduce((s, v, i) => s + Math.abs(v - truth[i]!), 0) / p.length;
    expect(meanError).toBeLessThan(0.03);
    // (A, B) is a stationary point of Platt's likelihood with his targets.
    const nPos = y.filter((v) => v === 1).length;
    const hi = (nPos + 1) / (nPos + 2);
    const lo = 1 / (y.length - nPos + 2);
    let ga = 0;
    let gb = 0;
    f.forEach((fi, i) => {
      const q = 1 / (1 + Math.exp(-(model.probA[0]! * fi + model.probB[0]!)));
      const r2 = q - (1 - (y[i] === 1 ? hi : lo));
      ga += r2 * fi;
      gb += r2;
    });
    expect(Math.abs(ga) / y.length).toBeLessThan(1e-6);
    expect(Math.abs(gb) / y.length).toBeLessThan(1e-6);
    expect(model.probA[0]!).toBeLessThan(0);
    model.dispose();
  });
});

describe('LinearSVM — inputs, errors, memory', () => {
  it('errors name the model and the place', () => {
    const m = new LinearSVM();
    expect(() => m.fit([[0], [1]], [2, 2])).toThrow(/LinearSVM.fit: y has a single class \(2\)/);
    expect(() => m.fit([[0], [Infinity]], [0, 1])).toThrow(/LinearSVM.fit: x has Infinity at row 1, column 0/);
    expect(() => m.fit([[0], [1]], [0, 1.5])).toThrow(/label at row 1 is 1.5/);
    expect(() => m.decisionFunction([[0]])).toThrow(/LinearSVM.decisionFunction: the model is not fitted/);
    expect(() => new LinearSVM({ loss: 'log' as 'hinge' })).toThrow(/LinearSVM: loss must be one of 'hinge', 'squaredHinge'/);
    expect(() => new LinearSVM({ tol: -1 })).toThrow(/LinearSVM: tol must be a finite number > 0/);
  });

  it('binary decision values are [n]; stateDict holds weight, bias, probA, probB', () => {
    const { x, y } = overlapping(7, 100, 2);
    const model = new LinearSVM().fit(x, y);
    const f = model.decisionFunction(x);
    expect(f.shape).toEqual([100]);
    expect(Object.keys(model.stateDict()).sort()).toEqual(['bias', 'probA', 'probB', 'weight']);
    expect((model.weight as fg.Tensor).shape).toEqual([1, 2]);
    f.dispose();
    model.dispose();
  });

  it('repeated fit, predict and dispose leave memory as it was', () => {
    const { x, y } = overlapping(8, 200, 3);
    const xt = fg.tensor(x);
    const run = (): void => {
      for (const loss of ['hinge', 'squaredHinge'] as const) {
        const m = new LinearSVM({ loss }).fit(xt, y);
        m.predict(xt).dispose();
        m.predictProba(xt).dispose();
        m.fit(xt, y);
        m.dispose();
      }
    };
    expectNoMemoryGrowth(run);
    xt.dispose();
  });
});
