import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import * as ref from '../../src/reference/shape.js';
import { checkOp, randomShape, rng } from '../support/opcheck.js';

describe('reshape', () => {
  it.each([1, 2, 3])('matches the reference and finite differences (seed %i)', (seed) => {
    const r = rng(seed);
    const [a, b, c] = randomShape(3, r, 20_000) as [number, number, number];
    const cases: Array<[number[], number[]]> = [
      [[a, b, c], [a * b, c]],
      [[a, b, c], [c, -1]],
      [[a, b, c], [-1]],
      [[a * b, c], [a, 1, b, c]],
      [[a, b], [b, a]],
    ];
    for (const [from, to] of cases) {
      checkOp({ fg: (x) => fg.reshape(x, to), ref: (x) => ref.reshape(x, to), inputs: [{ shape: from }], seed });
    }
  });

  it('infers the -1 dimension', () => {
    fg.tidy(() => {
      const x = fg.zeros([4, 6]);
      expect(x.reshape([3, -1]).shape).toEqual([3, 8]);
      expect(x.reshape([-1, 2, 2]).shape).toEqual([6, 2, 2]);
      expect(fg.zeros([0, 5]).reshape([-1, 5]).shape).toEqual([0, 5]);
      expect(fg.tensor(3).reshape([-1]).shape).toEqual([1]);
      expect(fg.zeros([1]).reshape([]).shape).toEqual([]);
    });
  });

  it('shares storage with its input: writes show through the view', () => {
    fg.tidy(() => {
      const x = fg.arange(6);
      const y = x.reshape([2, 3]);
      expect(y.ptr).toBe(x.ptr);
      x.data[4] = 40;
      expect(y.toArray()).toEqual([[0, 1, 2], [3, 40, 5]]);
      y.data[0] = -1;
      expect(x.data[0]).toBe(-1);
      // the view survives the disposal of the tensor it came from
      x.dispose();
      expect(y.toArray()).toEqual([[-1, 1, 2], [3, 40, 5]]);
    });
  });

  it('names the op and the shapes when sizes do not fit', () => {
    fg.tidy(() => {
      const x = fg.zeros([2, 3]);
      expect(() => x.reshape([4, 2])).toThrow(fg.ShapeError);
      expect(() => x.reshape([4, 2])).toThrow(/reshape: cannot reshape a tensor of shape \[2, 3\] \(6 elements\) into \[4, 2\]/);
      expect(() => x.reshape([4, -1])).toThrow(/reshape: cannot reshape a tensor of shape \[2, 3\].*\[4, -1\]/);
      expect(() => x.reshape([-1, -1])).toThrow(/reshape: only one dimension can be -1/);
      expect(() => x.reshape([-2, -3])).toThrow(/reshape: shape\[0\] must be an integer >= -1, got number -2/);
      expect(() => x.reshape([2.5, 2])).toThrow(fg.ShapeError);
    });
  });
});

describe('flatten', () => {
  it('matches the reference and finite differences', () => {
    const [a, b, c] = randomShape(3, rng(7), 20_000) as [number, number, number];
    for (const [s, e] of [[0, -1], [1, 2], [0, 1], [-2, -1], [1, 1]] as const) {
      checkOp({ fg: (x) => fg.flatten(x, s, e), ref: (x) => ref.flatten(x, s, e), inputs: [{ shape: [a, b, c] }] });
    }
  });

  it('turns a scalar into [1] and rejects startDim > endDim', () => {
    fg.tidy(() => {
      expect(fg.tensor(2).flatten().shape).toEqual([1]);
      expect(fg.zeros([2, 3, 4]).flatten(1).shape).toEqual([2, 12]);
      expect(() => fg.zeros([2, 3, 4]).flatten(2, 1)).toThrow(/flatten: startDim 2 comes after endDim 1 .*\[2, 3, 4\]/);
      expect(() => fg.zeros([2, 3]).flatten(0, 2)).toThrow(/flatten: axis 2 is out of range for a tensor of rank 2/);
    });
  });
});

describe('squeeze and unsqueeze', () => {
  it('match the reference and finite differences', () => {
    const [a, b] = randomShape(2, rng(11), 20_000) as [number, number];
    checkOp({ fg: (x) => fg.squeeze(x), ref: (x) => ref.squeeze(x), inputs: [{ shape: [1, a, 1, b] }] });
    checkOp({ fg: (x) => fg.squeeze(x, -2), ref: (x) => ref.squeeze(x, -2), inputs: [{ shape: [1, a, 1, b] }] });
    for (const axis of [0, 1, 2, -1, -3]) {
      checkOp({ fg: (x) => fg.unsqueeze(x, axis), ref: (x) => ref.unsqueeze(x, axis), inputs: [{ shape: [a, b] }] });
    }
  });

  it('follows PyTorch on edge cases', () => {
    fg.tidy(() => {
      const x = fg.zeros([1, 3, 1]);
      expect(x.squeeze().shape).toEqual([3]);
      expect(x.squeeze(1).shape).toEqual([1, 3, 1]); // not size 1: unchanged
      expect(x.squeeze([0, 2]).shape).toEqual([3]);
      expect(x.squeeze(-1).shape).toEqual([1, 3]);
      expect(fg.zeros([1]).squeeze().shape).toEqual([]);
      expect(fg.tensor(5).unsqueeze(0).shape).toEqual([1]);
      expect(x.unsqueeze(-1).shape).toEqual([1, 3, 1, 1]);
      expect(() => x.unsqueeze(4)).toThrow(/unsqueeze: axis 4 is out of range for a tensor of rank 4/);
      expect(() => x.squeeze(3)).toThrow(/squeeze: axis 3 is out of range/);
    });
  });

  it('pass gradients through a chain of views', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, 2, 3]], undefined, { requiresGrad: true });
      const y = x.unsqueeze(0).squeeze(1).flatten().reshape([3, 1]);
      y.mul(fg.tensor([[1], [2], [3]])).sum().backward();
      expect(x.grad?.toArray()).toEqual([[1, 2, 3]]);
    });
  });
});
