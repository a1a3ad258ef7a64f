// The Keras-named probability losses check shapes like their PyTorch twins (BCELoss,
// cross_entropy with probability targets) instead of broadcasting [N, 1] against [N, 2].
// Values and which cases raise: PyTorch (scripts/fixtures/keras-losses.py).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { resolveLoss } from '../../src/train/index.js';

interface Case {
  loss: 'binaryCrossentropy' | 'categoricalCrossentropy';
  pred: number[][];
  target: number[][];
  raises: boolean;
  value?: number;
}
const { cases } = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'keras-losses.json'), 'utf8')) as { cases: Case[] };

const shape = (m: number[][]): string => `[${m.length}, ${m[0]?.length}]`;

describe('Keras probability losses against PyTorch', () => {
  for (const c of cases) {
    it(`${c.loss}: prediction ${shape(c.pred)}, target ${shape(c.target)} ${c.raises ? 'is a ShapeError' : 'matches PyTorch'}`, () => {
      fg.tidy(() => {
        const loss = resolveLoss(c.loss);
        const p = fg.tensor(c.pred);
        const y = fg.tensor(c.target);
        if (c.raises) {
          expect(() => loss(p, y)).toThrow(fg.ShapeError);
          expect(() => loss(p, y)).toThrow(`${c.loss}: prediction shape ${shape(c.pred)} and target shape ${shape(c.target)} differ`);
        } else {
          expect(loss(p, y).item()).toBeCloseTo(c.value as number, 5);
        }
      });
    });
  }

  it('keeps the Keras convenience of [N] targets against [N, 1] predictions', () => {
    fg.tidy(() => {
      const bce = resolveLoss('binaryCrossentropy');
      const p = fg.tensor([[0.2], [0.7], [0.9], [0.4]]);
      expect(bce(p, fg.tensor([0, 1, 1, 0])).item()).toBeCloseTo(bce(p, fg.tensor([[0], [1], [1], [0]])).item(), 7);
    });
  });

  it.each(['mse', 'mae', 'huber', 'hinge', 'binaryCrossentropyFromLogits'] as const)('%s refuses [N, 1] against [N, 2] too', (name) => {
    fg.tidy(() => {
      expect(() => resolveLoss(name)(fg.zeros([3, 1]), fg.zeros([3, 2]))).toThrow(fg.ShapeError);
    });
  });

  it('points integer labels given to categoricalCrossentropy at the sparse loss', () => {
    fg.tidy(() => {
      const cce = resolveLoss('categoricalCrossentropy');
      expect(() => cce(fg.tensor([[0.2, 0.8], [0.6, 0.4]]), fg.tensor([1, 0]))).toThrow(/use sparseCategoricalCrossentropy/);
    });
  });
});

describe('Keras fit with a mismatched target', () => {
  it('throws before any step: the weights are unchanged', () => {
    fg.manualSeed(1);
    const model = new fg.keras.Sequential(new fg.nn.Linear(3, 1), new fg.nn.Sigmoid());
    model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam' });
    const before = model.parameters().map((p) => p.toFloat32Array());
    const x = [[1, 2, 3], [0, 1, 0], [2, 0, 1], [1, 1, 1]];
    const y = [[1, 0], [0, 1], [1, 0], [0, 1]]; // one-hot for two classes, one output column
    expect(() => model.fit(x, y, { epochs: 2, batchSize: 2 })).toThrow(fg.ShapeError);
    model.parameters().forEach((p, i) => expect(p.toFloat32Array()).toEqual(before[i]));
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    model.dispose();
  });
});
