import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { spirals, twoMoons } from '../../src/data/synthetic.js';
import { MLPClassifier, MLPRegressor } from '../../src/models/mlp.js';
import type { Callback } from '../../src/train/fit.js';

function split(d: { x: fg.Tensor; y: fg.Tensor }, nTrain: number): { xTr: fg.Tensor; yTr: fg.Tensor; xTe: fg.Tensor; yTe: fg.Tensor } {
  return { xTr: fg.slice(d.x, 0, 0, nTrain), yTr: fg.slice(d.y, 0, 0, nTrain), xTe: fg.slice(d.x, 0, nTrain), yTe: fg.slice(d.y, 0, nTrain) };
}

const weights = (m: fg.nn.Module): Array<[string, Float32Array]> => Object.entries(m.stateDict()).map(([k, t]) => [k, t.toFloat32Array()]);

// Records bytes in use and live tensors after every epoch.
function memoryProbe(): { callback: Callback; seen: Array<{ bytes: number; tensors: number }> } {
  const seen: Array<{ bytes: number; tensors: number }> = [];
  return {
    seen,
    callback: {
      onEpochEnd: () => {
        const s = fg.memoryStats();
        seen.push({ bytes: s.bytesInUse, tensors: s.liveTensors });
      },
    },
  };
}

