// Bad input to the tensor-level API, one block per class of fault: each gets a named
// FingradError (naming the function and the parameter, and what was given), never a raw
// TypeError/RangeError, a silent wrong answer or a NaN tensor. The issue's own examples first.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

const { ArgumentError, DisposedError, ShapeError, UnknownOptionError, ValueError } = fg;

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe("the issue's examples", () => {
  it('add(x, "1"), add(x, null), relu(null): ArgumentError naming the op, the parameter and the value', () => {
    fg.tidy(() => {
      const x = fg.ones([2, 3]);
      const e = thrown(() => fg.add(x, '1' as never));
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toBe('add: other must be a Tensor, a number or nested arrays of numbers, got string "1"');
      expect((e as fg.ArgumentError).param).toBe('other');
      expect(() => fg.add(x, null as never)).toThrow(/^add: other must be .*got null$/);
      expect(() => fg.relu(null as never)).toThrow(ArgumentError);
      expect(() => fg.relu(null as never)).toThrow(/^relu: input must be a Tensor, .*got null$/);
    });
  });

  it('sub(1, x) is 1 − x and matmul takes nested arrays, as PyTorch takes scalars and numpy arrays', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, 2], [3, 4]]);
      expect(fg.sub(1, x).toArray()).toEqual([[0, -1], [-2, -3]]);
      expect(fg.matmul(x, [[1], [2]]).toArray()).toEqual([[5], [11]]);
      expect(() => fg.matmul(fg.ones([2, 3]), [[1], [2]])).toThrow(/matmul: shapes \[2, 3\] and \[2, 1\] cannot be multiplied/);
      expect(() => fg.matmul(x, [[1], [2, 3]])).toThrow(/matmul: other must be .*the array given is not \(tensor: ragged nested array/);
    });
  });

  it("zeros('3'), arange(0, Infinity), full([2], 'a'): named errors, no NaN tensor", () => {
    expect(() => fg.zeros('3' as never)).toThrow(ArgumentError);
    expect(() => fg.zeros('3' as never)).toThrow(/^zeros: shape must be a list of integers .*got string "3"$/);
    expect(() => fg.arange(0, Infinity)).toThrow(/^arange: end must be a finite number, got number Infinity$/);
    expect(() => fg.full([2], 'a' as never)).toThrow(/^full: value must be a number or NaN, got string "a"$/);
  });
});

