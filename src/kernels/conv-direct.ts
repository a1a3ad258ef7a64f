// The direct lowering of a convolution (no column matrix), chosen per phase by
// src/kernels/conv.ts, and its split across the worker pool. Kernels: assembly/conv-direct.ts
// (conv_tasks_f32 runs a list of steps: window copies and the three direct kernels).
//
// The input is copied a chunk of images at a time into zero-bordered planes (so no tap falls
// outside), and the kernels read it through a table of tap offsets:
//   forward   4 pixels × 8 channels register tile over the K = C·kH·kW taps, any stride;
//   dX        stride 1 only: with ≥ 8 input channels the forward kernel on dY, padded so every
//             input cell sees all taps, with the kernel flipped and its channel axes swapped;
//             with fewer (a partly empty tile: 4 channels ran at 36 vs 49) each dY run adds its
//             taps into a padded dX (col2im inside the register tile), unless dY is one row per
//             image or its planes alias in L1 (see skewRows): then the forward kernel from 4
//             channels on, else the GEMM;
//   dW        unit column stride: dot products over the pixels, 4 channels × 2 taps of vector
//             accumulators, no packing and no huge GEMM depth;
//   dX + dW   when the backward pass wants both and dX takes the forward kernel: dW as the
//             weight gradient of dX's own convolution, from dX's padded dY and the unpadded x
//             (directBackward), so that one padded copy serves both.
// Shares, thread counts and the run on the pool: ./conv-shares.ts.
import { ConvStep } from '../backend/generated/opcodes.js';
import { intArgs } from '../backend/scratch.js';
import { cuts } from '../backend/cuts.js';
import { kernels } from '../backend/wasm.js';
import type { ConvGeom } from './conv.js';
import { type Alloc, dealImages, imageShares, type Phase, type Piece, reusedWindow, runShares, type Share, type Step, threadsFor, windowStep, withTemps } from './conv-shares.js';

// Padded images are made a chunk at a time, small enough to be read back from L2.
const PAD_BYTES = 256 << 10;

/**
 * The input as the direct kernels read it: x itself when there is no padding, else each image
 * copied into a zero-bordered [C, Hp, Wp] holding every cell a tap reaches.
 */
interface PaddedInput {
  Hp: number;
  Wp: number;
  copy: boolean;
}

/**
 * Planes whose byte stride is a multiple of 1 KiB map the same pixel of every channel to at most
 * 4 of the 64 sets of the L1 cache (4 KiB per way): a kernel that reads one pixel of many planes
 * then thrashes (measured: a 1×1 conv over 32×32 planes ran at half speed). One more (zero) row
 * per plane shifts the planes apart.
 */
export function skewRows(rows: number, cols: number): number {
  return (4 * rows * cols) % 1024 === 0 ? rows + 1 : rows;
}

function paddedInput(g: ConvGeom): PaddedInput {
  if (g.pH === 0 && g.pW === 0 && skewRows(g.H, g.W) === g.H) return { Hp: g.H, Wp: g.W, copy: false };
  const Wp = (g.oW - 1) * g.sW + (g.kW - 1) * g.dW + 1;
  const Hp = (g.oH - 1) * g.sH + (g.kH - 1) * g.dH + 1;
  return { Hp: skewRows(Hp, Wp), Wp, copy: true };
}

/** Images per padded chunk of at most `imageFloats` floats each, within `images`. */
function padChunk(images: number, imageFloats: number): number {
  return Math.max(1, Math.min(images, Math.floor(PAD_BYTES / (4 * imageFloats))));
}

/** Packs rows × K weights for conv_direct_f32; spec as conv_pack_f32 reads it. */
function packWeights(w: number, rows: number, K: number, spec: number[], alloc: Alloc): number {
  const k = kernels();
  const ptr = alloc(k.conv_pack_bytes(rows, K));
  k.conv_pack_f32(w, ptr, intArgs(spec)[0] as number);
  return ptr;
}

/** A convolution as conv_direct_f32 computes it, over a batch of N source images. */
interface DirectJob {
  N: number;
  /** Source: byte address, planes per image and their size. */
  src: number;
  planes: number;
  srcH: number;
  srcW: number;
  /** Whether the source is first copied into [Hp, Wp] planes with its cell (0, 0) at (top, left). */
  copy: boolean;
  top: number;
  left: number;
  Hp: number;
  Wp: number;
  /** Output channels, taps, packed weights, bias (0: none), output and its plane size (floats). */
  rows: number;
  K: number;
  wp: number;
  bias: number;
  out: number;
  outPlane: number;
  /** conv_direct_f32's geom (its O is `rows`). */
  geom: readonly number[];
  /** Where the N copied images go (all kept, for a later phase), instead of a chunk buffer per share. */
  keep?: number;
}

