import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { type Array64, array64 } from '../../src/reference/array64.js';
import { maxOf, meanOf, minOf, reduceAll, reduceAxis, sumOf } from '../../src/reference/reduce.js';
import { checkBackward, checkForward, expectClose, randomShape, randomValues, rng } from '../support/opcheck.js';

const ops = ['sum', 'mean', 'amax', 'amin'] as const;
type Op = (typeof ops)[number];
const fold = { sum: sumOf, mean: meanOf, amax: maxOf, amin: minOf } as const;

// The float64 twin of a multi-axis reduction: one reference pass per axis, last axis first,
// then the keepdim shape. Mean of equal-sized means is the mean, so folding axis by axis holds.
function reference(op: Op, x: Array64, axes: number[] | undefined, keepdim: boolean): Array64 {
  const rank = x.shape.length;
  const all = axes === undefined || axes.length === 0;
  const list = all ? x.shape.map((_, i) => i) : axes.map((a) => (a < 0 ? a + rank : a));
  const sorted = [...new Set(list)].sort((a, b) => b - a);
  const r = all ? reduceAll(x, fold[op]) : sorted.reduce((acc, a) => reduceAxis(acc, a, fold[op]), x);
  const shape = keepdim ? x.shape.map((d, i) => (sorted.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !sorted.includes(i));
  return array64(shape, r.data);
}

// Distinct values (a shuffled grid 4/n apart), so that max/min have no ties and finite
// differences with a step far below the gap see a single winner.
function distinctValues(n: number, rand: () => number): Float64Array {
  const v = Float64Array.from({ length: n }, (_, i) => Math.fround(-2 + (4 * i) / n));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [v[i], v[j]] = [v[j] as number, v[i] as number];
  }
  return v;
}

// Axis selections for a shape: each axis (positive and negative), two axes, all as a list, all.
function axisChoices(rank: number, rand: () => number): Array<number[] | undefined> {
  const out: Array<number[] | undefined> = [];
  for (let a = 0; a < rank; a++) out.push([a], [a - rank]);
  if (rank >= 2) {
    const a = Math.floor(rand() * rank);
    const b = (a + 1 + Math.floor(rand() * (rank - 1))) % rank;
    out.push([b, a - rank]);
  }
  if (rank >= 3) out.push(Array.from({ length: rank }, (_, i) => i));
  out.push(undefined);
  return out;
}

function call(op: Op, x: fg.Tensor, axes: number[] | undefined, keepdim: boolean): fg.Tensor {
  // A single axis goes in as a number, the way it is usually written.
  const ax = axes?.length === 1 ? (axes[0] as number) : axes;
  return fg[op](x, ax, { keepdim });
}

describe.each(ops)('%s', (op) => {
  const extremum = op === 'amax' || op === 'amin';

  it.each([1, 2, 3, 4])('matches the float64 reference on SIZES shapes of rank %i, every axis choice, keepdim on and off', (rank) => {
    const rand = rng(100 + rank);
    for (const keepdim of [false, true]) {
      const shape = randomShape(rank, rand, 40_000);
      const n = shape.reduce((a, b) => a * b, 1);
      for (const axes of axisChoices(rank, rand)) {
        const count = axes === undefined ? n : [...new Set(axes.map((a) => (a + rank) % rank))].reduce((c, a) => c * (shape[a] as number), 1);
        checkForward({
          fg: (x) => call(op, x as fg.Tensor, axes, keepdim),
          ref: (x) => reference(op, x as Array64, axes, keepdim),
          inputs: [{ shape }],
          seed: rank * 31 + n,
          rtol: 1e-5,
          // float32 sums of `count` terms of size ~1: rounding grows with the count
          atol: op === 'sum' ? 1e-6 * count + 1e-6 : 1e-5,
        });
      }
    }
  });

  it.each([1, 2, 3])('has the gradient of its float64 reference (rank %i)', (rank) => {
    const rand = rng(200 + rank);
    for (const keepdim of [false, true]) {
      const shape = randomShape(rank, rand, 5_000);
      const n = shape.reduce((a, b) => a * b, 1);
      for (const axes of axisChoices(rank, rand)) {
        checkBackward({
          fg: (x) => call(op, x as fg.Tensor, axes, keepdim),
          ref: (x) => reference(op, x as Array64, axes, keepdim),
          inputs: [{ shape, values: extremum ? distinctValues(n, rand) : undefined }],
          seed: rank * 17 + n,
          h: extremum ? 1e-7 : 1e-6,
        });
      }
    }
  });

  it('propagates NaN to exactly the slices that contain one (row, column and SIMD-tail positions)', () => {
    const rand = rng(7);
    for (const shape of [[3, 37], [37, 5], [2, 19, 6]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = randomValues(n, rand);
      for (let k = 0; k < 5; k++) values[Math.floor(rand() * n)] = NaN;
      const x64 = array64(shape, values);
      fg.tidy(() => {
        const x = fg.tensor(Float32Array.from(values), shape, { allowNonFinite: true });
        for (let axis = 0; axis < shape.length; axis++) {
          const expected = reference(op, x64, [axis], false);
          expect(expected.data.some(Number.isNaN), 'the test puts a NaN in some slice').toBe(true);
          expectClose(fg[op](x, axis).toFloat32Array(), expected.data, 1e-5, 1e-5, `${op} over axis ${axis} of [${shape}]`);
        }
        expect(Number.isNaN(fg[op](x).item())).toBe(true);
      });
    }
  });

  it('names the op when an axis is out of range or repeated', () => {
    fg.tidy(() => {
      const x = fg.zeros([2, 3]);
      expect(() => fg[op](x, 2)).toThrow(fg.ShapeError);
      expect(() => fg[op](x, 2)).toThrow(new RegExp(`^${op}: axis 2 is out of range for a tensor of rank 2`));
      expect(() => fg[op](x, [0, -3])).toThrow(new RegExp(`^${op}: axis -3 is out of range`));
      expect(() => fg[op](x, [1, -1])).toThrow(new RegExp(`^${op}: axis 1 appears more than once in \\[1, -1\\]`));
    });
  });

  it('treats a scalar as already reduced along axis 0 / -1 and over all', () => {
    fg.tidy(() => {
      const x = fg.tensor(2.5);
      for (const axes of [undefined, 0, -1, [0]]) {
        for (const keepdim of [false, true]) {
          const out = fg[op](x, axes, { keepdim });
          expect(out.shape).toEqual([]);
          expect(out.item()).toBe(2.5);
        }
      }
    });
  });

  it('is available as a Tensor method', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, -2, 3], [4, 5, -6]]);
      expect(x[op](1).toFloat32Array()).toEqual(fg[op](x, 1).toFloat32Array());
    });
  });
});

