import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { delayedCopy, noisySine } from '../../src/data/synthetic.js';
import { RecurrentForecaster } from '../../src/models/recurrent-forecaster.js';
import { makeWindows } from '../../src/models/windows.js';
import type { Callback } from '../../src/train/fit.js';

const weights = (m: fg.nn.Module): Array<[string, Float32Array]> => Object.entries(m.stateDict()).map(([k, t]) => [k, t.toFloat32Array()]);

const mse = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + (v - (b[i] as number)) ** 2, 0) / a.length;

function memoryProbe(): { callback: Callback; seen: Array<{ bytes: number; tensors: number }> } {
  const seen: Array<{ bytes: number; tensors: number }> = [];
  return { seen, callback: { onEpochEnd: () => void seen.push({ bytes: fg.memoryStats().bytesInUse, tensors: fg.memoryStats().liveTensors }) } };
}

// Windows of a noisy two-frequency sine, split in time: the first 75% to train, the rest to test.
function sineWindows(window: number, horizon = 1): { xTr: fg.Tensor; yTr: fg.Tensor; xTe: fg.Tensor; yTe: fg.Tensor } {
  const { x, y } = makeWindows([noisySine({ length: 800, noise: 0.1, seed: 1 })], window, horizon);
  const nTr = Math.floor((x.shape[0] as number) * 0.75);
  return { xTr: fg.slice(x, 0, 0, nTr), yTr: fg.slice(y, 0, 0, nTr), xTe: fg.slice(x, 0, nTr), yTe: fg.slice(y, 0, nTr) };
}

describe('RecurrentForecaster', () => {
  it('an LSTM beats the persistence forecast by at least 50% in held-out MSE on a noisy multi-frequency sine', () => {
    const { xTr, yTr, xTe, yTe } = sineWindows(24);
    const model = new RecurrentForecaster({ cell: 'lstm', hiddenSize: 24, maxIter: 25, seed: 0 });
    const h = model.fit(xTr, yTr).history as fg.History;
    expect(h.epochs).toHaveLength(25);
    const pred = model.predict(xTe);
    expect(pred.shape).toEqual(yTe.shape);
    const truth = yTe.toFloat32Array();
    const persistence = mse(fg.select(fg.select(xTe, 2, 0), 1, -1).toFloat32Array(), truth);
    expect(mse(pred.toFloat32Array(), truth)).toBeLessThanOrEqual(0.5 * persistence);
    model.dispose();
  });

  it('a GRU learns the delayed-copy task: the output is the input k steps back', () => {
    const delay = 5;
    const length = 15;
    const data = delayedCopy({ n: 700, length, delay, seed: 2 });
    const y = fg.slice(data.y, 1, length - 1); // [n, 1]: the target at the last step, x[t − k]
    const xTr = fg.slice(data.x, 0, 0, 500);
    const model = new RecurrentForecaster({ cell: 'gru', hiddenSize: 24, learningRate: 0.01, maxIter: 40, seed: 1 });
    model.fit(xTr, fg.slice(y, 0, 0, 500));
    const pred = model.predict(fg.slice(data.x, 0, 500)).toFloat32Array();
    const truth = fg.slice(y, 0, 500).toFloat32Array();
    // the inputs are uniform on [−1, 1] (variance 1/3): an error of 0.01 is 3% of it
    expect(mse(pred, truth)).toBeLessThan(0.01);
    model.dispose();
  });

  it('forecasts several steps of one feature from windows of several features; an Elman RNN trains too', () => {
    const s = noisySine({ length: 400, noise: 0.05, seed: 3 });
    const companion = Float32Array.from(s, (_, t) => Math.cos((2 * Math.PI * t) / 30));
    const { x, y } = makeWindows([s, companion], 16, 3);
    expect(x.shape).toEqual([382, 16, 2]);
    const model = new RecurrentForecaster({ cell: 'rnn', hiddenSize: 16, numLayers: 2, maxIter: 12, seed: 2 });
    const h = model.fit(x, y).history as fg.History;
    expect(model.horizon).toBe(3);
    expect(model.predict(x).shape).toEqual([382, 3]);
    expect(h.history.loss?.at(-1)).toBeLessThan((h.history.loss?.[0] as number) / 3);
    // the window length is free: a recurrent model reads any number of steps
    expect(model.predict(fg.slice(x, 1, 0, 8)).shape).toEqual([382, 3]);
    model.dispose();
  });

  it('holds out the latest windows with earlyStopping and logs their loss', () => {
    const { xTr, yTr } = sineWindows(12);
    const model = new RecurrentForecaster({ cell: 'gru', hiddenSize: 8, maxIter: 6, earlyStopping: true, validationFraction: 0.2 });
    const h = model.fit(xTr, yTr).history as fg.History;
    expect(h.history.valLoss).toHaveLength(h.epochs.length);
    model.dispose();
  });

  it('gives bitwise identical weights for the same seed and data', () => {
    const { xTr, yTr } = sineWindows(10);
    const run = (seed: number): Array<[string, Float32Array]> => {
      const m = new RecurrentForecaster({ cell: 'lstm', hiddenSize: 8, numLayers: 2, dropout: 0.2, maxIter: 3, seed });
      m.fit(xTr, yTr);
      const w = weights(m);
      m.dispose();
      return w;
    };
    const a = run(5);
    expect(run(5)).toEqual(a);
    expect(run(6)).not.toEqual(a);
  });

  it('holds the same memory after every epoch as after the first', () => {
    const { xTr, yTr } = sineWindows(12);
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const probe = memoryProbe();
      const m = new RecurrentForecaster({ cell, hiddenSize: 8, maxIter: 5, earlyStopping: true, nIterNoChange: 100 });
      m.fit(xTr, yTr, { callbacks: [probe.callback] });
      expect(probe.seen).toHaveLength(5);
      for (const s of probe.seen) expect(s).toEqual(probe.seen[0]);
      m.dispose();
    }
  });

  it('names the model and the shapes in its errors', () => {
    const m = new RecurrentForecaster({ hiddenSize: 4, maxIter: 1, horizon: 2 });
    expect(() => m.predict(fg.zeros([2, 5, 1]))).toThrow(/RecurrentForecaster\.predict: the model is not fitted yet/);
    expect(() => m.fit(fg.zeros([4, 5]), fg.zeros([4, 2]))).toThrow(/RecurrentForecaster\.fit: expected x of shape \[batch, time, features\] \(batch, time, features\), got \[4, 5\]/);
    expect(() => m.fit(fg.zeros([4, 5, 1]), fg.zeros([4, 3]))).toThrow(/RecurrentForecaster\.fit: the model forecasts horizon 2 but y has 3 values per row/);
    expect(() => m.fit(fg.zeros([4, 5, 1]), fg.zeros([3, 2]))).toThrow(/RecurrentForecaster\.fit: expected y of shape \[4\] or \[4, outputs\]/);
    m.fit(fg.zeros([4, 5, 1]), fg.zeros([4, 2]));
    expect(() => m.predict(fg.zeros([4, 10, 2]))).toThrow(/RecurrentForecaster\.predict: expected x of shape \[batch, time, 1\] \(batch, time, features\), got \[4, 10, 2\]/);
    expect(() => new RecurrentForecaster({ cell: 'transformer' as 'lstm' })).toThrow(/RecurrentForecaster: cell must be one of 'lstm', 'gru', 'rnn'/);
    expect(() => new RecurrentForecaster({ hiddenSize: 0 })).toThrow(/RecurrentForecaster: hiddenSize must be an integer >= 1/);
    m.dispose();
  });
});

