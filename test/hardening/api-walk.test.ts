// Walks the exported tensor-level API (ops, creation, random, autograd functions) and calls
// every function with a battery of bad values in every argument position, the other arguments
// valid: each call must either succeed or throw a FingradError (never a TypeError, RangeError
// or WebAssembly trap), and a call given a non-number where a number belongs must never return
// NaN made from finite inputs. Every tensor the walk makes is freed (tidy), and checked.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import * as binaryOps from '../../src/ops/binary.js';
import * as compareOps from '../../src/ops/compare.js';
import * as reduceOps from '../../src/ops/reduce.js';
import * as softmaxOps from '../../src/ops/softmax.js';
import * as argmaxOps from '../../src/ops/argmax.js';
import * as splitOps from '../../src/ops/split.js';
import * as reshapeOps from '../../src/ops/reshape.js';
import * as expandOps from '../../src/ops/expand.js';
import * as transposeOps from '../../src/ops/transpose.js';
import * as sliceOps from '../../src/ops/slice.js';
import * as concatOps from '../../src/ops/concat.js';
import * as gatherOps from '../../src/ops/gather.js';
import * as convOps from '../../src/ops/conv.js';
import * as poolOps from '../../src/ops/pool.js';
import * as matmulOps from '../../src/ops/matmul.js';
import * as linearOps from '../../src/ops/linear.js';
import * as lossesOps from '../../src/ops/losses.js';
import * as dropoutOps from '../../src/ops/dropout.js';
import * as unaryOps from '../../src/ops/unary.js';
import * as whereOps from '../../src/ops/where.js';
import * as normOps from '../../src/ops/norm.js';
import * as recurrentOps from '../../src/ops/recurrent.js';
import * as creation from '../../src/tensor/creation.js';
import * as random from '../../src/tensor/random.js';
import * as gradcheck from '../../src/autograd/gradcheck.js';
import * as backwardFns from '../../src/autograd/backward.js';
import * as graphFns from '../../src/autograd/graph.js';

const api = fg as unknown as Record<string, unknown>;

const isClass = (v: unknown): boolean => typeof v === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(v));

// Modules whose functions this walk covers (the tensor level); the classes of nn/optim/models
// and the finance, IO and training functions have their own checks.
const MODULES: Array<Record<string, unknown>> = [binaryOps, compareOps, reduceOps, softmaxOps, argmaxOps, reshapeOps, expandOps, transposeOps, sliceOps, concatOps, gatherOps, convOps, poolOps, matmulOps, linearOps, lossesOps, dropoutOps, unaryOps, whereOps, normOps, recurrentOps, creation, random, gradcheck, backwardFns, graphFns, splitOps];
const inScope = new Set(MODULES.flatMap((m) => Object.values(m)).filter((v) => typeof v === 'function' && !isClass(v)));

const m = (r = 2, c = 3): fg.Tensor => fg.tensor(Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => 0.25 + 0.5 * i + 0.125 * j)));
const t = (shape: number[], v = 0.5): fg.Tensor => fg.full(shape, v);

