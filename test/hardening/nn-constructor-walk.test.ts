// A walk over every exported class of nn, optim and the models: each argument position (and,
// for the estimators, each option) is given bad values — null, '3', {}, an unknown key,
// negative numbers, NaN, Infinity, … — and the constructor either accepts the value (where it
// means something, like null for a pool's stride) or throws a FingradError: never a TypeError,
// a RangeError or a WASM trap, and never leaving tensors behind.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import * as models from '../../src/models/index.js';
import { FingradError, UnknownOptionError, nn, optim } from '../../src/index.js';

type Make = (...args: unknown[]) => unknown;
interface Entry {
  make: Make;
  /** Valid arguments, one per position the constructor reads (an options object may follow). */
  valid: unknown[];
}

const ctor = (C: unknown): Make => (...args) => new (C as new (...a: unknown[]) => unknown)(...args);
const p = fg.keep(fg.ones([2], { requiresGrad: true }));
const opt = new optim.SGD([p], 0.1);
afterAll(() => {
  opt.dispose();
  p.dispose();
});

const NN: Record<string, Entry> = {
  Linear: { make: ctor(nn.Linear), valid: [3, 4, true] },
  Conv1d: { make: ctor(nn.Conv1d), valid: [1, 2, 3, 1, 0, 1, 1, true, 'zeros'] },
  Conv2d: { make: ctor(nn.Conv2d), valid: [1, 2, 3, 1, 0, 1, 1, true, 'zeros'] },
  MaxPool1d: { make: ctor(nn.MaxPool1d), valid: [2, 2, 0, 1, false, false] },
  MaxPool2d: { make: ctor(nn.MaxPool2d), valid: [2, 2, 0, 1, false, false] },
  AvgPool1d: { make: ctor(nn.AvgPool1d), valid: [2, 2, 0, false, true] },
  AvgPool2d: { make: ctor(nn.AvgPool2d), valid: [2, 2, 0, false, true] },
  ReLU: { make: ctor(nn.ReLU), valid: [] },
  Tanh: { make: ctor(nn.Tanh), valid: [] },
  Sigmoid: { make: ctor(nn.Sigmoid), valid: [] },
  LeakyReLU: { make: ctor(nn.LeakyReLU), valid: [0.01] },
  Softplus: { make: ctor(nn.Softplus), valid: [1, 20] },
  Softmax: { make: ctor(nn.Softmax), valid: [-1] },
  LogSoftmax: { make: ctor(nn.LogSoftmax), valid: [-1] },
  Flatten: { make: ctor(nn.Flatten), valid: [1, -1] },
  Dropout: { make: ctor(nn.Dropout), valid: [0.5] },
  BatchNorm1d: { make: ctor(nn.BatchNorm1d), valid: [4, 1e-5, 0.1, true, true] },
  BatchNorm2d: { make: ctor(nn.BatchNorm2d), valid: [4, 1e-5, 0.1, true, true] },
  LayerNorm: { make: ctor(nn.LayerNorm), valid: [4, 1e-5, true, true] },
  RNN: { make: ctor(nn.RNN), valid: [3, 4, 1, 'tanh', true, true, 0, false] },
  LSTM: { make: ctor(nn.LSTM), valid: [3, 4, 1, true, true, 0, false, 0] },
  GRU: { make: ctor(nn.GRU), valid: [3, 4, 1, true, true, 0, false] },
  Sequential: { make: ctor(nn.Sequential), valid: [new nn.ReLU()] },
};
const OPTIM: Record<string, Entry> = {
  SGD: { make: ctor(optim.SGD), valid: [[p], 0.1, 0, 0, 0, false] },
  Adam: { make: ctor(optim.Adam), valid: [[p], 1e-3, [0.9, 0.999], 1e-8, 0, false] },
  AdamW: { make: ctor(optim.AdamW), valid: [[p], 1e-3, [0.9, 0.999], 1e-8, 0.01, false] },
  RMSprop: { make: ctor(optim.RMSprop), valid: [[p], 0.01, 0.99, 1e-8, 0, 0, false] },
  StepLR: { make: ctor(optim.StepLR), valid: [opt, 2, 0.1] },
  ExponentialLR: { make: ctor(optim.ExponentialLR), valid: [opt, 0.9] },
  CosineAnnealingLR: { make: ctor(optim.CosineAnnealingLR), valid: [opt, 10, 0] },
};
const MODELS: Record<string, Entry> = Object.fromEntries(
  ['MLPClassifier', 'MLPRegressor', 'CNN1dForecaster', 'CNN2dClassifier', 'RecurrentForecaster', 'VAE', 'LinearRegression', 'LogisticRegression', 'LinearSVM'].map((name) => [
    name,
    { make: ctor((models as Record<string, unknown>)[name]), valid: [{}] },
  ]),
);
// Abstract bases (TypeScript refuses `new` on them; they are exported for typing and subclassing).
const ABSTRACT = new Set(['Module', 'RNNBase', 'Optimizer', 'LRScheduler', 'Estimator', 'LinearModel', 'LinearClassifier']);

const classesOf = (ns: object): string[] =>
  Object.entries(ns)
    .filter(([name, v]) => typeof v === 'function' && /^[A-Z]/.test(name) && !ABSTRACT.has(name))
    .map(([name]) => name)
    .sort();