function directShares(j: DirectJob, threads: number, alloc: Alloc): Share[] {
  const k = kernels();
  const srcImage = 4 * j.planes * j.srcH * j.srcW;
  const padded = j.planes * j.Hp * j.Wp;
  const outImage = 4 * j.rows * j.outPlane;
  const shares = imageShares(threads, j.N * j.rows * j.K * j.outPlane);
  return dealImages(j.N, j.rows, threads, shares).map((pieces): Share => {
    const chunk = (p: Piece): number => (j.copy ? padChunk(p.n1 - p.n0, padded) : p.n1 - p.n0);
    const B = Math.max(1, ...pieces.map(chunk));
    // A piece of an image's channels pads it into its own buffer (another thread may run the
    // rest): the piece with the first channels also fills the kept copy.
    const whole = (p: Piece): boolean => p.c0 === 0 && p.c1 === j.rows;
    const buf = j.copy && (j.keep === undefined || !pieces.every(whole)) ? alloc(4 * B * padded) : 0;
    const pad = reusedWindow(buf);
    const steps: Step[] = [];
    for (const p of pieces) {
      // A block of channels is whole panels of the packed weights, and one image: the kernel's
      // image stride (O' planes) never matters.
      const geom = [...j.geom];
      geom[3] = p.c1 - p.c0;
      const b0 = chunk(p);
      for (let n = p.n0; n < p.n1; n += b0) {
        const b = Math.min(b0, p.n1 - n);
        let x = j.src + n * srcImage;
        if (j.copy) {
          const kept = j.keep === undefined ? 0 : j.keep + 4 * n * padded;
          const dst = kept !== 0 && whole(p) ? kept : buf;
          steps.push(dst === buf ? pad(x, j.srcH, j.srcW, j.Hp, j.Wp, b * j.planes, j.top, j.left) : windowStep(x, j.srcH, j.srcW, dst, j.Hp, j.Wp, b * j.planes, j.top, j.left));
          if (kept !== 0 && dst !== kept && p.c0 === 0) steps.push(windowStep(x, j.srcH, j.srcW, kept, j.Hp, j.Wp, b * j.planes, j.top, j.left));
          x = dst;
        }
        const bias = j.bias === 0 ? 0 : j.bias + 4 * p.c0;
        steps.push({ op: ConvStep.Direct, args: [x, b, j.wp + 4 * p.c0 * j.K, bias, j.out + n * outImage + 4 * p.c0 * j.outPlane], geom });
      }
    }
    return { steps, scratchBytes: k.conv_direct_scratch_bytes(j.K, j.rows) };
  });
}

export function directForward(g: ConvGeom, x: number, w: number, bias: number | null, out: number): void {
  const K = g.C * g.kH * g.kW;
  const p = paddedInput(g);
  const phase: Phase = { kind: 'conv forward', macs: g.N * g.O * K * g.oH * g.oW };
  const threads = threadsFor(phase);
  withTemps((alloc) => {
    const wp = packWeights(w, g.O, K, [g.O, g.C, g.kH, g.kW, 0, K, g.kH * g.kW, g.kW, 1], alloc);
    const job: DirectJob = {
      N: g.N, src: x, planes: g.C, srcH: g.H, srcW: g.W, copy: p.copy, top: g.pH, left: g.pW, Hp: p.Hp, Wp: p.Wp,
      rows: g.O, K, wp, bias: bias ?? 0, out, outPlane: g.oH * g.oW,
      geom: [g.C, p.Hp, p.Wp, g.O, g.kH, g.kW, g.sH, g.sW, g.dH, g.dW, g.oH, g.oW],
    };
    runShares(directShares(job, threads, alloc), alloc, phase);
  });
}

