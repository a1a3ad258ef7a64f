import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { barsAndCrosses, gaussianWithOutliers, noisySine, twoMoons } from '../../src/data/synthetic.js';
import { loadModel, registeredModels, saveModel } from '../../src/io/checkpoint.js';
import { CNN1dForecaster, CNN2dClassifier } from '../../src/models/cnn.js';
import { MLPClassifier, MLPRegressor } from '../../src/models/mlp.js';
import { RecurrentForecaster } from '../../src/models/recurrent-forecaster.js';
import { VAE } from '../../src/models/vae.js';
import { makeWindows } from '../../src/models/windows.js';
import type { Estimator } from '../../src/models/estimator.js';

// Saves, loads, and checks class, config and that every output is bitwise the same.
function roundTrip<M extends Estimator>(model: M, outputs: (m: M) => fg.Tensor[]): M {
  const loaded = loadModel<M>(saveModel(model));
  expect(loaded).toBeInstanceOf(model.constructor);
  expect(loaded).not.toBe(model);
  expect(loaded.config()).toEqual(model.config());
  expect(Object.keys(loaded.stateDict())).toEqual(Object.keys(model.stateDict()));
  const before = outputs(model).map((t) => t.toFloat32Array());
  const after = outputs(loaded).map((t) => t.toFloat32Array());
  expect(after).toEqual(before);
  return loaded;
}

describe('saveModel / loadModel round trips', () => {
  it('registers every model kind', () => {
    expect(registeredModels()).toEqual(expect.arrayContaining(['MLPClassifier', 'MLPRegressor', 'CNN1dForecaster', 'CNN2dClassifier', 'RecurrentForecaster', 'VAE']));
  });

  it('MLPClassifier (binary and multi-class) and MLPRegressor', () => {
    const { x, y } = twoMoons({ n: 120, seed: 1 });
    const clf = new MLPClassifier({ hiddenLayerSizes: [8, 4], activation: 'tanh', alpha: 0.01, maxIter: 10, seed: 2 });
    clf.fit(x, y);
    const back = roundTrip(clf, (m) => [m.predictProba(x), m.predict(x)]);
    expect(back.classes).toEqual([0, 1]);

    const multi = new MLPClassifier({ hiddenLayerSizes: [6], maxIter: 5 });
    const labels = Array.from({ length: 120 }, (_, i) => [1, 4, 9][i % 3] as number);
    multi.fit(x, labels);
    expect(roundTrip(multi, (m) => [m.predictProba(x), m.predict(x)]).classes).toEqual([1, 4, 9]);

    const reg = new MLPRegressor({ hiddenLayerSizes: [8], maxIter: 5, batchSize: 16 });
    reg.fit(x, fg.stack([y, y.mul(2)], 1));
    const r = roundTrip(reg, (m) => [m.predict(x)]);
    expect(r.predict(x).shape).toEqual([120, 2]);
    [clf, back, multi, reg, r].forEach((m) => m.dispose());
  });

  it('CNN1dForecaster and CNN2dClassifier', () => {
    const { x, y } = makeWindows([noisySine({ length: 120, seed: 2 })], 12, 2, { channelsFirst: true });
    const cnn1 = new CNN1dForecaster({ filters: [4, 8], kernelSize: [5, 3], pool: 'avg', dense: [8], dropout: 0.1, maxIter: 3 });
    cnn1.fit(x, y);
    roundTrip(cnn1, (m) => [m.predict(x)]).dispose();

    const img = barsAndCrosses({ n: 60, size: 8, seed: 3 });
    const cnn2 = new CNN2dClassifier({ filters: [4], dense: [8], maxIter: 3 });
    cnn2.fit(img.x, img.y);
    roundTrip(cnn2, (m) => [m.predictProba(img.x), m.predict(img.x)]).dispose();
    cnn1.dispose();
    cnn2.dispose();
  });

  it('RecurrentForecaster with each cell', () => {
    const { x, y } = makeWindows([noisySine({ length: 100, seed: 4 }), noisySine({ length: 100, seed: 5 })], 10, 3);
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const m = new RecurrentForecaster({ cell, hiddenSize: 6, numLayers: 2, maxIter: 2, seed: 1 });
      m.fit(x, y);
      const back = roundTrip(m, (f) => [f.predict(x)]);
      expect(back.horizon).toBe(3);
      m.dispose();
      back.dispose();
    }
  });

  it('VAE (scores, encodings and reconstructions)', () => {
    const { x } = gaussianWithOutliers({ n: 100, dim: 6, seed: 6 });
    const vae = new VAE({ hiddenSizes: [8, 4], latentDim: 2, beta: 0.5, maxIter: 3 });
    vae.fit(x);
    const back = roundTrip(vae, (m) => {
      const { mu, logvar } = m.encode(x);
      return [m.anomalyScore(x), m.anomalyScore(x, { method: 'reconstruction' }), mu, logvar, m.reconstruct(x), m.sample(4, { seed: 3 })];
    });
    vae.dispose();
    back.dispose();
  });

  it('an unfitted model round-trips too, and a loaded model trains again', () => {
    const blank = loadModel<MLPClassifier>(saveModel(new MLPClassifier({ hiddenLayerSizes: [3], maxIter: 2 })));
    expect(blank.isFitted).toBe(false);
    expect(blank.config().options.hiddenLayerSizes).toEqual([3]);
    const { x, y } = twoMoons({ n: 40, seed: 7 });
    blank.fit(x, y);
    expect(blank.predict(x).shape).toEqual([40]);
    blank.dispose();
  });
});
