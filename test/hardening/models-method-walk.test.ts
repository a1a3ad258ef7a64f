// Every model method that takes data, given bad data (null, strings, objects, ragged or empty
// rows, …) in place of x or y, throws a FingradError — never a TypeError or a RangeError — and
// leaves no tensors behind.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import {
  CNN1dForecaster,
  CNN2dClassifier,
  FingradError,
  LinearRegression,
  LinearSVM,
  LogisticRegression,
  MLPClassifier,
  MLPRegressor,
  RecurrentForecaster,
  VAE,
} from '../../src/index.js';

const BAD: Array<[string, unknown]> = [
  ['null', null],
  ['undefined', undefined],
  ["'3'", '3'],
  ['5', 5],
  ['NaN', NaN],
  ['{}', {}],
  ['[]', []],
  ['[[]]', [[]]],
  ['[null]', [null]],
  ['[[1, "a"]]', [[1, 'a']]],
  ['[[1], [1, 2]]', [[1], [1, 2]]],
  ['[1, 2]', [1, 2]],
  ['a Map', new Map()],
  ['a disposed tensor', null], // filled in below
];

type Call = (v: unknown) => unknown;
const calls: Array<[string, Call]> = [];

beforeAll(() => {
  const gone = fg.zeros([2, 2]);
  gone.dispose();
  (BAD[BAD.length - 1] as [string, unknown])[1] = gone;
  const x = fg.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [8, 3]);
  const y = [0, 1, 0, 1, 0, 1, 0, 1];
  const yr = [0.1, 0.5, 0.2, 0.9, 0.3, 0.4, 0.8, 0.6];
  const mlp = new MLPClassifier({ hiddenLayerSizes: [2], maxIter: 1 }).fit(x, y);
  const reg = new MLPRegressor({ hiddenLayerSizes: [2], maxIter: 1 }).fit(x, yr);
  const logit = new LogisticRegression().fit(x, y);
  const svm = new LinearSVM().fit(x, y);
  const ols = new LinearRegression().fit(x, yr);
  const vae = new VAE({ hiddenSizes: [2], maxIter: 1 }).fit(x);
  const cnn1 = new CNN1dForecaster({ filters: [2], dense: [], maxIter: 1 }).fit(fg.zeros([4, 1, 4]), [1, 2, 3, 4]);
  const cnn2 = new CNN2dClassifier({ filters: [2], dense: [], maxIter: 1 }).fit(fg.zeros([4, 1, 4, 4]), [0, 1, 0, 1]);
  const rnn = new RecurrentForecaster({ hiddenSize: 2, maxIter: 1 }).fit(fg.zeros([4, 3, 1]), [1, 2, 3, 4]);
  for (const [name, m] of [['MLPClassifier', mlp], ['LogisticRegression', logit], ['LinearSVM', svm], ['CNN2dClassifier', cnn2]] as const) {
    calls.push([`${name}.predict(bad)`, (v) => m.predict(v as never)]);
    calls.push([`${name}.predictProba(bad)`, (v) => m.predictProba(v as never)]);
    calls.push([`${name}.score(bad, y)`, (v) => m.score(v as never, y)]);
    calls.push([`${name}.fit(bad, y)`, (v) => m.fit(v as never, y)]);
  }
  calls.push(['MLPClassifier.score(x, bad)', (v) => mlp.score(x, v as never)]);
  calls.push(['MLPClassifier.fit(x, bad)', (v) => mlp.fit(x, v as never)]);
  calls.push(['LogisticRegression.score(x, bad)', (v) => logit.score(x, v as never)]);
  calls.push(['LogisticRegression.fit(x, bad)', (v) => new LogisticRegression().fit(x, v as never)]);
  calls.push(['LinearSVM.fit(x, bad)', (v) => new LinearSVM().fit(x, v as never)]);
  calls.push(['LogisticRegression.decisionFunction(bad)', (v) => logit.decisionFunction(v as never)]);
  calls.push(['LogisticRegression.predictLogProba(bad)', (v) => logit.predictLogProba(v as never)]);
  for (const [name, m] of [['MLPRegressor', reg], ['LinearRegression', ols]] as const) {
    calls.push([`${name}.predict(bad)`, (v) => m.predict(v as never)]);
    calls.push([`${name}.score(bad, y)`, (v) => m.score(v as never, yr)]);
    calls.push([`${name}.score(x, bad)`, (v) => m.score(x, v as never)]);
    calls.push([`${name}.fit(x, bad)`, (v) => m.fit(x, v as never)]);
  }
  calls.push(['CNN1dForecaster.predict(bad)', (v) => cnn1.predict(v as never)]);
  calls.push(['CNN1dForecaster.fit(bad, y)', (v) => cnn1.fit(v as never, [1, 2])]);
  calls.push(['RecurrentForecaster.predict(bad)', (v) => rnn.predict(v as never)]);
  const windows = fg.zeros([4, 3, 1]);
  calls.push(['RecurrentForecaster.fit(x, bad)', (v) => rnn.fit(windows, v as never)]);
  for (const method of ['encode', 'decode', 'reconstruct', 'anomalyScore'] as const) calls.push([`VAE.${method}(bad)`, (v) => vae[method](v as never)]);
  calls.push(['VAE.fit(bad)', (v) => vae.fit(v as never)]);
  calls.push(['VAE.sample(bad)', (v) => vae.sample(v as never)]);
  calls.push(['VAE.sample(2, bad)', (v) => vae.sample(2, v as never)]);
  calls.push(['VAE.anomalyScore(x, bad)', (v) => vae.anomalyScore(x, v as never)]);
  calls.push(['MLPClassifier.fit(x, y, bad)', (v) => mlp.fit(x, y, v as never)]);
  for (const [name, m] of [['MLPClassifier', mlp], ['MLPRegressor', reg], ['LogisticRegression', logit], ['LinearSVM', svm], ['LinearRegression', ols], ['VAE', vae], ['CNN1dForecaster', cnn1], ['CNN2dClassifier', cnn2], ['RecurrentForecaster', rnn]] as const) {
    calls.push([`${name}.forward(bad)`, (v) => fg.tidy(() => m.forward(v as never))]);
  }
});

