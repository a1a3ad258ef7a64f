// The kernel layer of conv2d / conv1d (src/ops/conv.ts): the geometry a convolution runs with,
// and per phase the lowering measured fastest for its shape (one thread, Node 20, Zen 5, GFLOP/s
// direct vs GEMM). Lowerings: ./conv-direct.ts (assembly/conv-direct.ts) and ./conv-gemm.ts
// (im2col + ./gemm.ts).
//
// Direct (no column matrix; ./conv-direct.ts describes each kernel). It beats the GEMM wherever im2col's extra pass, the packing of a wide B, or a tile with a tiny
// side dominate: the three benchmark shapes (b32 28×28×1→32: fwd 46 vs 39, dX 45 vs 29, dW 43 vs
// 23; b8 32×32×16→32: 65 vs 46, 63 vs 49, 56 vs 50; conv1d [64, 8, 30]→16: 44 vs 28, 41 vs 26,
// 39 vs 27), stride 2 forward (59 vs 50), 3 input channels (dX 45 vs 37, dW 49 vs 33), few output
// channels (O = 4: 37 vs 18), and it matches it on 1×1 kernels (no im2col either way).
//
// GEMM. It takes over where its cache blocking wins or the direct kernels do not apply:
// K ≥ 1024 taps (128→128 channels 3×3 on 14×14: 59 vs 52), dW with O·K > 65536 weights or rows
// narrower than 16 pixels that are not a whole number of 4-pixel runs (14×14: 50 vs 38, the
// masked last run of each row costs too much there), dX with ≥ 8 channels and too many taps,
// dX and dW with stride > 1, outputs narrower than 4 pixels.
//
// Both gradients (convBackward, when the backward pass wants both): where dX takes the direct
// kernel with ≥ 8 input channels, dW is computed from dX's padded dY instead of a padded x
// (./conv-direct.ts directBackward). CPU time, interleaved in one process against the separate
// rules: backward 0.993-0.997× on b8 32×32×16→32, 0.91× on conv1d [64, 8, 30]→16.
//
// With setNumThreads > 1 both lowerings use the worker pool: the GEMM through ./gemm.ts (above
// its PARALLEL_MIN_MACS), the direct kernels as one share of conv_tasks_f32 steps per thread
// (above CONV_PARALLEL_MIN_MACS; see ./conv-shares.ts), bit for bit equal to one thread.
// Temporaries come from the heap and go back to it before the op returns.
import { ReduceOp } from '../backend/generated/opcodes.js';
import { heap, kernels } from '../backend/wasm.js';
import { Tensor } from '../tensor/tensor.js';
import { directBackward, directBackwardInput, directBackwardWeight, directForward, scatterBackwardInput, skewRows } from './conv-direct.js';
import { gemmBackwardInput, gemmBackwardWeight, gemmForward } from './conv-gemm.js';

/** Sizes of one 2-D convolution (conv1d has H = kH = 1). */
export interface ConvGeom {
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

/** out = conv(x, w) + bias, out of shape [N, O, oH, oW] (conv1d: oH = 1). */
export function convForward(g: ConvGeom, x: Tensor, w: Tensor, bias: Tensor | null, out: Tensor): void {
  if (g.N === 0) return;
  if (!convPath.gemmOnly && g.oW >= 4 && g.C * g.kH * g.kW < DIRECT_MAX_TAPS) {
    convPath.trace?.push('forward:direct');
    directForward(g, x.ptr, w.ptr, bias === null ? null : bias.ptr, out.ptr);
  } else {
    convPath.trace?.push('forward:gemm');
    gemmForward(g, x.ptr, w.ptr, bias === null ? null : bias.ptr, out.ptr);
  }
}

/**
 * dx and dw together (both wanted) from one padded dY, where the direct input gradient applies
 * with ≥ 8 input channels and its geometry suits conv_dw_f32 (see directBackward): returns dw (a
 * new tensor), or null, having done nothing, where it does not.
 */
export function convBackward(g: ConvGeom, x: Tensor, dy: Tensor, w: Tensor, dx: Tensor): Tensor | null {
  const fits = !convPath.gemmOnly && g.N > 0 && g.sH === 1 && g.sW === 1 && g.C >= 8 && g.W >= 4 && g.O * g.kH * g.kW < DIRECT_MAX_TAPS &&
    (g.W % 4 === 0 || g.W >= 16) && g.O * g.C * g.kH * g.kW <= DIRECT_MAX_WEIGHTS;
  if (!fits) return null;
  const dw = Tensor.empty(w.shape);
  if (!directBackward(g, x.ptr, dy.ptr, w.ptr, dx.ptr, dw.ptr)) {
    dw.dispose();
    return null;
  }
  convPath.trace?.push('input:direct', 'weight:transposed');
  return dw;
}

/** dx (shape of the input) from dy and the weight. */
export function convBackwardInput(g: ConvGeom, dy: Tensor, w: Tensor, dx: Tensor): void {
  const unit = g.sH === 1 && g.sW === 1 && !convPath.gemmOnly;
  const direct = unit && g.W >= 4 && g.O * g.kH * g.kW < DIRECT_MAX_TAPS;
  const scatter = unit && g.C < 8 && g.oH >= 2 && g.oW >= 4 && skewRows(g.oH, g.oW) === g.oH;
  if (direct && g.C >= 8) {
    convPath.trace?.push('input:direct');
    directBackwardInput(g, dy.ptr, w.ptr, dx.ptr);
  } else if (scatter) {
    convPath.trace?.push('input:scatter');
    scatterBackwardInput(g, dy.ptr, w.ptr, dx.ptr);
  } else if (direct && g.C >= 4) {
    convPath.trace?.push('input:direct');
    directBackwardInput(g, dy.ptr, w.ptr, dx.ptr);
  } else {
    convPath.trace?.push('input:gemm');
    gemmBackwardInput(g, dy.ptr, w.ptr, dx.ptr, dx.size);
  }
}

/** dw (shape of the weight) from the input and dy. */
export function convBackwardWeight(g: ConvGeom, x: Tensor, dy: Tensor, dw: Tensor): void {
  const rows = g.oW % 4 === 0 || g.oW >= 16;
  if (!convPath.gemmOnly && g.N > 0 && g.sW === 1 && g.oW >= 4 && rows && g.O * g.C * g.kH * g.kW <= DIRECT_MAX_WEIGHTS) {
    convPath.trace?.push('weight:direct');
    directBackwardWeight(g, x.ptr, dy.ptr, dw.ptr);
  } else {
    convPath.trace?.push('weight:gemm');
    gemmBackwardWeight(g, x.ptr, dy.ptr, dw.ptr);
  }
}

// db[o] = Σ over n, p of dy[n, o, p]: rows of P, then the batch.
export function convBackwardBias(g: ConvGeom, dy: Tensor, db: Tensor): void {
  const k = kernels();
  const P = g.oH * g.oW;
  if (g.N === 0) {
    k.fill_f32(db.ptr, g.O, 0);
    return;
  }
  const h = heap();
  const bytes = 4 * g.N * g.O;
  const perImage = h.alloc(bytes);
  k.reduce_f32(ReduceOp.Sum, dy.ptr, perImage, g.N * g.O, P, 1);
  k.reduce_f32(ReduceOp.Sum, perImage, db.ptr, 1, g.N, g.O);
  h.release(perImage, bytes);
}
