// The direct convolution kernels on worker threads: for shapes that take each direct path (forward,
// input gradient by the forward kernel or by scatter, weight gradient), with every way the work is
// dealt out (runs of images, channel blocks of one image, dW blocks of output channels or of
// taps, padded and unpadded input, chunked batches), the output and both gradients on 2 and 3
// threads equal the single-thread ones bit for bit, each phase was dispatched to the pool, and
// workers ran some of the shares. Small convolutions stay on the calling thread.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { runParallel, threadGuard, threadStats } from '../../src/backend/threads.js';
import { CONV_PARALLEL_MIN_MACS, convPlan, dealImages, FINER_SHARES_MACS, imageShares } from '../../src/kernels/conv-shares.js';
import { convPath } from '../../src/kernels/conv.js';
import { randomValues, rng } from '../support/opcheck.js';
import { bitDiffs } from './products.js';

// Dispatches are counted: the threads' load guard is off (threads.test.ts tests it).
threadGuard.enabled = false;

afterAll(async () => {
  threadGuard.enabled = true;
  await fg.setNumThreads(1);
});

interface Case {
  name: string;
  /** [N, C, L] for conv1d, [N, C, H, W] for conv2d. */
  x: number[];
  w: number[];
  opts: fg.Conv2dOptions;
  bias: boolean;
  /** The path each phase takes ('forward:direct', …), in the order forward, input, weight. */
  paths: [string, string, string];
}

