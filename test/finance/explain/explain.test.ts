import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../../src/index.js';
import { ArgumentError, ShapeError } from '../../../src/errors.js';
import { integratedGradients, gradientTimesInput } from '../../../src/finance/explain/gradients.js';
import { permutationImportance } from '../../../src/finance/explain/permutation.js';
import { reasonCodes, scorecardPoints } from '../../../src/finance/explain/reasons.js';
import { kernelShap, linearShap } from '../../../src/finance/explain/shap.js';

// Rows of a seeded standard-normal design, and labels from a known logistic rule.
function problem(n: number, d: number, seed: number): { x: number[][]; y: number[] } {
  const rand = fg.dataRng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: d }, () => fg.gaussian(rand)));
  const y = x.map((r) => (rand() < 1 / (1 + Math.exp(-(2 * r[0]! - r[1]! + 0.5 * r[2]!))) ? 1 : 0));
  return { x, y };
}

beforeAll(async () => {
  await fg.ready();
});

describe('SHAP', () => {
  it('KernelSHAP (exact enumeration) equals the closed-form linear SHAP on a logistic model\'s log-odds', () => {
    const { x, y } = problem(300, 5, 1);
    const model = new fg.LogisticRegression({ C: 1 }).fit(x, y);
    const rows = x.slice(0, 4);
    const background = x.slice(100, 140);
    const k = kernelShap(model, rows, background, { output: 'decision' });
    const l = linearShap(model, rows, background);
    expect(k.exact).toBe(true);
    expect(k.baseValue).toBeCloseTo(l.baseValue, 4);
    k.values.forEach((phi, r) => phi.forEach((v, j) => expect(v).toBeCloseTo(l.values[r]![j]!, 4)));
    model.dispose();
  });

  it('matches Shapley values computed from their definition for a nonlinear function', () => {
    const f = (rows: number[][]): number[] => rows.map((r) => r[0]! * r[1]! + r[2]! ** 2 - Math.sin(r[3]!));
    const rand = fg.dataRng(3);
    const background = Array.from({ length: 7 }, () => Array.from({ length: 4 }, () => fg.gaussian(rand)));
    const x = [[0.5, -1.2, 2, 0.3]];
    const M = 4;
    // v(S) = mean over background of f(x_S, b_rest); φ_j = Σ_S |S|!(M−|S|−1)!/M! (v(S∪j) − v(S)).
    const v = (mask: number): number => f(background.map((b) => b.map((bv, j) => ((mask >> j) & 1 ? x[0]![j]! : bv)))).reduce((a, t) => a + t, 0) / background.length;
    const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
    const truth = Array.from({ length: M }, (_, j) => {
      let phi = 0;
      for (let mask = 0; mask < 2 ** M; mask++) {
        if ((mask >> j) & 1) continue;
        const s = [...Array(M).keys()].filter((i) => (mask >> i) & 1).length;
        phi += ((fact(s) * fact(M - s - 1)) / fact(M)) * (v(mask | (1 << j)) - v(mask));
      }
      return phi;
    });
    const k = kernelShap(f, x, background);
    k.values[0]!.forEach((val, j) => expect(val).toBeCloseTo(truth[j]!, 10));
    expect(k.values[0]!.reduce((a, t) => a + t, 0)).toBeCloseTo(k.outputs[0]! - k.baseValue, 12);
  });

  it('sampled KernelSHAP is additive and close to the exact values on 14 features of an MLP', () => {
    const { x, y } = problem(400, 14, 5);
    const mlp = new fg.MLPClassifier({ hiddenLayerSizes: [8], maxIter: 30, seed: 0 }).fit(x, y);
    const rows = x.slice(0, 2);
    const bg = x.slice(200, 220);
    const exact = kernelShap(mlp, rows, bg, { maxExact: 14 });
    const sampled = kernelShap(mlp, rows, bg, { maxExact: 1, nSamples: 6000, seed: 2 });
    expect(sampled.exact).toBe(false);
    for (const r of [0, 1]) {
      expect(sampled.values[r]!.reduce((a, t) => a + t, 0)).toBeCloseTo(sampled.outputs[r]! - sampled.baseValue, 10);
      const scale = Math.max(...exact.values[r]!.map(Math.abs));
      sampled.values[r]!.forEach((v, j) => expect(Math.abs(v - exact.values[r]![j]!)).toBeLessThan(0.1 * scale));
    }
    mlp.dispose();
  });

  it('groups columns back into one feature (one-hot columns of one field)', () => {
    const { x, y } = problem(300, 5, 7);
    const model = new fg.LogisticRegression().fit(x, y);
    const groups = [{ name: 'a', columns: [0, 3] }, { name: 'b', columns: [1] }, { name: 'c', columns: [2, 4] }];
    const flat = linearShap(model, x.slice(0, 3), x.slice(50, 90));
    const grouped = linearShap(model, x.slice(0, 3), x.slice(50, 90), { groups });
    const viaKernel = kernelShap(model, x.slice(0, 3), x.slice(50, 90), { groups, output: 'decision' });
    expect(grouped.featureNames).toEqual(['a', 'b', 'c']);
    grouped.values.forEach((phi, r) => {
      expect(phi[0]).toBeCloseTo(flat.values[r]![0]! + flat.values[r]![3]!, 12);
      phi.forEach((v, j) => expect(viaKernel.values[r]![j]).toBeCloseTo(v, 4));
    });
    model.dispose();
  });

  it('names bad input', () => {
    expect(() => kernelShap(() => [0], [[1, 2]], [[1, 2, 3]])).toThrow(ShapeError);
    expect(() => kernelShap(42, [[1, 2]], [[1, 2]])).toThrow(ArgumentError);
    expect(() => kernelShap((r: number[][]) => r.map(() => 0), [[1, NaN]], [[1, 2]])).toThrow('kernelShap: x has NaN at row 0, column 1');
    expect(() => kernelShap((r: number[][]) => r.map(() => 0), [[1, 2]], [[1, 2]], { n_samples: 5 } as never)).toThrow("did you mean 'nSamples'?");
    expect(() => linearShap({ coef: [1, 2] }, [[1, 2, 3]], [[1, 2, 3]])).toThrow(ShapeError);
    expect(() => kernelShap((r: number[][]) => r.map(() => 0), [[1, 2]], [[1, 2]], { groups: [{ name: 'a', columns: [0, 5] }] })).toThrow(/names column 5/);
  });
});

