// Ready-made models exported to ONNX: onnxruntime-web gives what predictProba / predict /
// anomalyScore give, on real-shaped data (credit applicants, image-like grids, series windows)
// and on random inputs.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { barsAndCrosses, gaussianWithOutliers, noisySine, spirals } from '../../src/data/synthetic.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { expectSame, ioNames, readModelInfo, runOnnx } from './ort.js';

const credit = (() => {
  const data = fg.generateCredit(400, 3);
  const d = data.features.length;
  const x = fg.keep(fg.tensor(data.x, [data.n, d]));
  const stats = fg.columnStats(data.x, data.n, d);
  const xs = fg.keep(fg.tensor(fg.standardize(data.x, data.n, d, stats), [data.n, d]));
  return { x, xs, y: Array.from(data.y), names: data.features.map((f) => f.name) };
})();

const g = new fg.Generator(11);
const rand = (shape: number[], scale = 1): fg.Tensor => fg.keep(fg.randn(shape, { generator: g }).mul(scale));

async function check(model: fg.nn.Module, output: string, inputs: fg.Tensor[], expected: (x: fg.Tensor) => fg.Tensor, options = {}): Promise<Uint8Array> {
  const bytes = exportOnnx(model, options);
  const { inputs: names } = await ioNames(bytes);
  for (const x of inputs) {
    const got = await runOnnx(bytes, { [names[0] as string]: x });
    const want = expected(x);
    expectSame(got[output], want);
    want.dispose();
  }
  return bytes;
}

describe('exportOnnx: linear models', () => {
  it('LogisticRegression, binary on raw credit features: probabilities, feature names, classes', async () => {
    const m = new fg.LogisticRegression({ C: 10 }).fit(credit.x, credit.y);
    const bytes = await check(m, 'probabilities', [credit.x, rand([7, 8], 5)], (x) => m.predictProba(x), { features: credit.names });
    expect(await ioNames(bytes)).toEqual({ inputs: ['features'], outputs: ['probabilities'] });
    expect(await ioNames(exportOnnx(m, { inputName: 'applicants', outputName: 'default_risk' }))).toEqual({ inputs: ['applicants'], outputs: ['default_risk'] });
    const meta = readModelInfo(bytes).metadata;
    expect(JSON.parse(meta['feature_names'] as string)).toEqual(credit.names);
    expect(JSON.parse(meta['classes'] as string)).toEqual([0, 1]);
    expect(meta['fingrad.model']).toBe('LogisticRegression');
  });

  it('LogisticRegression multinomial (3 classes and 2), one-vs-rest', async () => {
    const { x, y } = spirals({ n: 150, classes: 3, seed: 2 });
    const labels = Array.from(y.toFloat32Array());
    for (const multiClass of ['multinomial', 'ovr'] as const) {
      const m = new fg.LogisticRegression({ multiClass }).fit(x, labels);
      await check(m, 'probabilities', [x, rand([5, 2], 3)], (t) => m.predictProba(t));
    }
    const binary = new fg.LogisticRegression({ multiClass: 'multinomial' }).fit(credit.xs, credit.y);
    await check(binary, 'probabilities', [credit.xs], (t) => binary.predictProba(t));
  });

  it('LinearSVM with Platt scaling, binary and one-vs-rest', async () => {
    const m = new fg.LinearSVM().fit(credit.xs, credit.y);
    await check(m, 'probabilities', [credit.xs, rand([4, 8], 2)], (t) => m.predictProba(t));
    const { x, y } = spirals({ n: 120, classes: 3, seed: 5 });
    const multi = new fg.LinearSVM({ loss: 'hinge' }).fit(x, Array.from(y.toFloat32Array()));
    await check(multi, 'probabilities', [x], (t) => multi.predictProba(t));
  });

  it('LinearRegression: one target ([N]) and several ([N, k])', async () => {
    const flat = new fg.LinearRegression().fit(credit.xs, credit.y);
    await check(flat, 'predictions', [credit.xs], (t) => flat.predict(t));
    const targets = rand([400, 2]);
    const multi = new fg.LinearRegression({ alpha: 0.5 }).fit(credit.xs, targets);
    await check(multi, 'predictions', [credit.xs, rand([3, 8])], (t) => multi.predict(t));
  });

  it('refuses an unfitted model by name, and frees what it traced', () => {
    const fitted = new fg.MLPClassifier({ hiddenLayerSizes: [4], maxIter: 1 }).fit(credit.xs, credit.y);
    const before = fg.memoryStats().liveTensors;
    exportOnnx(fitted);
    expect(fg.memoryStats().liveTensors).toBe(before);
    expect(() => exportOnnx(new fg.LogisticRegression())).toThrow(fg.NotFittedError);
    expect(() => exportOnnx(new fg.MLPClassifier())).toThrow(/MLPClassifier is not fitted/);
  });
});

