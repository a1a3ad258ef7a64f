import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import type { Array64 } from '../../src/reference/array64.js';
import * as ref from '../../src/reference/pool.js';
import { checkOp, rng } from '../support/opcheck.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

// Distinct values 4/n apart, shuffled: no ties, and no finite-difference step moves the
// maximum of a window to another cell.
function distinct(n: number, r: () => number): Float64Array {
  const v = Float64Array.from({ length: n }, (_, i) => Math.fround(-2 + (4 * i) / n));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j] as number, v[i] as number];
  }
  return v;
}

// PyTorch's max-pool rule on one row, written out: over the cells inside the input the running
// maximum moves on `v > max || isNaN(v)`, starting from the first inside cell and -Infinity.
function torchMaxRow(row: readonly number[], k: number, o: { stride: number; padding: number; dilation: number; ceilMode: boolean }): { y: number[]; arg: number[] } {
  const n = ref.pooledSize(row.length, k, o.stride, o.padding, o.dilation, o.ceilMode);
  const y: number[] = [];
  const arg: number[] = [];
  for (let j = 0; j < n; j++) {
    let m = -Infinity;
    let best = -1;
    for (let kj = 0; kj < k; kj++) {
      const i = j * o.stride - o.padding + kj * o.dilation;
      if (i < 0 || i >= row.length) continue;
      if (best < 0) best = i;
      const v = row[i] as number;
      if (v > m || Number.isNaN(v)) {
        m = v;
        best = i;
      }
    }
    y.push(m);
    arg.push(best);
  }
  return { y, arg };
}

// Dilation can make a window skip every cell of a tiny input (PyTorch gives -Infinity there):
// such geometries are tested on their own.
function hasEmptyWindow(shape: number[], kernel: number[], o: ref.PoolRefOptions): boolean {
  const zeros = { shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) };
  return ref.maxPool2d(zeros, kernel, o).data.some((v) => v === -Infinity);
}

interface Pool2dCase {
  x: number[];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
  countIncludePad: boolean;
}

function pool2dCase(r: () => number, spatial: readonly number[], dilated: boolean, wide = false): Pool2dCase {
  for (;;) {
    const kernel: [number, number] = [int(r, 1, wide ? 5 : 4), int(r, 1, wide ? 5 : 4)];
    const c: Pool2dCase = {
      x: wide ? [1, 2, pick(r, spatial), pick(r, spatial)] : [int(r, 1, 3), pick(r, [1, 3, 5]), pick(r, spatial), pick(r, spatial)],
      kernel,
      stride: [int(r, 1, 3), int(r, 1, wide ? 4 : 3)],
      padding: [int(r, 0, kernel[0] >> 1), int(r, 0, kernel[1] >> 1)],
      dilation: dilated ? [int(r, 1, 2), int(r, 1, 2)] : [1, 1],
      ceilMode: r() < 0.5,
      countIncludePad: r() < 0.5,
    };
    const o = [0, 1].map((d) => ref.pooledSize(c.x[d + 2] as number, kernel[d] as number, c.stride[d] as number, c.padding[d] as number, c.dilation[d] as number, c.ceilMode));
    if (o.every((n) => n >= 1) && !hasEmptyWindow([1, 1, ...c.x.slice(2)], kernel, c)) return c;
  }
}

function maxPool2dOp(c: Pool2dCase, seed: number): Parameters<typeof checkOp>[0] {
  const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, ceilMode: c.ceilMode };
  return {
    fg: (x) => fg.maxPool2d(x as fg.Tensor, c.kernel, opts),
    ref: (x) => ref.maxPool2d(x as Array64, c.kernel, opts),
    inputs: [{ shape: c.x, values: distinct(c.x.reduce((a, b) => a * b, 1), rng(seed)) }],
    seed,
  };
}

function avgPool2dOp(c: Pool2dCase, seed: number): Parameters<typeof checkOp>[0] {
  const opts = { stride: c.stride, padding: c.padding, ceilMode: c.ceilMode, countIncludePad: c.countIncludePad };
  return {
    fg: (x) => fg.avgPool2d(x as fg.Tensor, c.kernel, opts),
    ref: (x) => ref.avgPool2d(x as Array64, c.kernel, opts),
    inputs: [{ shape: c.x }],
    seed,
  };
}