export function directBackwardWeight(g: ConvGeom, x: number, dy: number, dw: number): void {
  const k = kernels();
  const K = g.C * g.kH * g.kW;
  k.fill_f32(dw, g.O * K, 0);
  const p = paddedInput(g);
  const padded = g.C * p.Hp * p.Wp;
  const B = p.copy ? padChunk(g.N, padded) : g.N;
  const phase: Phase = { kind: 'conv dW', macs: g.N * g.O * K * g.oH * g.oW };
  const threads = threadsFor(phase);
  // Blocks of dW (o0, o1, k0, k1): rows by whole tiles where there are enough, else taps.
  const byRows = g.O >= 4 * threads;
  const at = threads === 1 ? [0, byRows ? g.O : K] : byRows ? cuts(g.O, threads, 4, 1) : cuts(K, threads, 2, 1);
  const blocks = at.slice(1).map((end, i) => (byRows ? [at[i] as number, end, 0, K] : [0, g.O, at[i] as number, end]));
  const image = 4 * g.C * g.H * g.W;
  const dyImage = 4 * g.O * g.oH * g.oW;
  const geom = [g.C, p.Hp, p.Wp, g.O, g.kH, g.kW, g.sH, g.sW, g.dH, g.dW, g.oH, g.oW];
  withTemps((alloc) => {
    const shares = blocks.map((block): Share => {
      const buf = p.copy ? alloc(4 * B * padded) : 0;
      const pad = reusedWindow(buf);
      const steps: Step[] = [];
      for (let n0 = 0; n0 < g.N; n0 += B) {
        const b = Math.min(B, g.N - n0);
        if (p.copy) steps.push(pad(x + n0 * image, g.H, g.W, p.Hp, p.Wp, b * g.C, g.pH, g.pW));
        steps.push({ op: ConvStep.Dw, args: [p.copy ? buf : x, dy + n0 * dyImage, b, dw, ...block], geom });
      }
      return { steps, scratchBytes: k.conv_dw_scratch_bytes(K, g.oH, g.oW, g.N) };
    });
    runShares(shares, alloc, phase);
  });
}

/** Planes of dY padded so that every input cell sees all taps (the stride-1 input gradient's input). */
function paddedGradPlanes(g: ConvGeom): { Hq: number; Wq: number } {
  const Wq = g.W + (g.kW - 1) * g.dW;
  return { Hq: skewRows(g.H + (g.kH - 1) * g.dH, Wq), Wq };
}

// Stride 1: dX is the correlation of dY, padded so that every input cell sees all taps, with the
// kernel flipped and its channel axes swapped: a forward convolution with C outputs.
export function directBackwardInput(g: ConvGeom, dy: number, w: number, dx: number): void {
  const phase: Phase = { kind: 'conv dX', macs: g.N * g.C * g.O * g.kH * g.kW * g.H * g.W };
  withTemps((alloc) => runShares(directShares(inputJob(g, dy, w, dx, alloc), threadsFor(phase), alloc), alloc, phase));
}

function inputJob(g: ConvGeom, dy: number, w: number, dx: number, alloc: Alloc): DirectJob {
  const KT = g.O * g.kH * g.kW;
  const { Hq, Wq } = paddedGradPlanes(g);
  const taps = g.kH * g.kW;
  const wp = packWeights(w, g.C, KT, [g.C, g.O, g.kH, g.kW, taps - 1, taps, g.C * taps, -g.kW, -1], alloc);
  return {
    N: g.N, src: dy, planes: g.O, srcH: g.oH, srcW: g.oW, copy: true,
    top: (g.kH - 1) * g.dH - g.pH, left: (g.kW - 1) * g.dW - g.pW, Hp: Hq, Wp: Wq,
    rows: g.C, K: KT, wp, bias: 0, out: dx, outPlane: g.H * g.W,
    geom: [g.O, Hq, Wq, g.C, g.kH, g.kW, 1, 1, g.dH, g.dW, g.H, g.W],
  };
}

/** Bytes of padded dY a threaded directBackward keeps whole between its two phases (a temporary). */
const KEPT_GRAD_BYTES = 8 << 20;

