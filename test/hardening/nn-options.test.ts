// Every nn layer checks its arguments by one table: unknown options name the closest valid one,
// wrong types name the layer, the parameter and what was given; unsupported PyTorch settings
// (groups, bidirectional, …) are refused by name instead of being ignored.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { ArgumentError, ShapeError, UnknownOptionError, ValueError, nn } from '../../src/index.js';

type Ctor = new (...args: never[]) => unknown;
const build = (C: Ctor, ...args: unknown[]) => () => new (C as new (...a: unknown[]) => unknown)(...args);

function expectError(run: () => unknown, type: abstract new (...args: never[]) => Error, message: string | RegExp): void {
  expect(run).toThrow(type);
  expect(run).toThrow(message);
}

describe('nn layers: unknown options suggest the closest valid one', () => {
  it.each<[string, () => unknown, string, string]>([
    ['Linear', build(nn.Linear, 3, 4, { bais: false }), 'bais', 'bias'],
    ['Linear (snake_case)', build(nn.Linear, 3, 4, { in_features: 3 }), 'in_features', 'inFeatures'],
    ['Conv2d', build(nn.Conv2d, 1, 2, 3, { strides: 2 }), 'strides', 'stride'],
    ['Conv1d', build(nn.Conv1d, 1, 2, 3, { padding_mode: 'zeros' }), 'padding_mode', 'paddingMode'],
    ['MaxPool2d', build(nn.MaxPool2d, 2, { ceil_mode: true }), 'ceil_mode', 'ceilMode'],
    ['AvgPool1d', build(nn.AvgPool1d, 2, { count_include_pad: false }), 'count_include_pad', 'countIncludePad'],
    ['BatchNorm1d', build(nn.BatchNorm1d, 4, { track_running_stats: false }), 'track_running_stats', 'trackRunningStats'],
    ['BatchNorm2d', build(nn.BatchNorm2d, 4, { momentun: 0.1 }), 'momentun', 'momentum'],
    ['LayerNorm', build(nn.LayerNorm, 4, { elementwise_affine: false }), 'elementwise_affine', 'elementwiseAffine'],
    ['Dropout', build(nn.Dropout, { P: 0.2 }), 'P', 'p'],
    ['Dropout (generator)', build(nn.Dropout, 0.2, { generater: null }), 'generater', 'generator'],
    ['LeakyReLU', build(nn.LeakyReLU, { negative_slope: 0.1 }), 'negative_slope', 'negativeSlope'],
    ['Softplus', build(nn.Softplus, { beat: 2 }), 'beat', 'beta'],
    ['Softmax', build(nn.Softmax, { dims: 1 }), 'dims', 'dim'],
    ['Flatten', build(nn.Flatten, { start_dim: 0 }), 'start_dim', 'startDim'],
    ['LSTM', build(nn.LSTM, 3, 4, { num_layers: 2 }), 'num_layers', 'numLayers'],
    ['GRU', build(nn.GRU, 3, 4, { batch_first: true }), 'batch_first', 'batchFirst'],
    ['RNN', build(nn.RNN, 3, 4, { nonlinerity: 'relu' }), 'nonlinerity', 'nonlinearity'],
  ])('%s', (layer, run, key, hint) => {
    expectError(run, UnknownOptionError, `unknown option '${key}' (did you mean '${hint}'?)`);
    try {
      run();
    } catch (e) {
      expect((e as UnknownOptionError).suggestion).toBe(hint);
      expect((e as UnknownOptionError).where).toBe(`nn.${layer.split(' ')[0]}`);
    }
  });

  it('an option of another layer is unknown here (projSize is LSTM-only, nonlinearity RNN-only)', () => {
    expectError(build(nn.GRU, 3, 4, { projSize: 0 }), UnknownOptionError, "nn.GRU: unknown option 'projSize'");
    expectError(build(nn.LSTM, 3, 4, { nonlinearity: 'tanh' }), UnknownOptionError, "nn.LSTM: unknown option 'nonlinearity'");
    expectError(build(nn.MaxPool1d, 2, { countIncludePad: true }), UnknownOptionError, "nn.MaxPool1d: unknown option 'countIncludePad'");
    expectError(build(nn.AvgPool2d, 2, { dilation: 2 }), UnknownOptionError, "nn.AvgPool2d: unknown option 'dilation'");
  });
});

