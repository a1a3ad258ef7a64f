import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

describe('dropout', () => {
  it('is reproducible under a seeded generator (and under manualSeed)', () => {
    fg.tidy(() => {
      const x = fg.randn([65, 17], { generator: new fg.Generator(1) });
      const a = fg.dropout(x, 0.3, { generator: new fg.Generator(42) }).toFloat32Array();
      const b = fg.dropout(x, 0.3, { generator: new fg.Generator(42) }).toFloat32Array();
      const c = fg.dropout(x, 0.3, { generator: new fg.Generator(43) }).toFloat32Array();
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
      fg.manualSeed(7);
      const d = fg.dropout(x, 0.3).toFloat32Array();
      fg.manualSeed(7);
      expect(fg.dropout(x, 0.3).toFloat32Array()).toEqual(d);
    });
  });

  it.each([0.1, 0.5, 0.9])('keeps a fraction 1 − p (p = %f) scaled by 1/(1 − p), preserving the mean', (p) => {
    fg.tidy(() => {
      const n = 200_000;
      const out = fg.dropout(fg.ones([n]), p, { generator: new fg.Generator(5) }).toFloat32Array();
      const scale = 1 / (1 - p);
      let kept = 0;
      let offScale = 0;
      let sum = 0;
      for (const v of out) {
        if (v !== 0) {
          kept++;
          if (Math.abs(v - scale) > 1e-6 * scale) offScale++;
        }
        sum += v;
      }
      expect(offScale).toBe(0);
      const sd = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(kept / n - (1 - p))).toBeLessThan(5 * sd);
      // the mean of x·mask is 1 in expectation; its sd is scale·sd
      expect(Math.abs(sum / n - 1)).toBeLessThan(5 * scale * sd);
    });
  });

  it('is the identity in evaluation, for p = 0 and for empty tensors (returns x itself)', () => {
    fg.tidy(() => {
      const x = fg.randn([3, 4]);
      expect(fg.dropout(x, 0.5, { training: false })).toBe(x);
      expect(fg.dropout(x, 0)).toBe(x);
      const e = fg.zeros([0, 4]);
      expect(fg.dropout(e, 0.5)).toBe(e);
    });
  });

  it('gives zeros for p = 1, like PyTorch', () => {
    fg.tidy(() => {
      const out = fg.dropout(fg.randn([5, 5]), 1);
      expect(out.toFloat32Array().every((v) => v === 0)).toBe(true);
    });
  });

  it('back-propagates dy ⊙ mask, with the forward mask even after the generator moved on', () => {
    fg.tidy(() => {
      const gen = new fg.Generator(11);
      const x = fg.uniform([63, 5], 1, 2, { requiresGrad: true });
      const out = fg.dropout(x, 0.4, { generator: gen });
      fg.dropout(fg.ones([100]), 0.4, { generator: gen }); // advance the stream
      const dy = fg.randn([63, 5], { generator: new fg.Generator(3) });
      out.backward(dy);
      const o = out.toFloat32Array();
      const xv = x.toFloat32Array();
      const dv = dy.toFloat32Array();
      const g = (x.grad as fg.Tensor).toFloat32Array();
      let zeros = 0;
      for (let i = 0; i < o.length; i++) {
        const mask = (o[i] as number) / (xv[i] as number);
        expect(g[i]).toBeCloseTo(mask * (dv[i] as number), 5);
        if (o[i] === 0) zeros++;
      }
      expect(zeros).toBeGreaterThan(0);
      expect(zeros).toBeLessThan(o.length);
    });
  });

  it('rejects p outside [0, 1]', () => {
    fg.tidy(() => {
      const x = fg.zeros([3]);
      expect(() => fg.dropout(x, -0.1)).toThrow(fg.ValueError);
      expect(() => fg.dropout(x, 1.5)).toThrow(/dropout: p must be a finite number in \[0, 1\], got number 1.5/);
      expect(() => fg.dropout(x, NaN)).toThrow(/got NaN/);
    });
  });

  it('frees its mask and scratch', () => {
    const x = fg.randn([17, 3], { requiresGrad: true });
    const gen = new fg.Generator(1);
    fg.tidy(() => fg.dropout(x, 0.5, { generator: gen }).sum().backward());
    x.zeroGrad();
    const before = fg.memoryStats();
    fg.tidy(() => {
      fg.dropout(x, 0.5, { generator: gen }).sum().backward();
      x.zeroGrad();
    });
    const after = fg.memoryStats();
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.liveTensors).toBe(before.liveTensors);
    x.dispose();
  });
});