describe('maxPool2d', () => {
  it.each([1, 2, 3, 4, 5, 6])('matches the reference and finite differences on random geometry (seed %i)', (seed) => {
    const r = rng(seed);
    for (let t = 0; t < 8; t++) checkOp(maxPool2dOp(pool2dCase(r, [1, 3, 5, 17], true), seed * 13 + t));
  });

  it.each([1, 2, 3, 4])('matches the reference on wide rows, strides 1–4 (every SIMD group and tail; seed %i)', (seed) => {
    const r = rng(700 + seed);
    for (let t = 0; t < 6; t++) checkOp({ ...maxPool2dOp(pool2dCase(r, [9, 28, 33, 63], true, true), seed * 17 + t), fdSamples: 16 });
  });

  it('routes ties, NaN and all -Infinity windows like PyTorch in every stride and window', () => {
    const r = rng(91);
    const pool = [NaN, -Infinity, 0, 1, 2, 2];
    for (let t = 0; t < 60; t++) {
      const k = int(r, 1, 5);
      const o = { stride: int(r, 1, 4), padding: int(r, 0, k >> 1), dilation: int(r, 1, 2), ceilMode: r() < 0.5 };
      const L = pick(r, [6, 13, 28, 41]);
      if (ref.pooledSize(L, k, o.stride, o.padding, o.dilation, o.ceilMode) < 1) continue;
      const rows = [0, 1].map(() => Array.from({ length: L }, () => pick(r, pool)));
      const want = rows.map((row) => torchMaxRow(row, k, o));
      if (want.some((w) => w.arg.includes(-1))) continue;
      fg.tidy(() => {
        const x = fg.tensor(rows.flat(), [1, 2, L], { allowNonFinite: true, requiresGrad: true });
        const y = fg.maxPool1d(x, k, o);
        expect(y.toArray()).toEqual([want.map((w) => w.y)]);
        const n = want[0]?.y.length as number;
        // Integer upstream gradients: the sums are exact whatever the order.
        y.backward(fg.tensor(Array.from({ length: 2 * n }, (_, i) => i + 1), [1, 2, n]));
        const grad = rows.map((row, p) => {
          const g = row.map(() => 0);
          want[p]?.arg.forEach((i, j) => { g[i] = (g[i] as number) + p * n + j + 1; });
          return g;
        });
        expect(x.grad?.toArray()).toEqual([grad]);
      });
    }
  });

  it('1×2×6×8 input, kernel 2', () => {
    const c: Pool2dCase = { x: [1, 2, 6, 8], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, countIncludePad: true };
    checkOp({ ...maxPool2dOp(c, 7), fdSamples: 96 });
    fg.tidy(() => {
      const x = fg.tensor(Float32Array.from({ length: 96 }, (_, i) => i), [1, 2, 6, 8]);
      const y = fg.maxPool2d(x, 2);
      expect(y.shape).toEqual([1, 2, 3, 4]);
      // Window (i, j) of plane p has its maximum at the bottom-right cell.
      expect(Array.from(y.toFloat32Array())).toEqual(Array.from({ length: 24 }, (_, k) => {
        const p = Math.floor(k / 12), i = Math.floor(k / 4) % 3, j = k % 4;
        return p * 48 + (2 * i + 1) * 8 + 2 * j + 1;
      }));
    });
  });

  it('sends the gradient of a tied window to its first maximum, like PyTorch', () => {
    fg.tidy(() => {
      const x = fg.tensor([[[[1, 3, 3, 0], [3, 2, 0, 0]]]], undefined, { requiresGrad: true });
      fg.maxPool2d(x, 2).sum().backward();
      expect(x.grad?.toArray()).toEqual([[[[0, 1, 1, 0], [0, 0, 0, 0]]]]);
      // Overlapping windows (stride 1) add up on a shared maximum.
      const z = fg.tensor([[[[0, 5, 0, 1]]]], undefined, { requiresGrad: true });
      fg.maxPool2d(z, [1, 2], { stride: 1 }).sum().backward();
      expect(z.grad?.toArray()).toEqual([[[[0, 2, 0, 1]]]]);
    });
  });

  it('propagates NaN and ignores padding', () => {
    fg.tidy(() => {
      const x = fg.tensor([[[[NaN, 1, 2, 3, 4, 5, 6, 7]]]], undefined, { allowNonFinite: true });
      expect(fg.maxPool2d(x, [1, 2]).toArray()).toEqual([[[[NaN, 3, 5, 7]]]]);
      // PyTorch's rule `val > max || isnan(val)`: the last NaN of a window takes the gradient.
      const z = fg.tensor([[[[1, NaN, 2, NaN, 5, 0, 3, 4]]]], undefined, { allowNonFinite: true, requiresGrad: true });
      const y = fg.maxPool2d(z, [1, 4], { stride: 1 });
      expect(y.toArray()).toEqual([[[[NaN, NaN, NaN, NaN, 5]]]]);
      y.backward(fg.ones([1, 1, 1, 5]));
      expect(z.grad?.toArray()).toEqual([[[[0, 0, 0, 4, 1, 0, 0, 0]]]]);
      const neg = fg.full([1, 1, 3, 3], -5);
      expect(fg.maxPool2d(neg, 3, { stride: 1, padding: 1 }).toArray()).toEqual(fg.full([1, 1, 3, 3], -5).toArray());
    });
  });

  it('gives -Infinity and no gradient for a window that dilation leaves empty', () => {
    fg.tidy(() => {
      // L = 1, kernel 2, dilation 2, padding 1: the one window reads positions -1 and 1.
      const x = fg.tensor([[[3]]], undefined, { requiresGrad: true });
      const y = fg.maxPool1d(x, 2, { dilation: 2, padding: 1 });
      expect(y.toArray()).toEqual([[[-Infinity]]]);
      y.backward(fg.ones([1, 1, 1]));
      expect(x.grad?.toArray()).toEqual([[[0]]]);
    });
  });

  it('follows PyTorch output sizes, ceilMode included', () => {
    fg.tidy(() => {
      const shape = (h: number, w: number, k: number, o: fg.MaxPool2dOptions): readonly number[] => fg.maxPool2d(fg.zeros([1, 1, h, w]), k, o).shape;
      expect(shape(5, 5, 2, {})).toEqual([1, 1, 2, 2]);
      expect(shape(5, 5, 2, { ceilMode: true })).toEqual([1, 1, 3, 3]);
      // ⌈(6 + 2 − 3) / 2⌉ + 1 = 4 windows; the last starts at 3·2 − 1 = 5, inside the input: kept.
      expect(shape(6, 6, 3, { stride: 2, padding: 1, ceilMode: true })).toEqual([1, 1, 4, 4]);
      // ⌈(5 + 2 − 2) / 2⌉ + 1 = 4, but the 4th window would start at 3·2 − 1 = 5, in the right padding: dropped.
      expect(shape(5, 5, 2, { stride: 2, padding: 1, ceilMode: true })).toEqual([1, 1, 3, 3]);
      expect(shape(7, 7, 3, { dilation: 2 })).toEqual([1, 1, 1, 1]);
      expect(fg.maxPool2d(fg.zeros([2, 6, 8]), 2).shape).toEqual([2, 3, 4]);
    });
  });

  it('rejects bad shapes and options naming maxPool2d and the shapes', () => {
    fg.tidy(() => {
      const x = fg.zeros([1, 2, 6, 8]);
      expect(() => fg.maxPool2d(fg.zeros([6, 8]), 2)).toThrow(fg.ShapeError);
      expect(() => fg.maxPool2d(fg.zeros([6, 8]), 2)).toThrow(/maxPool2d: input must be 3-D .* or 4-D .*got shape \[6, 8\]/);
      expect(() => fg.maxPool2d(x, 3, { padding: 2 })).toThrow(fg.ValueError);
      expect(() => fg.maxPool2d(x, 3, { padding: 2 })).toThrow(/maxPool2d: padding \[2, 2\] should be at most half of kernel size \[3, 3\]/);
      expect(() => fg.maxPool2d(x, 7)).toThrow(/maxPool2d: input \[1, 2, 6, 8\] is too small for kernel \[7, 7\].*output size would be \[0, 1\]/);
      expect(() => fg.maxPool2d(x, 2, { stride: 0 })).toThrow(/maxPool2d: stride must be an integer >= 1, got number 0/);
      expect(() => fg.maxPool2d(x, 0)).toThrow(/maxPool2d: kernelSize must be an integer >= 1, got number 0/);
    });
  });
});

