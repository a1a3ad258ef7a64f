import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import type { Array64 } from '../../src/reference/array64.js';
import { convPath } from '../../src/kernels/conv.js';
import * as ref from '../../src/reference/conv.js';
import { checkBackward, checkForward, checkOp, expectClose, randomValues, rng } from '../support/opcheck.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

interface Conv2dCase {
  x: number[];
  w: number[];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

const outSize = (n: number, k: number, s: number, p: number, d: number): number => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

// Random geometry within the brief's ranges, redrawn until the output is non-empty.
function conv2dCase(r: () => number, spatial: readonly number[]): Conv2dCase {
  for (;;) {
    const N = int(r, 1, 3);
    const C = pick(r, [1, 3, 5]);
    const O = pick(r, [1, 3, 5]);
    const H = pick(r, spatial);
    const W = pick(r, spatial);
    const kH = int(r, 1, 5);
    const kW = int(r, 1, 5);
    const stride: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
    const padding: [number, number] = [int(r, 0, 2), int(r, 0, 2)];
    const dilation: [number, number] = [int(r, 1, 2), int(r, 1, 2)];
    if (outSize(H, kH, stride[0], padding[0], dilation[0]) < 1 || outSize(W, kW, stride[1], padding[1], dilation[1]) < 1) continue;
    return { x: [N, C, H, W], w: [O, C, kH, kW], stride, padding, dilation };
  }
}

function conv2dOp(c: Conv2dCase, withBias: boolean): Parameters<typeof checkOp>[0] {
  const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation };
  return {
    fg: (x, w, b) => fg.conv2d(x as fg.Tensor, w as fg.Tensor, withBias ? b : null, opts),
    ref: (x, w, b) => ref.conv2d(x as Array64, w as Array64, withBias ? (b as Array64) : null, opts),
    inputs: withBias ? [{ shape: c.x }, { shape: c.w }, { shape: [c.w[0] as number] }] : [{ shape: c.x }, { shape: c.w }],
    rtol: 1e-4,
    atol: 1e-4,
  };
}

