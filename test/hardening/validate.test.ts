import { describe as suite, expect, it } from 'vitest';
import { ArgumentError, FingradError, UnknownOptionError, ValueError } from '../../src/errors.js';
import { closest, describe, is, readArgs, readOptions } from '../../src/validate.js';

const spec = {
  hiddenLayerSizes: is.list(is.int({ min: 1 }), { minLength: 1 }),
  learningRate: is.number({ min: 0, minOpen: true }),
  maxIter: is.int({ min: 1 }),
  solver: is.oneOf(['adam', 'sgd'] as const),
  shuffle: is.boolean,
};

suite('readOptions', () => {
  it('returns the checked values and treats undefined as absent', () => {
    expect(readOptions('M', { maxIter: 3, shuffle: undefined }, spec)).toEqual({ maxIter: 3 });
    expect(readOptions('M', undefined, spec)).toEqual({});
  });

  it.each([
    ['hidden_layer_sizes', 'hiddenLayerSizes'],
    ['lerningRate', 'learningRate'],
    ['max_iter', 'maxIter'],
    ['Shuffle', 'shuffle'],
  ])('names an unknown key %s and suggests %s', (key, hint) => {
    const run = () => readOptions('MLPClassifier', { [key]: 1 }, spec);
    expect(run).toThrow(UnknownOptionError);
    expect(run).toThrow(`MLPClassifier: unknown option '${key}' (did you mean '${hint}'?)`);
    try {
      run();
    } catch (e) {
      expect((e as UnknownOptionError).suggestion).toBe(hint);
      expect((e as UnknownOptionError).param).toBe(key);
    }
  });

  it('gives no suggestion for a key unlike any valid one, and lists the valid ones', () => {
    expect(() => readOptions('M', { banana: 1 }, spec)).toThrow(/unknown option 'banana'; valid options: hiddenLayerSizes, learningRate/);
  });

  it.each([
    [{ maxIter: 2.5 }, "M: maxIter must be an integer >= 1, got number 2.5"],
    [{ maxIter: '5' }, 'M: maxIter must be an integer >= 1, got string "5"'],
    [{ learningRate: 0 }, 'M: learningRate must be a finite number > 0, got number 0'],
    [{ learningRate: NaN }, 'got NaN'],
    [{ solver: 'adma' }, "M: solver must be one of 'adam', 'sgd' (did you mean 'adam'?)"],
    [{ shuffle: 1 }, 'M: shuffle must be a boolean (true or false), got number 1'],
    [{ hiddenLayerSizes: [3, 0] }, 'M: hiddenLayerSizes[1] must be an integer >= 1, got number 0'],
    [{ hiddenLayerSizes: 3 }, 'M: hiddenLayerSizes must be a list of at least 1 items, got number 3'],
  ])('rejects a wrong value %j with a named error', (given, message) => {
    const run = () => readOptions('M', given, spec);
    expect(run).toThrow(ArgumentError);
    expect(run).toThrow(message);
  });

  it.each([5, 'adam', [1], null, new Map()])('rejects %s where an options object belongs', (given) => {
    expect(() => readOptions('MLPClassifier', given, spec)).toThrow(/MLPClassifier: options must be an object/);
  });

  it('errors are FingradErrors and ValueErrors, with the function and parameter attached', () => {
    try {
      readOptions('fn', { maxIter: -1 }, spec);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FingradError);
      expect(e).toBeInstanceOf(ValueError);
      expect((e as ArgumentError).where).toBe('fn');
      expect((e as ArgumentError).param).toBe('maxIter');
    }
  });
});

suite('readArgs', () => {
  const pool = { stride: is.int({ min: 1 }), padding: is.int({ min: 0 }), ceilMode: is.boolean };
  const names = ['stride', 'padding', 'ceilMode'] as const;

  it('maps PyTorch positions, an options object, or both, to one object', () => {
    expect(readArgs('pool', [2, 1], names, pool)).toEqual({ stride: 2, padding: 1 });
    expect(readArgs('pool', [{ stride: 2, ceilMode: true }], names, pool)).toEqual({ stride: 2, ceilMode: true });
    expect(readArgs('pool', [2, { padding: 1 }], names, pool)).toEqual({ stride: 2, padding: 1 });
    expect(readArgs('pool', [undefined, 1, undefined], names, pool)).toEqual({ padding: 1 });
    expect(readArgs('pool', [], names, pool)).toEqual({});
  });

  it('rejects too many positions, an option given twice, and bad positional values', () => {
    expect(() => readArgs('pool', [1, 0, false, 4], names, pool)).toThrow('pool: takes at most 3 optional positional arguments (stride, padding, ceilMode) and then an options object, got 4');
    expect(() => readArgs('pool', [2, { stride: 3 }], names, pool)).toThrow('pool: stride was given twice');
    expect(() => readArgs('pool', ['2'], names, pool)).toThrow('pool: stride must be an integer >= 1, got string "2"');
    expect(() => readArgs('pool', [{ strid: 2 }], names, pool)).toThrow("did you mean 'stride'?");
    expect(() => readArgs('pool', [{ stride: 2 }, 1], names, pool)).toThrow(/must not be an object/);
  });
});

suite('checks and messages', () => {
  it('closest() folds case and separators and refuses far-off names', () => {
    expect(closest('class_weight', ['classWeight', 'C'])).toBe('classWeight');
    expect(closest('zzz', ['classWeight', 'C'])).toBeUndefined();
  });

  it('describe() says what was given without dumping it', () => {
    expect(describe('x'.repeat(100))).toMatch(/…"$/);
    expect(describe(new Float32Array(3))).toBe('Float32Array of length 3');
    expect(describe({ a: 1 })).toBe('object {a}');
    expect(describe(() => 1)).toMatch(/^function/);
  });

  it('tuple, nullable and anyOf', () => {
    const k = is.tuple(is.int({ min: 1 }), 2);
    expect(k(3, 'c: k')).toBe(3);
    expect(k([3, 2], 'c: k')).toEqual([3, 2]);
    expect(() => k([3], 'c: k')).toThrow('c: k must be a number or a list of 2 numbers, got array of length 1');
    expect(is.nullable(is.boolean)(null, 'f: b')).toBeNull();
    const either = is.anyOf('a boolean or a positive integer', is.boolean as never, is.int({ min: 1 }));
    expect(either(true, 'f: x')).toBe(true);
    expect(() => either('no', 'f: x')).toThrow('f: x must be a boolean or a positive integer, got string "no"');
  });
});