describe('gradient attributions', () => {
  it('integrated gradients are complete (sum to f(x) − f(baseline)) in one batched pass', () => {
    fg.manualSeed(0);
    const net = new fg.nn.Sequential(new fg.nn.Linear(6, 16), new fg.nn.Tanh(), new fg.nn.Linear(16, 1));
    const rand = fg.dataRng(9);
    const x = Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => fg.gaussian(rand)));
    const before = fg.memoryStats().liveTensors;
    const ig = integratedGradients(net, x, { steps: 200 });
    expect(fg.memoryStats().liveTensors).toBe(before);
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    ig.completenessError.forEach((e, r) => expect(Math.abs(e)).toBeLessThan(1e-3 * Math.max(1e-3, Math.abs(ig.outputs[r]! - ig.baselineOutputs[r]!)) + 1e-5));
    // A given baseline row is used for every row; f(baseline) is then the same for all.
    const ig2 = integratedGradients(net, x, { baseline: [1, 1, 1, 1, 1, 1], steps: 100 });
    expect(new Set(Array.from(ig2.baselineOutputs, (v) => v.toFixed(6))).size).toBe(1);
  });

  it('on a linear function both methods give w·(x − baseline) exactly', () => {
    const w = fg.keep(fg.tensor([[2], [-1], [0.5]]));
    const f = (x: fg.Tensor): fg.Tensor => fg.matmul(x, w);
    const x = [[1, 2, 3], [-1, 0, 4]];
    const gi = gradientTimesInput(f, x);
    const ig = integratedGradients(f, x, { baseline: [1, 1, 1], steps: 3 });
    [-2, 0, 2].forEach((v, j) => expect(gi.attributions[1]![j]).toBeCloseTo(v, 12));
    [0, -1, 1].forEach((v, j) => expect(ig.attributions[0]![j]).toBeCloseTo(v, 12));
    expect(() => integratedGradients(f, x, { baseline: [1, 1] })).toThrow(ShapeError);
    expect(() => gradientTimesInput((t: fg.Tensor) => fg.matmul(t, fg.tensor([[1, 1], [1, 1], [1, 1]])), x)).toThrow(/choose one with the target option/);
    w.dispose();
  });
});

describe('permutation importance', () => {
  it('ranks informative features above noise, reproducibly, with groups', () => {
    const { x, y } = problem(600, 5, 11);
    const model = new fg.LogisticRegression().fit(x, y);
    const a = permutationImportance(model, x, y, { nRepeats: 4, seed: 1 });
    const b = permutationImportance(model, x, y, { nRepeats: 4, seed: 1 });
    expect(a.importancesMean).toEqual(b.importancesMean);
    expect(a.importancesMean[0]).toBeGreaterThan(a.importancesMean[1]!);
    expect(a.importancesMean[1]).toBeGreaterThan(a.importancesMean[3]!);
    expect(Math.abs(a.importancesMean[4]!)).toBeLessThan(0.02);
    expect(a.baselineScore).toBeCloseTo(fg.rocAuc(y, fg.tidy(() => fg.select(model.predictProba(x), 1, 1).toFloat32Array())), 12);
    a.importances.forEach((reps, j) => expect(a.importancesStd[j]).toBeCloseTo(Math.sqrt(reps.reduce((s, v) => s + (v - a.importancesMean[j]!) ** 2, 0) / 4), 12));
    const g = permutationImportance(model, x, y, { groups: [{ name: 'strong', columns: [0, 1] }, { name: 'weak', columns: [3, 4] }] });
    expect(g.featureNames).toEqual(['strong', 'weak']);
    expect(g.importancesMean[0]).toBeGreaterThan(g.importancesMean[1]!);
    expect(() => permutationImportance(model, x, y, { scoring: 'auc' })).toThrow(/scoring must be a function or one of rocAuc/);
    expect(() => permutationImportance(model, x, y.slice(1))).toThrow(ShapeError);
    model.dispose();
  });
});

