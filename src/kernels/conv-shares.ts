// How the direct convolution (./conv-direct.ts) deals its work to threads: shares of
// conv_tasks_f32 steps (assembly/conv-direct.ts), the cuts between them and the run on the pool.
//
// Each path is planned as shares of kernel steps (conv_tasks_f32 records; each share has its own
// padded-plane buffer and kernel scratch), from CONV_PARALLEL_MIN_MACS multiply-adds with
// setNumThreads > 1 (src/backend/threads.ts) on every thread, else one on the calling thread.
// The forward and direct stride-1 input-gradient paths cut the batch into contiguous runs
// (disjoint outputs), which the threads claim in turn: whole images, 4 runs per thread from
// FINER_SHARES_MACS, or where the threads do not divide a small batch, one run per thread of
// 8-channel panels of the packed weights, an image cut between two threads being padded by both
// (a copy of C planes against 8·K multiply-adds per pixel and panel). The scatter input gradient
// gives each thread one run of whole images. The weight gradient cuts
// dW into blocks of output channels (multiples of 4, the tile), or of taps when there are too
// few channels, and every share walks the whole batch in the chunks one thread uses: each dW
// element keeps its one accumulator chain. Threaded results therefore equal single-thread ones
// bit for bit.
import { ConvStep, ConvStepLayout } from '../backend/generated/opcodes.js';
import { cuts } from '../backend/cuts.js';
import { getNumThreads, judgeDispatch, runParallel, type TaskArgs, threadsPay } from '../backend/threads.js';
import { heap, kernels } from '../backend/wasm.js';

/** One kernel call of a share. */
export interface Step {
  op: ConvStep;
  args: readonly number[];
  geom?: readonly number[];
}

/** Steps one thread runs in order, with one kernel scratch of `scratchBytes`. */
export interface Share {
  steps: Step[];
  scratchBytes: number;
}

export type Alloc = (bytes: number) => number;

/** Runs fn with an allocator whose blocks are all released when fn returns or throws. */
export function withTemps(fn: (alloc: Alloc) => void): void {
  const h = heap();
  const blocks: Array<[number, number]> = [];
  try {
    fn((bytes) => {
      const ptr = h.alloc(bytes);
      blocks.push([ptr, bytes]);
      return ptr;
    });
  } finally {
    for (const [ptr, bytes] of blocks) h.release(ptr, bytes);
  }
}

/**
 * @internal Multiply-adds of a direct phase from which it uses every thread. Lower than the
 * GEMM's PARALLEL_MIN_MACS: a share duplicates no packing, and the calling thread runs any share
 * a worker has not claimed yet, so a slow worker costs nothing. Measured on 2 cores (Node 20,
 * workers awake), forward / forward + backward: 92K MACs 1.07× / 1.09×, 226K 1.33× / 1.15×,
 * 452K 1.55× / 1.49×, 903K 1.73× / 1.65×.
 */
export const CONV_PARALLEL_MIN_MACS = 1 << 18;

/** Threads a direct phase of `macs` multiply-adds runs on. */
export function threadsFor(phase: Phase): number {
  const n = getNumThreads();
  return n > 1 && phase.macs >= CONV_PARALLEL_MIN_MACS && threadsPay(phase.kind, phase.macs) ? n : 1;
}

/** A direct phase, as the threads' load guard (src/backend/threads.ts) judges it. */
export interface Phase {
  kind: string;
  macs: number;
}

/** Images n0 … n1 − 1 over output channels c0 … c1 − 1 (only a single image has c0 > 0 or c1 < rows). */
export interface Piece {
  n0: number;
  n1: number;
  c0: number;
  c1: number;
}

/**
 * @internal Shares per thread of a phase dealt out in whole images (null: by size, imageShares;
 * benchmarks and tests fix it).
 */
export const convPlan: { sharesPerThread: number | null } = { sharesPerThread: null };

/**
 * Multiply-adds of a phase dealt out in whole images from which it is cut into 4 shares per
 * thread instead of 1. The threads claim shares in turn from the pool's counter, so a thread on
 * a slowed core takes fewer. On 2 threads, 2t/1t with 1 → 4 shares per thread, interleaved in
 * one process, 10 runs of 9–11 rounds on a loaded machine: b8 32×32×16→32 forward (37.7M) 1.77→1.97,
 * 1.24→1.51, 1.30→1.58, 1.55→1.68, 1.41→1.55, 1.71→1.80, 1.37→1.63, 1.90→1.69, 1.27→1.75,
 * 1.85→1.91; b32 28×28×1→32 forward (7.2M) better in 5, worse in 2 (1.89→1.82, 1.75→1.67), even
 * in 3; conv1d [64, 8, 30]→16 (0.74M) worse in both runs (1.57→1.24, 1.54→1.26: a share's fixed
 * costs). The weight gradient keeps one block per thread: each block walks the whole batch, and
 * b32's forward + backward with 4 per thread there too lost in 3 of 5 runs.
 */