describe('wrong types, named with the function and the parameter', () => {
  it.each([
    ['sum(x, 1, "yes")', (x: fg.Tensor) => fg.sum(x, 1, 'yes' as never), /^sum: keepdim must be a boolean \(true or false\), got string "yes"$/],
    ['sum(x, "1")', (x: fg.Tensor) => fg.sum(x, '1' as never), /^sum: dim must be an integer, a list of integers or null, got string "1"$/],
    ['softmax(x, 1.5)', (x: fg.Tensor) => fg.softmax(x, 1.5), /^softmax: dim must be an integer, got number 1.5$/],
    ['argmax(x, true)', (x: fg.Tensor) => fg.argmax(x, true as never), /^argmax: dim must be an integer/],
    ['maxPool2d(x4, "2")', (x: fg.Tensor) => fg.maxPool2d(x.reshape(1, 1, 2, 3), '2' as never), /^maxPool2d: kernelSize must be a number or a list of 2 numbers, got string "2"$/],
    ['maxPool2d(x4)', (x: fg.Tensor) => (fg.maxPool2d as (x: unknown) => unknown)(x.reshape(1, 1, 2, 3)), /^maxPool2d: kernelSize is required/],
    ['conv2d(x, "w")', (x: fg.Tensor) => fg.conv2d(x, 'w' as never), /^conv2d: weight must be a Tensor/],
    ['conv2d(x4, w, null, 1, 0, 1, 2)', (x: fg.Tensor) => fg.conv2d(x.reshape(1, 2, 1, 3), fg.ones([2, 1, 1, 1]), null, 1, 0, 1, 2), /^conv2d: groups > 1 .* is not supported, got groups=2$/],
    ['dropout(x, 1.5)', (x: fg.Tensor) => fg.dropout(x, 1.5), /^dropout: p must be a finite number in \[0, 1\], got number 1.5$/],
    ['dropout(x, 0.5, "no")', (x: fg.Tensor) => fg.dropout(x, 0.5, 'no' as never), /^dropout: training must be a boolean/],
    ['reshape(x, "a")', (x: fg.Tensor) => fg.reshape(x, 'a' as never), /^reshape: shape must be a list of integers/],
    ['transpose(x, 0)', (x: fg.Tensor) => (fg.transpose as (...a: unknown[]) => unknown)(x, 0), /^transpose: dim0 and dim1 are required$/],
    ['concat(x)', (x: fg.Tensor) => fg.concat(x as never), /^concat: tensors must be a list of tensors, got Tensor of shape \[2, 3\]$/],
    ['indexSelect(x, 1, "0")', (x: fg.Tensor) => fg.indexSelect(x, 1, '0' as never), /^indexSelect: index must be a list of integers/],
    ['mseLoss(x, y, true)', (x: fg.Tensor) => fg.mseLoss(x, x, true as never), /^mseLoss: reduction must be one of 'mean', 'sum', 'none', got boolean true$/],
    ['crossEntropy(x, "1")', (x: fg.Tensor) => fg.crossEntropy(x, '1' as never), /^crossEntropy: target must be class labels/],
    ['linear(x, w, {activation: "gelu"})', (x: fg.Tensor) => fg.linear(x, fg.ones([4, 3]), { activation: 'gelu' as never }), /^linear: activation must be one of/],
    ['lstmLayer(x, {})', (x: fg.Tensor) => fg.lstmLayer(x.reshape(1, 2, 3), {} as never), /^lstmLayer: weights need weightIh and weightHh$/],
    ['gradcheck("f", [x])', (x: fg.Tensor) => fg.gradcheck('f' as never, [x]), /^gradcheck: fn must be a function, got string "f"$/],
    ['tensor({a: 1})', () => fg.tensor({ a: 1 } as never), /^tensor: data must be a number, nested arrays or a typed array, got object \{a\}$/],
    ["tensor(['a'])", () => fg.tensor(['a'] as never), /^tensor: data must hold numbers only; the element at \[0\] is string "a"$/],
    ['randn([2], {generator: 1})', () => fg.randn([2], { generator: 1 as never }), /^randn: generator must be a Generator, got number 1$/],
    ['manualSeed("1")', () => fg.manualSeed('1' as never), /^manualSeed: seed must be a finite number, got string "1"$/],
    ['batchNorm(x, [0, 0, 0], …)', (x: fg.Tensor) => fg.batchNorm(x, [0, 0, 0] as never, [1, 1, 1] as never, { training: true }), /^batchNorm: runningMean must be a Tensor \(updated in place\) or null, got array of length 3$/],
  ])('%s', (_, run, message) => {
    fg.tidy(() => {
      const e = thrown(() => run(fg.ones([2, 3])));
      expect(e).toBeInstanceOf(fg.FingradError);
      expect(e.message).toMatch(message);
    });
  });

  it('Tensor methods check their arguments the same way', () => {
    fg.tidy(() => {
      const x = fg.ones([2, 3]);
      expect(() => x.sum('1' as never)).toThrow(/^sum: dim must be/);
      expect(() => x.add(null as never)).toThrow(/^add: other must be/);
      expect(() => x.reshape(2, 'a' as never)).toThrow(/^reshape: takes at most 0 optional positional arguments/);
      expect(() => x.maxPool2d(2 as never)).toThrow(ShapeError);
      expect(() => x.softmax({ axis: 0 } as never)).toThrow(UnknownOptionError);
    });
  });
});