describe('avgPool2d', () => {
  it.each([1, 2, 3, 4, 5, 6])('matches the reference and finite differences on random geometry (seed %i)', (seed) => {
    const r = rng(50 + seed);
    for (let t = 0; t < 8; t++) checkOp(avgPool2dOp(pool2dCase(r, [1, 3, 5, 17], false), seed * 13 + t));
  });

  it.each([1, 2, 3, 4])('matches the reference on wide rows, strides 1–4 (SIMD groups, tails and the spread backward; seed %i)', (seed) => {
    const r = rng(800 + seed);
    for (let t = 0; t < 6; t++) checkOp({ ...avgPool2dOp(pool2dCase(r, [9, 28, 33, 63], false, true), seed * 17 + t), fdSamples: 16 });
  });

  it('2×3×7×9 input, kernel 3, stride 2, padding 1 (both divisor rules, ceilMode)', () => {
    for (const countIncludePad of [true, false]) {
      for (const ceilMode of [false, true]) {
        const c: Pool2dCase = { x: [2, 3, 7, 9], kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], ceilMode, countIncludePad };
        checkOp({ ...avgPool2dOp(c, 3), fdSamples: 48 });
      }
    }
    fg.tidy(() => {
      expect(fg.avgPool2d(fg.zeros([2, 3, 7, 9]), 3, { stride: 2, padding: 1 }).shape).toEqual([2, 3, 4, 5]);
    });
  });

  it('counts padded cells in the divisor by default (PyTorch), or not', () => {
    fg.tidy(() => {
      const x = fg.ones([1, 1, 3, 3]);
      // Corner windows hold 4 real cells out of 9, edges 6, the centre 9.
      expect(fg.avgPool2d(x, 3, { stride: 1, padding: 1 }).toArray()).toEqual([[[[4 / 9, 6 / 9, 4 / 9], [6 / 9, 1, 6 / 9], [4 / 9, 6 / 9, 4 / 9]]]].map((a) => a.map((b) => b.map((c) => c.map(Math.fround)))));
      expect(fg.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }).toArray()).toEqual([[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]);
      // ceilMode: the last window (start 2) hangs past the padded edge; only cells up to it count.
      const y = fg.avgPool2d(fg.ones([1, 1, 1, 3]), [1, 2], { ceilMode: true });
      expect(y.toArray()).toEqual([[[[1, 1]]]]);
    });
  });

  it('rejects bad options naming avgPool2d', () => {
    fg.tidy(() => {
      expect(() => fg.avgPool2d(fg.zeros([1, 2, 6, 8]), [2, 4], { padding: [1, 3] })).toThrow(/avgPool2d: padding \[1, 3\] should be at most half of kernel size \[2, 4\]/);
      expect(() => fg.avgPool2d(fg.zeros([1, 2, 6, 8, 1]), 2)).toThrow(/avgPool2d: input must be 3-D/);
    });
  });
});

