// The GEMM lowering of a convolution (im2col + src/kernels/gemm.ts), chosen per phase by
// src/kernels/conv.ts. Kernels: assembly/im2col.ts (im2col_f32, col2im_f32, swap_outer_f32).
//
// The batch is cut into chunks of B images whose columns sit side by side in one matrix
// cols [K, B·P] (P = oH·oW), so one GEMM per chunk has enough columns even when the spatial
// output is tiny. Then
//   forward:  Y[O, B·P]  = W[O, K] · cols,            moved to NCHW (+ bias) by swap_outer
//   dW[O, K]          += dY[O, B·P] · colsᵀ           (cols recomputed from x)
//   dX:       dcols[K, B·P] = Wᵀ · dY[O, B·P],         folded back by col2im
// With B = 1 the GEMM reads and writes NCHW directly. Transposed operands are strides, never
// copies.
import { intArgs } from '../backend/scratch.js';
import { heap, kernels } from '../backend/wasm.js';
import type { ConvGeom } from './conv.js';
import { gemm } from './gemm.js';

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

export function gemmForward(g: ConvGeom, x: number, w: number, bias: number | null, out: number): void {
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

export function gemmBackwardInput(g: ConvGeom, dy: number, w: number, dx: number, dxSize: number): void {
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

export function gemmBackwardWeight(g: ConvGeom, x: number, dy: number, dw: number): void {
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
