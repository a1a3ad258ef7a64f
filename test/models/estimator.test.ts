// The one model framework: every ready-made model is an Estimator with sklearn's score(), the
// same label rules (labels beyond ±2^24 are an error in both families; up to it they come back
// exactly), one config shape {kind, options, fitted}, and one spelling of option values.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

const x = Array.from({ length: 40 }, (_, i) => [Math.sin(i * 1.3), Math.cos(i * 0.7), ((i * 7) % 11) / 11]);
const side = x.map((r) => (r[0]! + 0.5 * r[1]! > 0 ? 1 : 0));
const target = x.map((r) => 2 * r[0]! - r[2]! + 0.1 * r[1]!);
const series = Array.from({ length: 30 }, (_, i) => [Array.from({ length: 6 }, (_, t) => Math.sin((i + t) * 0.4))]);
const seriesY = series.map((s) => s[0]![5]!);
const images = Array.from({ length: 12 }, (_, i) => [Array.from({ length: 4 }, (_, h) => Array.from({ length: 4 }, (_, w) => ((i % 2) * 2 - 1) * (h - w) * 0.3))]);
const imageY = images.map((_, i) => i % 2);
const quick = { maxIter: 3, seed: 2 };

const big = 2 ** 24;

describe('labels: the same rule in both families', () => {
  const classifiers: Array<[string, () => { fit(x: never, y: number[]): { predict(x: never): fg.Tensor; dispose(): void } }]> = [
    ['LogisticRegression', () => new fg.LogisticRegression() as never],
    ['LinearSVM', () => new fg.LinearSVM() as never],
    ['MLPClassifier', () => new fg.MLPClassifier({ hiddenLayerSizes: [4], ...quick }) as never],
  ];
  it.each(classifiers)('%s: a label beyond ±2^24 is a ValueError naming its row', (name, make) => {
    const y = side.map((v, i) => (i === 3 ? big + 2 : v));
    expect(() => make().fit(x as never, y)).toThrow(fg.ValueError);
    expect(() => make().fit(x as never, y)).toThrow(`${name}.fit: label at row 3 is ${big + 2}; class labels must be integers within ±2^24 (exact in float32)`);
  });
  it.each(classifiers)('%s: labels ±2^24 come back exactly, on the few-row and the batch path', (_name, make) => {
    const y = side.map((v) => (v === 1 ? big : -big));
    const m = make().fit(x as never, y);
    for (const rows of [x.slice(0, 2), x]) {
      const p = fg.tidy(() => Array.from(m.predict(rows as never).toFloat32Array()));
      p.forEach((v) => expect(Math.abs(v)).toBe(big));
    }
    m.dispose();
  });
  it('CNN2dClassifier follows the same rule', () => {
    const y = imageY.map((v, i) => (i === 1 ? -big - 1 : v));
    expect(() => new fg.CNN2dClassifier({ filters: [2], dense: [2], ...quick }).fit(images, y)).toThrow(/label at row 1 is -16777217; class labels must be integers within ±2\^24/);
  });
});

