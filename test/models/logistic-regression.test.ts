// LogisticRegression against float64 references written here: Newton's method on the exact
// sklearn objective (L2, binary and multinomial), a long proximal-gradient run (L1), and the
// probability formulas; plus input errors and memory.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { gauss, rng } from '../support/linear-problems.js';
import { maxDiff, solve } from '../support/linear-reference.js';
import { expectNoMemoryGrowth } from '../support/memory-check.js';

const { LogisticRegression } = fg;

interface Data {
  x: number[][];
  y: number[];
}

/** Rows N(shift, scale²) per column; labels drawn from a softmax over `k` classes of x·trueWᵀ. */
function makeData(seed: number, n: number, d: number, k: number, trueW: number[][], scale = 1.5, shift = 0.5): Data {
  const r = rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: d }, () => gauss(r) * scale + shift);
    const s = trueW.map((w) => w.reduce((a, v, j) => a + v * (row[j] as number), 0));
    if (k === 2) {
      y.push(r() < 1 / (1 + Math.exp(-(s[0] as number))) ? 1 : 0);
    } else {
      const m = Math.max(...s);
      const e = s.map((v) => Math.exp(v - m));
      const tot = e.reduce((a, b) => a + b, 0);
      let u = r() * tot;
      let c = 0;
      while (c < k - 1 && u > (e[c] as number)) u -= e[c++] as number;
      y.push(c);
    }
    x.push(row);
  }
  return { x, y };
}

/**
 * Newton's method on Σ loss + ‖W‖²/(2C) for softmax over k classes (k = 1: the binary sigmoid
 * model), intercepts unpenalised. For k > 1 the first intercept is held at 0 (softmax does not
 * see a shift of all intercepts) and the intercepts are centred at the end.
 */
function newtonReference(data: Data, k: number, C: number, fitIntercept = true): { W: number[][]; b: number[] } {
  const { x, y } = data;
  const d = (x[0] as number[]).length;
  const outs = k;
  const pb = fitIntercept ? 1 : 0;
  const size = outs * (d + pb);
  const idx = (c: number, j: number): number => c * (d + pb) + j; // j = d is the intercept
  const free = (c: number, j: number): boolean => !(k > 1 && j === d && c === 0);
  let theta = new Array<number>(size).fill(0);
  for (let it = 0; it < 100; it++) {
    const g = new Array<number>(size).fill(0);
    const H = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    for (let i = 0; i < x.length; i++) {
      const xi = [...(x[i] as number[]), ...(fitIntercept ? [1] : [])];
      const s = Array.from({ length: outs }, (_, c) => xi.reduce((a, v, j) => a + v * theta[idx(c, j)]!, 0));
      let p: number[];
      let t: number[];
      if (k === 1) {
        p = [1 / (1 + Math.exp(-(s[0] as number)))];
        t = [y[i] as number];
      } else {
        const m = Math.max(...s);
        const e = s.map((v) => Math.exp(v - m));
        const tot = e.reduce((a, b) => a + b, 0);
        p = e.map((v) => v / tot);
        t = p.map((_, c) => (c === y[i] ? 1 : 0));
      }
      for (let c = 0; c < outs; c++) {
        for (let j = 0; j < xi.length; j++) g[idx(c, j)]! += (p[c]! - t[c]!) * xi[j]!;
        for (let c2 = 0; c2 < outs; c2++) {
          const w = k === 1 ? p[0]! * (1 - p[0]!) : (c === c2 ? p[c]! : 0) - p[c]! * p[c2]!;
          for (let j = 0; j < xi.length; j++) for (let j2 = 0; j2 < xi.length; j2++) H[idx(c, j)]![idx(c2, j2)]! += w * xi[j]! * xi[j2]!;
        }
      }
    }
    for (let c = 0; c < outs; c++) {
      for (let j = 0; j < d; j++) {
        g[idx(c, j)]! += theta[idx(c, j)]! / C;
        H[idx(c, j)]![idx(c, j)]! += 1 / C;
      }
    }
    const keep = Array.from({ length: size }, (_, q) => q).filter((q) => free(Math.floor(q / (d + pb)), q % (d + pb)));
    const step = solve(
      keep.map((q) => keep.map((r) => H[q]![r]!)),
      keep.map((q) => -g[q]!),
    );
    theta = [...theta];
    keep.forEach((q, m) => (theta[q]! += step[m]!));
    if (Math.max(...step.map(Math.abs)) < 1e-13) break;
  }
  const W = Array.from({ length: outs }, (_, c) => Array.from({ length: d }, (_, j) => theta[idx(c, j)]!));
  let b = Array.from({ length: outs }, (_, c) => (fitIntercept ? theta[idx(c, d)]! : 0));
  if (k > 1 && fitIntercept) {
    const mean = b.reduce((a, v) => a + v, 0) / k;
    b = b.map((v) => v - mean);
  }
  return { W, b };
}

