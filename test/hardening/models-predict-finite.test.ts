// Every model refuses NaN and ±Infinity in what it predicts on — predict, predictProba,
// predictLogProba, decisionFunction, score, and the VAE's encode/decode/reconstruct/
// anomalyScore — with one message for all of them: the model, the method, the value, the row
// and the column (and, for images and windows, the position by dimension name). Before, the
// deep models returned class 0 for a NaN row.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import {
  CNN1dForecaster,
  CNN2dClassifier,
  LinearRegression,
  LinearSVM,
  LogisticRegression,
  MLPClassifier,
  MLPRegressor,
  RecurrentForecaster,
  VAE,
  ValueError,
} from '../../src/index.js';

// Deterministic, finite data of a shape; `poison` puts `bad` at one flat index.
function data(shape: number[], seed = 1): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + seed));
}
const labels = (n: number): number[] => Array.from({ length: n }, (_, i) => i % 2);
const BAD = [NaN, Infinity, -Infinity];

// A flat index of `shape` from its position; and nested arrays of a flat buffer.
const flatIndex = (shape: number[], at: number[]): number => at.reduce((acc, i, d) => acc * (shape[d] as number) + i, 0);
function nest(values: Float32Array, shape: number[]): unknown {
  if (shape.length === 1) return Array.from(values);
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] as number }, (_, i) => nest(values.subarray(i * inner, (i + 1) * inner), shape.slice(1)));
}

interface Case {
  model: string;
  method: string;
  call: (x: unknown) => unknown;
  shape: number[];
  /** Where the bad value goes, and how the message must name it after "at ". */
  at: number[];
  place: string;
}

const cases: Case[] = [];
const fitted: Record<string, unknown> = {};