describe('MLPClassifier', () => {
  it('reaches at least 97% held-out accuracy on two interleaved moons', () => {
    const { xTr, yTr, xTe, yTe } = split(twoMoons({ n: 600, noise: 0.1, seed: 1 }), 400);
    const clf = new MLPClassifier({ hiddenLayerSizes: [32, 16], learningRate: 0.01, batchSize: 32, maxIter: 200, seed: 0 });
    const history = clf.fit(xTr, yTr).history as fg.History;
    expect(clf.classes).toEqual([0, 1]);
    expect(history.history.loss?.at(-1)).toBeLessThan((history.history.loss?.[0] as number) / 5);
    expect(clf.score(xTe, yTe)).toBeGreaterThanOrEqual(0.97);

    const proba = clf.predictProba(xTe);
    expect(proba.shape).toEqual([200, 2]);
    const p = proba.toFloat32Array();
    const labels = clf.predict(xTe).toFloat32Array();
    for (let i = 0; i < 200; i++) {
      expect((p[2 * i] as number) + (p[2 * i + 1] as number)).toBeCloseTo(1, 5);
      expect(labels[i]).toBe((p[2 * i + 1] as number) > (p[2 * i] as number) ? 1 : 0);
    }
    clf.dispose();
  });

  it('classifies three spiral arms with a softmax over arbitrary integer labels given as numbers', () => {
    const d = spirals({ n: 600, classes: 3, noise: 0.03, seed: 2 });
    const { xTr, yTr, xTe, yTe } = split(d, 450);
    const relabel = (t: fg.Tensor): number[] => Array.from(t.toFloat32Array(), (k) => [7, -2, 40][k] as number);
    const clf = new MLPClassifier({ hiddenLayerSizes: [32, 32], learningRate: 0.02, batchSize: 32, maxIter: 150, seed: 1 });
    clf.fit(xTr, relabel(yTr));
    expect(clf.classes).toEqual([-2, 7, 40]);
    const proba = clf.predictProba(xTe);
    expect(proba.shape).toEqual([150, 3]);
    const rowsSum = fg.sum(proba, 1).toFloat32Array();
    rowsSum.forEach((s) => expect(s).toBeCloseTo(1, 5));
    const pred = Array.from(clf.predict(xTe).toFloat32Array());
    expect(new Set(pred).size).toBe(3);
    pred.forEach((v) => expect([-2, 7, 40]).toContain(v));
    expect(clf.score(xTe, relabel(yTe))).toBeGreaterThanOrEqual(0.9);
    clf.dispose();
  });

  it("minimises sklearn's objective: mean cross entropy + alpha/(2·batch)·Σ‖W‖²", () => {
    const { x, y } = twoMoons({ n: 64, seed: 3 });
    const alpha = 0.5;
    const losses: number[] = [];
    // A vanishing learning rate leaves the weights at their initial values: the logged loss is the objective there.
    const clf = new MLPClassifier({ hiddenLayerSizes: [5], alpha, learningRate: 1e-30, maxIter: 1, batchSize: 64, shuffle: false });
    clf.fit(x, y, { callbacks: [{ onBatchEnd: (_b, logs) => void losses.push(logs.loss as number) }] });
    const sd = clf.stateDict();
    const [w1, b1, w2, b2] = ['net.0.weight', 'net.0.bias', 'net.2.weight', 'net.2.bias'].map((k) => Array.from((sd[k] as fg.Tensor).toFloat32Array()));
    const xs = x.toFloat32Array();
    const ys = y.toFloat32Array();
    let ce = 0;
    for (let i = 0; i < 64; i++) {
      let z = (b2 as number[])[0] as number;
      for (let h = 0; h < 5; h++) {
        const a = (b1 as number[])[h] as number + ((w1 as number[])[2 * h] as number) * (xs[2 * i] as number) + ((w1 as number[])[2 * h + 1] as number) * (xs[2 * i + 1] as number);
        z += ((w2 as number[])[h] as number) * Math.max(0, a);
      }
      const pr = 1 / (1 + Math.exp(-z));
      ce -= (ys[i] === 1 ? Math.log(pr) : Math.log(1 - pr)) / 64;
    }
    const sq = [...(w1 as number[]), ...(w2 as number[])].reduce((s, v) => s + v * v, 0);
    expect(losses).toHaveLength(1);
    expect(losses[0]).toBeCloseTo(ce + (alpha / (2 * 64)) * sq, 5);
    clf.dispose();
  });

  it('shrinks the weights as alpha grows', () => {
    const { x, y } = twoMoons({ n: 200, seed: 4 });
    const norm = (alpha: number): number => {
      const clf = new MLPClassifier({ hiddenLayerSizes: [16], alpha, learningRate: 0.01, maxIter: 60, seed: 2 });
      clf.fit(x, y);
      const w = (clf.stateDict()['net.0.weight'] as fg.Tensor).toFloat32Array();
      clf.dispose();
      return Math.sqrt(w.reduce((s, v) => s + v * v, 0));
    };
    expect(norm(30)).toBeLessThan(norm(0) * 0.7);
  });

  it('stops early on the validation loss, restoring the best weights, and on a training plateau', () => {
    const { x, y } = twoMoons({ n: 300, noise: 0.3, seed: 5 });
    const clf = new MLPClassifier({ hiddenLayerSizes: [64, 64], learningRate: 0.02, maxIter: 400, earlyStopping: true, validationFraction: 0.2, nIterNoChange: 5, seed: 3 });
    const snapshots: Array<Array<[string, Float32Array]>> = [];
    const h = clf.fit(x, y, { callbacks: [{ onEpochEnd: () => void snapshots.push(weights(clf)) }] }).history as fg.History;
    expect(h.stoppedEpoch).not.toBeNull();
    expect(h.epochs.length).toBeLessThan(400);
    const val = h.history.valLoss as number[];
    expect(val).toHaveLength(h.epochs.length);
    const best = val.indexOf(Math.min(...val));
    expect(best).toBeLessThan(val.length - 1);
    expect(weights(clf)).toEqual(snapshots[best]);

    const plateau = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 500, tol: 10, nIterNoChange: 3 });
    const hp = plateau.fit(x, y).history as fg.History;
    expect(hp.epochs).toHaveLength(4); // the first epoch sets the best loss; three without a gain of 10 stop it
    expect(hp.stoppedEpoch).toBe(4);
    clf.dispose();
    plateau.dispose();
  });

  it('reports every epoch to callbacks and stops when one returns "stop"', () => {
    const { x, y } = twoMoons({ n: 100, seed: 6 });
    const seen: number[] = [];
    const clf = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 50 });
    const h = clf.fit(x, y, { callbacks: [{ onEpochEnd: (epoch, logs) => (seen.push(logs.loss as number), epoch === 7 ? 'stop' : undefined) }] }).history as fg.History;
    expect(seen).toHaveLength(7);
    expect(h.history.loss).toEqual(seen);
    clf.dispose();
  });

  it('gives bitwise identical weights for the same seed and data, different ones for another seed', () => {
    const { x, y } = twoMoons({ n: 200, seed: 7 });
    const run = (seed: number): Array<[string, Float32Array]> => {
      const clf = new MLPClassifier({ hiddenLayerSizes: [16, 8], maxIter: 15, earlyStopping: true, seed });
      clf.fit(x, y);
      const w = weights(clf);
      clf.dispose();
      return w;
    };
    const a = run(11);
    expect(run(11)).toEqual(a);
    expect(run(12)).not.toEqual(a);
  });

  it('accepts rows of numbers as well as tensors', () => {
    const { x, y } = twoMoons({ n: 120, seed: 8 });
    const a = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 20, seed: 4 });
    const b = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 20, seed: 4 });
    a.fit(x, y);
    b.fit(x.toArray() as number[][], Array.from(y.toFloat32Array()));
    expect(weights(b)).toEqual(weights(a));
    expect(b.predictProba([[0.5, 0.25]]).toFloat32Array()).toEqual(a.predictProba(fg.tensor([[0.5, 0.25]])).toFloat32Array());
    a.dispose();
    b.dispose();
  });

  it('holds the same memory after every epoch as after the first', () => {
    const { x, y } = twoMoons({ n: 300, seed: 9 });
    const probe = memoryProbe();
    const clf = new MLPClassifier({ hiddenLayerSizes: [32, 16], maxIter: 12, batchSize: 32, earlyStopping: true, nIterNoChange: 100 });
    clf.fit(x, y, { callbacks: [probe.callback] });
    expect(probe.seen).toHaveLength(12);
    for (const s of probe.seen) expect(s).toEqual(probe.seen[0]);
    clf.dispose();
  });

  it('names the model, the method and the shapes in its errors', () => {
    const clf = new MLPClassifier({ hiddenLayerSizes: [4], maxIter: 2 });
    expect(() => clf.predict([[1, 2]])).toThrow(/MLPClassifier\.predict: the model is not fitted yet/);
    expect(() => clf.fit(fg.zeros([5]), [0, 1, 0, 1, 0])).toThrow(/MLPClassifier\.fit: expected x of shape \[samples, features\] \(samples, features\), got \[5\]/);
    expect(() => clf.fit(fg.zeros([4, 2]), [0, 1, 0])).toThrow(/MLPClassifier\.fit: x has 4 rows but y has 3 values/);
    expect(() => clf.fit(fg.zeros([3, 2]), fg.zeros([3, 2]))).toThrow(/MLPClassifier\.fit: expected y of shape \[3\].*got \[3, 2\]/);
    expect(() => clf.fit(fg.zeros([3, 2]), [1, 1, 1])).toThrow(/single class/);
    expect(() => clf.fit(fg.zeros([3, 2]), [0, 0.5, 1])).toThrow(/label at row 1 is 0.5/);
    expect(() => clf.fit(fg.tensor([[0, NaN], [1, 1]], undefined, { allowNonFinite: true }), [0, 1])).toThrow(/MLPClassifier\.fit: x has NaN at row 0, column 1/);
    const { x, y } = twoMoons({ n: 20 });
    clf.fit(x, y);
    expect(() => clf.predict(fg.zeros([5, 3]))).toThrow(/MLPClassifier\.predict: expected x of shape \[samples, 2\] \(samples, features\), got \[5, 3\]/);
    expect(() => clf.score(x, fg.full([20], 9))).toThrow(/label 9 at row 0 was not seen in fit/);
    expect(() => new MLPClassifier({ hiddenLayerSizes: [0] })).toThrow(/MLPClassifier: hiddenLayerSizes\[0\] must be an integer >= 1/);
    expect(() => new MLPClassifier({ activation: 'gelu' as 'relu' })).toThrow(/MLPClassifier: activation must be one of 'relu', 'tanh', 'logistic', 'identity'/);
    expect(() => new MLPClassifier({ learningRate: 0 })).toThrow(/MLPClassifier: learningRate/);
    expect(() => new MLPClassifier({ validationFraction: 1 })).toThrow(/MLPClassifier: validationFraction/);
    clf.dispose();
  });
});

