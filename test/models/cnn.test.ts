import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { barsAndCrosses, noisySine } from '../../src/data/synthetic.js';
import { CNN1dForecaster, CNN2dClassifier } from '../../src/models/cnn.js';
import { makeWindows } from '../../src/models/windows.js';
import type { Callback } from '../../src/train/fit.js';

const weights = (m: fg.nn.Module): Array<[string, Float32Array]> => Object.entries(m.stateDict()).map(([k, t]) => [k, t.toFloat32Array()]);

const mse = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + (v - (b[i] as number)) ** 2, 0) / a.length;

function memoryProbe(): { callback: Callback; seen: Array<{ bytes: number; tensors: number }> } {
  const seen: Array<{ bytes: number; tensors: number }> = [];
  return { seen, callback: { onEpochEnd: () => void seen.push({ bytes: fg.memoryStats().bytesInUse, tensors: fg.memoryStats().liveTensors }) } };
}

describe('CNN1dForecaster', () => {
  it('beats the persistence forecast by at least 50% in held-out MSE on a noisy multi-frequency sine', () => {
    const { x, y } = makeWindows([noisySine({ length: 800, noise: 0.1, seed: 1 })], 24, 1, { channelsFirst: true });
    expect(x.shape).toEqual([776, 1, 24]);
    const nTr = 582;
    const xTe = fg.slice(x, 0, nTr);
    const model = new CNN1dForecaster({ filters: [16, 32], kernelSize: 3, dense: [32], maxIter: 25, seed: 0 });
    model.fit(fg.slice(x, 0, 0, nTr), fg.slice(y, 0, 0, nTr));
    const pred = model.predict(xTe);
    expect(pred.shape).toEqual([194, 1]);
    const truth = fg.slice(y, 0, nTr).toFloat32Array();
    const persistence = mse(fg.select(fg.select(xTe, 1, 0), 1, -1).toFloat32Array(), truth);
    expect(mse(pred.toFloat32Array(), truth)).toBeLessThanOrEqual(0.5 * persistence);
    model.dispose();
  });

  it('takes several channels, forecasts several steps, and trains with average pooling, tanh and dropout', () => {
    const s = noisySine({ length: 300, noise: 0.05, seed: 2 });
    const lagged = Float32Array.from(s, (_, t) => s[Math.max(0, t - 1)] as number);
    const { x, y } = makeWindows([s, lagged], 16, 3, { channelsFirst: true });
    const model = new CNN1dForecaster({ filters: [8], kernelSize: [5], pool: 'avg', activation: 'tanh', dense: [16, 8], dropout: 0.1, maxIter: 15, seed: 1 });
    const h = model.fit(x, y).history as fg.History;
    expect(model.predict(x).shape).toEqual([282, 3]);
    expect(h.history.loss?.at(-1)).toBeLessThan((h.history.loss?.[0] as number) / 3);
    const keys = Object.keys(model.stateDict());
    expect(keys).toEqual(['features.0.weight', 'features.0.bias', 'head.2.weight', 'head.2.bias', 'head.5.weight', 'head.5.bias', 'head.8.weight', 'head.8.bias']);
    model.dispose();
  });

  it('gives bitwise identical weights for the same seed and data (dropout included)', () => {
    const { x, y } = makeWindows([noisySine({ length: 200, seed: 3 })], 12, 1, { channelsFirst: true });
    const run = (seed: number): Array<[string, Float32Array]> => {
      const m = new CNN1dForecaster({ filters: [4, 4], dense: [8], dropout: 0.3, maxIter: 3, seed });
      m.fit(x, y);
      const w = weights(m);
      m.dispose();
      return w;
    };
    const a = run(4);
    expect(run(4)).toEqual(a);
    expect(run(5)).not.toEqual(a);
  });

  it('holds the same memory after every epoch as after the first', () => {
    const { x, y } = makeWindows([noisySine({ length: 300, seed: 4 })], 16, 2, { channelsFirst: true });
    const probe = memoryProbe();
    const m = new CNN1dForecaster({ filters: [8, 8], dropout: 0.2, maxIter: 6, earlyStopping: true, nIterNoChange: 100 });
    m.fit(x, y, { callbacks: [probe.callback] });
    expect(probe.seen).toHaveLength(6);
    for (const s of probe.seen) expect(s).toEqual(probe.seen[0]);
    m.dispose();
  });

  it('names the model and the shapes in its errors', () => {
    const m = new CNN1dForecaster({ filters: [4], maxIter: 1 });
    expect(() => m.fit(fg.zeros([4, 10]), fg.zeros([4]))).toThrow(/CNN1dForecaster\.fit: expected x of shape \[batch, channels, time\] \(batch, channels, time\), got \[4, 10\]/);
    m.fit(fg.zeros([4, 2, 10]), fg.zeros([4]));
    expect(m.predict(fg.zeros([3, 2, 10])).shape).toEqual([3]);
    expect(() => m.predict(fg.zeros([3, 2, 12]))).toThrow(/CNN1dForecaster\.predict: expected x of shape \[batch, 2, 10\] \(batch, channels, time\), got \[3, 2, 12\]/);
    expect(() => new CNN1dForecaster({ filters: [4, 4], kernelSize: [3] })).toThrow(/CNN1dForecaster: kernelSize has 1 entries but there are 2 layers/);
    expect(() => new CNN1dForecaster({ pool: 'min' as 'max' })).toThrow(/CNN1dForecaster: pool must be one of 'max', 'avg', 'none'/);
    const small = new CNN1dForecaster({ filters: [4, 4, 4], maxIter: 1 });
    expect(() => small.fit(fg.zeros([2, 1, 4]), fg.zeros([2]))).toThrow(/CNN1dForecaster: an input of size 4 is too small for 3 pooling steps of 2/);
    m.dispose();
  });
});