describe('conv2d', () => {
  it.each([1, 2, 3, 4, 5, 6])('matches the float64 reference on random geometry (seed %i)', (seed) => {
    const r = rng(seed);
    for (let t = 0; t < 6; t++) {
      const c = conv2dCase(r, [1, 3, 5, 17]);
      checkForward({ ...conv2dOp(c, r() < 0.7), seed: seed * 31 + t });
    }
  });

  it.each([1, 2, 3, 4])('has the gradients of finite differences on random geometry (seed %i)', (seed) => {
    const r = rng(100 + seed);
    for (let t = 0; t < 3; t++) {
      const c = conv2dCase(r, [1, 3, 5]);
      checkBackward({ ...conv2dOp(c, t !== 1), seed: seed * 17 + t });
    }
  });

  it('2×3×7×5 input, 3×2 kernel, padding 1', () => {
    const c: Conv2dCase = { x: [2, 3, 7, 5], w: [4, 3, 3, 2], stride: [1, 1], padding: [1, 1], dilation: [1, 1] };
    checkOp({ ...conv2dOp(c, true), fdSamples: 40 });
    fg.tidy(() => {
      expect(fg.conv2d(fg.zeros([2, 3, 7, 5]), fg.zeros([4, 3, 3, 2]), null, { padding: 1 }).shape).toEqual([2, 4, 7, 6]);
    });
  });

  it('batches images into one GEMM (chunks with a remainder) and runs large images one at a time', () => {
    // P = 5·6 = 30: chunks of 34 images, so 37 images make a chunk of 34 and one of 3.
    checkOp({ ...conv2dOp({ x: [37, 2, 5, 6], w: [3, 2, 1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1] }, true), fdSamples: 12 });
    // P = 38·38 > 1024: one image per GEMM, straight into the output.
    checkOp({ ...conv2dOp({ x: [2, 2, 40, 40], w: [3, 2, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1] }, true), fdSamples: 12 });
  });

  it('takes an unbatched [C, H, W] input', () => {
    fg.tidy(() => {
      const x = fg.randn([3, 6, 5]);
      const w = fg.randn([2, 3, 3, 3]);
      const b = fg.randn([2]);
      const y = fg.conv2d(x, w, b, { padding: 1 });
      expect(y.shape).toEqual([2, 6, 5]);
      const batched = fg.conv2d(fg.Tensor.view(x, [1, 3, 6, 5]), w, b, { padding: 1 });
      expect(Array.from(y.toFloat32Array())).toEqual(Array.from(batched.toFloat32Array()));
    });
  });

  it("padding 'same' keeps the size (odd cell on the trailing side) and 'valid' is no padding", () => {
    // Odd span: symmetric, equal to explicit padding.
    checkOp({
      fg: (x, w) => fg.conv2d(x as fg.Tensor, w as fg.Tensor, null, { padding: 'same', dilation: [2, 1] }),
      ref: (x, w) => ref.conv2d(x as Array64, w as Array64, null, { padding: [2, 1], dilation: [2, 1] }),
      inputs: [{ shape: [2, 3, 6, 5] }, { shape: [2, 3, 3, 3] }],
      rtol: 1e-4,
      atol: 1e-4,
    });
    // Even kernel 2×4: total padding 1 and 3, leading 0 and 1 → padding [1, 2] and a crop.
    const crop = (y: Array64): Array64 => {
      const [N, O, H, W] = y.shape as [number, number, number, number];
      const out = { shape: [N, O, H - 1, W - 1], data: new Float64Array(N * O * (H - 1) * (W - 1)) };
      for (let i = 0; i < out.data.length; i++) {
        const w = i % (W - 1);
        const h = Math.floor(i / (W - 1)) % (H - 1);
        const no = Math.floor(i / ((W - 1) * (H - 1)));
        out.data[i] = y.data[(no * H + h + 1) * W + w + 1] as number;
      }
      return out;
    };
    checkOp({
      fg: (x, w) => fg.conv2d(x as fg.Tensor, w as fg.Tensor, null, { padding: 'same' }),
      ref: (x, w) => crop(ref.conv2d(x as Array64, w as Array64, null, { padding: [1, 2] })),
      inputs: [{ shape: [1, 2, 5, 7] }, { shape: [3, 2, 2, 4] }],
      rtol: 1e-4,
      atol: 1e-4,
    });
    fg.tidy(() => {
      expect(fg.conv2d(fg.zeros([1, 1, 5, 7]), fg.zeros([1, 1, 2, 4]), null, { padding: 'same' }).shape).toEqual([1, 1, 5, 7]);
      expect(fg.conv2d(fg.zeros([1, 1, 5, 7]), fg.zeros([1, 1, 2, 4]), null, { padding: 'valid' }).shape).toEqual([1, 1, 4, 4]);
    });
  });

  it('returns every temporary buffer to the heap', () => {
    const run = (): void =>
      fg.tidy(() => {
        const x = fg.randn([5, 3, 6, 7], { requiresGrad: true });
        const w = fg.randn([4, 3, 3, 3], { requiresGrad: true });
        const b = fg.randn([4], { requiresGrad: true });
        fg.conv2d(x, w, b, { stride: 2, padding: 1 }).sum().backward();
        // Stride 1: every direct kernel (dX by scatter for 3 channels, by the forward kernel for 8).
        fg.conv2d(fg.randn([5, 3, 6, 8], { requiresGrad: true }), w, b, { padding: 1 }).sum().backward();
        fg.conv2d(fg.randn([2, 8, 6, 8], { requiresGrad: true }), fg.randn([4, 8, 3, 3], { requiresGrad: true }), null, { padding: 1 }).sum().backward();
        fg.maxPool2d(x, 2).sum().backward();
        fg.avgPool2d(x, 3, { padding: 1 }).sum().backward();
      });
    run();
    const before = fg.memoryStats();
    run();
    const after = fg.memoryStats();
    expect(after.blocks).toBe(before.blocks);
    expect(after.bytesInUse).toBe(before.bytesInUse);
  });

  it('accepts an empty batch', () => {
    fg.tidy(() => {
      const w = fg.randn([2, 3, 3, 3], { requiresGrad: true });
      const b = fg.randn([2], { requiresGrad: true });
      const y = fg.conv2d(fg.zeros([0, 3, 5, 5]), w, b);
      expect(y.shape).toEqual([0, 2, 3, 3]);
      y.sum().backward();
      expect(w.grad?.toArray()).toEqual(fg.zeros([2, 3, 3, 3]).toArray());
      expect(b.grad?.toArray()).toEqual([0, 0]);
    });
  });

  it('rejects bad shapes and options with messages naming conv2d and the shapes', () => {
    fg.tidy(() => {
      const x = fg.zeros([2, 3, 7, 5]);
      const w = fg.zeros([4, 3, 3, 3]);
      expect(() => fg.conv2d(fg.zeros([3, 7]), w)).toThrow(fg.ShapeError);
      expect(() => fg.conv2d(fg.zeros([3, 7]), w)).toThrow(/conv2d: input must be 3-D .* or 4-D .*got shape \[3, 7\]/);
      expect(() => fg.conv2d(x, fg.zeros([4, 3, 3]))).toThrow(/conv2d: weight must be 4-D.*\[4, 3, 3\]/);
      expect(() => fg.conv2d(x, fg.zeros([4, 2, 3, 3]))).toThrow(fg.ShapeError);
      expect(() => fg.conv2d(x, fg.zeros([4, 2, 3, 3]))).toThrow(/conv2d: input \[2, 3, 7, 5\] has 3 channels but weight \[4, 2, 3, 3\] expects 2/);
      expect(() => fg.conv2d(x, w, fg.zeros([3]))).toThrow(/conv2d: bias must have shape \[4\].*got \[3\]/);
      expect(() => fg.conv2d(x, fg.zeros([4, 3, 8, 3]))).toThrow(fg.ShapeError);
      expect(() => fg.conv2d(x, fg.zeros([4, 3, 8, 3]))).toThrow(/conv2d: kernel \[8, 3\].*larger than the padded input \[7, 5\].*\[2, 3, 7, 5\]/);
      expect(fg.conv2d(x, fg.zeros([4, 3, 8, 3]), null, { padding: 1 }).shape).toEqual([2, 4, 2, 5]);
      expect(() => fg.conv2d(x, fg.zeros([4, 3, 3, 3]), null, { dilation: 4 })).toThrow(/conv2d: kernel \[3, 3\] \(dilation \[4, 4\]: spans \[9, 9\]\)/);
      expect(() => fg.conv2d(x, w, null, { stride: 0 })).toThrow(fg.ValueError);
      expect(() => fg.conv2d(x, w, null, { stride: [1, 1.5] })).toThrow(/conv2d: stride\[1\] must be an integer >= 1, got number 1.5/);
      expect(() => fg.conv2d(x, w, null, { padding: -1 })).toThrow(/conv2d: padding must be a non-negative integer/);
      expect(() => fg.conv2d(x, w, null, { padding: 'same', stride: 2 })).toThrow(/conv2d: padding='same' needs stride 1/);
      expect(() => fg.conv2d(x, w, null, { groups: 3 })).toThrow(fg.ValueError);
      expect(() => fg.conv2d(x, w, null, { groups: 3 })).toThrow(/conv2d: groups > 1 .* is not supported, got groups=3/);
    });
  });
});