describe('score() on every estimator, as scikit-learn defines it', () => {
  it('classifiers: the accuracy of predict(x) (src/metrics accuracy)', () => {
    const models = [
      new fg.LogisticRegression().fit(x, side),
      new fg.LinearSVM().fit(x, side),
      new fg.MLPClassifier({ hiddenLayerSizes: [5], ...quick }).fit(x, side),
    ];
    for (const m of models) {
      const want = fg.tidy(() => fg.accuracy(side, m.predict(x).toFloat32Array()));
      expect(m.score(x, side)).toBe(want);
      expect(() => m.score(x, side.map((v) => v + 5))).toThrow(new RegExp(`label ${side[0]! + 5} at row 0 was not seen in fit`));
      m.dispose();
    }
    const cnn = new fg.CNN2dClassifier({ filters: [2], dense: [2], ...quick }).fit(images, imageY);
    expect(cnn.score(images, imageY)).toBe(fg.tidy(() => fg.accuracy(imageY, cnn.predict(images).toFloat32Array())));
    cnn.dispose();
  });

  it('regressors: R² of predict(x) (src/metrics r2Score)', () => {
    const models: Array<[fg.Estimator & { predict(x: never): fg.Tensor }, unknown, number[]]> = [
      [new fg.LinearRegression().fit(x, target), x, target],
      [new fg.MLPRegressor({ hiddenLayerSizes: [5], ...quick }).fit(x, target), x, target],
      [new fg.CNN1dForecaster({ filters: [2], dense: [2], ...quick }).fit(series, seriesY), series, seriesY],
      [new fg.RecurrentForecaster({ hiddenSize: 3, ...quick }).fit(series, seriesY), series, seriesY],
    ];
    for (const [m, input, y] of models) {
      const want = fg.tidy(() => fg.r2Score(y, Array.from(m.predict(input as never).toFloat32Array())));
      expect(m.score(input as never, y)).toBeCloseTo(want, 12);
      m.dispose();
    }
  });

  it('VAE (a density model): the mean ELBO, i.e. minus the mean anomaly score', () => {
    const vae = new fg.VAE({ hiddenSizes: [3], latentDim: 1, ...quick }).fit(x);
    const scores = fg.tidy(() => Array.from(vae.anomalyScore(x).toFloat32Array()));
    expect(vae.score(x)).toBeCloseTo(-scores.reduce((a, b) => a + b, 0) / scores.length, 10);
    vae.dispose();
  });

  it('before fit it is the NotFittedError of every method', () => {
    expect(() => new fg.LinearSVM().score(x, side)).toThrow(/LinearSVM\.score: the model is not fitted yet/);
    expect(() => new fg.MLPRegressor().score(x, target)).toThrow(/MLPRegressor\.score: the model is not fitted yet/);
  });
});

describe('one config shape and one spelling', () => {
  it('every model saves {kind, options, fitted}', () => {
    const models = [new fg.MLPClassifier(), new fg.MLPRegressor(), new fg.CNN1dForecaster(), new fg.CNN2dClassifier(), new fg.RecurrentForecaster(), new fg.VAE(), new fg.LinearRegression(), new fg.LogisticRegression(), new fg.LinearSVM()];
    for (const m of models) {
      expect(Object.keys(m.config()).sort()).toEqual(['fitted', 'kind', 'options']);
      const again = fg.loadModel<fg.Estimator>(fg.saveModel(m));
      expect(again.config()).toEqual(m.config());
      again.dispose();
      m.dispose();
    }
  });

  it('a config with options and stray keys beside them is refused', () => {
    const c = { ...new fg.MLPClassifier({ maxIter: 4 }).config(), maxIter: 9 };
    expect(() => fg.MLPClassifier.fromConfig(c)).toThrow(/MLPClassifier\.fromConfig: config has 'maxIter' beside 'options'/);
  });

  it('the old flat config shape of the networks is still read', () => {
    const { options, kind, fitted } = new fg.MLPRegressor({ hiddenLayerSizes: [7], learningRate: 0.02 }).config();
    const m = fg.MLPRegressor.fromConfig({ kind, ...options, fitted } as never);
    expect(m.config().options).toMatchObject({ hiddenLayerSizes: [7], learningRate: 0.02 });
  });

  it("LinearSVM's loss is 'squaredHinge'; the snake_case spelling is an error that names the right one", () => {
    expect(new fg.LinearSVM().loss).toBe('squaredHinge');
    expect(() => new fg.LinearSVM({ loss: 'squared_hinge' as never })).toThrow(fg.ArgumentError);
    expect(() => new fg.LinearSVM({ loss: 'squared_hinge' as never })).toThrow("LinearSVM: loss must be one of 'hinge', 'squaredHinge' (did you mean 'squaredHinge'?)");
  });

  it('fg.standardize is the one spelling of the column scaling', () => {
    expect((fg as Record<string, unknown>)['standardise']).toBeUndefined();
    const stats = fg.columnStats(Float32Array.of(1, 2, 3, 6), 2, 2);
    expect(Array.from(fg.standardize(Float32Array.of(1, 2, 3, 6), 2, 2, stats))).toEqual([-1, -1, 1, 1]);
  });
});