// Frees what a successful construction made.
function release(made: unknown): void {
  if (made instanceof nn.Module || made instanceof optim.Optimizer) made.dispose();
}

// Runs `run`; a throw must be a FingradError (reported with `label`). Returns whether it threw.
function attempt(label: string, run: () => unknown): boolean {
  const live = fg.memoryStats().liveTensors;
  let made: unknown;
  try {
    made = run();
  } catch (e) {
    expect(e, `${label}: ${(e as Error).constructor.name}: ${(e as Error).message}`).toBeInstanceOf(FingradError);
    expect(fg.memoryStats().liveTensors, `${label} left tensors behind`).toBe(live);
    return true;
  }
  release(made);
  return false;
}

const BAD: Array<[string, unknown, boolean]> = [
  // [label, value, must it be refused wherever it goes?]
  ['null', null, false],
  ["'3'", '3', true],
  ['{}', {}, false],
  ['-1', -1, false],
  ['-2.5', -2.5, false],
  ['NaN', NaN, true],
  ['Infinity', Infinity, false],
  ['1e9', 1e9, false],
  ['[]', [], false],
  ['true', true, false],
  ['a function', () => 1, true],
  ['a symbol', Symbol('s'), true],
  ['a Map', new Map(), true],
];

const ALL = { ...NN, ...OPTIM, ...MODELS };

describe('constructor walk', () => {
  it('the tables list every exported class', () => {
    expect(classesOf(nn)).toEqual(Object.keys(NN).sort());
    expect(classesOf(optim)).toEqual(Object.keys(OPTIM).sort());
    expect(classesOf(models)).toEqual(Object.keys(MODELS).sort());
  });

  it.each(Object.keys(ALL))('%s: the valid arguments construct', (name) => {
    const { make, valid } = ALL[name] as Entry;
    release(make(...valid));
  });

  it.each(Object.keys(ALL))('%s: bad values at every position give FingradErrors only', (name) => {
    const { make, valid } = ALL[name] as Entry;
    const positions = Math.max(valid.length, 1);
    for (let i = 0; i < positions; i++) {
      for (const [label, bad, mustThrow] of BAD) {
        const args = [...valid];
        args[i] = bad;
        // A plain object in the last place is read as the options object (and {} is no options).
        const threw = attempt(`${name} argument ${i} = ${label}`, () => make(...args));
        if (mustThrow && !(name === 'Sequential' && typeof bad === 'function')) expect(threw, `${name} argument ${i} = ${label} was accepted`).toBe(true);
      }
    }
  });

  it.each(Object.keys(ALL).filter((n) => n !== 'Sequential'))('%s: an unknown key and one argument too many are named errors', (name) => {
    const { make, valid } = ALL[name] as Entry;
    const isModel = name in MODELS;
    const withKey = isModel ? [{ zzz: 1 }] : [...valid, { zzz: 1 }];
    expect(() => make(...withKey)).toThrow(UnknownOptionError);
    expect(() => make(...withKey)).toThrow("unknown option 'zzz'");
    if (!isModel) expect(attempt(`${name} with an extra argument`, () => make(...valid, 1))).toBe(true);
    // no arguments at all: built with defaults, or refused by name (a required size is missing)
    attempt(`${name}()`, () => make());
  });

  it.each(Object.keys(MODELS))('%s: every option with bad values gives FingradErrors only', (name) => {
    const { make } = MODELS[name] as Entry;
    const config = (make() as { config(): Record<string, unknown> }).config();
    const keys = Object.keys((config['options'] as object | undefined) ?? config).filter((k) => k !== 'kind' && k !== 'fitted');
    expect(keys.length).toBeGreaterThan(1);
    for (const key of keys) {
      for (const [label, bad] of BAD) {
        const threw = attempt(`${name}({${key}: ${label}})`, () => make({ [key]: bad }));
        if (label === "'3'" || label === 'NaN' || label === 'a Map') expect(threw, `${name}({${key}: ${label}}) was accepted`).toBe(true);
      }
    }
  });

  it.each(Object.keys(NN))('%s.forward: non-tensor or disposed input gives FingradErrors only', (name) => {
    const { make, valid } = NN[name] as Entry;
    const layer = make(...valid) as fg.nn.Module;
    const gone = fg.zeros([2, 3]);
    gone.dispose();
    for (const bad of [null, undefined, '3', {}, [[1, 'a']], new Map(), gone]) {
      attempt(`${name}.forward(${String(bad)})`, () => fg.tidy(() => layer.forward(bad as never)));
      expect(() => layer.forward(bad as never)).toThrow(FingradError);
    }
    layer.dispose();
  });

  it('forward promotes nested arrays as toTensor does', () => {
    const layer = new nn.Linear(2, 1, false);
    layer.loadStateDict({ weight: { shape: [1, 2], data: [1, 2] } });
    expect(Array.from(layer.forward([[3, 4]] as never).toFloat32Array())).toEqual([11]);
    expect(Array.from(new nn.ReLU().forward([-1, 2] as never).toFloat32Array())).toEqual([0, 2]);
    expect(new nn.LSTM(1, 2).forward([[[1], [2]]] as never).shape).toEqual([1, 2, 2]);
    layer.dispose();
  });
});
