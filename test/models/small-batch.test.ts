// A few rows (a scoring service's one applicant) take LogisticRegression's host path: the same
// probabilities as the tensor path for large batches, within float32 rounding, the same checks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

beforeAll(async () => {
  await fg.ready();
});

describe('LogisticRegression.predictProba on a few rows', () => {
  const data = fg.generateCredit(600, 2);
  const x = Array.from({ length: 600 }, (_, i) => Array.from(data.x.subarray(i * 8, i * 8 + 8)));
  const y = Array.from(data.y);

  it('equals the batch path row for row, for arrays and tensors, and sums to 1', () => {
    const m = new fg.LogisticRegression().fit(x, y);
    const batch = fg.tidy(() => m.predictProba(x).toFloat32Array()); // 600 rows: the tensor path
    for (const i of [0, 17, 599]) {
      const one = fg.tidy(() => m.predictProba([x[i]!]).toFloat32Array());
      const asTensor = fg.tidy(() => m.predictProba(fg.tensor([x[i]!])).toFloat32Array());
      expect(one).toEqual(asTensor);
      expect(one[1]).toBeCloseTo(batch[2 * i + 1]!, 6);
      expect(one[0]! + one[1]!).toBeCloseTo(1, 6);
    }
    const several = fg.tidy(() => m.predictProba(x.slice(0, 16)).toFloat32Array());
    several.forEach((v, k) => expect(v).toBeCloseTo(batch[k]!, 6));
    m.dispose();
  });

  it('checks its input like the batch path', () => {
    const m = new fg.LogisticRegression().fit(x, y);
    expect(() => m.predictProba([[1, 2]])).toThrow(/expected x of shape \[samples, 8\] \(samples, features\), got \[1, 2\]/);
    expect(() => m.predictProba([[NaN, 0, 0, 0, 0, 0, 0, 0]])).toThrow(fg.ValueError);
    expect(() => new fg.LogisticRegression().predictProba([x[0]!])).toThrow(fg.NotFittedError);
    m.dispose();
  });
});