const cases: Case[] = [
  { name: 'b8 20×20×16→32 3×3 p1 (runs of images)', x: [8, 16, 20, 20], w: [32, 16, 3, 3], opts: { padding: 1 }, bias: true, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'one 40×40×16→32 image (channel blocks)', x: [1, 16, 40, 40], w: [32, 16, 3, 3], opts: { padding: 1 }, bias: true, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'b3 24×24×8→20 (images × blocks, last panel of 4)', x: [3, 8, 24, 24], w: [20, 8, 3, 3], opts: { padding: 1 }, bias: true, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'one 48×48×16→13 image (last panel of 5)', x: [1, 16, 48, 48], w: [13, 16, 3, 3], opts: { padding: 1 }, bias: true, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'b5 24×24×16→24 (runs of panels: images cut between threads)', x: [5, 16, 24, 24], w: [24, 16, 3, 3], opts: { padding: 1 }, bias: true, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'b12 32×32×16→32 (padded chunks of 3 images)', x: [12, 16, 32, 32], w: [32, 16, 3, 3], opts: { padding: 1 }, bias: false, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'b32 28×28×1→32 (dX by scatter, padded)', x: [32, 1, 28, 28], w: [32, 1, 3, 3], opts: { padding: 1 }, bias: true, paths: ['forward:direct', 'input:scatter', 'weight:direct'] },
  { name: 'b13 30×30×3→8 valid (scatter in place, unpadded input, dW by taps on 3 threads)', x: [13, 3, 30, 30], w: [8, 3, 3, 3], opts: {}, bias: false, paths: ['forward:direct', 'input:scatter', 'weight:direct'] },
  { name: 'b5 13×22×6→14 (dW rows: last block of 6 channels, rows ending in a 2-pixel run)', x: [5, 6, 13, 22], w: [14, 6, 3, 3], opts: { padding: 1 }, bias: false, paths: ['forward:direct', 'input:scatter', 'weight:direct'] },
  { name: 'b8 15×19×5→6 (dW by taps, rows ending in a 3-pixel run)', x: [8, 5, 15, 19], w: [6, 5, 3, 3], opts: { padding: 1 }, bias: true, paths: ['forward:direct', 'input:scatter', 'weight:direct'] },
  { name: 'b8 32×36×8→4 (dW by taps)', x: [8, 8, 32, 36], w: [4, 8, 3, 3], opts: { padding: 1 }, bias: true, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'b4 32×32×8→32 1×1 (skewed planes)', x: [4, 8, 32, 32], w: [32, 8, 1, 1], opts: {}, bias: false, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'b4 30×30×8→16 dilation 2', x: [4, 8, 30, 30], w: [16, 8, 3, 3], opts: { padding: 2, dilation: 2 }, bias: true, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'b8 33×33×16→24 stride 2', x: [8, 16, 33, 33], w: [24, 16, 3, 3], opts: { padding: 1, stride: 2 }, bias: true, paths: ['forward:direct', 'input:gemm', 'weight:gemm'] },
  { name: 'conv1d b64 [8, 300]→16 k5', x: [64, 8, 300], w: [16, 8, 5], opts: { padding: 2 }, bias: true, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
  { name: 'conv1d one [16, 4000]→32 k5', x: [1, 16, 4000], w: [32, 16, 5], opts: { padding: 2 }, bias: false, paths: ['forward:direct', 'input:direct', 'weight:direct'] },
];

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

interface Data {
  x: Float32Array;
  w: Float32Array;
  b: Float32Array;
  dy: Float32Array;
}

function data(c: Case, seed: number): Data {
  const r = rng(seed);
  const values = (n: number): Float32Array => Float32Array.from(randomValues(n, r));
  const x = values(size(c.x));
  const w = values(size(c.w));
  const b = values(c.w[0] as number);
  const y = fg.tidy(() => conv(c, fg.tensor(x, c.x), fg.tensor(w, c.w), null).shape);
  return { x, w, b, dy: values(size(y)) };
}

function conv(c: Case, x: fg.Tensor, w: fg.Tensor, b: fg.Tensor | null): fg.Tensor {
  return c.x.length === 3 ? fg.conv1d(x, w, b, c.opts as fg.Conv1dOptions) : fg.conv2d(x, w, b, c.opts);
}

interface Run {
  /** Output, input gradient, weight gradient. */
  results: Float32Array[];
  /** runParallel calls of each phase. */
  dispatches: number[];
  trace: string[];
}

/** Each phase on its own (only the gradient asked for is computed), counting its dispatches. */
function run(c: Case, d: Data): Run {
  const dispatches: number[] = [];
  const results: Float32Array[] = [];
  convPath.trace = [];
  try {
    fg.tidy(() => {
      const bias = (): fg.Tensor | null => (c.bias ? fg.tensor(d.b, [d.b.length]) : null);
      let before = threadStats().dispatches;
      results.push(conv(c, fg.tensor(d.x, c.x), fg.tensor(d.w, c.w), bias()).toFloat32Array());
      dispatches.push(threadStats().dispatches - before);
      for (const input of ['x', 'w'] as const) {
        const x = fg.tensor(d.x, c.x, { requiresGrad: input === 'x' });
        const w = fg.tensor(d.w, c.w, { requiresGrad: input === 'w' });
        const y = conv(c, x, w, bias());
        before = threadStats().dispatches;
        y.backward(fg.tensor(d.dy, y.shape));
        dispatches.push(threadStats().dispatches - before);
        results.push(((input === 'x' ? x : w).grad as fg.Tensor).toFloat32Array());
      }
    });
    return { results, dispatches, trace: convPath.trace.filter((p, i, all) => all.indexOf(p) === i) };
  } finally {
    convPath.trace = null;
  }
}

describe('threaded direct convolution', () => {
  it('every case is above the threading threshold in every phase', () => {
    for (const c of cases) {
      const d = data(c, 1);
      const N = c.x[0] as number;
      const K = size(c.w.slice(1));
      const outPixels = d.dy.length / (N * (c.w[0] as number));
      const inPixels = size(c.x.slice(2));
      // forward and dW: N·O·K·oH·oW; dX: N·C·(O·kH·kW)·H·W (at least the forward's for stride 1)
      expect({ name: c.name, macs: N * (c.w[0] as number) * K * Math.min(outPixels, inPixels) >= CONV_PARALLEL_MIN_MACS }).toEqual({ name: c.name, macs: true });
    }
  });

  it.each([2, 3])('equals one thread bit for bit on %i threads, each direct phase dispatched to the pool', async (threads) => {
    const phases = ['output', 'input gradient', 'weight gradient'];
    const workerShares = threadStats().workerShares;
    for (const [i, c] of cases.entries()) {
      const d = data(c, 10 + i);
      await fg.setNumThreads(1);
      const single = run(c, d);
      expect({ name: c.name, trace: single.trace, dispatches: single.dispatches }).toEqual({ name: c.name, trace: c.paths, dispatches: [0, 0, 0] });
      await fg.setNumThreads(threads);
      const threaded = run(c, d);
      expect({ name: c.name, trace: threaded.trace }).toEqual({ name: c.name, trace: c.paths });
      phases.forEach((phase, p) => {
        const diffs = bitDiffs(threaded.results[p] as Float32Array, single.results[p] as Float32Array);
        expect({ name: c.name, phase, diffs }).toEqual({ name: c.name, phase, diffs: 0 });
        expect({ name: c.name, phase, dispatched: (threaded.dispatches[p] as number) > 0 }).toEqual({ name: c.name, phase, dispatched: true });
      });
    }
    // The main thread takes the shares of a worker that is slow to wake, so on a loaded machine
    // not every dispatch reaches a worker; over ~40 of them some do.
    expect(threadStats().workerShares - workerShares).toBeGreaterThan(0);
  });

  // Both gradients in one backward: dX keeps its padded dY (copied whole-image by one thread, also
  // where an image's channels are split between threads) and dW is computed from it, in blocks of
  // input channels or, with few of them, of taps.
  it.each([2, 3])('both gradients at once (dW from the padded dY) equal one thread bit for bit on %i threads', async (threads) => {
    const both = (c: Case, d: Data): Run => {
      convPath.trace = [];
      try {
        return fg.tidy(() => {
          const x = fg.tensor(d.x, c.x, { requiresGrad: true });
          const w = fg.tensor(d.w, c.w, { requiresGrad: true });
          const y = conv(c, x, w, null);
          const before = threadStats().dispatches;
          y.backward(fg.tensor(d.dy, y.shape));
          const dispatches = [threadStats().dispatches - before];
          return { results: [x, w].map((t) => (t.grad as fg.Tensor).toFloat32Array()), dispatches, trace: [...new Set((convPath.trace as string[]).slice(1))] };
        });
      } finally {
        convPath.trace = null;
      }
    };
    for (const [i, c] of cases.filter((c) => c.paths[1] === 'input:direct' && (c.x[1] as number) >= 8).entries()) {
      const d = data(c, 40 + i);
      await fg.setNumThreads(1);
      const single = both(c, d);
      await fg.setNumThreads(threads);
      const threaded = both(c, d);
      for (const r of [single, threaded]) expect({ name: c.name, trace: r.trace }).toEqual({ name: c.name, trace: ['input:direct', 'weight:transposed'] });
      expect({ name: c.name, dispatched: (threaded.dispatches[0] as number) >= 2 }).toEqual({ name: c.name, dispatched: true });
      ['input gradient', 'weight gradient'].forEach((phase, p) => {
        const diffs = bitDiffs(threaded.results[p] as Float32Array, single.results[p] as Float32Array);
        expect({ name: c.name, phase, diffs }).toEqual({ name: c.name, phase, diffs: 0 });
      });
    }
  });

  it('cuts a large batch dealt in whole images into several shares per thread, a small one into one', () => {
    expect([imageShares(1, 1 << 30), imageShares(2, FINER_SHARES_MACS - 1), imageShares(2, FINER_SHARES_MACS), imageShares(3, FINER_SHARES_MACS)]).toEqual([1, 2, 8, 12]);
    const spans = (pieces: ReturnType<typeof dealImages>): number[][] => pieces.map((share) => share.map((p) => [p.n0, p.n1, p.c0, p.c1]).flat());
    // 8 images, 8 shares: one image each, in order, whole channels.
    expect(spans(dealImages(8, 32, 2, 8))).toEqual(Array.from({ length: 8 }, (_, n) => [n, n + 1, 0, 32]));
    expect(spans(dealImages(32, 32, 2, 8))).toEqual(Array.from({ length: 8 }, (_, t) => [4 * t, 4 * t + 4, 0, 32]));
    // Fewer images than shares: one image per share.
    expect(spans(dealImages(2, 32, 2, 8))).toEqual([[0, 1, 0, 32], [1, 2, 0, 32]]);
    // A small batch the threads do not divide is dealt in channel panels, one run per thread.
    expect(dealImages(5, 24, 2, 8)).toHaveLength(2);
    convPlan.sharesPerThread = 3;
    try {
      expect(imageShares(2, 1)).toBe(6);
    } finally {
      convPlan.sharesPerThread = null;
    }
  });

  it.each([1, 3, 8])('equals one thread bit for bit with %i shares per thread', async (per) => {
    const picked = cases.filter((c) => c.name.startsWith('b8 20×20') || c.name.startsWith('conv1d b64') || c.name.startsWith('b12'));
    expect(picked).toHaveLength(3);
    for (const [i, c] of picked.entries()) {
      const d = data(c, 70 + i);
      await fg.setNumThreads(1);
      const single = run(c, d);
      await fg.setNumThreads(2);
      convPlan.sharesPerThread = per;
      let threaded: Run;
      try {
        threaded = run(c, d);
      } finally {
        convPlan.sharesPerThread = null;
      }
      threaded.results.forEach((r, p) => expect({ name: c.name, p, diffs: bitDiffs(r, single.results[p] as Float32Array) }).toEqual({ name: c.name, p, diffs: 0 }));
    }
  });

  it('turns a trap in a share into an error on any thread, and the pool keeps working', async () => {
    await fg.setNumThreads(2);
    // Step lists far past the end of memory: conv_tasks_f32 traps on whichever thread claimed them.
    for (let i = 0; i < 10; i++) {
      expect(() => runParallel('conv_tasks_f32', [[0x7ff00000, 1, 0], [0x7ff00000, 1, 0]])).toThrow(/worker thread failed|out of bounds/);
    }
    const c = cases[0] as Case;
    const d = data(c, 5);
    const threaded = run(c, d);
    await fg.setNumThreads(1);
    const single = run(c, d);
    threaded.results.forEach((r, p) => expect(bitDiffs(r, single.results[p] as Float32Array)).toBe(0));
  });

  it('keeps small convolutions on the calling thread', async () => {
    await fg.setNumThreads(2);
    const c: Case = { name: 'small', x: [2, 3, 12, 12], w: [8, 3, 3, 3], opts: { padding: 1 }, bias: true, paths: ['forward:direct', 'input:scatter', 'weight:direct'] };
    const threaded = run(c, data(c, 3));
    expect(threaded.trace).toEqual(c.paths);
    expect(threaded.dispatches).toEqual([0, 0, 0]);
  });
});
