// validationSplit follows Keras: the last rows, taken before shuffling. On data sorted by label
// those rows may hold one class; metrics undefined there (AUC) are NaN with one warning instead
// of an exception at the end of the first epoch.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fg from '../../src/index.js';
import { computeMetrics, fit } from '../../src/train/index.js';

// 40 rows sorted by label: the last 10 (validationSplit 0.25) are all positive.
const X = Array.from({ length: 40 }, (_, i) => [i / 40 - 0.5, (i % 7) / 7]);
const Y = Array.from({ length: 40 }, (_, i) => [i < 20 ? 0 : 1]);

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

describe('validationSplit', () => {
  it('fit: valAuc is NaN with one warning that explains the split; everything else is reported', () => {
    const x = fg.keep(fg.tensor(X));
    const y = fg.keep(fg.tensor(Y));
    fg.manualSeed(7);
    const m = new fg.nn.Linear(2, 1);
    const opt = new fg.optim.Adam(m.parameters(), { lr: 0.05 });
    const h = fit(m, { x, y }, { lossFn: fg.bceWithLogits, optimizer: opt, metrics: ['auc', 'accuracy'], validationSplit: 0.25, epochs: 3, batchSize: 8 });
    expect(h.history.valAuc).toEqual([NaN, NaN, NaN]);
    expect(h.history.auc?.every(Number.isFinite)).toBe(true);
    expect(h.history.valAccuracy?.every(Number.isFinite)).toBe(true);
    expect(h.history.valLoss?.every(Number.isFinite)).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /fit: metric 'auc' on the validation rows is reported as NaN: ROC AUC needs both classes, but the 10 rows all have label 1\. validationSplit holds out the last rows before shuffling/,
    );
    opt.dispose();
    m.dispose();
    x.dispose();
    y.dispose();
  });

  it('holds out the last rows (Keras): valLoss is the loss on rows 30–39 after the epoch', () => {
    fg.manualSeed(8);
    const model = new fg.keras.Sequential(new fg.nn.Linear(2, 1), new fg.nn.Sigmoid());
    model.compile({ loss: 'binaryCrossentropy', optimizer: 'sgd', metrics: ['auc'] });
    const h = model.fit(X, Y, { epochs: 1, batchSize: 8, validationSplit: 0.25, seed: 2 });
    expect(h.history.valAuc).toEqual([NaN]);
    const last = model.evaluate(X.slice(30), Y.slice(30));
    expect(h.history.valLoss?.[0]).toBeCloseTo(last.loss as number, 6);
    const first = model.evaluate(X.slice(0, 10), Y.slice(0, 10));
    expect(h.history.valLoss?.[0]).not.toBeCloseTo(first.loss as number, 3);
    model.dispose();
  });

  it('Keras fit with sorted data and metrics [auc] trains to the end', () => {
    fg.manualSeed(9);
    const model = new fg.keras.Sequential(new fg.nn.Linear(2, 4), new fg.nn.Tanh(), new fg.nn.Linear(4, 1), new fg.nn.Sigmoid());
    model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['auc'], learningRate: 0.05 });
    const h = model.fit(X, Y, { epochs: 4, batchSize: 8, validationSplit: 0.25 });
    expect(h.epochs).toHaveLength(4);
    expect(h.history.valAuc?.every(Number.isNaN)).toBe(true);
    model.dispose();
  });

  it('an AUC with both classes present is unchanged, and non-binary labels still throw', () => {
    fg.tidy(() => {
      const p = fg.tensor([[0.1], [0.4], [0.35], [0.8]]);
      expect(computeMetrics(['auc'], p, fg.tensor([[0], [0], [1], [1]]), false).auc).toBeCloseTo(0.75, 10); // sklearn's roc_auc_score
      expect(() => computeMetrics(['auc'], p, fg.tensor([[0], [2], [1], [1]]), false)).toThrow(fg.ValueError);
      expect(warn).not.toHaveBeenCalled();
    });
  });
});
