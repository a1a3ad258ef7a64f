import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { Module } from '../../src/nn/module.js';
import { evaluate, fit, predict } from '../../src/train/index.js';

class TinyNet extends Module {
  w1: fg.Tensor;
  b1: fg.Tensor;
  w2: fg.Tensor;
  b2: fg.Tensor;
  constructor(seed: number) {
    super();
    const g = new fg.Generator(seed);
    this.w1 = this.registerParameter('w1', fg.uniform([8, 2], -0.7, 0.7, { generator: g }));
    this.b1 = this.registerParameter('b1', fg.zeros([8]));
    this.w2 = this.registerParameter('w2', fg.uniform([1, 8], -0.3, 0.3, { generator: g }));
    this.b2 = this.registerParameter('b2', fg.zeros([1]));
  }
  forward(x: fg.Tensor): fg.Tensor {
    return fg.linear(fg.tanh(fg.linear(x, this.w1, this.b1)), this.w2, this.b2);
  }
}

// Two Gaussian blobs: label 1 when x0 + x1 > 0 (plus a little noise).
function blobs(n: number, seed: number): fg.Dataset {
  const r = fg.dataRng(seed);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = r() * 4 - 2;
    x[2 * i + 1] = r() * 4 - 2;
    y[i] = (x[2 * i] as number) + (x[2 * i + 1] as number) + 0.2 * (r() - 0.5) > 0 ? 1 : 0;
  }
  return { x: fg.keep(fg.tensor(x, [n, 2])), y: fg.keep(fg.tensor(y, [n, 1])) };
}

describe('fit', () => {
  it('trains, reports loss and metrics per epoch, and holds out validation rows', () => {
    const data = blobs(400, 1);
    const model = new TinyNet(1);
    const history = fit(model, data, {
      epochs: 15, batchSize: 32, lossFn: fg.bceWithLogits, optimizer: new fg.optim.Adam(model.parameters(), { lr: 0.05 }),
      metrics: ['accuracy', 'auc'], validationSplit: 0.25, seed: 3,
    });
    expect(history.epochs).toHaveLength(15);
    const loss = history.history.loss as number[];
    expect(loss[14]).toBeLessThan((loss[0] as number) * 0.5);
    expect(history.history.valAccuracy?.[14]).toBeGreaterThan(0.9);
    expect(history.history.auc?.[14]).toBeGreaterThan(0.95);
    const ev = evaluate(model, data, { lossFn: fg.bceWithLogits, metrics: ['accuracy'] });
    expect(ev.accuracy).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('gives bitwise the same weights for the same seed and data', () => {
    const data = blobs(200, 2);
    const run = (): Float32Array[] => {
      const model = new TinyNet(7);
      fit(model, data, { epochs: 3, batchSize: 16, lossFn: fg.bceWithLogits, optimizer: new fg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), seed: 11 });
      const w = model.parameters().map((p) => p.toFloat32Array());
      model.dispose();
      return w;
    };
    const a = run();
    const b = run();
    a.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from((b[i] as Float32Array).buffer))).toBe(true));
  });

  it('stops early when the monitored value stalls, and can restore the best weights', () => {
    const data = blobs(100, 3);
    const model = new TinyNet(2);
    const history = fit(model, data, {
      epochs: 50, lossFn: fg.mseLoss, optimizer: new fg.optim.SGD(model.parameters(), { lr: 0 }),
      earlyStopping: { monitor: 'loss', patience: 2, restoreBestWeights: true },
    });
    expect(history.stoppedEpoch).toBe(3);
    expect(history.epochs).toHaveLength(3);
    model.dispose();
  });

  it('calls callbacks in order and stops when one asks', () => {
    const data = blobs(64, 4);
    const model = new TinyNet(3);
    const seen: string[] = [];
    fit(model, data, {
      epochs: 10, batchSize: 32, lossFn: fg.mseLoss, optimizer: new fg.optim.SGD(model.parameters(), { lr: 0.01 }),
      callbacks: [{
        onTrainBegin: () => seen.push('begin'),
        onEpochBegin: (e) => seen.push(`e${e}`),
        onBatchEnd: (b) => seen.push(`b${b}`),
        onEpochEnd: (e) => (seen.push(`end${e}`), e === 2 ? 'stop' : undefined),
        onTrainEnd: () => seen.push('done'),
      }],
    });
    expect(seen).toEqual(['begin', 'e1', 'b0', 'b1', 'end1', 'e2', 'b0', 'b1', 'end2', 'done']);
    model.dispose();
  });

  it('uses no more memory after the last epoch than after the first', () => {
    const data = blobs(256, 5);
    const model = new TinyNet(4);
    const opt = new fg.optim.Adam(model.parameters(), { lr: 0.01 });
    const stats: fg.MemoryStats[] = [];
    fit(model, data, {
      epochs: 6, batchSize: 50, lossFn: fg.bceWithLogits, optimizer: opt, validationSplit: 0.2, metrics: ['accuracy'],
      callbacks: [{ onEpochEnd: () => void stats.push(fg.memoryStats()) }],
    });
    expect(stats[5]?.bytesInUse).toBe(stats[0]?.bytesInUse);
    expect(stats[5]?.liveTensors).toBe(stats[0]?.liveTensors);
    model.dispose();
    opt.dispose();
  });

  it('predicts in batches exactly as one forward pass, without leaking', () => {
    const data = blobs(300, 6);
    const model = new TinyNet(5);
    const before = fg.memoryStats().liveTensors;
    const batched = predict(model, data.x, { batchSize: 64 });
    expect(fg.memoryStats().liveTensors).toBe(before + 1);
    const whole = fg.noGrad(() => model.forward(data.x));
    expect(batched.shape).toEqual([300, 1]);
    expect(Array.from(batched.toFloat32Array())).toEqual(Array.from(whole.toFloat32Array()));
    expect(batched.requiresGrad).toBe(false);
    batched.dispose();
    whole.dispose();
    model.dispose();
  });

  it('explains bad input', () => {
    const model = new TinyNet(6);
    const opt = new fg.optim.SGD(model.parameters(), { lr: 1e30 });
    const x = fg.keep(fg.randn([10, 2]));
    expect(() => fit(model, { x, y: fg.keep(fg.zeros([9, 1])) }, { lossFn: fg.mseLoss, optimizer: opt })).toThrow(/fit: x \[10, 2\] and y \[9, 1\] must have the same number of rows/);
    expect(() => fit(model, { x, y: fg.keep(fg.ones([10, 1])) }, { lossFn: fg.mseLoss, optimizer: opt, epochs: 5, batchSize: 2 })).toThrow(/fit: the loss became (NaN|Infinity) at epoch \d+, batch \d+/);
    expect(() => fit(model, { x, y: x }, { lossFn: 'nope' as never, optimizer: opt })).toThrow(/fit: lossFn must be a loss function such as fg.mseLoss/);
    expect(() => fit(model, { x, y: x }, { lossFn: 'mse' as never, optimizer: opt })).toThrow("fit: lossFn must be fg.mseLoss, got string \"mse\"; loss names are the Keras surface's: fg.keras.Sequential's model.compile({ loss: 'mse', … })");
    model.dispose();
  });
});