describe('nn layers: wrong types and values name the layer, the parameter and the value', () => {
  it.each<[() => unknown, string]>([
    [build(nn.Linear, '3', 4), 'nn.Linear: inFeatures must be an integer >= 1, got string "3"'],
    [build(nn.Linear, 3), 'nn.Linear: outFeatures must be an integer >= 1, got undefined'],
    [build(nn.Linear, 3, 4, 'no'), 'nn.Linear: bias must be a boolean (true or false), got string "no"'],
    [build(nn.Linear, 3, 4, { generator: 7 }), 'nn.Linear: generator must be a Generator, got number 7'],
    [build(nn.Conv2d, 1, 2, [3]), 'nn.Conv2d: kernelSize must be a number or a list of 2 numbers, got array of length 1'],
    [build(nn.Conv2d, 1, 2, 3, 0), 'nn.Conv2d: stride must be an integer >= 1, got number 0'],
    [build(nn.Conv2d, 1, 2, 3, 1, 'full'), "nn.Conv2d: padding must be an integer >= 0, a list of 2 of them, 'valid' or 'same', got string \"full\""],
    [build(nn.Conv2d, 1, 2, 3, { stride: 2, padding: 'same' }), "nn.Conv2d: padding='same' needs stride 1, got stride (2, 2)"],
    [build(nn.Conv1d, 1, 2, 3, { dilation: [1, 1] }), 'nn.Conv1d: dilation must be a number or a list of 1 numbers, got array of length 2'],
    [build(nn.Conv1d, 1, 2, 3, { paddingMode: 'reflect' }), "nn.Conv1d: paddingMode must be one of 'zeros', got string \"reflect\""],
    [build(nn.MaxPool2d, -1), 'nn.MaxPool2d: kernelSize must be an integer >= 1, got number -1'],
    [build(nn.MaxPool1d, 2, 1, 0, 1, false, 'yes'), 'nn.MaxPool1d: ceilMode must be a boolean (true or false), got string "yes"'],
    [build(nn.BatchNorm1d, 4, -1), 'nn.BatchNorm1d: eps must be a finite number >= 0, got number -1'],
    [build(nn.BatchNorm2d, 4, 1e-5, NaN), 'nn.BatchNorm2d: momentum must be a finite number in [0, 1], got NaN'],
    [build(nn.LayerNorm, [2, 0]), 'nn.LayerNorm: normalizedShape must be an integer >= 1 or a list of them, got array of length 2'],
    [build(nn.Dropout, 1.5), 'nn.Dropout: p must be a finite number in [0, 1], got number 1.5'],
    [build(nn.LeakyReLU, NaN), 'nn.LeakyReLU: negativeSlope must be a finite number, got NaN'],
    [build(nn.Softplus, 0), 'nn.Softplus: beta must be a finite nonzero number, got number 0'],
    [build(nn.Softmax, 0.5), 'nn.Softmax: dim must be an integer, got number 0.5'],
    [build(nn.Flatten, 1, '2'), 'nn.Flatten: endDim must be an integer, got string "2"'],
    [build(nn.LSTM, 3, 4, 0), 'nn.LSTM: numLayers must be an integer >= 1, got number 0'],
    [build(nn.GRU, 3, 4, { dropout: -0.1 }), 'nn.GRU: dropout must be a finite number in [0, 1], got number -0.1'],
    [build(nn.RNN, 3, 4, 1, 'sigmoid'), "nn.RNN: nonlinearity must be one of 'tanh', 'relu', got string \"sigmoid\""],
  ])('%#: %s', (run, message) => {
    expectError(run, ArgumentError, message);
  });

  it('positional forms: too many positions, an option given twice, an object before the end', () => {
    expectError(build(nn.Linear, 3, 4, true, false), ArgumentError, 'nn.Linear: takes at most 3 optional positional arguments (inFeatures, outFeatures, bias) and then an options object, got 4');
    expectError(build(nn.Conv2d, 1, 2, 3, 2, { stride: 1 }), ArgumentError, 'nn.Conv2d: stride was given twice, by position and in the options object');
    expectError(build(nn.Flatten, { startDim: 0 }, 2), ArgumentError, 'nn.Flatten: startDim (argument 1 after the required ones) must not be an object');
    expectError(build(nn.Softmax, 'x'), ArgumentError, 'nn.Softmax: dim must be an integer, got string "x"');
    expect(() => build(nn.Softmax, { axis: 1 })()).toThrow("nn.Softmax: unknown option 'axis'; valid options: dim");
    expectError(build(nn.ReLU, true), ArgumentError, 'nn.ReLU: takes at most 0 optional positional arguments');
    expectError(build(nn.Sigmoid, { inplace: true }), UnknownOptionError, "nn.Sigmoid: unknown option 'inplace'");
  });

  it('PyTorch settings that are not implemented are refused by name', () => {
    expectError(build(nn.Conv2d, 2, 4, 3, 1, 0, 1, 2), ArgumentError, 'nn.Conv2d: groups = 2 is not supported');
    expectError(build(nn.Conv1d, 2, 4, 3, { groups: 2 }), ArgumentError, 'nn.Conv1d: groups = 2 is not supported');
    expectError(build(nn.LSTM, 3, 4, 1, true, false), ArgumentError, 'nn.LSTM: only batchFirst = true is supported');
    expectError(build(nn.GRU, 3, 4, 1, true, true, 0, true), ArgumentError, 'nn.GRU: bidirectional = true is not supported');
    expectError(build(nn.LSTM, 3, 4, { projSize: 2 }), ArgumentError, 'nn.LSTM: projSize = 2 is not supported');
    expectError(build(nn.MaxPool2d, 2, { returnIndices: true }), ArgumentError, 'nn.MaxPool2d: returnIndices = true is not supported');
    // a stack too large for WebAssembly memory is refused before any layer is allocated (it used to hang)
    const live = fg.memoryStats().liveTensors;
    expectError(build(nn.LSTM, 3, 4, 1e9), ArgumentError, /nn\.LSTM: numLayers asks for 1\.\d+e\+11 parameters and buffers, more than WebAssembly memory holds/);
    expectError(build(nn.GRU, 3, 1e6), ArgumentError, /nn\.GRU: numLayers asks for \d\.\d+e\+\d+ parameters/);
    expect(fg.memoryStats().liveTensors).toBe(live);
    try {
      new nn.Conv2d(2, 4, 3, { groups: 4 });
    } catch (e) {
      expect((e as ArgumentError).param).toBe('groups');
    }
  });

  it('a failed constructor leaves no tensors behind', () => {
    const live = fg.memoryStats().liveTensors;
    for (const run of [build(nn.Linear, 3, 4, { bais: 1 }), build(nn.Conv2d, 1, 2, 3, { groups: 2 }), build(nn.LSTM, 3, 4, { bidirectional: true }), build(nn.BatchNorm1d, 2, 'x')]) {
      expect(run).toThrow(ValueError);
    }
    expect(fg.memoryStats().liveTensors).toBe(live);
  });
});