beforeAll(() => {
  const tab = [8, 3];
  const x2 = fg.tensor(data(tab), tab);
  const y = labels(8);
  const mlpC = new MLPClassifier({ hiddenLayerSizes: [4], maxIter: 2 }).fit(x2, y);
  const mlpR = new MLPRegressor({ hiddenLayerSizes: [4], maxIter: 2 }).fit(x2, Array.from(data([8], 3)));
  const logit = new LogisticRegression().fit(x2, y);
  const svm = new LinearSVM().fit(x2, y);
  const ols = new LinearRegression().fit(x2, Array.from(data([8], 2)));
  const vae = new VAE({ hiddenSizes: [4], maxIter: 2 }).fit(x2);
  const seq = [8, 2, 6];
  const cnn1 = new CNN1dForecaster({ filters: [2], dense: [], maxIter: 1 }).fit(fg.tensor(data(seq), seq), Array.from(data([8], 4)));
  const img = [8, 1, 4, 4];
  const cnn2 = new CNN2dClassifier({ filters: [2], dense: [], maxIter: 1 }).fit(fg.tensor(data(img), img), y);
  const win = [8, 5, 2];
  const rnn = new RecurrentForecaster({ hiddenSize: 3, maxIter: 1 }).fit(fg.tensor(data(win), win), Array.from(data([8], 5)));
  Object.assign(fitted, { mlpC, mlpR, logit, svm, ols, vae, cnn1, cnn2, rnn });
  const rows = (model: string, method: string, call: (x: unknown) => unknown, shape = [5, 3]): void => {
    cases.push({ model, method, call, shape, at: [3, 2], place: 'row 3, column 2' });
    cases.push({ model, method, call, shape, at: [0, 0], place: 'row 0, column 0' });
  };
  rows('MLPClassifier', 'predict', (x) => mlpC.predict(x as never));
  rows('MLPClassifier', 'predictProba', (x) => mlpC.predictProba(x as never));
  rows('MLPClassifier', 'score', (x) => mlpC.score(x as never, labels(5)));
  rows('MLPRegressor', 'predict', (x) => mlpR.predict(x as never));
  rows('MLPRegressor', 'score', (x) => mlpR.score(x as never, Array.from(data([5]))));
  rows('LogisticRegression', 'predict', (x) => logit.predict(x as never));
  rows('LogisticRegression', 'predictProba', (x) => logit.predictProba(x as never));
  rows('LogisticRegression', 'predictLogProba', (x) => logit.predictLogProba(x as never));
  rows('LogisticRegression', 'decisionFunction', (x) => logit.decisionFunction(x as never));
  rows('LinearSVM', 'predict', (x) => svm.predict(x as never));
  rows('LinearSVM', 'predictProba', (x) => svm.predictProba(x as never));
  rows('LinearSVM', 'decisionFunction', (x) => svm.decisionFunction(x as never));
  rows('LogisticRegression', 'score', (x) => logit.score(x as never, labels(5)));
  rows('LinearSVM', 'score', (x) => svm.score(x as never, labels(5)));
  rows('LinearRegression', 'predict', (x) => ols.predict(x as never));
  rows('LinearRegression', 'score', (x) => ols.score(x as never, Array.from(data([5]))));
  rows('VAE', 'encode', (x) => vae.encode(x as never));
  rows('VAE', 'reconstruct', (x) => vae.reconstruct(x as never));
  rows('VAE', 'anomalyScore', (x) => vae.anomalyScore(x as never));
  cases.push({ model: 'VAE', method: 'decode', call: (z) => vae.decode(z as never), shape: [4, 2], at: [2, 1], place: 'row 2, column 1' });
  cases.push({ model: 'CNN1dForecaster', method: 'predict', call: (x) => cnn1.predict(x as never), shape: [3, 2, 6], at: [1, 1, 4], place: 'row 1, column 10 (channels 1, time 4)' });
  cases.push({ model: 'CNN2dClassifier', method: 'predict', call: (x) => cnn2.predict(x as never), shape: [3, 1, 4, 4], at: [2, 0, 3, 1], place: 'row 2, column 13 (channels 0, height 3, width 1)' });
  cases.push({ model: 'CNN2dClassifier', method: 'predictProba', call: (x) => cnn2.predictProba(x as never), shape: [3, 1, 4, 4], at: [0, 0, 0, 0], place: 'row 0, column 0 (channels 0, height 0, width 0)' });
  cases.push({ model: 'CNN2dClassifier', method: 'score', call: (x) => cnn2.score(x as never, labels(3)), shape: [3, 1, 4, 4], at: [1, 0, 2, 2], place: 'row 1, column 10 (channels 0, height 2, width 2)' });
  cases.push({ model: 'RecurrentForecaster', method: 'predict', call: (x) => rnn.predict(x as never), shape: [4, 5, 2], at: [3, 4, 1], place: 'row 3, column 9 (time 4, features 1)' });
  x2.dispose();
});

