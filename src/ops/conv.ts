// Convolution over NCHW (conv2d) and NCL (conv1d, the same path with H = 1), PyTorch semantics.
// Kernels: assembly/conv-direct.ts, assembly/im2col.ts (+ GEMM through ./gemm.ts). Reference
// twin: src/reference/conv.ts.
//
// Two lowerings; each phase takes the one measured fastest for its shape (one thread, Node 20,
// Zen 5, GFLOP/s direct vs GEMM):
//
// Direct (assembly/conv-direct.ts; no column matrix). The input is copied a chunk of images at a
// time into zero-bordered planes (so no tap falls outside), and the kernels read it through a
// table of tap offsets:
//   forward   4 pixels × 8 channels register tile over the K = C·kH·kW taps, any stride;
//   dX        stride 1 only: with ≥ 8 input channels the forward kernel on dY, padded so every
//             input cell sees all taps, with the kernel flipped and its channel axes swapped;
//             with fewer (a partly empty tile: 4 channels ran at 36 vs 49) each dY run adds its
//             taps into a padded dX (col2im inside the register tile), unless dY is one row per
//             image or its planes alias in L1 (see skewRows): then the forward kernel from 4
//             channels on, else the GEMM;
//   dW        unit column stride: dot products over the pixels, 4 channels × 2 taps of vector
//             accumulators, no packing and no huge GEMM depth.
// It beats the GEMM wherever im2col's extra pass, the packing of a wide B, or a tile with a tiny
// side dominate: the three benchmark shapes (b32 28×28×1→32: fwd 46 vs 39, dX 45 vs 29, dW 43 vs
// 23; b8 32×32×16→32: 65 vs 46, 63 vs 49, 56 vs 50; conv1d [64, 8, 30]→16: 44 vs 28, 41 vs 26,
// 39 vs 27), stride 2 forward (59 vs 50), 3 input channels (dX 45 vs 37, dW 49 vs 33), few output
// channels (O = 4: 37 vs 18), and it matches it on 1×1 kernels (no im2col either way).
//
// GEMM (im2col + ./gemm.ts). The batch is cut into chunks of B images whose columns sit side by
// side in one matrix cols [K, B·P] (P = oH·oW), so one GEMM per chunk has enough columns even when
// the spatial output is tiny. Then
//   forward:  Y[O, B·P]  = W[O, K] · cols,            moved to NCHW (+ bias) by swap_outer
//   dW[O, K]          += dY[O, B·P] · colsᵀ           (cols recomputed from x)
//   dX:       dcols[K, B·P] = Wᵀ · dY[O, B·P],         folded back by col2im
// With B = 1 the GEMM reads and writes NCHW directly. Transposed operands are strides, never
// copies. It takes over where its cache blocking wins or the direct kernels do not apply:
// K ≥ 1024 taps (128→128 channels 3×3 on 14×14: 59 vs 52), dW with O·K > 65536 weights or rows
// narrower than 16 pixels that are not a whole number of 4-pixel runs (14×14: 50 vs 38, the
// masked last run of each row costs too much there), dX with ≥ 8 channels and too many taps,
// dX and dW with stride > 1, outputs narrower than 4 pixels.
//
// With setNumThreads > 1 both lowerings use the worker pool: the GEMM through ./gemm.ts (above
// its PARALLEL_MIN_MACS), the direct kernels as one share of conv_tasks_f32 steps per thread
// (above CONV_PARALLEL_MIN_MACS; see "Direct paths"), bit for bit equal to one thread.
// Temporaries come from the heap and go back to it before the op returns.
import { intArgs } from '../backend/scratch.js';
import { getNumThreads, judgeDispatch, runParallel, type TaskArgs, threadsPay } from '../backend/threads.js';
import { heap, kernels } from '../backend/wasm.js';
import { record } from '../autograd/graph.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';
import { gemm } from './gemm.js';

/** A size that applies to both spatial dimensions, or one per dimension ([h, w]). */
export type IntPair = number | readonly [number, number];

export interface Conv2dOptions {
  /** Added to each output channel, shape [O]; null or omitted for none. */
  bias?: TensorInput | null;
  /** Default 1. */
  stride?: IntPair;
  /** Zero padding on both sides, or 'valid' (none) / 'same' (output size = input size, stride 1). Default 0. */
  padding?: IntPair | 'valid' | 'same';
  /** Default 1. */
  dilation?: IntPair;
  /** Only 1 is supported. */
  groups?: number;
}