describe('reason codes and scorecards', () => {
  it('lists the strongest adverse features first and never one that helped', () => {
    const e = { featureNames: ['income', 'debtRatio', 'age', 'latePayments'], values: [Float64Array.from([-0.2, 0.3, 0.01, 0.12])] };
    const codes = reasonCodes(e, 0, { topK: 3, values: [52000, 0.62, 41, 2], descriptions: { debtRatio: 'Debt ratio' } });
    expect(codes.map((c) => c.feature)).toEqual(['debtRatio', 'latePayments', 'age']);
    expect(codes[0]!.text).toBe('Debt ratio (0.62) raised the estimated risk by 0.30');
    expect(reasonCodes(e, 0, { direction: 'decrease' }).map((c) => c.feature)).toEqual(['income']);
    expect(() => reasonCodes(e, 1)).toThrow(ArgumentError);
  });

  it('scorecard points add up to offset + factor · ln(good:bad odds) of the model', () => {
    const { x, y } = problem(400, 3, 13);
    const model = new fg.LogisticRegression().fit(x, y);
    const card = scorecardPoints(model, x.slice(0, 10), { pdo: 20, baseScore: 600, baseOdds: 50 });
    expect(card.factor).toBeCloseTo(20 / Math.LN2, 12);
    const p = fg.tidy(() => fg.select(model.predictProba(x.slice(0, 10)), 1, 1).toFloat32Array());
    card.scores.forEach((s, r) => {
      expect(s).toBeCloseTo(card.points[r]!.reduce((a, v) => a + v, 0), 9);
      expect(s).toBeCloseTo(card.offset + card.factor * Math.log((1 - p[r]!) / p[r]!), 3);
    });
    // 20 points more doubles the good:bad odds.
    expect(() => scorecardPoints({ coef: [1] }, [[1]])).toThrow(ArgumentError);
    model.dispose();
  });
});

describe('explaining a Pipeline on its raw columns', () => {
  it('exact linear SHAP of the pipeline equals KernelSHAP of its decision function, per original column', async () => {
    const { generateApplicants } = await import('../../../src/finance/applicants.js');
    const { Table } = await import('../../../src/finance/table.js');
    const { Pipeline } = await import('../../../src/finance/pipeline.js');
    const { ColumnTransformer } = await import('../../../src/finance/compose.js');
    const { SimpleImputer } = await import('../../../src/finance/impute.js');
    const { OneHotEncoder } = await import('../../../src/finance/encode.js');
    const { StandardScaler } = await import('../../../src/finance/scale.js');
    const a = generateApplicants(1500, 4);
    const { id: _id, default: y, ...features } = a.columns;
    const table = Table.fromColumns(features as never);
    const p = new Pipeline([
      ['impute', new ColumnTransformer([['num', new SimpleImputer({ strategy: 'median' }), { types: ['numeric', 'boolean'] }], ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), { types: ['categorical'] }]])],
      ['scale', new StandardScaler()],
      ['model', new fg.LogisticRegression({ C: 1 })],
    ]).fit(table, y);
    const rows = table.take([0, 1]);
    const bg = table.take(Array.from({ length: 25 }, (_, i) => 100 + i));
    const lin = linearShap(p, rows, bg);
    expect(lin.featureNames).toEqual(table.columnNames);
    const ker = kernelShap(p, rows, bg, { output: 'decision' });
    expect(ker.exact).toBe(true);
    lin.values.forEach((phi, r) => {
      expect(phi.reduce((s, v) => s + v, 0)).toBeCloseTo(lin.outputs[r]! - lin.baseValue, 4);
      phi.forEach((v, j) => expect(ker.values[r]![j]).toBeCloseTo(v, 4));
    });
    const imp = permutationImportance(p, table.take(Array.from({ length: 600 }, (_, i) => i)), y.slice(0, 600), { nRepeats: 2 });
    const top = [...imp.featureNames].sort((u, v) => imp.importancesMean[imp.featureNames.indexOf(v)]! - imp.importancesMean[imp.featureNames.indexOf(u)]!);
    expect(top.slice(0, 4)).toContain('latePayments');
    expect(() => kernelShap(p, [[1, 2]], [[1, 2]])).toThrow(/Pipeline is explained on a Table/);
    (p.model as fg.LogisticRegression).dispose();
  });
});