describe('maxPool1d and avgPool1d', () => {
  it.each([1, 2, 3])('match the reference and finite differences on random geometry (seed %i)', (seed) => {
    const r = rng(300 + seed);
    for (let t = 0; t < 8; t++) {
      const L = pick(r, [1, 3, 5, 17, 63]);
      const k = int(r, 1, 5);
      const o = { stride: int(r, 1, 3), padding: int(r, 0, k >> 1), dilation: int(r, 1, 2), ceilMode: r() < 0.5, countIncludePad: r() < 0.5 };
      const x = [int(r, 1, 3), pick(r, [1, 3, 5]), L];
      const stride2d = { stride: [1, o.stride], padding: [0, o.padding], dilation: [1, o.dilation], ceilMode: o.ceilMode };
      if (ref.pooledSize(L, k, o.stride, o.padding, o.dilation, o.ceilMode) >= 1 && !hasEmptyWindow([1, 1, 1, L], [1, k], stride2d)) {
        checkOp({
          fg: (t) => fg.maxPool1d(t as fg.Tensor, k, { stride: o.stride, padding: o.padding, dilation: o.dilation, ceilMode: o.ceilMode }),
          ref: (a) => ref.maxPool1d(a as Array64, k, o),
          inputs: [{ shape: x, values: distinct(x.reduce((a, b) => a * b, 1), r) }],
        });
      }
      const avg = { stride: o.stride, padding: o.padding, ceilMode: o.ceilMode, countIncludePad: o.countIncludePad };
      if (ref.pooledSize(L, k, o.stride, o.padding, 1, o.ceilMode) >= 1) {
        checkOp({
          fg: (t) => fg.avgPool1d(t as fg.Tensor, k, avg),
          ref: (a) => ref.avgPool1d(a as Array64, k, avg),
          inputs: [{ shape: x }],
        });
      }
    }
  });

  it('take [N, C, L] and [C, L] and name themselves in errors', () => {
    fg.tidy(() => {
      expect(fg.maxPool1d(fg.zeros([2, 3, 10]), 3).shape).toEqual([2, 3, 3]);
      expect(fg.avgPool1d(fg.zeros([3, 10]), 2, { stride: 1 }).shape).toEqual([3, 9]);
      expect(() => fg.maxPool1d(fg.zeros([10]), 2)).toThrow(/maxPool1d: input must be 2-D \[C, L\] or 3-D \[N, C, L\]/);
      expect(() => fg.avgPool1d(fg.zeros([1, 1, 4]), 2, { padding: 2 })).toThrow(/avgPool1d: padding \[2\] should be at most half of kernel size \[2\]/);
      expect(() => fg.maxPool1d(fg.zeros([1, 1, 4]), 5)).toThrow(/maxPool1d: input \[1, 1, 4\] is too small/);
    });
  });
});