/** A valid call of every covered function: the walk replaces one argument at a time. */
const GOOD: Record<string, () => unknown[]> = {
  add: () => [m(), m()],
  sub: () => [m(), m()],
  mul: () => [m(), m()],
  div: () => [m(), m()],
  maximum: () => [m(), m()],
  minimum: () => [m(), m()],
  neg: () => [m()],
  eq: () => [m(), m()],
  ne: () => [m(), m()],
  lt: () => [m(), m()],
  le: () => [m(), m()],
  gt: () => [m(), m()],
  ge: () => [m(), m()],
  sum: () => [m(), 1, true],
  mean: () => [m(), 1, true],
  max: () => [m(), 1, true],
  min: () => [m(), 1, true],
  amax: () => [m(), 1, true],
  split: () => [m(), [1, 2], 1],
  chunk: () => [m(), 2, 1],
  amin: () => [m(), [0, 1], true],
  argmax: () => [m(), 1, true],
  argmin: () => [m(), 1, true],
  softmax: () => [m(), 1],
  logSoftmax: () => [m(), 1],
  reshape: () => [m(), [3, 2]],
  flatten: () => [t([2, 3, 4]), 1, 2],
  squeeze: () => [t([2, 1, 3]), 1],
  unsqueeze: () => [m(), 0],
  expand: () => [t([2, 1]), [2, 3]],
  permute: () => [m(), [1, 0]],
  transpose: () => [m(), 0, 1],
  select: () => [m(), 1, 2],
  slice: () => [m(), 1, 0, 2, 1],
  concat: () => [[m(), m()], 1],
  cat: () => [[m(), m()], 1],
  stack: () => [[m(), m()], 0],
  gather: () => [m(), 1, fg.tensor([[0, 2], [1, 1]])],
  indexSelect: () => [m(), 1, [0, 2]],
  conv2d: () => [t([1, 2, 5, 5]), t([3, 2, 3, 3]), t([3]), 1, 1, 1, 1],
  conv1d: () => [t([1, 2, 8]), t([3, 2, 3]), t([3]), 1, 1, 1, 1],
  maxPool2d: () => [m(6, 6).reshape([1, 1, 6, 6]), 2, 2, 0, 1, false],
  avgPool2d: () => [m(6, 6).reshape([1, 1, 6, 6]), 2, 2, 0, false, true],
  maxPool1d: () => [m(2, 8).reshape([1, 2, 8]), 2, 2, 0, 1, false],
  avgPool1d: () => [m(2, 8).reshape([1, 2, 8]), 2, 2, 0, false, true],
  matmul: () => [m(), m(3, 2)],
  linear: () => [m(), t([4, 3]), t([4]), { activation: 'relu' }],
  mseLoss: () => [m(), t([2, 3]), 'mean'],
  l1Loss: () => [m(), t([2, 3]), 'mean'],
  huberLoss: () => [m(), t([2, 3]), 'mean', 1],
  hingeLoss: () => [m(), t([2, 3], 1), 'mean', 1],
  bceWithLogits: () => [m(), t([2, 3]), { reduction: 'mean' }],
  sigmoidFocalLoss: () => [m(), t([2, 3]), { alpha: 0.25, gamma: 2, reduction: 'mean' }],
  crossEntropy: () => [m(), [0, 2], { reduction: 'mean' }],
  klNormal: () => [m(), m()],
  dropout: () => [m(), 0.5, true],
  abs: () => [m()],
  exp: () => [m()],
  log: () => [m()],
  sqrt: () => [m()],
  rsqrt: () => [m()],
  square: () => [m()],
  tanh: () => [m()],
  sigmoid: () => [m()],
  relu: () => [m()],
  leakyRelu: () => [m(), 0.1],
  softplus: () => [m(), 1, 20],
  clamp: () => [m(), 0.3, 0.9],
  pow: () => [m(), 2],
  where: () => [fg.tensor([[1, 0, 1], [0, 1, 0]]), m(), m()],
  batchNorm: () => [t([4, 3]), t([3], 0), t([3], 1), t([3]), t([3]), true, 0.1, 1e-5],
  layerNorm: () => [m(), [3], t([3]), t([3]), 1e-5],
  lstmLayer: () => [t([2, 3, 4]), { weightIh: t([8, 4], 0.1), weightHh: t([8, 2], 0.1) }, t([2, 2]), t([2, 2])],
  gruLayer: () => [t([2, 3, 4]), { weightIh: t([6, 4], 0.1), weightHh: t([6, 2], 0.1) }, t([2, 2])],
  rnnLayer: () => [t([2, 3, 4]), { weightIh: t([2, 4], 0.1), weightHh: t([2, 2], 0.1) }, t([2, 2]), 'tanh'],
  tensor: () => [[[1, 2], [3, 4]], [4], { requiresGrad: false }],
  fromValues: () => ['op', new Float32Array(2), [2], {}],
  full: () => [[2, 3], 1, {}],
  zeros: () => [[2, 3], {}],
  ones: () => [2, 3, {}],
  zerosLike: () => [m(), {}],
  onesLike: () => [m(), {}],
  arange: () => [0, 5, 1, {}],
  eye: () => [3, 2, {}],
  uniform: () => [[2, 3], 0, 1, {}],
  rand: () => [[2, 3], {}],
  randn: () => [2, 3, {}],
  manualSeed: () => [7],
  gradcheck: () => [(a: fg.Tensor) => a.square(), [m().requiresGrad_()], { eps: 1e-3 }],
  gradgradcheck: () => [(a: fg.Tensor) => a.square(), [m().requiresGrad_()], { eps: 1e-3 }],
  backward: () => [fg.sum(fg.mul(m(), m().requiresGrad_())), t([]), false],
  gradOf: () => {
    const x = m().requiresGrad_();
    return [fg.sum(fg.mul(x, x)), [x], { createGraph: true }];
  },
  noGrad: () => [() => 1],
  enableGrad: () => [() => 1],
  isGradEnabled: () => [],
  zeroGrad: () => [[m()]],
};

const BAD: Array<[string, () => unknown]> = [
  ['null', () => null],
  ['undefined', () => undefined],
  ["'1'", () => '1'],
  ['{}', () => ({})],
  ['{bogus: 1}', () => ({ bogus: 1 })],
  ['[[1], [2, 3]]', () => [[1], [2, 3]]],
  ["['a']", () => ['a']],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-1', () => -1],
  ['1.5', () => 1.5],
  ['1e12', () => 1e12],
  ['true', () => true],
  ['Symbol', () => Symbol('s')],
  ['a function', () => () => 1],
  ['10n', () => 10n],
  ['a Map', () => new Map()],
  ['a disposed tensor', () => {
    const d = fg.ones([2, 3]);
    d.dispose();
    return d;
  }],
];