interface Conv1dCase {
  x: number[];
  w: number[];
  stride: number;
  padding: number;
  dilation: number;
}

function conv1dOp(c: Conv1dCase, withBias: boolean): Parameters<typeof checkOp>[0] {
  const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation };
  return {
    fg: (x, w, b) => fg.conv1d(x as fg.Tensor, w as fg.Tensor, withBias ? b : null, opts),
    ref: (x, w, b) => ref.conv1d(x as Array64, w as Array64, withBias ? (b as Array64) : null, opts),
    inputs: withBias ? [{ shape: c.x }, { shape: c.w }, { shape: [c.w[0] as number] }] : [{ shape: c.x }, { shape: c.w }],
    rtol: 1e-4,
    atol: 1e-4,
  };
}

describe('conv1d', () => {
  it.each([1, 2, 3])('matches the reference and finite differences on random geometry (seed %i)', (seed) => {
    const r = rng(200 + seed);
    for (let t = 0; t < 5; t++) {
      const L = pick(r, [1, 3, 5, 17, 63]);
      const k = int(r, 1, 5);
      const stride = int(r, 1, 3);
      const padding = int(r, 0, 2);
      const dilation = int(r, 1, 2);
      if (outSize(L, k, stride, padding, dilation) < 1) continue;
      const C = pick(r, [1, 3, 5]);
      const c = { x: [int(r, 1, 3), C, L], w: [pick(r, [1, 3, 5]), C, k], stride, padding, dilation };
      checkOp({ ...conv1dOp(c, t % 2 === 0), seed: seed * 11 + t });
    }
  });

  it('2×4×30 input, kernel 5, stride 2, padding 1', () => {
    const c = { x: [2, 4, 30], w: [3, 4, 5], stride: 2, padding: 1, dilation: 1 };
    checkOp({ ...conv1dOp(c, true), fdSamples: 40 });
    fg.tidy(() => {
      expect(fg.conv1d(fg.zeros([2, 4, 30]), fg.zeros([3, 4, 5]), null, { stride: 2, padding: 1 }).shape).toEqual([2, 3, 14]);
    });
  });

  it('batches a long series over chunks (3, 3, then 1 image)', () => {
    checkOp({ ...conv1dOp({ x: [7, 3, 300], w: [4, 3, 3], stride: 1, padding: 0, dilation: 1 }, true), fdSamples: 16 });
  });

  it('rejects bad shapes with messages naming conv1d and the shapes', () => {
    fg.tidy(() => {
      const x = fg.zeros([2, 4, 30]);
      expect(() => fg.conv1d(fg.zeros([2, 4, 30, 1]), fg.zeros([3, 4, 5]))).toThrow(/conv1d: input must be 2-D .* or 3-D .*\[2, 4, 30, 1\]/);
      expect(() => fg.conv1d(x, fg.zeros([3, 4, 5, 1]))).toThrow(/conv1d: weight must be 3-D/);
      expect(() => fg.conv1d(x, fg.zeros([3, 5, 5]))).toThrow(/conv1d: input \[2, 4, 30\] has 4 channels but weight \[3, 5, 5\] expects 5/);
      expect(() => fg.conv1d(x, fg.zeros([3, 4, 31]))).toThrow(/conv1d: kernel \[31\].*padded input \[30\]/);
      expect(() => fg.conv1d(x, fg.zeros([3, 4, 5]), null, { stride: 0 })).toThrow(/conv1d: stride must be an integer >= 1, got number 0/);
      expect(() => fg.conv1d(x, fg.zeros([3, 4, 5]), null, { groups: 2 })).toThrow(/conv1d: groups > 1 .* is not supported, got groups=2/);
    });
  });
});

