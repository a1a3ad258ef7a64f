import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { fromNdarray, toNdarray } from '../../src/interop/ndarray.js';

describe('ndarray interop', () => {
  it('round-trips a contiguous array', () => {
    fg.tidy(() => {
      const nd = ndarray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
      const t = fromNdarray(nd);
      expect(t.shape).toEqual([2, 3]);
      expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
      const back = toNdarray(t);
      expect(back.shape).toEqual([2, 3]);
      expect(back.get(1, 2)).toBe(6);
      expect(back.dtype).toBe('float32');
    });
  });

  it('reads transposed, stepped and offset views through their strides', () => {
    fg.tidy(() => {
      const base = ndarray(new Float32Array(Array.from({ length: 24 }, (_, i) => i)), [4, 6]);
      for (const view of [base.transpose(1, 0), base.step(-1, 2), base.lo(1, 2).hi(2, 3), base.pick(null, 3)]) {
        const t = fromNdarray(view);
        expect(t.shape).toEqual(view.shape);
        const flat = t.toFloat32Array();
        let k = 0;
        const walk = (prefix: number[]): void => {
          if (prefix.length === view.shape.length) {
            expect(flat[k++]).toBe(view.get(...prefix));
            return;
          }
          for (let i = 0; i < (view.shape[prefix.length] as number); i++) walk([...prefix, i]);
        };
        walk([]);
      }
    });
  });

  it('accepts plain-array storage and keeps gradients optional', () => {
    fg.tidy(() => {
      const t = fromNdarray(ndarray([1, 2, 3, 4], [2, 2]), { requiresGrad: true });
      expect(t.requiresGrad).toBe(true);
      expect(toNdarray(t).data).toEqual(new Float32Array([1, 2, 3, 4]));
    });
  });

  it('rejects non-finite values like tensor()', () => {
    expect(() => fromNdarray(ndarray(new Float32Array([1, NaN]), [2]))).toThrow(/fromNdarray: input has NaN at index \[1\]/);
  });
});
