import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { CNN1dForecaster } from '../../src/models/cnn.js';

const { nn } = fg;

function expectCountsMatch(model: fg.nn.Module, s: fg.ModelSummary): void {
  expect(s.totalParams).toBe(model.parameters().reduce((n, p) => n + p.size, 0));
  expect(s.rows.reduce((n, r) => n + r.params, 0)).toBe(s.totalParams);
  const named = model.namedParameters();
  expect(s.rows.flatMap((r) => r.parameters.map((p) => [p.name, p.shape]))).toEqual(named.map(([n, p]) => [n, [...p.shape]]));
  expect(String(s)).toContain(`Total params: ${s.totalParams.toLocaleString('en-US')}`);
}

describe('summary', () => {
  it('tabulates an nn.Sequential: names, types, output shapes, own parameter counts', () => {
    fg.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    const s = fg.summary(model, [3, 4]);
    expect(s.rows.map((r) => [r.name, r.type, r.outputShape, r.params])).toEqual([
      ['', 'Sequential', [3, 2], 0],
      ['0', 'Linear', [3, 8], 40],
      ['1', 'ReLU', [3, 8], 0],
      ['2', 'Linear', [3, 2], 18],
    ]);
    expect(s.outputShape).toEqual([3, 2]);
    expectCountsMatch(model, s);
    const table = String(s).split('\n');
    expect(table[1]).toMatch(/^Layer \(type\) +Output Shape +Param # +Parameters$/);
    expect(table.find((l) => l.includes('0 (Linear)'))).toMatch(/\[3, 8\] +40   0.weight \[8, 4\], 0.bias \[8\]$/);
    expect(String(s)).toContain('Total params: 58\nTrainable params: 58\nNon-trainable params: 0');
    expect(Object.hasOwn(model.at(0), 'forward')).toBe(false);
  });

  it('counts non-trainable parameters, leaves training flags and BatchNorm running statistics alone', () => {
    fg.manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Tanh(), new nn.Dropout(0.5), new nn.Linear(4, 1));
    (model.at(4) as fg.nn.Linear).weight.requiresGrad = false;
    model.at(3).eval();
    const before = model.namedBuffers().map(([n, b]) => [n, Array.from(b.data)]);
    const s = fg.summary(model, [5, 3]);
    expect(model.training).toBe(true);
    expect(model.at(3).training).toBe(false);
    expect(model.namedBuffers().map(([n, b]) => [n, Array.from(b.data)])).toEqual(before);
    expect(s.trainableParams).toBe(16 + 8 + 1);
    expect(s.nonTrainableParams).toBe(4);
    expectCountsMatch(model, s);
  });

  it('matches parameters() for the MLP, CNN and LSTM models', () => {
    const x = fg.randn([40, 6], { generator: new fg.Generator(1) });
    const y = Array.from({ length: 40 }, (_, i) => i % 2);
    const mlp = new fg.MLPClassifier({ hiddenLayerSizes: [8, 4], maxIter: 1, seed: 0 }).fit(x, y);
    const sMlp = fg.summary(mlp, [2, 6]);
    expectCountsMatch(mlp, sMlp);
    expect(sMlp.outputShape).toEqual([2, 1]);

    const series = fg.randn([30, 2, 12], { generator: new fg.Generator(2) });
    const cnn = new CNN1dForecaster({ filters: [4], dense: [8], maxIter: 1, seed: 0 }).fit(series, fg.randn([30, 1], { generator: new fg.Generator(3) }));
    const sCnn = fg.summary(cnn, [1, 2, 12]);
    expectCountsMatch(cnn, sCnn);
    expect(sCnn.rows.find((r) => r.type === 'Conv1d')?.outputShape).toEqual([1, 4, 12]);

    const windows = fg.randn([20, 7, 3], { generator: new fg.Generator(4) });
    const lstm = new fg.RecurrentForecaster({ hiddenSize: 5, maxIter: 1, seed: 0 }).fit(windows, fg.randn([20, 1], { generator: new fg.Generator(5) }));
    const sLstm = fg.summary(lstm, [2, 7, 3]);
    expectCountsMatch(lstm, sLstm);
    // the forecaster reaches the LSTM through run(), not forward: no output shape to show
    expect(sLstm.rows.find((r) => r.type === 'LSTM')).toMatchObject({ params: 4 * 5 * (3 + 5) + 2 * 4 * 5, outputShape: null });
    expect(String(sLstm)).toMatch(/rnn \(LSTM\) +- +200/);
    for (const m of [mlp, cnn, lstm]) m.dispose();
  });

  it('names a shape that does not fit, and checks its arguments', () => {
    const model = new nn.Sequential(new nn.Linear(4, 2));
    expect(() => fg.summary(model, [3, 5])).toThrow(/summary: the model does not take an input of shape \[3, 5\]: Linear\(4 → 2\)/);
    expect(() => fg.summary(model, [3, 0])).toThrow(/summary: inputShape\[1\] must be an integer >= 1/);
    expect(() => fg.summary({} as never, [1])).toThrow(/summary: model must be a Module/);
    expect(() => fg.summary(new fg.MLPRegressor(), [1, 2])).toThrow(fg.NotFittedError);
  });
});
