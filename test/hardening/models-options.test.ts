// The ready-made estimators take exactly one options object (scikit-learn's keyword arguments
// in camelCase), checked key by key: sklearn's snake_case and typos name the camelCase option,
// wrong types name the model, the option and the value, and nothing falls back to a default
// silently. The options of fit, anomalyScore and sample are checked the same way.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import {
  ArgumentError,
  CNN1dForecaster,
  CNN2dClassifier,
  LinearRegression,
  LinearSVM,
  LogisticRegression,
  MLPClassifier,
  MLPRegressor,
  RecurrentForecaster,
  UnknownOptionError,
  VAE,
  makeWindows,
} from '../../src/index.js';

type Model = new (options?: never) => { config(): { kind: string } };
const ESTIMATORS: Array<[string, Model]> = [
  ['MLPClassifier', MLPClassifier],
  ['MLPRegressor', MLPRegressor],
  ['CNN1dForecaster', CNN1dForecaster],
  ['CNN2dClassifier', CNN2dClassifier],
  ['RecurrentForecaster', RecurrentForecaster],
  ['VAE', VAE],
  ['LinearRegression', LinearRegression],
  ['LogisticRegression', LogisticRegression],
  ['LinearSVM', LinearSVM],
];
const make = (C: Model, options: unknown) => () => new (C as new (o: unknown) => unknown)(options);

