import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import * as ref from '../../src/reference/shape.js';
import { checkOp, randomShape, rng } from '../support/opcheck.js';

// Python-style ranges, including negative and out-of-range ends and empty results.
const RANGES: Array<[number | null, number | null, number]> = [
  [0, null, 1],
  [1, -1, 1],
  [-3, null, 1],
  [null, 2, 1],
  [0, null, 2],
  [1, 100, 3],
  [-100, -2, 2],
  [5, 2, 1],
];

describe('slice', () => {
  it.each([1, 2, 3])('matches the reference and finite differences on one axis (seed %i)', (seed) => {
    const r = rng(seed);
    const shape = randomShape(3, r, 20_000);
    for (const axis of [0, 1, 2, -1]) {
      for (const [start, end, step] of RANGES) {
        const ranges: ref.Range64[] = [];
        ranges[axis < 0 ? axis + 3 : axis] = [start, end, step];
        checkOp({ fg: (x) => fg.slice(x, axis, start, end, step), ref: (x) => ref.slice(x, ranges), inputs: [{ shape }], seed, fdSamples: 8 });
      }
    }
  });

  it('takes one range per leading axis', () => {
    const shape = randomShape(3, rng(9), 20_000);
    const cases: Array<Array<ref.Range64>> = [
      [[0, 2], null, [1, -1]],
      [null, [null, null, 2]],
      [[-1], [1, 3], [0, null, 3]],
      [],
    ];
    for (const ranges of cases) {
      checkOp({ fg: (x) => fg.slice(x, ranges), ref: (x) => ref.slice(x, ranges), inputs: [{ shape }] });
      checkOp({ fg: (x) => x.slice(ranges), ref: (x) => ref.slice(x, ranges), inputs: [{ shape }] });
    }
  });

  it('clamps like Python and can give empty results', () => {
    fg.tidy(() => {
      const x = fg.arange(10);
      expect(x.slice(0, -3).toArray()).toEqual([7, 8, 9]);
      expect(x.slice(0, 2, -2, 3).toArray()).toEqual([2, 5]);
      expect(x.slice(0, 8, 100).toArray()).toEqual([8, 9]);
      expect(x.slice(0, 7, 3).shape).toEqual([0]);
      const m = fg.arange(12).reshape([3, 4]);
      expect(m.slice(1, 1, 3).toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
      expect(m.slice([[null, null, 2], [-1]]).toArray()).toEqual([[3], [11]]);
    });
  });

  it('routes the gradient into zeros at the sliced positions', () => {
    fg.tidy(() => {
      const x = fg.arange(6, undefined, 1, { requiresGrad: true });
      const y = x.slice(0, 1, null, 2);
      y.mul(fg.tensor([1, 2, 3])).sum().backward();
      expect(x.grad?.toArray()).toEqual([0, 1, 0, 2, 0, 3]);
      // an empty slice takes no gradient from anything
      const z = fg.zeros([3], { requiresGrad: true });
      z.slice(0, 2, 1).sum().add(z.sum()).backward();
      expect(z.grad?.toArray()).toEqual([1, 1, 1]);
    });
  });

  it('names the op for bad steps, bounds and axes', () => {
    fg.tidy(() => {
      const x = fg.zeros([2, 3]);
      expect(() => x.slice(1, 0, 2, 0)).toThrow(fg.ValueError);
      expect(() => x.slice(1, 0, 2, -1)).toThrow(/slice: step must be an integer >= 1, got number -1/);
      expect(() => x.slice(1, 0.5)).toThrow(/slice: start must be an integer, got number 0.5/);
      expect(() => x.slice(2, 0)).toThrow(/slice: axis 2 is out of range for a tensor of rank 2/);
      expect(() => x.slice([null, null, [0, 1]])).toThrow(/slice: 3 ranges for a tensor of shape \[2, 3\]/);
      expect(() => fg.tensor(1).slice(0, 0)).toThrow(/slice: cannot slice a scalar/);
    });
  });
});

describe('select', () => {
  it('matches slice + squeeze, with negative indices', () => {
    const shape = randomShape(3, rng(4), 20_000);
    for (const [axis, index] of [[0, 0], [1, -1], [-1, 0], [2, -1]] as const) {
      const n = shape[axis < 0 ? axis + 3 : axis] as number;
      const i = index < 0 ? index + n : index;
      const ranges: ref.Range64[] = [];
      ranges[axis < 0 ? axis + 3 : axis] = [i, i + 1];
      checkOp({
        fg: (x) => x.select(axis, index),
        ref: (x) => ref.squeeze(ref.slice(x, ranges), axis),
        inputs: [{ shape }],
      });
    }
  });

  it('rejects an index out of range, naming op, axis and size', () => {
    fg.tidy(() => {
      const x = fg.zeros([2, 3]);
      expect(() => x.select(1, 3)).toThrow(fg.ValueError);
      expect(() => x.select(1, -4)).toThrow(/select: index -4 is out of range for axis 1 of size 3 \(shape \[2, 3\]\)/);
    });
  });
});