describe('CNN2dClassifier', () => {
  it('reaches at least 95% held-out accuracy on bars versus crosses', () => {
    const { x, y } = barsAndCrosses({ n: 800, size: 12, noise: 0.2, seed: 3 });
    const model = new CNN2dClassifier({ filters: [8, 16], dense: [32], maxIter: 20, seed: 0 });
    const h = model.fit(fg.slice(x, 0, 0, 600), fg.slice(y, 0, 0, 600)).history as fg.History;
    expect(h.epochs).toHaveLength(20);
    expect(model.classes).toEqual([0, 1]);
    const xTe = fg.slice(x, 0, 600);
    expect(model.score(xTe, fg.slice(y, 0, 600))).toBeGreaterThanOrEqual(0.95);
    const proba = model.predictProba(xTe);
    expect(proba.shape).toEqual([200, 2]);
    fg.sum(proba, 1).toFloat32Array().forEach((s) => expect(s).toBeCloseTo(1, 5));
    expect(model.predict(xTe).shape).toEqual([200]);
    model.dispose();
  });

  it('handles more than two classes with a softmax head', () => {
    const r = fg.dataRng(1);
    const n = 60;
    const labels = Array.from({ length: n }, (_, i) => [3, 5, 8][i % 3] as number);
    // class k lights up row k of a 6×6 image
    const px = new Float32Array(n * 36);
    labels.forEach((lab, i) => {
      const row = [3, 5, 8].indexOf(lab) * 2;
      for (let c = 0; c < 6; c++) px[i * 36 + row * 6 + c] = 1;
      for (let p = 0; p < 36; p++) px[i * 36 + p] = (px[i * 36 + p] as number) + 0.1 * (r() - 0.5);
    });
    const x = fg.tensor(px, [n, 1, 6, 6]);
    const model = new CNN2dClassifier({ filters: [4], dense: [], maxIter: 40, learningRate: 0.01, seed: 2 });
    model.fit(x, labels);
    expect(model.classes).toEqual([3, 5, 8]);
    expect(model.predictProba(x).shape).toEqual([n, 3]);
    expect(model.score(x, labels)).toBe(1);
    model.dispose();
  });

  it('gives bitwise identical weights for the same seed and data', () => {
    const { x, y } = barsAndCrosses({ n: 100, size: 8, seed: 5 });
    const run = (): Array<[string, Float32Array]> => {
      const m = new CNN2dClassifier({ filters: [4], dense: [8], dropout: 0.2, maxIter: 2, earlyStopping: true, seed: 9 });
      m.fit(x, y);
      const w = weights(m);
      m.dispose();
      return w;
    };
    expect(run()).toEqual(run());
  });

  it('holds the same memory after every epoch as after the first', () => {
    const { x, y } = barsAndCrosses({ n: 200, size: 10, seed: 6 });
    const probe = memoryProbe();
    const m = new CNN2dClassifier({ filters: [4, 8], maxIter: 6, earlyStopping: true, nIterNoChange: 100 });
    m.fit(x, y, { callbacks: [probe.callback] });
    expect(probe.seen).toHaveLength(6);
    for (const s of probe.seen) expect(s).toEqual(probe.seen[0]);
    m.dispose();
  });

  it('names the model and the shapes in its errors', () => {
    const m = new CNN2dClassifier({ filters: [4], maxIter: 1 });
    expect(() => m.predictProba(fg.zeros([1, 1, 8, 8]))).toThrow(/CNN2dClassifier\.predictProba: the model is not fitted yet/);
    expect(() => m.fit(fg.zeros([4, 8, 8]), [0, 1, 0, 1])).toThrow(/CNN2dClassifier\.fit: expected x of shape \[batch, channels, height, width\].*got \[4, 8, 8\]/);
    m.fit(fg.zeros([4, 1, 8, 8]), [0, 1, 0, 1]);
    expect(() => m.predict(fg.zeros([2, 3, 8, 8]))).toThrow(/CNN2dClassifier\.predict: expected x of shape \[batch, 1, 8, 8\] \(batch, channels, height, width\), got \[2, 3, 8, 8\]/);
    const deep = new CNN2dClassifier({ filters: [2, 2, 2], maxIter: 1 });
    expect(() => deep.fit(fg.zeros([2, 1, 4, 4]), [0, 1])).toThrow(/CNN2dClassifier: an input of size 4×4 is too small for 3 pooling steps of 2 \(block 3 sees 1×1\)/);
    m.dispose();
  });
});