// The direct kernels (assembly/conv-direct.ts) and the path choice of src/kernels/conv.ts: geometry
// picked to reach every kernel branch, checked against the float64 reference and finite
// differences, then every element of every result against the GEMM path on random geometry.
describe('conv2d and conv1d direct paths', () => {
  interface PathCase {
    name: string;
    x: number[];
    w: number[];
    stride?: number[];
    padding?: number[];
    dilation?: number[];
    /** Paths its three phases must take. */
    paths: string[];
  }

  const cases: PathCase[] = [
    // 5 channels: a partial 8-wide panel; width 17: overlapping last tile, dW tail runs, K = 27 odd;
    // 3 input channels and 9 rows: dX by scatter with an unpaired last row and a masked tail.
    { name: 'partial panel, odd rows, tails', x: [3, 3, 9, 17], w: [5, 3, 3, 3], padding: [1, 1], paths: ['forward:direct', 'input:scatter', 'weight:direct'] },
    // dW packs dY 4 channels at a time: 14 = 3 full tiles + 2 channels; width 22 over
    // 7 rows (several images per group): each row ends in a masked 2-pixel run, packed after the full ones.
    { name: 'dW tiles of 4 + 2 channels, masked 2-pixel runs', x: [3, 5, 7, 22], w: [14, 5, 3, 3], padding: [1, 1], paths: ['forward:direct', 'input:scatter', 'weight:direct'] },
    // 13 = 8 + 5 channels; padding 2 > kernel − 1: the padded dY window crops its first row.
    // dW from dX's padded dY (both gradients wanted, 8 + 1 input channels): its transposed tiles
    // run over 13·4 taps, the pairs straddling output channels.
    { name: 'padding past the kernel span', x: [2, 9, 8, 8], w: [13, 9, 2, 2], padding: [2, 2], paths: ['forward:direct', 'input:direct', 'weight:transposed'] },
    // dW from the padded dY: 10 input channels (tiles of 4 + 4 + 2 rows), x rows ending in a
    // masked 2-pixel run, odd rows, 5 output channels (taps 45: a last pair of one).
    { name: 'dW from the padded dY: 10 channels, 2-pixel row ends', x: [3, 10, 7, 18], w: [5, 10, 3, 3], padding: [1, 1], paths: ['forward:direct', 'input:direct', 'weight:transposed'] },
    // 2×4 kernel with padding 1, 2: the padded dY starts at row 0, column 1 and its last column is zeros.
    { name: 'dW from the padded dY: 2×4 kernel, uneven padding', x: [2, 9, 5, 16], w: [6, 9, 2, 4], padding: [1, 2], paths: ['forward:direct', 'input:direct', 'weight:transposed'] },
    // 16×16 planes (1 KiB): the input is copied with a skew row; 4 channels: a full 4-wide panel.
    { name: 'planes a multiple of 1 KiB, 1×1 kernel', x: [2, 4, 16, 16], w: [4, 4, 1, 1], paths: ['forward:direct', 'input:direct', 'weight:direct'] },
    // K = 540: packed weights beyond one L1 group; 3 channels: a partial 4-wide panel.
    { name: 'many taps, 3 output channels', x: [2, 60, 5, 6], w: [3, 60, 3, 3], padding: [1, 1], paths: ['forward:direct', 'input:direct', 'weight:gemm'] },
    { name: 'strides 2 and 3, dilation 2', x: [2, 5, 13, 14], w: [8, 5, 3, 2], stride: [2, 3], dilation: [2, 1], padding: [1, 2], paths: ['forward:direct', 'input:gemm', 'weight:gemm'] },
    // Row stride 2 with unit column stride: the weight gradient's runs skip rows.
    { name: 'row stride 2', x: [2, 3, 11, 20], w: [6, 3, 3, 3], stride: [2, 1], padding: [1, 1], paths: ['forward:direct', 'input:gemm', 'weight:direct'] },
    { name: 'dilation 2, 8 channels each side', x: [1, 8, 10, 12], w: [8, 8, 3, 3], dilation: [2, 2], padding: [2, 2], paths: ['forward:direct', 'input:direct', 'weight:transposed'] },
    { name: 'one output channel', x: [2, 2, 6, 9], w: [1, 2, 3, 3], padding: [0, 1], paths: ['forward:direct', 'input:scatter', 'weight:gemm'] },
    { name: 'width below 4', x: [2, 3, 5, 3], w: [4, 3, 3, 3], padding: [1, 0], paths: ['forward:gemm', 'input:gemm', 'weight:gemm'] },
  ];

  const run2d = (c: PathCase, withBias: boolean): Parameters<typeof checkOp>[0] => {
    const opts = { stride: c.stride ?? [1, 1], padding: c.padding ?? [0, 0], dilation: c.dilation ?? [1, 1] };
    return {
      fg: (x, w, b) => fg.conv2d(x as fg.Tensor, w as fg.Tensor, withBias ? b : null, opts as { stride: [number, number]; padding: [number, number]; dilation: [number, number] }),
      ref: (x, w, b) => ref.conv2d(x as Array64, w as Array64, withBias ? (b as Array64) : null, opts),
      inputs: withBias ? [{ shape: c.x }, { shape: c.w }, { shape: [c.w[0] as number] }] : [{ shape: c.x }, { shape: c.w }],
      rtol: 1e-4,
      atol: 1e-4,
      fdSamples: 40,
    };
  };

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s: reference, finite differences and the expected paths', (_, c, i) => {
    convPath.trace = [];
    try {
      checkOp({ ...run2d(c, i % 2 === 0), seed: 300 + i });
      expect(new Set(convPath.trace)).toEqual(new Set(c.paths));
    } finally {
      convPath.trace = null;
    }
  });

  it('conv1d: 5 channels on one row (dX by the direct kernel), batches in several dW groups, and a narrow row', () => {
    convPath.trace = [];
    try {
      // 40 series of 30: dW groups of 34 images and a remainder of 6.
      checkOp({ ...conv1dOp({ x: [40, 5, 30], w: [16, 5, 3], stride: 1, padding: 1, dilation: 1 }, true), fdSamples: 30 });
      expect(new Set(convPath.trace)).toEqual(new Set(['forward:direct', 'input:direct', 'weight:direct']));
      convPath.trace = [];
      checkOp({ ...conv1dOp({ x: [3, 2, 9], w: [4, 2, 3], stride: 1, padding: 0, dilation: 1 }, false), fdSamples: 30 });
      expect(new Set(convPath.trace)).toEqual(new Set(['forward:direct', 'input:gemm', 'weight:gemm']));
    } finally {
      convPath.trace = null;
    }
  });

  /** y, dx, dw, db for upstream u, on the chosen paths or on the GEMM path only. */
  function results(xs: number[], ws: number[], opts: fg.Conv2dOptions, gemmOnly: boolean, seed: number): Float32Array[] {
    const r = rng(seed);
    const O = ws[0] as number;
    return fg.tidy(() => {
      const x = fg.tensor(Float32Array.from(randomValues(xs.reduce((a, b) => a * b, 1), r)), xs, { requiresGrad: true });
      const w = fg.tensor(Float32Array.from(randomValues(ws.reduce((a, b) => a * b, 1), r)), ws, { requiresGrad: true });
      const b = fg.tensor(Float32Array.from(randomValues(O, r)), [O], { requiresGrad: true });
      convPath.gemmOnly = gemmOnly;
      try {
        const y = xs.length === 3
          ? fg.conv1d(x, w, b, opts as fg.Conv1dOptions)
          : fg.conv2d(x, w, b, opts);
        y.backward(fg.tensor(Float32Array.from(randomValues(y.size, r)), y.shape));
        return [y, x.grad, w.grad, b.grad].map((t) => (t as fg.Tensor).toFloat32Array());
      } finally {
        convPath.gemmOnly = false;
      }
    });
  }

  function agree(xs: number[], ws: number[], opts: fg.Conv2dOptions, seed: number, what: string): void {
    const direct = results(xs, ws, opts, false, seed);
    const gemm = results(xs, ws, opts, true, seed);
    ['output', 'input gradient', 'weight gradient', 'bias gradient'].forEach((name, i) => {
      const b = gemm[i] as Float32Array;
      const scale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      expectClose(direct[i] as Float32Array, b, 0, 1e-4 * scale, `${what}: ${name}`);
    });
  }

  it('agree with the GEMM path on every element of every result (random geometry)', () => {
    const r = rng(77);
    const seen = new Set<string>();
    convPath.trace = [];
    try {
      for (let t = 0; t < 40; t++) {
        const oneD = t % 5 === 4;
        const C = pick(r, [1, 2, 3, 4, 5, 8, 9, 17]);
        const O = pick(r, [1, 3, 4, 5, 8, 12, 13]);
        const N = int(r, 1, 3);
        const H = oneD ? 1 : pick(r, [1, 2, 4, 5, 9, 16, 17]);
        const W = pick(r, [1, 3, 4, 6, 9, 16, 17, 30]);
        const kH = oneD ? 1 : int(r, 1, 4);
        const kW = int(r, 1, 4);
        const stride = [r() < 0.7 ? 1 : int(r, 2, 3), r() < 0.7 ? 1 : int(r, 2, 3)];
        const dilation = [int(r, 1, 2), int(r, 1, 2)];
        const padding = [int(r, 0, 3), int(r, 0, 3)];
        const [sH, sW] = oneD ? [1, stride[1] as number] : stride as [number, number];
        const [dH, dW] = oneD ? [1, dilation[1] as number] : dilation as [number, number];
        const [pH, pW] = oneD ? [0, padding[1] as number] : padding as [number, number];
        if (outSize(H, kH, sH, pH, dH) < 1 || outSize(W, kW, sW, pW, dW) < 1) continue;
        const opts = oneD
          ? { stride: sW, padding: pW, dilation: dW }
          : { stride: [sH, sW] as [number, number], padding: [pH, pW] as [number, number], dilation: [dH, dW] as [number, number] };
        const xs = oneD ? [N, C, W] : [N, C, H, W];
        const ws = oneD ? [O, C, kW] : [O, C, kH, kW];
        agree(xs, ws, opts as fg.Conv2dOptions, 500 + t, `case ${t}: x ${JSON.stringify(xs)} w ${JSON.stringify(ws)} ${JSON.stringify(opts)}`);
      }
      // Images large enough that the padded input, dY and dX go through their buffers a chunk at a time.
      agree([3, 4, 90, 90], [6, 4, 3, 3], { padding: 1 }, 600, 'chunked 90×90');
      agree([3, 9, 70, 70], [8, 9, 3, 3], { padding: 1 }, 601, 'chunked 70×70');
      for (const p of convPath.trace) seen.add(p);
    } finally {
      convPath.trace = null;
    }
    expect([...seen].sort()).toEqual(['forward:direct', 'forward:gemm', 'input:direct', 'input:gemm', 'input:scatter', 'weight:direct', 'weight:gemm', 'weight:transposed']);
  });

  it("padding 'same' with an even kernel on the direct paths", () => {
    agree([2, 6, 7, 16], [4, 6, 2, 4], { padding: 'same' }, 700, "'same' 2×4");
    agree([2, 9, 7, 16], [4, 9, 2, 4], { padding: 'same', dilation: [2, 1] }, 701, "'same' 2×4 dilated");
  });
});