/** FISTA on Σ log loss + ‖w‖₁/C (binary, intercept unpenalised), run to a fixed point. */
function proximalReference(data: Data, C: number): { w: number[]; b: number } {
  const { x, y } = data;
  const n = x.length;
  const d = (x[0] as number[]).length;
  // Lipschitz constant of the gradient: ¼·λmax(X̃ᵀX̃) ≤ ¼·‖X̃‖_F².
  let L = 0;
  for (const row of x) L += row.reduce((a, v) => a + v * v, 1);
  L /= 4;
  const grad = (t: number[]): number[] => {
    const g = new Array<number>(d + 1).fill(0);
    for (let i = 0; i < n; i++) {
      const row = x[i] as number[];
      const z = row.reduce((a, v, j) => a + v * t[j]!, t[d]!);
      const r = 1 / (1 + Math.exp(-z)) - (y[i] as number);
      for (let j = 0; j < d; j++) g[j]! += r * row[j]!;
      g[d]! += r;
    }
    return g;
  };
  let t = new Array<number>(d + 1).fill(0);
  let v = [...t];
  let mom = 1;
  for (let it = 0; it < 30000; it++) {
    const g = grad(v);
    const next = v.map((vj, j) => {
      const z = vj - g[j]! / L;
      if (j === d) return z;
      return Math.sign(z) * Math.max(Math.abs(z) - 1 / (C * L), 0);
    });
    const momNext = (1 + Math.sqrt(1 + 4 * mom * mom)) / 2;
    const change = Math.max(...next.map((a, j) => Math.abs(a - t[j]!)));
    v = next.map((a, j) => a + ((mom - 1) / momNext) * (a - t[j]!));
    t = next;
    mom = momNext;
    if (change < 1e-14 && it > 100) break;
  }
  return { w: t.slice(0, d), b: t[d]! };
}