export const FINER_SHARES_MACS = 1 << 22;

/** Shares of a phase of `macs` multiply-adds dealt out in whole images on `threads` threads. */
export function imageShares(threads: number, macs: number): number {
  if (threads === 1) return 1;
  return threads * (convPlan.sharesPerThread ?? (macs >= FINER_SHARES_MACS ? 4 : 1));
}

/**
 * The shares of a batch of N images with `rows` output channels: contiguous runs of the work,
 * counted in whole images (`shares` of them at most), or where the threads do not divide a small
 * batch, one per thread in panels of 8 channels of one image (an image cut between two shares is
 * padded by both, so these are not cut finer).
 */
export function dealImages(N: number, rows: number, threads: number, shares: number): Piece[][] {
  const panels = Math.ceil(rows / 8);
  const per = N % threads === 0 || N >= 4 * threads ? 1 : panels;
  const at = threads === 1 ? [0, N * per] : cuts(N * per, per === 1 ? shares : threads, 1, 1);
  return at.slice(1).map((u1, t) => {
    const pieces: Piece[] = [];
    for (let u = at[t] as number; u < u1;) {
      const n = Math.floor(u / per);
      const q0 = u % per;
      const q1 = Math.min(per, q0 + u1 - u);
      if (q0 === 0 && q1 === per) {
        const n1 = Math.floor(u1 / per);
        pieces.push({ n0: n, n1, c0: 0, c1: rows });
        u = n1 * per;
      } else {
        pieces.push({ n0: n, n1: n + 1, c0: 8 * q0, c1: Math.min(rows, 8 * q1) });
        u += q1 - q0;
      }
    }
    return pieces;
  });
}

/** Writes the shares as conv_tasks_f32 lists and runs them (on all threads when more than one). */
export function runShares(shares: readonly Share[], alloc: Alloc, phase: Phase): void {
  const count = shares.reduce((s, share) => s + share.steps.length, 0);
  const list = alloc(4 * ConvStepLayout.Ints * count);
  const scratch = shares.map((share) => alloc(share.scratchBytes));
  const i32 = heap().i32; // after every alloc: an allocation may grow memory and replace the view
  const tasks: TaskArgs[] = [];
  let at = list >>> 2;
  shares.forEach((share, t) => {
    tasks.push([at * 4, share.steps.length, scratch[t] as number]);
    for (const step of share.steps) {
      i32.fill(0, at, at + ConvStepLayout.Ints);
      i32[at] = step.op;
      i32.set(step.args, at + 1);
      if (step.geom) i32.set(step.geom, at + ConvStepLayout.Geom);
      at += ConvStepLayout.Ints;
    }
  });
  if (tasks.length === 1) kernels().conv_tasks_f32(...(tasks[0] as TaskArgs));
  else judgeDispatch(phase.kind, phase.macs, runParallel('conv_tasks_f32', tasks));
}

export const windowStep = (src: number, sH: number, sW: number, dst: number, dH: number, dW: number, planes: number, top: number, left: number): Step =>
  ({ op: ConvStep.Window, args: [src, sH, sW, dst, dH, dW, planes, top, left, 1] });

/**
 * windowStep into one buffer that chunk after chunk of images reuses with one geometry: a plane's
 * zero border is written by the first chunk that uses the plane only (the window copies of dY for
 * [8,16,32,32]→32 3×3 p1 write 11% of their cells as border zeros, in short runs).
 */
export function reusedWindow(dst: number): (src: number, sH: number, sW: number, dH: number, dW: number, planes: number, top: number, left: number) => Step {
  let zeroed = 0;
  return (src, sH, sW, dH, dW, planes, top, left) => {
    const borders = planes > zeroed ? 1 : 0;
    zeroed = Math.max(zeroed, planes);
    return { op: ConvStep.Window, args: [src, sH, sW, dst, dH, dW, planes, top, left, borders] };
  };
}
