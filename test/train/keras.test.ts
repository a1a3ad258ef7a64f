import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

function xor(n: number, seed: number): { x: number[][]; y: number[][] } {
  const r = fg.dataRng(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = r() * 2 - 1;
    const b = r() * 2 - 1;
    x.push([a, b]);
    y.push([a * b > 0 ? 1 : 0]);
  }
  return { x, y };
}

describe('Keras-like Sequential', () => {
  it('compile / fit / evaluate / predict on nested arrays', () => {
    fg.manualSeed(5);
    const train = xor(400, 1);
    const test = xor(200, 2);
    const model = new fg.keras.Sequential(new fg.nn.Linear(2, 16), new fg.nn.Tanh(), new fg.nn.Linear(16, 1), new fg.nn.Sigmoid());
    model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.03, metrics: ['accuracy'] });
    const before = fg.memoryStats().liveTensors;
    const history = model.fit(train.x, train.y, { epochs: 60, batchSize: 32, validationSplit: 0.2, seed: 1 });
    expect(history.history.loss?.at(-1)).toBeLessThan((history.history.loss?.[0] as number) / 2);
    expect(history.history.valAccuracy).toHaveLength(60);
    const ev = model.evaluate(test.x, test.y);
    expect(ev.accuracy).toBeGreaterThan(0.9);
    const p = model.predict(test.x);
    expect(p.shape).toEqual([200, 1]);
    const probs = p.toFloat32Array();
    expect(probs.every((v) => v >= 0 && v <= 1)).toBe(true);
    p.dispose();
    // the optimizer's state (2 buffers per parameter) is the only thing fit left alive
    expect(fg.memoryStats().liveTensors).toBe(before + 2 * model.parameters().length);
    model.dispose();
  });

  it('prints one line per epoch with verbose: 1', () => {
    const model = new fg.keras.Sequential(new fg.nn.Linear(2, 1));
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => void lines.push(s);
    try {
      model.fit([[0, 1], [1, 0]], [[1], [0]], { epochs: 3, verbose: 1 });
    } finally {
      console.log = log;
    }
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^Epoch 3\/3 - [\d.]+s - loss: [\d.]+$/);
    model.dispose();
  });

  it('asks for compile before fit', () => {
    const model = new fg.keras.Sequential(new fg.nn.Linear(2, 1));
    expect(() => model.fit([[1, 2]], [[1]])).toThrow(/fit: call model.compile\(\{loss, optimizer\}\) first/);
    expect(() => model.compile({ loss: 'mse', optimizer: 'nadam' as never })).toThrow(/unknown optimizer 'nadam'/);
    model.dispose();
  });

  it('checks its options like every other options object', () => {
    const model = new fg.keras.Sequential(new fg.nn.Linear(2, 1));
    expect(() => model.compile({ loss: 'mse', optimizer: 'adam', lr: 0.1 } as never)).toThrow(fg.UnknownOptionError);
    expect(() => model.compile({ loss: 'mse', optimizer: 'adam', lr: 0.1 } as never)).toThrow(/learningRate/);
    expect(() => model.compile({ loss: 'mse' } as never)).toThrow(/need a loss and an optimizer/);
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const before = model.parameters().map((p) => Array.from(p.data));
    expect(() => model.fit([[1, 2]], [[1]], { epoch: 3 } as never)).toThrow(/did you mean 'epochs'/);
    expect(() => model.fit([[1, 2]], [[1]], { batch_size: 3 } as never)).toThrow(/batchSize/);
    expect(() => model.fit([[1, 2]], [[1]], { epochs: 0 })).toThrow(fg.ArgumentError);
    expect(() => model.fit([[1, 2]], [[1]], { verbose: 2 as never })).toThrow(fg.ArgumentError);
    expect(() => model.evaluate([[1, 2]], [[1]], { batchsize: 1 } as never)).toThrow(fg.UnknownOptionError);
    expect(() => model.predict([[1, 2]], { batchSize: -1 })).toThrow(fg.ArgumentError);
    // Nothing was trained by the refused calls.
    expect(model.parameters().map((p) => Array.from(p.data))).toEqual(before);
    model.dispose();
  });
});