function expectUnknown(run: () => unknown, where: string, key: string, hint: string | undefined): void {
  expect(run).toThrow(UnknownOptionError);
  expect(run).toThrow(`${where}: unknown option '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
  try {
    run();
  } catch (e) {
    expect((e as UnknownOptionError).suggestion).toBe(hint);
    expect((e as UnknownOptionError).where).toBe(where);
    expect((e as UnknownOptionError).param).toBe(key);
  }
}

function expectArgument(run: () => unknown, message: string): void {
  expect(run).toThrow(ArgumentError);
  expect(run).toThrow(message);
}

describe('the issue’s cases', () => {
  it('MLPClassifier: a typo and sklearn’s snake_case spellings name the camelCase option', () => {
    expectUnknown(make(MLPClassifier, { lerningRate: 1 }), 'MLPClassifier', 'lerningRate', 'learningRate');
    expectUnknown(make(MLPClassifier, { hidden_layer_sizes: [3] }), 'MLPClassifier', 'hidden_layer_sizes', 'hiddenLayerSizes');
    expectUnknown(make(MLPClassifier, { max_iter: 5 }), 'MLPClassifier', 'max_iter', 'maxIter');
  });

  it("LogisticRegression({class_weight: 'balanced'}) names classWeight", () => {
    expectUnknown(make(LogisticRegression, { class_weight: 'balanced' }), 'LogisticRegression', 'class_weight', 'classWeight');
  });

  it('new MLPClassifier(5): an estimator takes one options object', () => {
    expectArgument(make(MLPClassifier, 5), 'MLPClassifier: options must be an object {learningRate, maxIter, batchSize, …}, got number 5');
  });
});

describe('every estimator', () => {
  it.each(ESTIMATORS)('%s rejects anything but one options object', (name, C) => {
    for (const bad of [5, '3', null, [1], true, new Map()]) {
      expectArgument(make(C, bad), `${name}: options must be an object`);
    }
    expect(() => new (C as new (...a: unknown[]) => unknown)({}, {})).not.toThrow(); // (extra arguments are TypeScript's to refuse)
  });

  it.each(ESTIMATORS)('%s names an unknown key and lists the valid ones', (name, C) => {
    expect(make(C, { banana: 1 })).toThrow(new RegExp(`^${name}: unknown option 'banana'; valid options: `));
    expect(make(C, { banana: 1 })).toThrow(UnknownOptionError);
  });

  it.each(ESTIMATORS)('%s: a saved config rebuilds the same options (config keys are all known options)', (_name, C) => {
    const m = new (C as new () => { config(): Record<string, unknown> })();
    const config = m.config();
    const options = (config['options'] ?? Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'kind' && k !== 'fitted'))) as object;
    expect(() => new (C as new (o: unknown) => unknown)(options)).not.toThrow();
  });
});

describe('snake_case and typos, per estimator', () => {
  it.each<[string, string, string]>([
    ['MLPRegressor', 'learning_rate', 'learningRate'],
    ['MLPRegressor', 'learning_rate_init', 'learningRate'],
    ['MLPClassifier', 'random_state', 'seed'],
    ['VAE', 'lr', 'learningRate'],
    ['MLPRegressor', 'early_stopping', 'earlyStopping'],
    ['MLPClassifier', 'validation_fraction', 'validationFraction'],
    ['MLPClassifier', 'n_iter_no_change', 'nIterNoChange'],
    ['MLPClassifier', 'batch_size', 'batchSize'],
    ['CNN1dForecaster', 'kernel_size', 'kernelSize'],
    ['CNN2dClassifier', 'pool_size', 'poolSize'],
    ['CNN2dClassifier', 'filter', 'filters'],
    ['RecurrentForecaster', 'hidden_size', 'hiddenSize'],
    ['RecurrentForecaster', 'num_layers', 'numLayers'],
    ['RecurrentForecaster', 'clip_norm', 'clipNorm'],
    ['VAE', 'latent_dim', 'latentDim'],
    ['VAE', 'input_dim', 'inputDim'],
    ['VAE', 'hidden_sizes', 'hiddenSizes'],
    ['LinearRegression', 'fit_intercept', 'fitIntercept'],
    ['LinearRegression', 'alpah', 'alpha'],
    ['LogisticRegression', 'multi_class', 'multiClass'],
    ['LogisticRegression', 'c', 'C'],
    ['LinearSVM', 'class_weight', 'classWeight'],
    ['LinearSVM', 'max_iter', 'maxIter'],
  ])('%s: %s → %s', (name, key, hint) => {
    const C = (ESTIMATORS.find(([n]) => n === name) as [string, Model])[1];
    expectUnknown(make(C, { [key]: 1 }), name, key, hint);
  });
});

describe('wrong types and values name the model, the option and the value', () => {
  it.each<[Model, unknown, string]>([
    [MLPClassifier, { hiddenLayerSizes: 3 }, 'MLPClassifier: hiddenLayerSizes must be a list of at least 0 items, got number 3'],
    [MLPClassifier, { hiddenLayerSizes: [3, '4'] }, 'MLPClassifier: hiddenLayerSizes[1] must be an integer >= 1, got string "4"'],
    [MLPClassifier, { learningRate: -1 }, 'MLPClassifier: learningRate must be a finite number > 0, got number -1'],
    [MLPClassifier, { maxIter: 2.5 }, 'MLPClassifier: maxIter must be an integer >= 1, got number 2.5'],
    [MLPClassifier, { maxIter: '5' }, 'MLPClassifier: maxIter must be an integer >= 1, got string "5"'],
    [MLPClassifier, { batchSize: 'all' }, "MLPClassifier: batchSize must be an integer >= 1 or 'auto', got string \"all\""],
    [MLPClassifier, { solver: 'lbfgs' }, "MLPClassifier: solver must be one of 'adam', 'sgd'"],
    [MLPClassifier, { activation: 'Relu' }, "MLPClassifier: activation must be one of 'relu', 'tanh', 'logistic', 'identity' (did you mean 'relu'?)"],
    [MLPRegressor, { earlyStopping: 1 }, 'MLPRegressor: earlyStopping must be a boolean (true or false), got number 1'],
    [MLPRegressor, { validationFraction: 0 }, 'MLPRegressor: validationFraction must be a finite number in (0, 1), got number 0'],
    [MLPRegressor, { momentum: 1 }, 'MLPRegressor: momentum must be a finite number in [0, 1), got number 1'],
    [MLPRegressor, { seed: NaN }, 'MLPRegressor: seed must be a finite number, got NaN'],
    [MLPRegressor, { alpha: -1 }, 'MLPRegressor: alpha must be a finite number >= 0, got number -1'],
    [CNN1dForecaster, { filters: [] }, 'CNN1dForecaster: filters must be a list of at least 1 items, got array of length 0'],
    [CNN1dForecaster, { filters: [4, 4], kernelSize: [3] }, 'CNN1dForecaster: kernelSize has 1 entries but there are 2 layers'],
    [CNN1dForecaster, { kernelSize: 0 }, 'CNN1dForecaster: kernelSize must be an integer >= 1 or a list of them, one per block, got number 0'],
    [CNN2dClassifier, { pool: 'min' }, "CNN2dClassifier: pool must be one of 'max', 'avg', 'none'"],
    [CNN2dClassifier, { dropout: 1 }, 'CNN2dClassifier: dropout must be a finite number in [0, 1), got number 1'],
    [CNN2dClassifier, { dense: null }, 'CNN2dClassifier: dense must be a list of at least 0 items, got null'],
    [RecurrentForecaster, { cell: 'LSTM' }, "RecurrentForecaster: cell must be one of 'lstm', 'gru', 'rnn' (did you mean 'lstm'?)"],
    [RecurrentForecaster, { horizon: 0 }, 'RecurrentForecaster: horizon must be an integer >= 1, got number 0'],
    [RecurrentForecaster, { clipNorm: -1 }, 'RecurrentForecaster: clipNorm must be a finite number >= 0, got number -1'],
    [VAE, { latentDim: 0 }, 'VAE: latentDim must be an integer >= 1, got number 0'],
    [VAE, { reconstruction: 'l2' }, "VAE: reconstruction must be one of 'mse', 'bce'"],
    [VAE, { inputDim: '4' }, 'VAE: inputDim must be an integer >= 1, got string "4"'],
    [LinearRegression, { alpha: '1' }, 'LinearRegression: alpha must be a finite number >= 0, got string "1"'],
    [LinearRegression, { fitIntercept: 'false' }, 'LinearRegression: fitIntercept must be a boolean (true or false), got string "false"'],
    [LogisticRegression, { C: 0 }, 'LogisticRegression: C must be a finite number > 0, got number 0'],
    [LogisticRegression, { penalty: 'elasticnet' }, "LogisticRegression: penalty must be one of 'l2', 'l1', 'none'"],
    [LogisticRegression, { classWeight: 'auto' }, "LogisticRegression: classWeight must be 'balanced', null, or an object"],
    [LogisticRegression, { tol: 0 }, 'LogisticRegression: tol must be a finite number > 0, got number 0'],
    [LinearSVM, { loss: 'squared-hinge' }, "LinearSVM: loss must be one of 'hinge', 'squaredHinge' (did you mean 'squaredHinge'?)"],
    [LinearSVM, { maxIter: -5 }, 'LinearSVM: maxIter must be an integer >= 1, got number -5'],
    [LinearSVM, { classWeight: { 0: -1, 1: 1 } }, 'LinearSVM: classWeight for class 0 must be a positive finite number, got -1'],
  ])('%#: %s', (C, options, message) => {
    expectArgument(make(C, options), message);
  });

  it('undefined values count as absent; null is a value (accepted only where the option allows it)', () => {
    expect(new MLPClassifier({ maxIter: undefined }).config().options.maxIter).toBe(200);
    expect(new RecurrentForecaster({ horizon: null }).config().options.horizon).toBeNull();
    expect(new LogisticRegression({ classWeight: null }).classWeight).toBeNull();
    expectArgument(make(MLPClassifier, { maxIter: null }), 'MLPClassifier: maxIter must be an integer >= 1, got null');
  });

  it('the options given are the ones used (no silent defaults)', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [3], maxIter: 5, learningRate: 0.5 });
    expect(m.config().options).toMatchObject({ hiddenLayerSizes: [3], maxIter: 5, learningRate: 0.5 });
    expect(new MLPRegressor({ maxIter: 7 }).config().options.maxIter).toBe(7);
    // One spelling: Keras' epochs belongs to the Keras surface; the estimators say maxIter (sklearn's max_iter).
    expect(() => new MLPRegressor({ epochs: 7 } as never)).toThrow("MLPRegressor: unknown option 'epochs' (did you mean 'maxIter'?)");
    expect(new LogisticRegression({ classWeight: 'balanced', C: 0.5 }).config().options).toMatchObject({ classWeight: 'balanced', C: 0.5 });
  });
});

describe('makeWindows(series, window, horizon, options)', () => {
  const series = [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]];
  it('positions and options mean the same; bad ones are named', () => {
    const a = makeWindows(series, 3, 2, { target: 1 });
    const b = makeWindows(series, { window: 3, horizon: 2, target: 1 } as never);
    expect(a.x.shape).toEqual([2, 3, 2]);
    expect(Array.from(a.y.toFloat32Array())).toEqual([3, 2, 2, 1]);
    expect(Array.from(b.y.toFloat32Array())).toEqual(Array.from(a.y.toFloat32Array()));
    expectUnknown(() => makeWindows(series, 3, { channels_first: true } as never), 'makeWindows', 'channels_first', 'channelsFirst');
    expectArgument(() => makeWindows(series, 3, 0), 'makeWindows: horizon must be an integer >= 1, got number 0');
    expectArgument(() => makeWindows(series, '3' as never), 'makeWindows: window must be an integer >= 1, got string "3"');
    expectArgument(() => makeWindows(series, 3, 1, { orientation: 'row' } as never), "makeWindows: orientation must be one of 'columns', 'rows' (did you mean 'rows'?)");
    expectArgument(() => makeWindows(series, 3, 1, { target: -1 }), 'makeWindows: target must be an integer >= 0, got number -1');
    expect(() => makeWindows([null, null] as never, 1)).toThrow(fg.FingradError);
  });
});

describe('method options', () => {
  const x = [[0, 0], [1, 1], [0, 1], [1, 0]];
  const y = [0, 1, 0, 1];

  it('fit(x, y, options): callbacks only, checked', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [2], maxIter: 1 });
    expectUnknown(() => m.fit(x, y, { callback: [] } as never), 'MLPClassifier.fit', 'callback', 'callbacks');
    expectArgument(() => m.fit(x, y, 5 as never), 'MLPClassifier.fit: options must be an object');
    expectArgument(() => m.fit(x, y, { callbacks: {} } as never), 'MLPClassifier.fit: callbacks must be a list');
    expectArgument(() => m.fit(x, y, { callbacks: [3] } as never), 'MLPClassifier.fit: callbacks[0] must be a callback object {onEpochEnd, …}, got number 3');
    expect(m.isFitted).toBe(false); // a refused call changes nothing
    let epochs = 0;
    m.fit(x, y, { callbacks: [{ onEpochEnd: () => void epochs++ }] });
    expect(epochs).toBe(1);
    const r = new RecurrentForecaster({ maxIter: 1 });
    expectUnknown(() => r.fit(fg.zeros([4, 3, 1]), fg.zeros([4]), { epochs: 3 } as never), 'RecurrentForecaster.fit', 'epochs', undefined);
    m.dispose();
  });

  it('VAE: fit, anomalyScore and sample check their options', () => {
    const vae = new VAE({ hiddenSizes: [4], maxIter: 1 });
    expectUnknown(() => vae.fit(x, { callbaks: [] } as never), 'VAE.fit', 'callbaks', 'callbacks');
    vae.fit(x);
    expectUnknown(() => vae.anomalyScore(x, { metod: 'elbo' } as never), 'VAE.anomalyScore', 'metod', 'method');
    expectArgument(() => vae.anomalyScore(x, { method: 'kl' } as never), "VAE.anomalyScore: method must be one of 'elbo', 'reconstruction', got string \"kl\"");
    expectArgument(() => vae.anomalyScore(x, 'elbo' as never), 'VAE.anomalyScore: options must be an object');
    expectArgument(() => vae.sample(0), 'VAE.sample: n must be an integer >= 1, got number 0');
    expectArgument(() => vae.sample('2' as never), 'VAE.sample: n must be an integer >= 1, got string "2"');
    expectUnknown(() => vae.sample(2, { sead: 1 } as never), 'VAE.sample', 'sead', 'seed');
    expectArgument(() => vae.sample(2, { seed: 'a' } as never), 'VAE.sample: seed must be a finite number, got string "a"');
    expect(vae.sample(2, { seed: 1 }).shape).toEqual([2, 2]);
    vae.dispose();
  });
});
