// Convolution: forward and backward (input and weight gradients) GFLOP/s, fingrad vs tfjs-wasm
// (forward only: tfjs-wasm has no Conv2DBackpropFilter kernel, so it cannot train convolutions),
// and the same figures on 1 and 2 threads (setNumThreads).
import * as fg from '../src/index.js';
import { type Tf, useBackend } from './peers/tfjs.js';
import { gflops, measure, median } from './support/measure.js';

export interface ConvCase {
  name: string;
  /** [N, C, H, W] (H = 1 for conv1d) */
  input: [number, number, number, number];
  outChannels: number;
  kernel: [number, number];
  padding: [number, number];
  oneD?: boolean;
}

export interface ConvRow {
  name: string;
  forwardGflops: number;
  backwardGflops: number;
  backwardOverForward: number;
  tfjsWasmForwardGflops: number | null;
  /** Each round's median ms: forward, and backward (forward + backward minus forward). */
  roundsMs: { forward: number[]; backward: number[] };
}

/** A case's tensors, its forward FLOPs and a runner of the convolution. */
interface ConvSetup {
  flops: number;
  x: fg.Tensor;
  weight: fg.Tensor;
  conv: (xi: fg.Tensor, wi: fg.Tensor) => fg.Tensor;
}

function setUp(c: ConvCase): ConvSetup {
  const [n, ch, h, w] = c.input;
  const [kh, kw] = c.kernel;
  const [ph, pw] = c.padding;
  const oh = h + 2 * ph - kh + 1;
  const ow = w + 2 * pw - kw + 1;
  fg.manualSeed(1);
  return {
    flops: 2 * n * c.outChannels * oh * ow * ch * kh * kw,
    x: fg.keep(c.oneD ? fg.randn([n, ch, w]) : fg.randn([n, ch, h, w])),
    weight: fg.keep(c.oneD ? fg.randn([c.outChannels, ch, kw], { std: 0.1 }) : fg.randn([c.outChannels, ch, kh, kw], { std: 0.1 })),
    conv: (xi, wi) => (c.oneD ? fg.conv1d(xi, wi, undefined, { padding: pw }) : fg.conv2d(xi, wi, undefined, { padding: [ph, pw] })),
  };
}

/**
 * Median ms of a forward, and of the backward (forward + backward minus forward), and the median
 * of the backward / forward ratios. The two are timed in turn, `rounds` times (each for
 * timeMs / rounds), and each round gives its own ratio, so that load on the shared machine that
 * comes and goes moves both sides of a ratio alike. The upstream gradient is made once, outside
 * the timing: filling a fresh one each call (3 MB for b32 28×28×1→32) is no part of the
 * convolution and runs on one thread.
 */
async function timeConv(s: ConvSetup, timeMs: number, rounds = 5): Promise<{ forwardMs: number; backwardMs: number; ratio: number; fwd: number[]; bwd: number[] }> {
  const { x, weight, conv } = s;
  const dy = fg.keep(fg.tidy(() => fg.randn(conv(x, weight).shape)));
  const forward = (): void => fg.tidy(() => void conv(x, weight));
  const both = (): void => {
    fg.tidy(() => conv(x, weight).backward(dy));
    x.zeroGrad();
    weight.zeroGrad();
  };
  const fwd: number[] = [];
  const bwd: number[] = [];
  const ratios: number[] = [];
  const slice = Math.max(50, timeMs / rounds);
  for (let r = 0; r < rounds; r++) {
    x.requiresGrad = false;
    weight.requiresGrad = false;
    const f = (await measure(forward, slice)).medianMs;
    x.requiresGrad = true;
    weight.requiresGrad = true;
    const b = Math.max(1e-6, (await measure(both, slice)).medianMs - f);
    fwd.push(f);
    bwd.push(b);
    ratios.push(b / f);
  }
  x.requiresGrad = false;
  weight.requiresGrad = false;
  dy.dispose();
  return { forwardMs: median(fwd), backwardMs: median(bwd), ratio: median(ratios), fwd, bwd };
}

export async function benchConv(cases: ConvCase[], tf: Tf | null, timeMs: number): Promise<ConvRow[]> {
  const rows: ConvRow[] = [];
  if (tf) await useBackend(tf, 'wasm');
  for (const c of cases) {
    const [n, ch, h, w] = c.input;
    const [kh, kw] = c.kernel;
    const [ph, pw] = c.padding;
    const s = setUp(c);
    const t = await timeConv(s, timeMs);
    let tfw: number | null = null;
    if (tf) {
      // tfjs is NHWC with [kh, kw, in, out] filters.
      const tx = c.oneD ? tf.randomNormal([n, w, ch]) : tf.randomNormal([n, h, w, ch]);
      const tw = c.oneD ? tf.randomNormal([kw, ch, c.outChannels]) : tf.randomNormal([kh, kw, ch, c.outChannels]);
      const tt = await measure(() => {
        const y = c.oneD
          ? tf.conv1d(tx as Parameters<typeof tf.conv1d>[0], tw as Parameters<typeof tf.conv1d>[1], 1, 'same')
          : tf.conv2d(tx as Parameters<typeof tf.conv2d>[0], tw as Parameters<typeof tf.conv2d>[1], 1, [[0, 0], [ph, ph], [pw, pw], [0, 0]]);
        y.dispose();
      }, timeMs);
      tf.dispose([tx, tw]);
      tfw = gflops(s.flops, tt.medianMs);
    }
    rows.push({
      name: c.name,
      forwardGflops: gflops(s.flops, t.forwardMs),
      backwardGflops: gflops(2 * s.flops, t.backwardMs),
      backwardOverForward: t.ratio,
      tfjsWasmForwardGflops: tfw,
      roundsMs: { forward: t.fwd, backward: t.bwd },
    });
    s.x.dispose();
    s.weight.dispose();
  }
  return rows;
}

export interface ConvThreadsRow {
  name: string;
  /** GFLOP/s by thread count. */
  forwardGflops: Record<number, number>;
  backwardGflops: Record<number, number>;
  /** Each round's GFLOP/s by thread count (the counts alternate within a round). */
  rounds: { forward: Record<number, number[]>; backward: Record<number, number[]> };
}

/**
 * Forward and backward GFLOP/s at each thread count. The counts alternate over `rounds` rounds
 * and each figure is the median of its rounds' medians, so that a burst of load on the shared
 * machine does not land on one count only.
 */
export async function benchConvThreads(cases: ConvCase[], threadCounts: number[], timeMs: number, rounds = 3): Promise<ConvThreadsRow[]> {
  const rows: ConvThreadsRow[] = [];
  for (const c of cases) {
    const s = setUp(c);
    const fwd: Record<number, number[]> = {};
    const bwd: Record<number, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const threads of threadCounts) {
        await fg.setNumThreads(threads);
        const t = await timeConv(s, timeMs, 1);
        (fwd[threads] ??= []).push(gflops(s.flops, t.forwardMs));
        (bwd[threads] ??= []).push(gflops(2 * s.flops, t.backwardMs));
      }
    }
    rows.push({
      name: c.name,
      forwardGflops: Object.fromEntries(threadCounts.map((n) => [n, median(fwd[n] ?? [])])),
      backwardGflops: Object.fromEntries(threadCounts.map((n) => [n, median(bwd[n] ?? [])])),
      rounds: { forward: fwd, backward: bwd },
    });
    s.x.dispose();
    s.weight.dispose();
  }
  await fg.setNumThreads(1);
  return rows;
}