export interface Conv1dOptions {
  /** Added to each output channel, shape [O]; null or omitted for none. */
  bias?: TensorInput | null;
  /** Default 1. */
  stride?: number | readonly [number];
  /** Zero padding on both sides, or 'valid' / 'same'. Default 0. */
  padding?: number | readonly [number] | 'valid' | 'same';
  /** Default 1. */
  dilation?: number | readonly [number];
  /** Only 1 is supported. */
  groups?: number;
}

/** torch.nn.functional.conv2d's order after the weight: `conv2d(x, w, null, 2)`, or `conv2d(x, w, b, {stride: 2})`. */
export type Conv2dArgs = Args<
  [bias: TensorInput | null | undefined, stride: IntPair | undefined, padding: IntPair | 'valid' | 'same' | undefined, dilation: IntPair | undefined, groups: number | undefined],
  Conv2dOptions
>;
/** torch.nn.functional.conv1d's order after the weight: (bias, stride, padding, dilation, groups). */
export type Conv1dArgs = Args<
  [bias: TensorInput | null | undefined, stride: Conv1dOptions['stride'], padding: Conv1dOptions['padding'], dilation: Conv1dOptions['dilation'], groups: number | undefined],
  Conv1dOptions
>;

const CONV_NAMES = ['bias', 'stride', 'padding', 'dilation', 'groups'] as const;

function convSpec(dims: number) {
  const pos = is.tuple(is.int({ min: 1 }), dims);
  const padding = is.anyOf<number | number[] | 'valid' | 'same'>(
    `a non-negative integer${dims > 1 ? ` or a list of ${dims}` : ''}, 'valid' or 'same'`,
    is.tuple(is.int({ min: 0 }), dims),
    is.oneOf(['valid', 'same'] as const),
  );
  return { bias: is.any, stride: pos, padding, dilation: pos, groups: is.int({ min: 1 }) };
}

const CONV_SPECS = { 1: convSpec(1), 2: convSpec(2) };

/** @internal Reads an int option given as a number or one value per spatial dimension. */
export function intOption(op: string, name: string, v: number | readonly number[], dims: number, min: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(dims).fill(v) : [...v];
  if (list.length !== dims || list.some((d) => !Number.isInteger(d) || d < min)) {
    const what = min === 0 ? 'non-negative' : 'positive';
    throw new ValueError(`${op}: ${name} must be a ${what} integer${dims > 1 ? ` or ${dims} of them` : ''}, got ${JSON.stringify(v)}`);
  }
  return list;
}

/** Sizes of one 2-D convolution (conv1d has H = kH = 1). */
interface ConvGeom {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  /** Leading (top / left) padding; the trailing side only shows in oH, oW. */
  pH: number;
  pW: number;
  dH: number;
  dW: number;
  oH: number;
  oW: number;
}

// Chunk width: enough GEMM columns for the packed kernel to run full panels; the column
// matrix stays within a bound so that large images go one at a time.
const TARGET_COLUMNS = 1024;
const MAX_COLS_BYTES = 16 << 20;

function chunkSize(g: ConvGeom): number {
  const K = g.C * g.kH * g.kW;
  const P = g.oH * g.oW;
  const byColumns = Math.max(1, Math.floor(TARGET_COLUMNS / P));
  const byBytes = Math.max(1, Math.floor(MAX_COLS_BYTES / (4 * K * P)));
  return Math.max(1, Math.min(g.N, byColumns, byBytes));
}

// Written right before each kernel call: the argument area is shared with everything else.
function geomArg(g: ConvGeom): number {
  return intArgs([g.C, g.H, g.W, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW, g.oH, g.oW])[0] as number;
}

/** Runs fn over the batch in chunks: (first image, images in chunk). */
function forChunks(g: ConvGeom, fn: (n0: number, b: number) => void): void {
  const B = chunkSize(g);
  for (let n0 = 0; n0 < g.N; n0 += B) fn(n0, Math.min(B, g.N - n0));
}

