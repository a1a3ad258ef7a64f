import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

describe('tensor creation', () => {
  it('infers shapes from nested arrays and round-trips values', () => {
    fg.tidy(() => {
      const t = fg.tensor([[1, 2, 3], [4, 5, 6]]);
      expect(t.shape).toEqual([2, 3]);
      expect(t.size).toBe(6);
      expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
      expect(Array.from(t.toFloat32Array())).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });

  it('makes scalars of shape [] and reads them with item()', () => {
    fg.tidy(() => {
      const s = fg.tensor(3.5);
      expect(s.shape).toEqual([]);
      expect(s.item()).toBe(3.5);
      expect(s.toArray()).toBe(3.5);
      expect(() => fg.tensor([1, 2]).item()).toThrow(/item: tensor of shape \[2\] has 2 elements/);
    });
  });

  it('takes typed arrays with an explicit shape and copies them', () => {
    fg.tidy(() => {
      const src = new Float64Array([1, 2, 3, 4, 5, 6]);
      const t = fg.tensor(src, [3, 2]);
      src[0] = 99;
      expect(t.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
      expect(fg.tensor(new Int32Array([7, 8])).toArray()).toEqual([7, 8]);
    });
  });

  it('rejects ragged arrays, wrong sizes and bad shapes with the op named', () => {
    expect(() => fg.tensor([[1, 2], [3]])).toThrow(fg.ShapeError);
    expect(() => fg.tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array: at \[1\] expected 2 elements, got 1/);
    expect(() => fg.tensor(new Float32Array(5), [2, 3])).toThrow(/5 values do not fill shape \[2, 3\]/);
    expect(() => fg.zeros([2, -1])).toThrow(/zeros: shape\[1\] must be an integer >= 0, got number -1/);
    expect(() => fg.zeros([1.5])).toThrow(fg.ShapeError);
  });

  it('rejects NaN and Infinity unless allowed, naming the position', () => {
    expect(() => fg.tensor([[1, 2], [NaN, 4]])).toThrow(fg.ValueError);
    expect(() => fg.tensor([[1, 2], [NaN, 4]])).toThrow(/tensor: input has NaN at index \[1, 0\] of shape \[2, 2\]/);
    expect(() => fg.tensor([1, Infinity])).toThrow(/Infinity at index \[1\]/);
    fg.tidy(() => {
      const t = fg.tensor([NaN, -Infinity], undefined, { allowNonFinite: true });
      expect(t.toArray()).toEqual([NaN, -Infinity]);
    });
  });

  it('fills zeros, ones, full, arange and eye', () => {
    fg.tidy(() => {
      expect(fg.zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
      expect(fg.ones([3]).toArray()).toEqual([1, 1, 1]);
      expect(fg.full([2], 7).toArray()).toEqual([7, 7]);
      expect(fg.full([5, 7], -2).toFloat32Array().every((v) => v === -2)).toBe(true);
      expect(fg.arange(4).toArray()).toEqual([0, 1, 2, 3]);
      expect(fg.arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
      expect(fg.arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
      expect(fg.eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
      expect(() => fg.arange(0, 1, 0)).toThrow(/arange: step/);
    });
  });
});

describe('random tensors', () => {
  it('are reproducible under manualSeed and differ across seeds', () => {
    fg.tidy(() => {
      fg.manualSeed(42);
      const a = fg.randn([1000]).toFloat32Array();
      const u1 = fg.rand([100]).toFloat32Array();
      fg.manualSeed(42);
      const b = fg.randn([1000]).toFloat32Array();
      const u2 = fg.rand([100]).toFloat32Array();
      expect(b).toEqual(a);
      expect(u2).toEqual(u1);
      fg.manualSeed(43);
      expect(fg.randn([1000]).toFloat32Array()).not.toEqual(a);
    });
  });

  it('have the right moments and ranges', () => {
    fg.tidy(() => {
      fg.manualSeed(7);
      const n = 200_000;
      const z = fg.randn([n], { mean: 2, std: 3 }).toFloat32Array();
      const mean = z.reduce((s, v) => s + v, 0) / n;
      const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      expect(mean).toBeCloseTo(2, 1);
      expect(Math.sqrt(variance)).toBeCloseTo(3, 1);
      const u = fg.uniform([n], -1, 3).toFloat32Array();
      expect(u.reduce((m, v) => Math.min(m, v), Infinity)).toBeGreaterThanOrEqual(-1);
      expect(u.reduce((m, v) => Math.max(m, v), -Infinity)).toBeLessThan(3);
      expect(u.reduce((s, v) => s + v, 0) / n).toBeCloseTo(1, 1);
    });
  });

  it('draws independent streams from separate generators', () => {
    fg.tidy(() => {
      const g1 = new fg.Generator(5);
      const g2 = new fg.Generator(5);
      const a = fg.rand([10], { generator: g1 }).toFloat32Array();
      fg.rand([10]); // the default stream does not disturb g2
      expect(fg.rand([10], { generator: g2 }).toFloat32Array()).toEqual(a);
    });
  });
});

describe('Generator.dispose', () => {
  it('frees its state and starts again from the seed when used afterwards', () => {
    fg.tidy(() => {
      const g = new fg.Generator(9);
      const first = fg.rand([4], { generator: g }).toFloat32Array();
      const before = fg.memoryStats().bytesInUse;
      g.dispose();
      expect(fg.memoryStats().bytesInUse).toBeLessThan(before);
      expect(fg.rand([4], { generator: g }).toFloat32Array()).toEqual(first);
      g.dispose();
    });
  });
});