describe('unknown options: the key named, the closest valid one suggested', () => {
  it.each([
    ['sum', (x: fg.Tensor) => fg.sum(x, 1, { keepDim: true } as never), 'keepDim', 'keepdim'],
    ['sum', (x: fg.Tensor) => fg.sum(x, { axis: 1 } as never), 'axis', undefined],
    ['maxPool2d', (x: fg.Tensor) => fg.maxPool2d(x.reshape(1, 1, 2, 3), 2, { strides: 1 } as never), 'strides', 'stride'],
    ['avgPool2d', (x: fg.Tensor) => fg.avgPool2d(x.reshape(1, 1, 2, 3), 2, { count_include_pad: false } as never), 'count_include_pad', 'countIncludePad'],
    ['conv2d', (x: fg.Tensor) => fg.conv2d(x.reshape(1, 2, 1, 3), fg.ones([1, 2, 1, 1]), { paddng: 1 } as never), 'paddng', 'padding'],
    ['dropout', (x: fg.Tensor) => fg.dropout(x, { trainig: false } as never), 'trainig', 'training'],
    ['crossEntropy', (x: fg.Tensor) => fg.crossEntropy(x, [0, 1], { label_smoothing: 0.1 } as never), 'label_smoothing', 'labelSmoothing'],
    ['linear', (x: fg.Tensor) => fg.linear(x, fg.ones([4, 3]), null, { activaton: 'relu' } as never), 'activaton', 'activation'],
    ['tensor', () => fg.tensor([1], { requires_grad: true } as never), 'requires_grad', 'requiresGrad'],
    ['zeros', () => fg.zeros(2, 3, { requiresgrad: true } as never), 'requiresgrad', 'requiresGrad'],
    ['layerNorm', (x: fg.Tensor) => fg.layerNorm(x, 3, { esp: 1e-3 } as never), 'esp', 'eps'],
    ['gradcheck', (x: fg.Tensor) => fg.gradcheck((a) => a, [x], { rtl: 1 } as never), 'rtl', 'rtol'],
    ['lstmLayer: weights', (x: fg.Tensor) => fg.lstmLayer(x.reshape(1, 2, 3), { weight_ih: x } as never), 'weight_ih', 'weightIh'],
  ])('%s: %s', (where, run, key, hint) => {
    fg.tidy(() => {
      const e = thrown(() => run(fg.ones([2, 3])));
      expect(e).toBeInstanceOf(UnknownOptionError);
      expect(e.message).toContain(`${where}: unknown option '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
      expect((e as fg.UnknownOptionError).suggestion).toBe(hint);
    });
  });
});

describe('non-finite numbers where they have no meaning', () => {
  it.each([
    ['arange(0, NaN)', () => fg.arange(0, NaN), /^arange: end must be a finite number, got NaN$/],
    ['arange(0, 1, Infinity)', () => fg.arange(0, 1, Infinity), /^arange: step must be a finite number/],
    ['eye(Infinity)', () => fg.eye(Infinity), /^eye: n must be an integer >= 0/],
    ['zeros(Infinity)', () => fg.zeros(Infinity), /^zeros: shape\[0\] must be an integer >= 0, got number Infinity$/],
    ['uniform([2], 0, Infinity)', () => fg.uniform([2], 0, Infinity), /^uniform: high must be a finite number/],
    ['randn([2], {std: NaN})', () => fg.randn([2], { std: NaN }), /^randn: std must be a finite number >= 0, got NaN$/],
    ['leakyRelu(x, NaN)', () => fg.leakyRelu(fg.ones([2]), NaN), /^leakyRelu: negativeSlope must be a finite number, got NaN$/],
    ['huberLoss(x, y, "mean", Infinity)', () => fg.huberLoss(fg.ones([2]), fg.ones([2]), 'mean', Infinity), /^huberLoss: delta must be a finite number > 0/],
    ['layerNorm(x, 3, null, null, NaN)', () => fg.layerNorm(fg.ones([2, 3]), 3, null, null, NaN), /^layerNorm: eps must be a finite number >= 0, got NaN$/],
    ['tensor([1, NaN])', () => fg.tensor([1, NaN]), /^tensor: input has NaN at index \[1\]/],
  ])('%s', (_, run, message) => {
    fg.tidy(() => {
      const e = thrown(run);
      // a bad size is a ShapeError; every other value a ValueError (ArgumentError is one)
      expect(e).toBeInstanceOf(message.source.includes('shape\\[') ? ShapeError : ValueError);
      expect(e.message).toMatch(message);
    });
  });

  it('but scalars may be ±Infinity where PyTorch takes them (masks, bounds)', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, -2]);
      expect(fg.where(fg.gt(x, 0), x, -Infinity).toArray()).toEqual([1, -Infinity]);
      expect(fg.full([1], -Infinity).toArray()).toEqual([-Infinity]);
      expect(fg.clamp(x, -Infinity, 0).toArray()).toEqual([0, -2]);
      expect(fg.sub(Infinity, x).toArray()).toEqual([Infinity, Infinity]);
    });
  });
});

describe('arguments given twice, too many, or too large', () => {
  it.each([
    ['sum(x, 1, {dim: 0})', () => fg.sum(fg.ones([2, 3]), 1, { dim: 0 } as never), /^sum: dim was given twice, by position and in the options object$/],
    ['relu(x, true)', () => (fg.relu as (...a: unknown[]) => unknown)(fg.ones([2]), true), /^relu: takes at most 0 optional positional arguments and then an options object, got 1$/],
    ['klNormal(a, b, "sum")', () => (fg.klNormal as (...a: unknown[]) => unknown)(fg.ones([2]), fg.ones([2]), 'sum'), /^klNormal: takes at most 0/],
    ['softmax(x, 1, 2)', () => (fg.softmax as (...a: unknown[]) => unknown)(fg.ones([2, 3]), 1, 2), /^softmax: takes at most 1 optional positional argument \(dim\)/],
    ['maxPool2d(x, 2, 2, 0, 1, false, true) (return_indices)', () => (fg.maxPool2d as (...a: unknown[]) => unknown)(fg.ones([1, 1, 4, 4]), 2, 2, 0, 1, false, true), /^maxPool2d: takes at most 5/],
    ['dropout(x, 0.5, true, true) (inplace)', () => (fg.dropout as (...a: unknown[]) => unknown)(fg.ones([2]), 0.5, true, true), /^dropout: takes at most 2/],
    ['zeros(1e6, 1e6)', () => fg.zeros(1e6, 1e6), /^zeros: shape \[1000000, 1000000\] has 1000000000000 elements, more than/],
    ['arange(0, 1e12)', () => fg.arange(0, 1e12), /^arange: 0 to 1000000000000 by 1 makes 1000000000000 elements, more than/],
  ])('%s', (_, run, message) => {
    fg.tidy(() => {
      const e = thrown(run);
      expect(e).toBeInstanceOf(fg.FingradError);
      expect(e.message).toMatch(message);
    });
  });
});

describe('disposed tensors', () => {
  it('are a DisposedError naming the op, in any tensor position', () => {
    fg.tidy(() => {
      const d = fg.ones([2, 3]);
      d.dispose();
      const x = fg.ones([2, 3]);
      for (const run of [() => fg.sum(d), () => fg.add(x, d), () => fg.where(d, x, x), () => fg.matmul(x, d), () => fg.conv2d(x, x, d), () => fg.concat([x, d])]) {
        expect(run).toThrow(DisposedError);
      }
      expect(() => fg.add(x, d)).toThrow(/^add: tensor #\d+ \[2, 3\] was disposed$/);
    });
  });
});

describe('promotion frees what it made', () => {
  it('ops given numbers or nested arrays, called in a loop outside tidy, leave no tensor behind', () => {
    const x = fg.ones([2, 2]);
    const x3 = fg.reshape(x, [2, 2, 1]);
    const before = fg.memoryStats().liveTensors;
    for (let i = 0; i < 50; i++) {
      fg.add(1, x).dispose();
      fg.mul(x, [[2]]).dispose();
      fg.matmul(x, [[1], [2]]).dispose();
      fg.where([[1, 0], [0, 1]], 0, x).dispose();
      fg.relu([1, -1]).dispose();
      fg.sum([[1, 2], [3, 4]], 1).dispose();
      fg.max([[1, 2], [3, 4]], 1, true).dispose();
      fg.softmax([1, 2, 3]).dispose();
      fg.argmax([1, 3, 2]).dispose();
      fg.mseLoss(x, [[1, 2], [3, 4]]).dispose();
      fg.crossEntropy(x, [[1], [0]].flat()).dispose();
      fg.crossEntropy(x3, [[1], [0]]).dispose();
      fg.linear([[1, 2]], x, [0, 1]).dispose();
      fg.conv2d([[[1, 2], [3, 4]]], [[[[1]]]], [0.5]).dispose();
      fg.layerNorm([[1, 2], [3, 5]], 2, [1, 1], [0, 0]).dispose();
    }
    expect(fg.memoryStats().liveTensors).toBe(before);
    x3.dispose();
    x.dispose();
  });

  it('but keeps a promoted operand that the graph needs for backward', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, 2], { requiresGrad: true });
      const y = fg.mul(x, [3, 4]);
      fg.sum(y).backward();
      expect(x.grad?.toArray()).toEqual([3, 4]);
    });
  });
});