// Stride 1, both gradients from one padded dY: dX as directBackwardInput, and dW[o, c, ki, kj] =
// Σ_p x[c, p] · dYpad[o, p + (kH − 1 − ki, kW − 1 − kj)], the weight gradient of dX's own
// convolution (input dYpad, upstream gradient x) transposed and flipped, which conv_dw_f32 writes
// in place. Neither x nor dY is padded a second time (the padded x cost 0.022 of the forward on
// [8,16,32,32]→32 3×3 p1, bench/conv-phases.ts). On one thread each chunk of padded dY serves
// dX and then dW while in L2; on several, dX's shares keep the padded images whole (up to
// KEPT_GRAD_BYTES, else this returns false and does nothing) and dW's shares, blocks of C rows or
// of taps as in directBackwardWeight, walk the same chunks, so each dW element has the same
// accumulator chain on any number of threads. On one thread, [8,16,32,32]→32 3×3 p1 takes 2.021
// forwards (CPU time, 41 rounds; dX 1.012 + dW 1.040 apart); what remains over 2 is the padded dY
// (0.034) and dW's kernel, ~3% slower per flop than the forward's (a 4-channel × 2-tap tile ends
// every 256-run dot product in 8 horizontal sums; 2-image groups, DW_GROUP_BYTES 32 KiB, took
// dW 1.055-1.067 and both 2.035 forwards).
export function directBackward(g: ConvGeom, x: number, dy: number, w: number, dx: number, dw: number): boolean {
  const k = kernels();
  const taps = g.kH * g.kW;
  const KT = g.O * taps;
  const { Hq, Wq } = paddedGradPlanes(g);
  const padded = g.O * Hq * Wq;
  const B = padChunk(g.N, padded);
  const macs = g.N * g.C * KT * g.H * g.W;
  const dxPhase: Phase = { kind: 'conv dX', macs };
  const dwPhase: Phase = { kind: 'conv dW', macs };
  const threads = threadsFor(dxPhase);
  if (threads > 1 && 4 * g.N * padded > KEPT_GRAD_BYTES) return false;
  const geom = [g.O, Hq, Wq, g.C, g.kH, g.kW, 1, 1, g.dH, g.dW, g.H, g.W];
  const image = 4 * g.C * g.H * g.W;
  const dwStep = (src: number, n: number, b: number, block: number[]): Step =>
    ({ op: ConvStep.Dw, args: [src, x + n * image, b, dw, ...block, taps], geom });
  const dwScratch = k.conv_dw_scratch_bytes(KT, g.H, g.W, B);
  k.fill_f32(dw, g.C * KT, 0);
  withTemps((alloc) => {
    const job = inputJob(g, dy, w, dx, alloc);
    if (threads === 1) {
      const buf = alloc(4 * B * padded);
      const pad = reusedWindow(buf);
      const steps: Step[] = [];
      for (let n = 0; n < g.N; n += B) {
        const b = Math.min(B, g.N - n);
        steps.push(pad(dy + 4 * n * g.O * g.oH * g.oW, g.oH, g.oW, Hq, Wq, b * g.O, job.top, job.left));
        steps.push({ op: ConvStep.Direct, args: [buf, b, job.wp, 0, dx + n * image], geom });
        steps.push(dwStep(buf, n, b, [0, g.C, 0, KT]));
      }
      runShares([{ steps, scratchBytes: Math.max(dwScratch, k.conv_direct_scratch_bytes(KT, g.C)) }], alloc, dxPhase);
      return;
    }
    const keep = alloc(4 * g.N * padded);
    runShares(directShares({ ...job, keep }, threads, alloc), alloc, dxPhase);
    const t = threadsFor(dwPhase);
    const byRows = g.C >= 4 * t;
    const at = t === 1 ? [0, byRows ? g.C : KT] : byRows ? cuts(g.C, t, 4, 1) : cuts(KT, t, 2, 1);
    const shares = at.slice(1).map((end, i): Share => {
      const block = byRows ? [at[i] as number, end, 0, KT] : [0, g.C, at[i] as number, end];
      const steps: Step[] = [];
      for (let n = 0; n < g.N; n += B) steps.push(dwStep(keep + 4 * n * padded, n, Math.min(B, g.N - n), block));
      return { steps, scratchBytes: dwScratch };
    });
    runShares(shares, alloc, dwPhase);
  });
  return true;
}

// Stride 1, few input channels: every dY run adds into a padded dX at its taps' places, then
// the padding is cropped off (or, without padding, dX is written in place). Shares are runs of
// whole images.
export function scatterBackwardInput(g: ConvGeom, dy: number, w: number, dx: number): void {
  const k = kernels();
  const K = g.C * g.kH * g.kW;
  const Hq = g.oH + (g.kH - 1) * g.dH;
  const Wq = g.oW + (g.kW - 1) * g.dW;
  const inPlace = g.pH === 0 && g.pW === 0 && Hq === g.H && Wq === g.W;
  const padded = g.C * Hq * Wq;
  const dyImage = 4 * g.O * g.oH * g.oW;
  const dxImage = 4 * g.C * g.H * g.W;
  const geom = [g.C, Hq, Wq, g.O, g.kH, g.kW, 1, 1, g.dH, g.dW, g.oH, g.oW];
  const phase: Phase = { kind: 'conv dX scatter', macs: g.N * K * g.O * g.oH * g.oW };
  const threads = threadsFor(phase);
  const images = threads === 1 ? [0, g.N] : cuts(g.N, threads, 1, 1);
  withTemps((alloc) => {
    const shares = images.slice(1).map((n1, i): Share => {
      const n0 = images[i] as number;
      const B = inPlace ? n1 - n0 : padChunk(n1 - n0, padded);
      const buf = inPlace ? 0 : alloc(4 * B * padded);
      const steps: Step[] = [];
      for (let n = n0; n < n1; n += B) {
        const b = Math.min(B, n1 - n);
        steps.push({ op: ConvStep.Scatter, args: [dy + n * dyImage, b, w, inPlace ? dx + n * dxImage : buf], geom });
        if (!inPlace) steps.push(windowStep(buf, Hq, Wq, dx + n * dxImage, g.H, g.W, b * g.C, -g.pH, -g.pW));
      }
      return { steps, scratchBytes: k.conv_dx_scatter_scratch_bytes(K, g.O) };
    });
    runShares(shares, alloc, phase);
  });
}