function unfoldChunk(g: ConvGeom, x: number, n0: number, b: number, cols: number): void {
  const P = g.oH * g.oW;
  const image = 4 * g.C * g.H * g.W;
  for (let j = 0; j < b; j++) kernels().im2col_f32(x + (n0 + j) * image, cols + 4 * j * P, b * P, geomArg(g));
}

/** dy of images n0..n0+b as a [O, b·P] matrix: in place when b = 1, else moved into buf. */
function dyChunk(g: ConvGeom, dy: number, n0: number, b: number, buf: number): number {
  const P = g.oH * g.oW;
  const src = dy + 4 * n0 * g.O * P;
  if (b === 1) return src;
  kernels().swap_outer_f32(src, buf, b, g.O, P, 0, 0);
  return buf;
}

function gemmForward(g: ConvGeom, x: number, w: number, bias: number | null, out: number): void {
  const K = g.C * g.kH * g.kW;
  const P = g.oH * g.oW;
  const B = chunkSize(g);
  const h = heap();
  const colsBytes = 4 * K * B * P;
  const tmpBytes = 4 * g.O * B * P;
  const cols = h.alloc(colsBytes);
  const tmp = B > 1 ? h.alloc(tmpBytes) : 0;
  forChunks(g, (n0, b) => {
    const ld = b * P;
    const dst = out + 4 * n0 * g.O * P;
    unfoldChunk(g, x, n0, b, cols);
    const c = b === 1 ? dst : tmp;
    gemm({ m: g.O, n: ld, k: K, a: w, rsA: K, csA: 1, b: cols, rsB: ld, csB: 1, c, ldc: ld });
    if (b > 1 || bias !== null) kernels().swap_outer_f32(c, dst, g.O, b, P, bias ?? 0, bias === null ? 0 : 1);
  });
  h.release(cols, colsBytes);
  if (tmp !== 0) h.release(tmp, tmpBytes);
}

function gemmBackwardInput(g: ConvGeom, dy: number, w: number, dx: number, dxSize: number): void {
  const k = kernels();
  k.fill_f32(dx, dxSize, 0);
  const K = g.C * g.kH * g.kW;
  const P = g.oH * g.oW;
  const B = chunkSize(g);
  const image = 4 * g.C * g.H * g.W;
  const h = heap();
  const dcolsBytes = 4 * K * B * P;
  const bufBytes = 4 * g.O * B * P;
  const dcols = h.alloc(dcolsBytes);
  const buf = B > 1 ? h.alloc(bufBytes) : 0;
  forChunks(g, (n0, b) => {
    const ld = b * P;
    const dyM = dyChunk(g, dy, n0, b, buf);
    gemm({ m: K, n: ld, k: g.O, a: w, rsA: 1, csA: K, b: dyM, rsB: ld, csB: 1, c: dcols, ldc: ld });
    for (let j = 0; j < b; j++) k.col2im_f32(dcols + 4 * j * P, ld, dx + (n0 + j) * image, geomArg(g));
  });
  h.release(dcols, dcolsBytes);
  if (buf !== 0) h.release(buf, bufBytes);
}

function gemmBackwardWeight(g: ConvGeom, x: number, dy: number, dw: number): void {
  const K = g.C * g.kH * g.kW;
  const P = g.oH * g.oW;
  if (g.N === 0) {
    kernels().fill_f32(dw, g.O * K, 0);
    return;
  }
  const B = chunkSize(g);
  const h = heap();
  const colsBytes = 4 * K * B * P;
  const bufBytes = 4 * g.O * B * P;
  const cols = h.alloc(colsBytes);
  const buf = B > 1 ? h.alloc(bufBytes) : 0;
  forChunks(g, (n0, b) => {
    const ld = b * P;
    unfoldChunk(g, x, n0, b, cols);
    const dyM = dyChunk(g, dy, n0, b, buf);
    gemm({ m: g.O, n: K, k: ld, a: dyM, rsA: ld, csA: 1, b: cols, rsB: 1, csB: ld, c: dw, ldc: K, accumulate: n0 > 0 });
  });
  h.release(cols, colsBytes);
  if (buf !== 0) h.release(buf, bufBytes);
}