// Every model with a few-row host path: predictProba / decisionFunction / predict on ≤ 16 rows
// agree with the tensor path (the same rows inside a batch of 40) to 1e-6, see changed weights,
// and throw the batch path's errors. (A degenerate Platt fit — |A| ~ 1e7 on separable classes —
// is left out: there A·f + B cancels in float32 on the batch path, and the host path's float64 is the better answer.)
describe('the few-row host path of every estimator', () => {
  const data = fg.generateCredit(300, 5);
  const x = Array.from({ length: 300 }, (_, i) => Array.from(data.x.subarray(i * 8, i * 8 + 8)));
  const binary = Array.from(data.y);
  const cut = x.map((r) => r[0]!).sort((a, b) => a - b)[200]!;
  const three = x.map((r, i) => (r[0]! > cut ? 2 : binary[i]!));
  const target = x.map((r) => r[0]! - 2 * r[1]! + 0.5 * r[2]!);
  const quick = { hiddenLayerSizes: [6, 5], maxIter: 5, seed: 3 };
  const few = x.slice(0, 5);
  const many = x.slice(0, 40);

  type M = { dispose(): void } & Record<string, (x: unknown) => fg.Tensor>;
  const cases: Array<[string, () => M, string[]]> = [
    ['LogisticRegression binary', () => new fg.LogisticRegression().fit(x, binary) as never, ['predictProba', 'decisionFunction', 'predict']],
    ['LogisticRegression multinomial', () => new fg.LogisticRegression().fit(x, three) as never, ['predictProba', 'decisionFunction', 'predict']],
    ['LogisticRegression ovr', () => new fg.LogisticRegression({ multiClass: 'ovr' }).fit(x, three) as never, ['predictProba', 'predict']],
    ['LogisticRegression multinomial on two classes', () => new fg.LogisticRegression({ multiClass: 'multinomial' }).fit(x, binary) as never, ['predictProba', 'predict']],
    ['LinearSVM binary', () => new fg.LinearSVM().fit(x, binary) as never, ['predictProba', 'decisionFunction', 'predict']],
    ['LinearSVM three classes', () => new fg.LinearSVM({ C: 0.1 }).fit(x, three) as never, ['predictProba', 'decisionFunction', 'predict']],
    ['LinearRegression', () => new fg.LinearRegression().fit(x, target) as never, ['predict']],
    ['MLPClassifier binary', () => new fg.MLPClassifier(quick).fit(x, binary) as never, ['predictProba', 'predict']],
    ['MLPClassifier three classes (tanh)', () => new fg.MLPClassifier({ ...quick, activation: 'tanh' }).fit(x, three) as never, ['predictProba', 'predict']],
    ['MLPRegressor (logistic)', () => new fg.MLPRegressor({ ...quick, activation: 'logistic' }).fit(x, target) as never, ['predict']],
  ];

  it.each(cases)('%s: ≤ 16 rows agree with the batch path', (_name, make, methods) => {
    const m = make();
    for (const method of methods) {
      const batch = fg.tidy(() => m[method]!(many).toFloat32Array());
      const width = batch.length / many.length;
      for (const rows of [few, [x[7]!], fg.tensor(few)]) {
        const live = fg.memoryStats().liveTensors;
        const got = fg.tidy(() => m[method]!(rows).toFloat32Array());
        expect(fg.memoryStats().liveTensors).toBe(live);
        const start = rows === few || rows instanceof fg.Tensor ? 0 : 7 * width;
        // Probabilities to 1e-6; raw scores to float32 rounding of their terms (the batch path
        // runs on the float32 weights, the host path on the solver's float64 ones).
        const tol = (v: number): number => (method === 'predictProba' ? 1e-6 : 1e-5 * Math.max(1, Math.abs(v)));
        got.forEach((v, j) => expect(Math.abs(v - batch[start + j]!)).toBeLessThanOrEqual(tol(v)));
        if (rows instanceof fg.Tensor) rows.dispose();
      }
    }
    m.dispose();
  });

  it.each(cases)('%s: the same errors as the batch path', (name, make, methods) => {
    const m = make();
    const model = name.split(' ')[0]!;
    for (const method of methods) {
      for (const rows of [few, many]) {
        const nan = rows.map((r, i) => (i === 2 ? r.map((v, j) => (j === 3 ? NaN : v)) : r));
        expect(() => m[method]!(nan)).toThrow(`${model}.${method}: x has NaN at row 2, column 3; inputs must be finite numbers`);
        const narrow = rows.map((r) => r.slice(0, 7));
        expect(() => m[method]!(narrow)).toThrow(`${model}.${method}: expected x of shape [samples, 8] (samples, features), got [${rows.length}, 7]`);
        expect(() => m[method]!(fg.zeros([rows.length]) as never)).toThrow(fg.ShapeError);
      }
    }
    m.dispose();
  });

  it('the MLP sees every change of its weights: an in-place edit, loadStateDict, a new fit', () => {
    const m = new fg.MLPClassifier(quick).fit(x, binary);
    const proba = (rows: number[][]): Float32Array => fg.tidy(() => m.predictProba(rows).toFloat32Array().slice(0, 2 * 3));
    const before = proba(few);
    const w = m.parameters()[0]!;
    fg.noGrad(() => w.fill_(0.05));
    const edited = proba(few);
    expect(edited).not.toEqual(before);
    const viaBatch = proba(many);
    edited.forEach((v, j) => expect(v).toBeCloseTo(viaBatch[j]!, 6));
    const other = new fg.MLPClassifier({ ...quick, seed: 9 }).fit(x, binary);
    m.loadStateDict(other.stateDict());
    const loaded = proba(few);
    const otherP = fg.tidy(() => other.predictProba(many).toFloat32Array().slice(0, 6));
    loaded.forEach((v, j) => expect(v).toBeCloseTo(otherP[j]!, 6));
    m.fit(x, three);
    expect(fg.tidy(() => m.predictProba(few).shape)).toEqual([5, 3]);
    const refit = fg.tidy(() => m.predictProba(few).toFloat32Array());
    const refitBatch = fg.tidy(() => m.predictProba(many).toFloat32Array().slice(0, 15));
    refit.forEach((v, j) => expect(v).toBeCloseTo(refitBatch[j]!, 6));
    m.dispose();
    other.dispose();
  });
});
