import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { expectClose } from '../support/opcheck.js';

const { nn } = fg;

describe('recordActivations', () => {
  it('captures every layer’s output and output gradient for one batch, then frees them', () => {
    fg.manualSeed(7);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const x = fg.keep(fg.randn([5, 3], { generator: new fg.Generator(8) }));
    const before = fg.memoryStats().liveTensors;
    const rec = fg.recordActivations(model, () => fg.tidy(() => model.forward(x).sum().backward()));
    expect(rec.layers.map((l) => [l.name, l.type, l.calls, l.output?.shape, l.grad?.shape])).toEqual([
      ['0', 'Linear', 1, [5, 4], [5, 4]],
      ['1', 'ReLU', 1, [5, 4], [5, 4]],
      ['2', 'Linear', 1, [5, 2], [5, 2]],
    ]);
    const l0 = model.at(0) as fg.nn.Linear;
    const l2 = model.at(2) as fg.nn.Linear;
    fg.tidy(() => {
      const pre = fg.linear(x, l0.weight, l0.bias);
      expectClose(rec.get('0').output?.data as Float32Array, pre.toFloat32Array(), 1e-6, 1e-6, 'Linear output');
      expectClose(rec.get('1').output?.data as Float32Array, fg.relu(pre).toFloat32Array(), 1e-6, 1e-6, 'ReLU output');
      expect(Array.from(rec.get('2').grad?.data as Float32Array)).toEqual(new Array(10).fill(1));
      // d sum / d relu = ones · W2; through the ReLU, zero where the unit was off
      const dRelu = fg.matmul(fg.ones([5, 2]), l2.weight);
      expectClose(rec.get('1').grad?.data as Float32Array, dRelu.toFloat32Array(), 1e-6, 1e-6, 'ReLU output gradient');
      expectClose(rec.get('0').grad?.data as Float32Array, fg.mul(dRelu, fg.gt(pre, 0)).toFloat32Array(), 1e-6, 1e-6, 'Linear output gradient');
    });
    const dead = rec.stats().find((s) => s.name === '1')?.output?.zeros as number;
    expect(dead).toBe(Array.from(rec.get('1').output?.data as Float32Array).filter((v) => v === 0).length / 20);
    expect(model.layers.some((m) => Object.hasOwn(m, 'forward'))).toBe(false);
    model.zeroGrad();
    rec.dispose();
    expect(fg.memoryStats().liveTensors).toBe(before);
    expect(() => rec.get('3')).toThrow(/no layer '3'; layers: 0, 1, 2/);
    x.dispose();
    model.dispose();
  });

  it('names nested layers by their PyTorch paths and records forward only when asked', () => {
    const x = fg.randn([12, 4], { generator: new fg.Generator(9) });
    const clf = new fg.MLPClassifier({ hiddenLayerSizes: [3], maxIter: 1, seed: 0 }).fit(x, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    const rec = fg.recordActivations(clf, () => fg.tidy(() => void clf.forward(x)), { gradients: false });
    expect(rec.layers.map((l) => [l.name, l.output?.shape, l.grad])).toEqual([
      ['net', [12, 1], null],
      ['net.0', [12, 3], null],
      ['net.1', [12, 3], null],
      ['net.2', [12, 1], null],
    ]);
    rec.dispose();
    expect(() => fg.recordActivations(clf, () => undefined, { gradient: true } as never)).toThrow(/did you mean 'gradients'/);
    expect(() =>
      fg.recordActivations(clf, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Object.hasOwn(clf, 'forward')).toBe(false);
    clf.dispose();
  });
});