// ---- Direct paths (assembly/conv-direct.ts): no column matrix ----
//
// Each path is planned as shares of kernel steps (conv_tasks_f32 records; each share has its own
// padded-plane buffer and kernel scratch), one per thread from CONV_PARALLEL_MIN_MACS
// multiply-adds with setNumThreads > 1 (src/backend/threads.ts), else one on the calling thread.
// The forward and stride-1 input-gradient paths give each thread a contiguous run of the batch
// (disjoint outputs): whole images, or where the threads do not divide a small batch, runs of
// 8-channel panels of the packed weights, an image cut between two threads being padded by both
// (a copy of C planes against 8·K multiply-adds per pixel and panel). The weight gradient cuts
// dW into blocks of output channels (multiples of 4, the tile), or of taps when there are too
// few channels, and every share walks the whole batch in the chunks one thread uses: each dW
// element keeps its one accumulator chain. Threaded results therefore equal single-thread ones
// bit for bit.

// Padded images are made a chunk at a time, small enough to be read back from L2.
const PAD_BYTES = 256 << 10;

// conv_tasks_f32 records: op code, arguments, and from i32 STEP_GEOM on the geom the kernel reads.
const STEP_WINDOW = 1;
const STEP_DIRECT = 2;
const STEP_DW = 3;
const STEP_SCATTER = 4;
const STEP_INTS = 24;
const STEP_GEOM = 12;

/** One kernel call of a share. */
interface Step {
  op: number;
  args: readonly number[];
  geom?: readonly number[];
}

/** Steps one thread runs in order, with one kernel scratch of `scratchBytes`. */
interface Share {
  steps: Step[];
  scratchBytes: number;
}

type Alloc = (bytes: number) => number;

/** Runs fn with an allocator whose blocks are all released when fn returns or throws. */
function withTemps(fn: (alloc: Alloc) => void): void {
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
function threadsFor(phase: Phase): number {
  const n = getNumThreads();
  return n > 1 && phase.macs >= CONV_PARALLEL_MIN_MACS && threadsPay(phase.kind, phase.macs) ? n : 1;
}

/** A direct phase, as the threads' load guard (src/backend/threads.ts) judges it. */
interface Phase {
  kind: string;
  macs: number;
}

/** Cut points 0 = x₀ < x₁ < … = size into at most `parts` near-equal pieces, inner ones on multiples of `align`. */
function cuts(size: number, parts: number, align: number): number[] {
  const out = [0];
  for (let t = 1; t < parts; t++) {
    const x = Math.round((size * t) / parts / align) * align;
    if (x > (out[out.length - 1] as number) && x < size) out.push(x);
  }
  out.push(size);
  return out;
}

/** Images n0 … n1 − 1 over output channels c0 … c1 − 1 (only a single image has c0 > 0 or c1 < rows). */
interface Piece {
  n0: number;
  n1: number;
  c0: number;
  c1: number;
}

/**
 * The shares of a batch of N images with `rows` output channels: one contiguous run of the work
 * per thread, counted in images, or where the threads do not divide a small batch, in panels of
 * 8 channels of one image. Contiguous, so that a thread writes the same outputs call after call
 * and keeps them in its cache (b32 28×28×1→32 forward on 2 threads: 1.3× with 4 shares per
 * thread taken in turn, 1.85× with one run each).
 */
function dealImages(N: number, rows: number, threads: number): Piece[][] {
  const panels = Math.ceil(rows / 8);
  const per = N % threads === 0 || N >= 4 * threads ? 1 : panels;
  const at = threads === 1 ? [0, N * per] : cuts(N * per, threads, 1);
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
function runShares(shares: readonly Share[], alloc: Alloc, phase: Phase): void {
  const count = shares.reduce((s, share) => s + share.steps.length, 0);
  const list = alloc(4 * STEP_INTS * count);
  const scratch = shares.map((share) => alloc(share.scratchBytes));
  const i32 = heap().i32; // after every alloc: an allocation may grow memory and replace the view
  const tasks: TaskArgs[] = [];
  let at = list >>> 2;
  shares.forEach((share, t) => {
    tasks.push([at * 4, share.steps.length, scratch[t] as number]);
    for (const step of share.steps) {
      i32.fill(0, at, at + STEP_INTS);
      i32[at] = step.op;
      i32.set(step.args, at + 1);
      if (step.geom) i32.set(step.geom, at + STEP_GEOM);
      at += STEP_INTS;
    }
  });
  if (tasks.length === 1) kernels().conv_tasks_f32(...(tasks[0] as TaskArgs));
  else judgeDispatch(phase.kind, phase.macs, runParallel('conv_tasks_f32', tasks));
}

const windowStep = (src: number, sH: number, sW: number, dst: number, dH: number, dW: number, planes: number, top: number, left: number): Step =>
  ({ op: STEP_WINDOW, args: [src, sH, sW, dst, dH, dW, planes, top, left] });

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
function skewRows(rows: number, cols: number): number {
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
}

function directShares(j: DirectJob, threads: number, alloc: Alloc): Share[] {
  const k = kernels();
  const srcImage = 4 * j.planes * j.srcH * j.srcW;
  const padded = j.planes * j.Hp * j.Wp;
  const outImage = 4 * j.rows * j.outPlane;
  return dealImages(j.N, j.rows, threads).map((pieces): Share => {
    const chunk = (p: Piece): number => (j.copy ? padChunk(p.n1 - p.n0, padded) : p.n1 - p.n0);
    const B = Math.max(1, ...pieces.map(chunk));
    const buf = j.copy ? alloc(4 * B * padded) : 0;
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
          steps.push(windowStep(x, j.srcH, j.srcW, buf, j.Hp, j.Wp, b * j.planes, j.top, j.left));
          x = buf;
        }
        const bias = j.bias === 0 ? 0 : j.bias + 4 * p.c0;
        steps.push({ op: STEP_DIRECT, args: [x, b, j.wp + 4 * p.c0 * j.K, bias, j.out + n * outImage + 4 * p.c0 * j.outPlane], geom });
      }
    }
    return { steps, scratchBytes: k.conv_direct_scratch_bytes(j.K, j.rows) };
  });
}