describe('MLPRegressor', () => {
  function wave(n: number, seed: number): { x: fg.Tensor; y: fg.Tensor } {
    const r = fg.dataRng(seed);
    const xs = Float32Array.from({ length: 2 * n }, () => 4 * r() - 2);
    const ys = Float32Array.from({ length: n }, (_, i) => Math.sin(2 * (xs[2 * i] as number)) + 0.5 * (xs[2 * i + 1] as number) ** 2);
    return { x: fg.tensor(xs, [n, 2]), y: fg.tensor(ys, [n]) };
  }

  it('fits a smooth nonlinear function (held-out R² > 0.95) and predicts [n] for a flat target', () => {
    const tr = wave(600, 1);
    const te = wave(200, 2);
    const reg = new MLPRegressor({ hiddenLayerSizes: [64, 32], activation: 'tanh', learningRate: 0.01, batchSize: 32, maxIter: 150, seed: 1 });
    reg.fit(tr.x, tr.y);
    const pred = reg.predict(te.x);
    expect(pred.shape).toEqual([200]);
    expect(reg.score(te.x, te.y)).toBeGreaterThan(0.95);
    reg.dispose();
  });

  it('predicts several outputs at once as [n, outputs]', () => {
    const { x, y } = wave(300, 3);
    const y2 = fg.stack([y, y.mul(-2)], 1);
    const reg = new MLPRegressor({ hiddenLayerSizes: [32], learningRate: 0.01, maxIter: 80, seed: 2 });
    reg.fit(x, y2);
    const pred = reg.predict(x);
    expect(pred.shape).toEqual([300, 2]);
    expect(reg.score(x, y2)).toBeGreaterThan(0.8);
    reg.dispose();
  });

  it('minimises ½·MSE (+ the L2 term): the logged loss at the initial weights', () => {
    const { x, y } = wave(32, 4);
    const losses: number[] = [];
    const reg = new MLPRegressor({ hiddenLayerSizes: [], alpha: 0, learningRate: 1e-30, maxIter: 1, batchSize: 32, shuffle: false });
    reg.fit(x, y, { callbacks: [{ onBatchEnd: (_b, logs) => void losses.push(logs.loss as number) }] });
    const sd = reg.stateDict();
    const w = (sd['net.0.weight'] as fg.Tensor).toFloat32Array();
    const b = (sd['net.0.bias'] as fg.Tensor).item();
    const xs = x.toFloat32Array();
    const ys = y.toFloat32Array();
    let se = 0;
    for (let i = 0; i < 32; i++) se += ((w[0] as number) * (xs[2 * i] as number) + (w[1] as number) * (xs[2 * i + 1] as number) + b - (ys[i] as number)) ** 2;
    expect(losses[0]).toBeCloseTo((0.5 * se) / 32, 5);
    reg.dispose();
  });

  it('holds the same memory after every epoch as after the first', () => {
    const { x, y } = wave(200, 5);
    const probe = memoryProbe();
    const reg = new MLPRegressor({ hiddenLayerSizes: [16], maxIter: 10, batchSize: 16 });
    reg.fit(x, y, { callbacks: [probe.callback] });
    expect(probe.seen).toHaveLength(10);
    for (const s of probe.seen) expect(s).toEqual(probe.seen[0]);
    reg.dispose();
  });

  it('checks targets against the rows of x', () => {
    const reg = new MLPRegressor({ maxIter: 1 });
    expect(() => reg.fit(fg.zeros([4, 2]), fg.zeros([3]))).toThrow(/MLPRegressor\.fit: expected y of shape \[4\] or \[4, outputs\].*got \[3\]/);
    expect(() => reg.fit(fg.zeros([2, 2]), [[1, 2], [3]])).toThrow(/MLPRegressor\.fit: y row 1 has 1 values but row 0 has 2/);
    expect(() => reg.fit(fg.zeros([2, 2]), [1, NaN])).toThrow(/MLPRegressor\.fit: y has NaN at row 1/);
  });
});