describe('predict-type methods reject non-finite input, naming the row and the column', () => {
  it('covers every model and method (the table is complete)', () => {
    const models = new Set(cases.map((c) => c.model));
    expect([...models].sort()).toEqual(['CNN1dForecaster', 'CNN2dClassifier', 'LinearRegression', 'LinearSVM', 'LogisticRegression', 'MLPClassifier', 'MLPRegressor', 'RecurrentForecaster', 'VAE']);
  });

  it('tensor input (made with allowNonFinite): NaN, Infinity and -Infinity', () => {
    expect(cases.length).toBeGreaterThan(30);
    for (const c of cases) {
      for (const bad of BAD) {
        const values = data(c.shape);
        values[flatIndex(c.shape, c.at)] = bad;
        const x = fg.tensor(values, c.shape, { allowNonFinite: true });
        const live = fg.memoryStats().liveTensors;
        const run = (): unknown => c.call(x);
        const message = `${c.model}.${c.method}: x has ${bad} at ${c.place}; inputs must be finite numbers`;
        expect(run, message).toThrow(ValueError);
        expect(run, message).toThrow(message);
        expect(fg.memoryStats().liveTensors, `${c.model}.${c.method} leaks on failure`).toBe(live);
        x.dispose();
      }
    }
  });

  it('nested-array input names the same place', () => {
    for (const c of cases) {
      const values = data(c.shape);
      values[flatIndex(c.shape, c.at)] = NaN;
      const live = fg.memoryStats().liveTensors;
      expect(() => c.call(nest(values, c.shape)), `${c.model}.${c.method}`).toThrow(`${c.model}.${c.method}: x has NaN at ${c.place}`);
      expect(fg.memoryStats().liveTensors).toBe(live);
    }
  });

  it('values beyond float32 become Infinity on the way in and are refused too', () => {
    const rows = [[1, 2, 3], [1, 1e39, 3]];
    expect(() => (fitted['logit'] as LogisticRegression).predict(rows)).toThrow('LogisticRegression.predict: x has 1e+39 at row 1, column 1, beyond the float32 range');
    expect(() => (fitted['mlpC'] as MLPClassifier).predict(rows)).toThrow('MLPClassifier.predict: x has 1e+39 at row 1, column 1, beyond the float32 range');
  });

  it('finite input still predicts, and the same models give finite answers', () => {
    for (const c of cases) {
      const x = fg.tensor(data(c.shape), c.shape);
      const out = c.call(x);
      const tensors = out instanceof fg.Tensor ? [out] : typeof out === 'number' ? [] : Object.values(out as object);
      for (const t of tensors as fg.Tensor[]) {
        expect(Array.from(t.toFloat32Array()).every(Number.isFinite), `${c.model}.${c.method}`).toBe(true);
        t.dispose();
      }
      if (typeof out === 'number') expect(Number.isFinite(out)).toBe(true);
      x.dispose();
    }
  });

  it('score: accuracy and R² as sklearn defines them, y checked like fit’s', () => {
    const logit = fitted['logit'] as LogisticRegression;
    const x = fg.tensor(data([6, 3], 9), [6, 3]);
    const y = [0, 1, 1, 0, 1, 0];
    const pred = Array.from(logit.predict(x).toFloat32Array());
    expect(logit.score(x, y)).toBe(pred.filter((v, i) => v === y[i]).length / 6);
    expect(() => logit.score(x, [0, 1, 1, 0, 1, NaN])).toThrow('LogisticRegression.score: y has NaN at row 5');
    expect(() => logit.score(x, [0, 1, 7, 0, 1, 0])).toThrow('LogisticRegression.score: label 7 at row 2 was not seen in fit');
    const ols = fitted['ols'] as LinearRegression;
    const truth = Array.from(data([6], 11));
    const p = Array.from(ols.predict(x).toFloat32Array());
    const mean = truth.reduce((a, b) => a + b, 0) / 6;
    const r2 = 1 - truth.reduce((a, t, i) => a + (t - (p[i] as number)) ** 2, 0) / truth.reduce((a, t) => a + (t - mean) ** 2, 0);
    expect(ols.score(x, truth)).toBeCloseTo(r2, 10);
    expect(ols.score(x, p)).toBe(1);
    expect(() => ols.score(x, [[1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2]])).toThrow('LinearRegression.score: the model predicts 1 target(s) per row but y has 2');
    x.dispose();
  });

  it('fit refuses non-finite x and y the same way, and the model stays unfitted', () => {
    const x = [[0, 1], [1, NaN], [1, 1], [0, 0]];
    for (const [name, m] of [
      ['MLPClassifier', new MLPClassifier({ maxIter: 1 })],
      ['LogisticRegression', new LogisticRegression()],
      ['LinearSVM', new LinearSVM()],
    ] as const) {
      expect(() => m.fit(x, [0, 1, 1, 0])).toThrow(`${name}.fit: x has NaN at row 1, column 1`);
      expect(m.isFitted).toBe(false);
    }
    const reg = new MLPRegressor({ maxIter: 1 });
    expect(() => reg.fit([[0], [1]], [[1], [Infinity]])).toThrow('MLPRegressor.fit: y has Infinity at row 1, column 0');
    expect(() => reg.fit(fg.tensor([[0], [1]]), fg.tensor([1, NaN], undefined, { allowNonFinite: true }))).toThrow('MLPRegressor.fit: y has NaN at row 1');
    expect(() => new VAE({ maxIter: 1 }).fit([[0, -Infinity]])).toThrow('VAE.fit: x has -Infinity at row 0, column 1');
    expect(() => new LinearRegression().fit([[0], [1]], [0, NaN])).toThrow('LinearRegression.fit: y has NaN at row 1');
  });
});