// Values that may turn finite inputs into NaN through honest arithmetic (log(−1), 0·∞, …).
const NUMERIC = new Set(['NaN', 'Infinity', '-1', '1.5', '1e12']);

function tensorsIn(v: unknown, out: fg.Tensor[] = [], depth = 0): fg.Tensor[] {
  if (v instanceof fg.Tensor) out.push(v);
  else if (depth < 3 && v !== null && typeof v === 'object') for (const x of Object.values(v)) tensorsIn(x, out, depth + 1);
  return out;
}

interface Escape {
  call: string;
  error: string;
}

function walk(name: string, fn: (...a: unknown[]) => unknown, good: () => unknown[], from = 0): Escape[] {
  const escapes: Escape[] = [];
  const width = fg.tidy(() => good().length);
  for (let pos = from; pos <= width; pos++) {
    for (const [label, bad] of BAD) {
      fg.tidy(() => {
        const args = good();
        args[pos] = bad();
        const call = `${name}(${args.map((_, i) => (i === pos ? label : '·')).join(', ')})`;
        try {
          const result = fn(...args);
          if (!NUMERIC.has(label) && !tensorsIn(args).some((x) => !x.isDisposed && x.data.some(Number.isNaN))) {
            for (const r of tensorsIn(result)) {
              if (!r.isDisposed && r.data.some(Number.isNaN)) escapes.push({ call, error: 'returned NaN from finite inputs' });
            }
          }
        } catch (e) {
          if (!(e instanceof fg.FingradError)) escapes.push({ call, error: `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}` });
        }
      });
    }
  }
  return escapes;
}

describe('the exported tensor-level API', () => {
  const fns = Object.entries(api).filter(([, v]) => inScope.has(v)) as Array<[string, (...a: unknown[]) => unknown]>;

  it('is all in the walk table (a new function needs a valid call here)', () => {
    expect(fns.length).toBeGreaterThan(80);
    expect(fns.map(([n]) => n).filter((n) => !(n in GOOD))).toEqual([]);
  });

  it('has valid calls in the table that succeed', () => {
    for (const [name, fn] of fns) {
      fg.tidy(() => {
        expect(() => fn(...(GOOD[name] as () => unknown[])()), name).not.toThrow();
      });
    }
  });

  it.each(Object.keys(GOOD))('%s: bad values in any position throw a FingradError, never a raw error or NaN', (name) => {
    const fn = api[name] as (...a: unknown[]) => unknown;
    const before = fg.memoryStats().liveTensors;
    const escapes = walk(name, fn, GOOD[name] as () => unknown[]);
    expect(escapes).toEqual([]);
    expect(fg.memoryStats().liveTensors).toBe(before);
  });

  // The Tensor methods (declared in the class) take the same arguments after `this`.
  // (x.zeroGrad() clears x's own gradient; the function zeroGrad(tensors) takes a list instead.)
  const methods = Object.keys(GOOD).filter((n) => n !== 'zeroGrad' && typeof (fg.Tensor.prototype as unknown as Record<string, unknown>)[n] === 'function');

  it('include a method for most tensor-level ops', () => {
    expect(methods.length).toBeGreaterThan(50);
  });

  it.each(methods)('x.%s(…): bad values after the tensor throw a FingradError, never a raw error or NaN', (name) => {
    const method = (x: unknown, ...rest: unknown[]): unknown => ((x as Record<string, (...a: unknown[]) => unknown>)[name] as (...a: unknown[]) => unknown).call(x, ...rest);
    const before = fg.memoryStats().liveTensors;
    expect(walk(`x.${name}`, method, GOOD[name] as () => unknown[], 1)).toEqual([]);
    expect(fg.memoryStats().liveTensors).toBe(before);
  });

  // An options object the function does not know, after a valid call: never silently ignored.
  it.each(Object.keys(GOOD))('%s: an unknown option after a valid call is an UnknownOptionError', (name) => {
    fg.tidy(() => {
      const args = (GOOD[name] as () => unknown[])();
      const last = args[args.length - 1];
      const isOptions = last !== null && typeof last === 'object' && Object.getPrototypeOf(last) === Object.prototype;
      const call = isOptions ? [...args.slice(0, -1), { ...(last as object), bogus: 1 }] : [...args, { bogus: 1 }];
      expect(() => (api[name] as (...a: unknown[]) => unknown)(...call)).toThrow(fg.UnknownOptionError);
    });
  });
});