function directForward(g: ConvGeom, x: number, w: number, bias: number | null, out: number): void {
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

function directBackwardWeight(g: ConvGeom, x: number, dy: number, dw: number): void {
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
  const at = threads === 1 ? [0, byRows ? g.O : K] : byRows ? cuts(g.O, threads, 4) : cuts(K, threads, 2);
  const blocks = at.slice(1).map((end, i) => (byRows ? [at[i] as number, end, 0, K] : [0, g.O, at[i] as number, end]));
  const image = 4 * g.C * g.H * g.W;
  const dyImage = 4 * g.O * g.oH * g.oW;
  const geom = [g.C, p.Hp, p.Wp, g.O, g.kH, g.kW, g.sH, g.sW, g.dH, g.dW, g.oH, g.oW];
  withTemps((alloc) => {
    const shares = blocks.map((block): Share => {
      const buf = p.copy ? alloc(4 * B * padded) : 0;
      const steps: Step[] = [];
      for (let n0 = 0; n0 < g.N; n0 += B) {
        const b = Math.min(B, g.N - n0);
        if (p.copy) steps.push(windowStep(x + n0 * image, g.H, g.W, buf, p.Hp, p.Wp, b * g.C, g.pH, g.pW));
        steps.push({ op: STEP_DW, args: [p.copy ? buf : x, dy + n0 * dyImage, b, dw, ...block], geom });
      }
      return { steps, scratchBytes: k.conv_dw_scratch_bytes(K, g.oH, g.oW, g.N) };
    });
    runShares(shares, alloc, phase);
  });
}

// Stride 1: dX is the correlation of dY, padded so that every input cell sees all taps, with the
// kernel flipped and its channel axes swapped: a forward convolution with C outputs.
function directBackwardInput(g: ConvGeom, dy: number, w: number, dx: number): void {
  const KT = g.O * g.kH * g.kW;
  const Wq = g.W + (g.kW - 1) * g.dW;
  const Hq = skewRows(g.H + (g.kH - 1) * g.dH, Wq);
  const taps = g.kH * g.kW;
  const phase: Phase = { kind: 'conv dX', macs: g.N * g.C * KT * g.H * g.W };
  const threads = threadsFor(phase);
  withTemps((alloc) => {
    const wp = packWeights(w, g.C, KT, [g.C, g.O, g.kH, g.kW, taps - 1, taps, g.C * taps, -g.kW, -1], alloc);
    const job: DirectJob = {
      N: g.N, src: dy, planes: g.O, srcH: g.oH, srcW: g.oW, copy: true,
      top: (g.kH - 1) * g.dH - g.pH, left: (g.kW - 1) * g.dW - g.pW, Hp: Hq, Wp: Wq,
      rows: g.C, K: KT, wp, bias: 0, out: dx, outPlane: g.H * g.W,
      geom: [g.O, Hq, Wq, g.C, g.kH, g.kW, 1, 1, g.dH, g.dW, g.H, g.W],
    };
    runShares(directShares(job, threads, alloc), alloc, phase);
  });
}

// Stride 1, few input channels: every dY run adds into a padded dX at its taps' places, then
// the padding is cropped off (or, without padding, dX is written in place). Shares are runs of
// whole images.
function scatterBackwardInput(g: ConvGeom, dy: number, w: number, dx: number): void {
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
  const images = threads === 1 ? [0, g.N] : cuts(g.N, threads, 1);
  withTemps((alloc) => {
    const shares = images.slice(1).map((n1, i): Share => {
      const n0 = images[i] as number;
      const B = inPlace ? n1 - n0 : padChunk(n1 - n0, padded);
      const buf = inPlace ? 0 : alloc(4 * B * padded);
      const steps: Step[] = [];
      for (let n = n0; n < n1; n += B) {
        const b = Math.min(B, n1 - n);
        steps.push({ op: STEP_SCATTER, args: [dy + n * dyImage, b, w, inPlace ? dx + n * dxImage : buf], geom });
        if (!inPlace) steps.push(windowStep(buf, Hq, Wq, dx + n * dxImage, g.H, g.W, b * g.C, -g.pH, -g.pW));
      }
      return { steps, scratchBytes: k.conv_dx_scatter_scratch_bytes(K, g.O) };
    });
    runShares(shares, alloc, phase);
  });
}

// ---- Path choice (measured per shape; see the header) ----

/** Taps per output (K) from which the packed GEMM is faster than the direct kernel. */
const DIRECT_MAX_TAPS = 1024;
/** Weights (O·K) above which the GEMM weight gradient is faster than the dot-product kernel. */
const DIRECT_MAX_WEIGHTS = 1 << 16;

/**
 * @internal For tests and benchmarks: `gemmOnly` runs every phase through the GEMM path; a
 * `trace` array collects the path each phase took ('forward:direct', 'input:scatter', …).
 */
export const convPath: { gemmOnly: boolean; trace: string[] | null } = { gemmOnly: false, trace: null };

function convForward(g: ConvGeom, x: number, w: number, bias: number | null, out: number): void {
  if (!convPath.gemmOnly && g.oW >= 4 && g.C * g.kH * g.kW < DIRECT_MAX_TAPS) {
    convPath.trace?.push('forward:direct');
    directForward(g, x, w, bias, out);
  } else {
    convPath.trace?.push('forward:gemm');
    gemmForward(g, x, w, bias, out);
  }
}

function convBackwardInput(g: ConvGeom, dy: number, w: number, dx: number, dxSize: number): void {
  const unit = g.sH === 1 && g.sW === 1 && !convPath.gemmOnly;
  const direct = unit && g.W >= 4 && g.O * g.kH * g.kW < DIRECT_MAX_TAPS;
  const scatter = unit && g.C < 8 && g.oH >= 2 && g.oW >= 4 && skewRows(g.oH, g.oW) === g.oH;
  if (direct && g.C >= 8) {
    convPath.trace?.push('input:direct');
    directBackwardInput(g, dy, w, dx);
  } else if (scatter) {
    convPath.trace?.push('input:scatter');
    scatterBackwardInput(g, dy, w, dx);
  } else if (direct && g.C >= 4) {
    convPath.trace?.push('input:direct');
    directBackwardInput(g, dy, w, dx);
  } else {
    convPath.trace?.push('input:gemm');
    gemmBackwardInput(g, dy, w, dx, dxSize);
  }
}

function convBackwardWeight(g: ConvGeom, x: number, dy: number, dw: number): void {
  const rows = g.oW % 4 === 0 || g.oW >= 16;
  if (!convPath.gemmOnly && g.N > 0 && g.sW === 1 && g.oW >= 4 && rows && g.O * g.C * g.kH * g.kW <= DIRECT_MAX_WEIGHTS) {
    convPath.trace?.push('weight:direct');
    directBackwardWeight(g, x, dy, dw);
  } else {
    convPath.trace?.push('weight:gemm');
    gemmBackwardWeight(g, x, dy, dw);
  }
}

// db[o] = Σ over n, p of dy[n, o, p]: rows of P, then the batch.
function convBackwardBias(g: ConvGeom, dy: number, db: number): void {
  const k = kernels();
  const P = g.oH * g.oW;
  if (g.N === 0) {
    k.fill_f32(db, g.O, 0);
    return;
  }
  const h = heap();
  const bytes = 4 * g.N * g.O;
  const perImage = h.alloc(bytes);
  k.reduce_f32(0, dy, perImage, g.N * g.O, P, 1);
  k.reduce_f32(0, perImage, db, 1, g.N, g.O);
  h.release(perImage, bytes);
}

interface ConvSpec {
  op: string;
  /** Spatial dimensions: 1 or 2. */
  dims: 1 | 2;
  stride: number | readonly number[];
  padding: number | readonly number[] | 'valid' | 'same';
  dilation: number | readonly number[];
  groups: number;
}

const layout = (dims: number): string => (dims === 2 ? 'H, W' : 'L');
const kernelLayout = (dims: number): string => (dims === 2 ? 'kH, kW' : 'k');

function convGeometry(s: ConvSpec, x: Tensor, weight: Tensor, bias: Tensor | null): { g: ConvGeom; outShape: number[] } {
  const { op, dims } = s;
  x.assertLive(op);
  weight.assertLive(op);
  bias?.assertLive(op);
  if (s.groups !== 1) throw new ValueError(`${op}: groups=1 only (got groups=${s.groups})`);
  if (x.rank !== dims + 1 && x.rank !== dims + 2) {
    throw new ShapeError(`${op}: input must be ${dims + 1}-D [C, ${layout(dims)}] or ${dims + 2}-D [N, C, ${layout(dims)}], got shape ${fmtShape(x.shape)}`);
  }
  if (weight.rank !== dims + 2) {
    throw new ShapeError(`${op}: weight must be ${dims + 2}-D [out_channels, in_channels, ${kernelLayout(dims)}], got shape ${fmtShape(weight.shape)}`);
  }
  const batched = x.rank === dims + 2;
  const xs = batched ? [...x.shape] : [1, ...x.shape];
  const ws = weight.shape;
  const [N, C] = xs as [number, number];
  const [O, wC] = ws as [number, number];
  if (C !== wC) {
    throw new ShapeError(`${op}: input ${fmtShape(x.shape)} has ${C} channels but weight ${fmtShape(ws)} expects ${wC} (weight is [out_channels, in_channels, ${kernelLayout(dims)}])`);
  }
  if (xs.slice(1).some((d) => d === 0) || ws.some((d) => d === 0)) {
    throw new ShapeError(`${op}: input ${fmtShape(x.shape)} and weight ${fmtShape(ws)} must have no empty dimension (other than the batch)`);
  }
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== O)) {
    throw new ShapeError(`${op}: bias must have shape [${O}] for weight ${fmtShape(ws)}, got ${fmtShape(bias.shape)}`);
  }
  const spatial = xs.slice(2);
  const kernel = ws.slice(2);
  const stride = intOption(op, 'stride', s.stride, dims, 1);
  const dilation = intOption(op, 'dilation', s.dilation, dims, 1);
  // Leading and total padding per spatial dimension; 'same' puts the odd cell on the trailing side as PyTorch does.
  let lead: number[];
  let total: number[];
  if (s.padding === 'valid') {
    lead = new Array<number>(dims).fill(0);
    total = lead;
  } else if (s.padding === 'same') {
    if (stride.some((v) => v !== 1)) throw new ValueError(`${op}: padding='same' needs stride 1, got stride ${JSON.stringify(s.stride)}`);
    total = kernel.map((k, i) => (dilation[i] as number) * (k - 1));
    lead = total.map((t) => Math.floor(t / 2));
  } else if (typeof s.padding === 'string') {
    throw new ValueError(`${op}: padding must be a non-negative integer, 'valid' or 'same', got '${String(s.padding)}'`);
  } else {
    lead = intOption(op, 'padding', s.padding, dims, 0);
    total = lead.map((p) => 2 * p);
  }
  const out = spatial.map((n, i) => {
    const span = (dilation[i] as number) * ((kernel[i] as number) - 1) + 1;
    return Math.floor((n + (total[i] as number) - span) / (stride[i] as number)) + 1;
  });
  if (out.some((o) => o < 1)) {
    const padded = spatial.map((n, i) => n + (total[i] as number));
    const span = kernel.map((k, i) => (dilation[i] as number) * (k - 1) + 1);
    throw new ShapeError(
      `${op}: kernel ${fmtShape(kernel)} (dilation ${fmtShape(dilation)}: spans ${fmtShape(span)}) is larger than the padded input ${fmtShape(padded)} (input ${fmtShape(x.shape)}, weight ${fmtShape(ws)})`,
    );
  }
  const two = (v: number[], one: number): [number, number] => (dims === 2 ? [v[0] as number, v[1] as number] : [one, v[0] as number]);
  const [H, W] = two(spatial, 1);
  const [kH, kW] = two(kernel, 1);
  const [sH, sW] = two(stride, 1);
  const [pH, pW] = two(lead, 0);
  const [dH, dW] = two(dilation, 1);
  const [oH, oW] = two(out, 1);
  const g: ConvGeom = { N, C, H, W, O, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW };
  const outShape = batched ? [N, O, ...out] : [O, ...out];
  return { g, outShape };
}