describe('model methods given bad data', () => {
  it('throw FingradErrors only, without leaking tensors', () => {
    expect(calls.length).toBeGreaterThan(40);
    const escaped: string[] = [];
    for (const [label, call] of calls) {
      for (const [what, bad] of BAD) {
        const live = fg.memoryStats().liveTensors;
        try {
          const out = call(bad);
          if (out instanceof fg.Tensor) out.dispose();
        } catch (e) {
          if (!(e instanceof FingradError)) escaped.push(`${label.replace('bad', what)}: ${(e as Error).constructor.name}: ${(e as Error).message}`);
          else if (fg.memoryStats().liveTensors !== live) escaped.push(`${label.replace('bad', what)}: leaked ${fg.memoryStats().liveTensors - live} tensors`);
        }
      }
    }
    expect(escaped.join("\n")).toBe("");
  });
});

describe('a fit that fails while building its layers', () => {
  it('frees what it built and keeps the previous model', () => {
    const x = fg.tensor(Float32Array.from({ length: 12 }, (_, i) => i / 12), [4, 3]);
    const y = [0, 1, 0, 1];
    const cases: Array<[string, () => unknown]> = [
      ['MLPClassifier', () => new MLPClassifier({ hiddenLayerSizes: [4, 1e9], maxIter: 1 }).fit(x, y)],
      ['MLPRegressor', () => new MLPRegressor({ hiddenLayerSizes: [3, 2e9], maxIter: 1 }).fit(x, [1, 2, 3, 4])],
      ['VAE', () => new VAE({ hiddenSizes: [4, 1e9], maxIter: 1 }).fit(x)],
      ['CNN1dForecaster', () => new CNN1dForecaster({ filters: [2, 2, 2], maxIter: 1 }).fit(fg.zeros([2, 1, 4]), [1, 2])],
      ['CNN2dClassifier', () => new CNN2dClassifier({ filters: [2, 2, 2], maxIter: 1 }).fit(fg.zeros([2, 1, 4, 4]), [0, 1])],
    ];
    for (const [name, run] of cases) {
      const live = fg.memoryStats().liveTensors;
      expect(() => fg.tidy(run), name).toThrow(FingradError);
      expect(fg.memoryStats().liveTensors, `${name} leaked`).toBe(live);
    }
    const cnn = new CNN1dForecaster({ filters: [2, 2, 2], dense: [], maxIter: 1 }).fit(fg.zeros([4, 1, 16]), [1, 2, 3, 4]);
    const before = Array.from(cnn.predict(fg.ones([1, 1, 16])).toFloat32Array());
    const live = fg.memoryStats().liveTensors;
    expect(() => fg.tidy(() => cnn.fit(fg.zeros([2, 1, 4]), [1, 2]))).toThrow(/too small for 3 pooling steps/);
    expect(fg.memoryStats().liveTensors).toBe(live);
    expect(Array.from(cnn.predict(fg.ones([1, 1, 16])).toFloat32Array())).toEqual(before);
    cnn.dispose();
    x.dispose();
  });
});