describe('nn init functions check their arguments', () => {
  it('fanIn, a, gain and the random options', () => {
    expectError(() => nn.kaimingUniform([2, 2], -1), ArgumentError, 'nn.kaimingUniform: fanIn must be a finite number >= 0, got number -1');
    expectError(() => nn.kaimingUniform([2, 2], 2, NaN), ArgumentError, 'nn.kaimingUniform: a must be a finite number, got NaN');
    expectError(() => nn.fanInUniform([2], '3' as never), ArgumentError, 'nn.fanInUniform: fanIn must be a finite number >= 0, got string "3"');
    expectError(() => nn.xavierUniform([2], 1, 1, -1), ArgumentError, 'nn.xavierUniform: gain must be a finite number >= 0, got number -1');
    expectError(() => nn.xavierUniform([2], 1, 1, 1, { generater: null } as never), UnknownOptionError, "nn.xavierUniform: unknown option 'generater' (did you mean 'generator'?)");
    const a = nn.kaimingUniform([3], 4, 0, { generator: new fg.Generator(2) });
    const b = nn.kaimingUniform([3], 4, 0, { generator: new fg.Generator(2) });
    expect(Array.from(a.toFloat32Array())).toEqual(Array.from(b.toFloat32Array()));
    // a = 0: bound √(6/fanIn)
    expect(Array.from(a.toFloat32Array()).every((v) => Math.abs(v) <= Math.sqrt(6 / 4))).toBe(true);
  });
});

describe('nn.Module methods check their options', () => {
  it('loadStateDict: strict must be a boolean, entries must be tensors or {shape, data}', () => {
    const m = new nn.Linear(2, 1);
    const state = m.stateDict();
    expectError(() => m.loadStateDict(state, { strcit: false } as never), UnknownOptionError, "loadStateDict: unknown option 'strcit' (did you mean 'strict'?)");
    expectError(() => m.loadStateDict(state, { strict: 'no' } as never), ArgumentError, 'loadStateDict: strict must be a boolean');
    expectError(() => m.loadStateDict(null as never), ArgumentError, 'loadStateDict: state must be an object');
    expectError(() => m.loadStateDict({ ...state, weight: null } as never), ArgumentError, "loadStateDict: 'weight' must be a Tensor or {shape, data} with 2 values, got null");
    expectError(() => m.loadStateDict({ ...state, weight: { shape: [1, 2], data: [1] } }), ShapeError, "'weight' has 1 values but its shape [1, 2] needs 2");
    m.loadStateDict({ ...state, weight: { shape: [1, 2], data: [3, 4] } });
    expect(Array.from(m.weight.toFloat32Array())).toEqual([3, 4]);
    expectError(() => m.train('yes' as never), ArgumentError, 'Module.train: mode must be a boolean');
    m.dispose();
  });

  it('Sequential takes modules only', () => {
    expect(() => new nn.Sequential(3 as never)).toThrow(/Sequential: layer 0 is not a Module/);
    expect(() => new nn.Sequential(new nn.ReLU()).at(1.5)).toThrow(ValueError);
  });
});