describe('reductions', () => {
  it('reduce over every axis when given an empty list, like PyTorch', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, 2], [3, 4]]);
      expect(fg.sum(x, []).shape).toEqual([]);
      expect(fg.sum(x, []).item()).toBe(10);
      expect(fg.max(x, [], { keepdim: true }).toArray()).toEqual([[4]]);
    });
  });

  it('split the gradient of amax and amin (and max over everything) evenly among tied elements, like torch.amax', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, 3, 3], [2, 2, 2], [0, -1, 5]], undefined, { requiresGrad: true });
      fg.amax(x, 1).sum().backward();
      expect(x.grad?.toArray()).toEqual([[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3], [0, 0, 1]].map((r) => r.map(Math.fround)));
      fg.zeroGrad([x]);
      fg.amin(x, 0).sum().backward();
      expect(x.grad?.toArray()).toEqual([[0, 0, 0], [0, 0, 1], [1, 1, 0]]);
      const y = fg.tensor([[7, 1], [7, 7]], undefined, { requiresGrad: true });
      fg.max(y).backward();
      expect(y.grad?.toArray()).toEqual([[1 / 3, 0], [1 / 3, 1 / 3]].map((r) => r.map(Math.fround)));
    });
  });

  it('scale the upstream gradient: mean divides by the reduced count, keepdim or not', () => {
    fg.tidy(() => {
      const x = fg.ones([2, 3, 4], { requiresGrad: true });
      fg.mean(x, [0, 2], { keepdim: true }).mul(fg.tensor([[[1], [2], [3]]])).sum().backward();
      const g = x.grad?.toArray() as number[][][];
      expect(g[1]?.[2]?.[3]).toBeCloseTo(3 / 8, 6);
      expect(g[0]?.[0]?.[0]).toBeCloseTo(1 / 8, 6);
    });
  });

  it('sum over an empty axis to 0, mean to NaN, and refuse max/min over one', () => {
    fg.tidy(() => {
      const x = fg.zeros([3, 0]);
      expect(fg.sum(x, 1).toArray()).toEqual([0, 0, 0]);
      expect(fg.sum(x).item()).toBe(0);
      expect(fg.sum(x, 0).shape).toEqual([0]);
      expect(fg.mean(x, 1).toArray()).toEqual([NaN, NaN, NaN]);
      expect(fg.max(x, 0).values.shape).toEqual([0]);
      expect(fg.max(x, 0).indices.shape).toEqual([0]);
      expect(() => fg.max(x, 1)).toThrow(fg.ShapeError);
      expect(() => fg.max(x, 1)).toThrow(/^max: cannot reduce over the empty axis 1 of a tensor of shape \[3, 0\]/);
      expect(() => fg.min(x)).toThrow(/^min: cannot reduce over the empty axis 1 of a tensor of shape \[3, 0\]/);
    });
  });

  it('keep ±Infinity: max/min pick them, sum overflows to it', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, Infinity, 2, 3, 4], [-Infinity, 0, 0, 0, 0]], undefined, { allowNonFinite: true });
      expect(fg.max(x, 1).values.toArray()).toEqual([Infinity, 0]);
      expect(fg.max(x, 1).indices.toArray()).toEqual([1, 1]);
      expect(fg.min(x, 1).values.toArray()).toEqual([1, -Infinity]);
      expect(fg.amax(x, 1).toArray()).toEqual([Infinity, 0]);
      expect(fg.sum(x, 1).toArray()).toEqual([Infinity, -Infinity]);
      expect(fg.sum(fg.full([8], 3e38)).item()).toBe(Infinity);
    });
  });
});