describe('LogisticRegression — L2 optimum', () => {
  it('binary: coefficients and intercept within 1e-3 of Newton in float64 (several C)', () => {
    const data = makeData(1, 600, 5, 2, [[1.2, -0.8, 0.5, 0, 0.3]]);
    for (const C of [0.05, 1, 100]) {
      const model = new LogisticRegression({ C }).fit(data.x, data.y);
      const ref = newtonReference(data, 1, C);
      expect(model.coef.length).toBe(1);
      expect(maxDiff(model.coef[0] as number[], ref.W[0] as number[])).toBeLessThan(1e-3);
      expect(Math.abs((model.intercept[0] as number) - (ref.b[0] as number))).toBeLessThan(1e-3);
      expect(model.converged).toBe(true);
      model.dispose();
    }
  });

  it('binary without intercept, labels given as a tensor of arbitrary integers', () => {
    const data = makeData(2, 400, 3, 2, [[0.7, -1.1, 0.4]]);
    const model = new LogisticRegression({ fitIntercept: false }).fit(fg.tensor(data.x), fg.tensor(data.y.map((v) => (v === 1 ? 7 : -3))));
    const ref = newtonReference(data, 1, 1, false);
    expect(model.classes).toEqual([-3, 7]);
    expect(maxDiff(model.coef[0] as number[], ref.W[0] as number[])).toBeLessThan(1e-3);
    expect(model.intercept).toEqual([0]);
    expect(model.bias).toBeNull();
    model.dispose();
  });

  it('multinomial (3 classes): all coefficients within 1e-3 of Newton in float64', () => {
    const data = makeData(3, 600, 4, 3, [
      [1, -0.5, 0.2, 0],
      [-0.6, 0.9, 0, 0.3],
      [0, 0, -0.8, 0.5],
    ]);
    const model = new LogisticRegression({ C: 2 }).fit(data.x, data.y);
    const ref = newtonReference(data, 3, 2);
    expect(model.scheme).toBe('multinomial');
    expect(model.coef.length).toBe(3);
    for (let c = 0; c < 3; c++) expect(maxDiff(model.coef[c] as number[], ref.W[c] as number[])).toBeLessThan(1e-3);
    expect(maxDiff(model.intercept, ref.b)).toBeLessThan(1e-3);
    // Probabilities: softmax of the scores, rows sum to 1.
    const p = model.predictProba(data.x);
    const pd = p.toArray() as number[][];
    for (let i = 0; i < 20; i++) {
      const row = data.x[i] as number[];
      const s = ref.W.map((w, c) => w.reduce((a, v, j) => a + v * row[j]!, ref.b[c]!));
      const m = Math.max(...s);
      const e = s.map((v) => Math.exp(v - m));
      const tot = e.reduce((a, b) => a + b, 0);
      expect(maxDiff(pd[i] as number[], e.map((v) => v / tot))).toBeLessThan(1e-4);
      expect((pd[i] as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    // predict is the arg-max of the probabilities.
    const pred = model.predict(data.x).toArray() as number[];
    pred.forEach((c, i) => expect(c).toBe((pd[i] as number[]).indexOf(Math.max(...(pd[i] as number[])))));
    const logp = model.predictLogProba(data.x).toArray() as number[][];
    expect(Math.abs(Math.exp(logp[0]![1]!) - pd[0]![1]!)).toBeLessThan(1e-5);
    p.dispose();
    model.dispose();
  });

  it("multinomial on two classes reports sklearn's class-1 row: the binary fit with C doubled", () => {
    // softmax([−s, s]) = σ(2s) and ‖w₀‖² + ‖w₁‖² = 2‖w₁‖²: the binary problem in v = 2·w₁ with penalty ‖v‖²/(4C).
    const data = makeData(4, 500, 3, 2, [[1, -1, 0.5]]);
    const model = new LogisticRegression({ multiClass: 'multinomial', C: 0.5 }).fit(data.x, data.y);
    const ref = newtonReference(data, 1, 1);
    expect(model.coef.length).toBe(1);
    expect(maxDiff(model.coef[0]!.map((v) => 2 * v), ref.W[0]!)).toBeLessThan(1e-3);
    const p = model.predictProba(data.x).toArray() as number[][];
    const s = data.x[0]!.reduce((a, v, j) => a + v * ref.W[0]![j]!, ref.b[0]!);
    expect(p[0]![1]!).toBeCloseTo(1 / (1 + Math.exp(-s)), 4);
    model.dispose();
  });

  it('one-vs-rest: each row is the binary fit of its class against the rest; probabilities normalised', () => {
    const data = makeData(5, 450, 3, 3, [
      [1, 0, -0.5],
      [-1, 0.8, 0],
      [0, -0.7, 0.9],
    ]);
    const model = new LogisticRegression({ multiClass: 'ovr' }).fit(data.x, data.y);
    expect(model.nIter.length).toBe(3);
    for (let c = 0; c < 3; c++) {
      const ref = newtonReference({ x: data.x, y: data.y.map((v) => (v === c ? 1 : 0)) }, 1, 1);
      expect(maxDiff(model.coef[c] as number[], ref.W[0] as number[])).toBeLessThan(1e-3);
      expect(Math.abs(model.intercept[c]! - ref.b[0]!)).toBeLessThan(1e-3);
    }
    const p = model.predictProba(data.x).toArray() as number[][];
    const row = data.x[0]!;
    const sig = model.coef.map((w, c) => 1 / (1 + Math.exp(-w.reduce((a, v, j) => a + v * row[j]!, model.intercept[c]!))));
    const tot = sig.reduce((a, b) => a + b, 0);
    expect(maxDiff(p[0]!, sig.map((v) => v / tot))).toBeLessThan(1e-5);
    model.dispose();
  });

  it('larger C gives a larger ‖w‖ (weaker penalty)', () => {
    const data = makeData(6, 300, 4, 2, [[1, -1, 0.5, 0.2]]);
    const norms = [0.01, 0.1, 1, 10].map((C) => {
      const m = new LogisticRegression({ C }).fit(data.x, data.y);
      const v = Math.hypot(...(m.coef[0] as number[]));
      m.dispose();
      return v;
    });
    for (let i = 1; i < norms.length; i++) expect(norms[i]!).toBeGreaterThan(norms[i - 1]!);
  });
});

describe('LogisticRegression — L1', () => {
  it('exact zeros on irrelevant features; matches a long proximal-gradient run within 1e-3', () => {
    const data = makeData(7, 500, 6, 2, [[1.5, -1.2, 0, 0, 0, 0]], 1, 0);
    const C = 0.02;
    const model = new LogisticRegression({ penalty: 'l1', C }).fit(data.x, data.y);
    const ref = proximalReference(data, C);
    const w = model.coef[0] as number[];
    expect(maxDiff(w, ref.w)).toBeLessThan(1e-3);
    expect(Math.abs(model.intercept[0]! - ref.b)).toBeLessThan(1e-3);
    // The reference zeroes the irrelevant features; the model gives exact zeros there.
    for (let j = 2; j < 6; j++) {
      expect(ref.w[j] === 0).toBe(true);
      expect(w[j] === 0).toBe(true);
    }
    expect(Math.abs(w[0]!)).toBeGreaterThan(0.1);
    // The float32 parameter holds the same zeros.
    expect(Array.from((model.weight as fg.Tensor).data).slice(2)).toEqual([0, 0, 0, 0]);
    model.dispose();
  });

  it('a smaller C zeroes more coefficients', () => {
    const data = makeData(8, 400, 6, 2, [[1, -0.8, 0.6, -0.4, 0.2, 0.1]], 1, 0);
    const zeros = [0.003, 0.01, 1].map((C) => {
      const m = new LogisticRegression({ penalty: 'l1', C }).fit(data.x, data.y);
      const z = m.coef[0]!.filter((v) => v === 0).length;
      m.dispose();
      return z;
    });
    expect(zeros[0]!).toBeGreaterThan(zeros[2]!);
    expect(zeros[0]!).toBeGreaterThanOrEqual(zeros[1]!);
  });
});

describe('LogisticRegression — separable data and no penalty', () => {
  it("penalty 'none' on separable data stays finite and classifies every row", () => {
    const x = [[-2], [-1.5], [-1], [-0.5], [0.5], [1], [1.5], [2]];
    const y = [0, 0, 0, 0, 1, 1, 1, 1];
    const model = new LogisticRegression({ penalty: 'none', maxIter: 200 }).fit(x, y);
    expect(Number.isFinite(model.coef[0]![0]!)).toBe(true);
    expect(model.coef[0]![0]!).toBeGreaterThan(5);
    expect(model.predict(x).toArray()).toEqual(y);
    const p = model.predictProba(x).toArray() as number[][];
    for (const row of p) for (const v of row) expect(Number.isNaN(v)).toBe(false);
    model.dispose();
  });
});

describe('LogisticRegression — inputs and errors', () => {
  it('x as a tensor or as rows gives the same fit; predict before fit throws', () => {
    const raw = makeData(9, 200, 2, 2, [[1, -1]]);
    const data = { x: raw.x.map((row) => row.map(Math.fround)), y: raw.y };
    const a = new LogisticRegression().fit(data.x, data.y);
    const xt = fg.tensor(data.x);
    const b = new LogisticRegression().fit(xt, Float32Array.from(data.y));
    expect(maxDiff(a.coef[0]!, b.coef[0]!)).toBe(0);
    expect(() => new LogisticRegression().predict(data.x)).toThrow(/LogisticRegression.predict: the model is not fitted/);
    expect(() => new LogisticRegression().coef).toThrow(fg.NotFittedError);
    expect(() => a.predict([[1, 2, 3]])).toThrow(/LogisticRegression.predict: expected x of shape \[samples, 2\] \(samples, features\), got \[1, 3\]/);
    a.dispose();
    b.dispose();
    xt.dispose();
  });

  it('bad inputs name the model, the row and the column', () => {
    const m = new LogisticRegression();
    expect(() => m.fit([[1, 2], [3, NaN]], [0, 1])).toThrow(/LogisticRegression.fit: x has NaN at row 1, column 1/);
    expect(() => m.fit([[1, 2], [3, 4]], [0, 1, 1])).toThrow(/LogisticRegression.fit: x has 2 rows but y has 3/);
    expect(() => m.fit([[1, 2], [3]], [0, 1])).toThrow(/LogisticRegression.fit: x is not a regular array of numbers \(row 1 has 1 values but row 0 has 2\)/);
    expect(() => m.fit([[1], [2], [3]], [1, 1, 1])).toThrow(/LogisticRegression.fit: y has a single class \(1\)/);
    expect(() => m.fit([[1], [2], [3]], [0, 0.5, 1])).toThrow(/LogisticRegression.fit: label at row 1 is 0.5; class labels must be integers/);
    expect(() => m.fit([[1], [2]], [0, NaN])).toThrow(/LogisticRegression.fit: y has NaN at row 1/);
    const v = fg.tensor([1, 2, 3]);
    expect(() => m.fit(v, [0, 1, 0])).toThrow(/LogisticRegression.fit: expected x of shape \[samples, features\] \(samples, features\), got \[3\]/);
    v.dispose();
    expect(() => new LogisticRegression({ C: 0 })).toThrow(/LogisticRegression: C must be a finite number > 0, got number 0/);
    expect(() => new LogisticRegression({ penalty: 'l3' as 'l1' })).toThrow(/penalty must be one of 'l2', 'l1', 'none'/);
    expect(() => new LogisticRegression({ maxIter: 1.5 })).toThrow(/maxIter must be an integer >= 1/);
    expect(m.isFitted).toBe(false);
  });
});

describe('LogisticRegression — memory', () => {
  it('repeated fit, predict and dispose leave memory as it was', () => {
    const data = makeData(10, 300, 4, 3, [
      [1, 0, 0, -1],
      [0, 1, -1, 0],
      [-1, 0, 1, 0],
    ]);
    const x = fg.tensor(data.x);
    const run = (): void => {
      for (const options of [{}, { penalty: 'l1' as const, C: 0.1 }, { multiClass: 'ovr' as const }]) {
        const m = new LogisticRegression(options).fit(x, data.y);
        m.predict(x).dispose();
        m.predictProba(x).dispose();
        m.decisionFunction(x).dispose();
        m.fit(x, data.y); // refit replaces the parameters
        m.dispose();
      }
    };
    expectNoMemoryGrowth(run);
    x.dispose();
  });
});