describe('makeWindows', () => {
  const a = [0, 1, 2, 3, 4, 5, 6];
  const b = [10, 11, 12, 13, 14, 15, 16];

  it('cuts windows of every feature and the next values of the target feature', () => {
    const { x, y } = makeWindows([a, b], 3, 2);
    expect(x.shape).toEqual([3, 3, 2]);
    expect(y.shape).toEqual([3, 2]);
    expect(x.toArray()).toEqual([
      [[0, 10], [1, 11], [2, 12]],
      [[1, 11], [2, 12], [3, 13]],
      [[2, 12], [3, 13], [4, 14]],
    ]);
    expect(y.toArray()).toEqual([[3, 4], [4, 5], [5, 6]]);
  });

  it('takes rows per time step, a single series, a stride, another target and channels-first output', () => {
    const rows = a.map((v, t) => [v, b[t] as number]);
    expect(makeWindows(rows, 3, 2, { orientation: 'rows' }).x.toArray()).toEqual(makeWindows([a, b], 3, 2).x.toArray());
    const single = makeWindows(Float32Array.from(a), 2);
    expect(single.x.shape).toEqual([5, 2, 1]);
    expect(single.y.toArray()).toEqual([[2], [3], [4], [5], [6]]);
    const strided = makeWindows([a, b], 2, 1, { stride: 2, target: 1 });
    expect(strided.x.shape).toEqual([3, 2, 2]);
    expect(strided.y.toArray()).toEqual([[12], [14], [16]]);
    const cf = makeWindows([a, b], 3, 1, { channelsFirst: true });
    expect(cf.x.shape).toEqual([4, 2, 3]);
    expect((cf.x.toArray() as number[][][])[1]).toEqual([[1, 2, 3], [11, 12, 13]]);
  });

  it('rejects short, ragged or non-finite series and bad sizes', () => {
    expect(() => makeWindows([a], 6, 2)).toThrow(/makeWindows: a series of 7 steps is too short for one window of 6 plus a horizon of 2/);
    expect(() => makeWindows([a, [1, 2]], 2)).toThrow(/makeWindows: feature 1 has 2 values but feature 0 has 7/);
    expect(() => makeWindows([[1, NaN, 3]], 1)).toThrow(/makeWindows: series has NaN at feature 0, step 1/);
    expect(() => makeWindows([a], 0)).toThrow(/makeWindows: window must be an integer >= 1/);
    expect(() => makeWindows([a], 2, 1, { target: 1 })).toThrow(/makeWindows: target must be a feature index in \[0, 1\)/);
  });
});