function convolution(s: ConvSpec, x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const { g, outShape } = convGeometry(s, x, weight, bias);
  const out = Tensor.empty(outShape);
  if (g.N > 0) convForward(g, x.ptr, weight.ptr, bias === null ? null : bias.ptr, out.ptr);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(out, s.op, inputs, (dy) => [
    () => {
      const dx = Tensor.empty(x.shape);
      convBackwardInput(g, dy.ptr, weight.ptr, dx.ptr, dx.size);
      return dx;
    },
    () => {
      const dw = Tensor.empty(weight.shape);
      convBackwardWeight(g, x.ptr, dy.ptr, dw.ptr);
      return dw;
    },
    () => {
      const db = Tensor.empty([g.O]);
      convBackwardBias(g, dy.ptr, db.ptr);
      return db;
    },
  ], [x, weight]);
}

// Reads a convolution call: the input and weight promoted, then PyTorch's positional tail or options.
function convCall(op: string, dims: 1 | 2, input: TensorInput, weight: TensorInput, args: readonly unknown[]): Tensor {
  const x = toTensor(op, 'input', input);
  const w = toTensor(op, 'weight', weight);
  const o = readArgs(op, args, CONV_NAMES, CONV_SPECS[dims]);
  const bias = o.bias === undefined || o.bias === null ? null : toTensor(op, 'bias', o.bias);
  if (o.groups !== undefined && o.groups !== 1) {
    throw new ValueError(`${op}: groups > 1 (grouped or depthwise convolution) is not supported, got groups=${o.groups}`);
  }
  const out = convolution({ op, dims, stride: o.stride ?? 1, padding: o.padding ?? 0, dilation: o.dilation ?? 1, groups: 1 }, x, w, bias);
  return releasePromoted(out, [input, weight, o.bias], [x, w, bias ?? 0]);
}

/**
 * 2-D convolution (cross-correlation, like torch.nn.functional.conv2d, same positional order):
 * input [N, C, H, W] or [C, H, W], weight [O, C, kH, kW], optional bias [O]; output
 * [N, O, oH, oW] with oH = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1.
 */
export function conv2d(input: TensorInput, weight: TensorInput, ...args: Conv2dArgs): Tensor {
  return convCall('conv2d', 2, input, weight, args);
}

/**
 * 1-D convolution (like torch.nn.functional.conv1d, same positional order): input [N, C, L] or
 * [C, L], weight [O, C, k], optional bias [O]; output [N, O, oL]. Runs the 2-D path with H = 1.
 */
export function conv1d(input: TensorInput, weight: TensorInput, ...args: Conv1dArgs): Tensor {
  return convCall('conv1d', 1, input, weight, args);
}