describe('exportOnnx: networks', () => {
  it('MLPClassifier (2 and 3 classes) and MLPRegressor', async () => {
    const m = new fg.MLPClassifier({ hiddenLayerSizes: [16, 8], maxIter: 5, seed: 1 }).fit(credit.xs, credit.y);
    await check(m, 'probabilities', [credit.xs, rand([3, 8], 4)], (t) => m.predictProba(t));
    const { x, y } = spirals({ n: 90, classes: 3, seed: 1 });
    const tanh = new fg.MLPClassifier({ hiddenLayerSizes: [12], activation: 'tanh', maxIter: 5 }).fit(x, Array.from(y.toFloat32Array()));
    await check(tanh, 'probabilities', [x], (t) => tanh.predictProba(t));
    const r = new fg.MLPRegressor({ hiddenLayerSizes: [10], activation: 'logistic', maxIter: 5 }).fit(credit.xs, credit.y);
    await check(r, 'predictions', [credit.xs], (t) => r.predict(t));
  });

  it('CNN2dClassifier on image-like grids, CNN1dForecaster on series windows (avg pooling, dropout off)', async () => {
    const { x, y } = barsAndCrosses({ n: 60, size: 8, seed: 3 });
    const m = new fg.CNN2dClassifier({ filters: [4, 6], dense: [8], maxIter: 2, seed: 2 }).fit(x, y);
    const bytes = await check(m, 'probabilities', [x, rand([2, ...x.shape.slice(1)])], (t) => m.predictProba(t));
    expect((await ioNames(bytes)).inputs).toEqual(['images']);
    const series = noisySine({ length: 200, seed: 1 });
    const w = fg.makeWindows(series, 16, 2, { channelsFirst: true });
    const f = new fg.CNN1dForecaster({ filters: [4], pool: 'avg', dropout: 0.2, activation: 'tanh', maxIter: 2 }).fit(w.x, w.y);
    const bytes1d = await check(f, 'predictions', [w.x], (t) => f.predict(t), { features: ['price'] });
    expect(readModelInfo(bytes1d).metadata['feature_names']).toBe('["price"]');
    expect(() => exportOnnx(m, { features: ['a', 'b', 'c'] })).toThrow(/CNN2dClassifier has no feature dimension/);
  });

  it('RecurrentForecaster: 2-layer LSTM, GRU, RNN; any window length', async () => {
    const series = noisySine({ length: 160, seed: 2 });
    const w = fg.makeWindows(series, 12, 1);
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const m = new fg.RecurrentForecaster({ cell, hiddenSize: 6, numLayers: cell === 'lstm' ? 2 : 1, maxIter: 2 }).fit(w.x, w.y);
      const longer = fg.makeWindows(series, 20, 1);
      await check(m, 'predictions', [w.x, longer.x, rand([3, 5, 1])], (t) => m.predict(t));
      if (cell === 'gru') {
        // The window length may be fixed at export; the features may not change.
        const fixed = await check(m, 'predictions', [w.x], (t) => m.predict(t), { inputShape: [12, 1] });
        expect(fixed.length).toBeGreaterThan(0);
        expect(() => exportOnnx(m, { inputShape: [12, 2] })).toThrow(/RecurrentForecaster takes inputs \[N, T, 1\]/);
      }
    }
  });

  it("VAE: anomaly score (negative ELBO at z = mu), reconstruction error, mu, logvar, reconstruction ('mse' and 'bce')", async () => {
    const { x } = gaussianWithOutliers({ n: 200, dim: 6, seed: 2 });
    const vae = new fg.VAE({ hiddenSizes: [8], latentDim: 2, beta: 0.7, maxIter: 2, seed: 3 }).fit(x);
    const bytes = exportOnnx(vae);
    expect((await ioNames(bytes)).outputs).toEqual(['anomaly_score', 'reconstruction_error', 'mu', 'logvar', 'reconstruction']);
    for (const input of [x, rand([4, 6], 3)]) {
      const got = await runOnnx(bytes, { features: input });
      expectSame(got.anomaly_score, vae.anomalyScore(input));
      expectSame(got.reconstruction_error, vae.anomalyScore(input, { method: 'reconstruction' }));
      const { mu, logvar } = vae.encode(input);
      expectSame(got.mu, mu);
      expectSame(got.logvar, logvar);
      expectSame(got.reconstruction, vae.reconstruct(input));
    }
    expect(() => exportOnnx(vae, { outputName: 'score' })).toThrow(/VAE has 5 \(anomaly_score, reconstruction_error/);
    const unit = fg.keep(fg.sigmoid(x));
    const bce = new fg.VAE({ hiddenSizes: [8, 4], reconstruction: 'bce', activation: 'tanh', maxIter: 2 }).fit(unit);
    const got = await runOnnx(exportOnnx(bce), { features: unit });
    expectSame(got.anomaly_score, bce.anomalyScore(unit));
    expectSame(got.reconstruction, bce.reconstruct(unit));
  });
});
