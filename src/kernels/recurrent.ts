// Kernel layer of the recurrent ops (src/ops/recurrent.ts): the forward and backward sweeps of
// an Elman RNN, LSTM and GRU layer over a whole sequence, on tensors; no autograd here.
//
// The input projection of every time step is one GEMM over [T·N, I]; then each step runs one
// GEMM for the hidden projection (gemm_f32 with a scratch block shared by all steps) and one
// fused cell kernel that applies the gate nonlinearities and the state update. Backward is one
// sweep over the steps in reverse (a fused cell-gradient kernel and one GEMM per step), after
// which the weight gradients are single GEMMs over all steps.
//
// Internally the sequence is time-major ([T, N, ·]) so that each step's rows are one
// contiguous block and the weight gradients are plain GEMMs: the input is transposed once,
// and the cell kernels write h_t both into the time-major state buffer and into the
// batch-first output (rows T·H apart).
// Kernels: assembly/recurrent.ts (cells), assembly/gemm.ts.
import { RnnNonlinearity } from '../backend/generated/opcodes.js';
import { heap, kernels } from '../backend/wasm.js';
import { Tensor } from '../tensor/tensor.js';
import { gemm } from './gemm.js';
import { stridedCopy } from './strided.js';

/** A layer's sizes: batch, steps, input features, hidden units. */
export interface Dims {
  n: number;
  steps: number;
  inF: number;
  h: number;
}

/** The weights a sweep reads (PyTorch's layout, G·H rows). */
export interface CellWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

/** The gradients of a layer's outputs; null where an output got none. */
export interface Upstream {
  output: Tensor | null;
  hN: Tensor | null;
  cN: Tensor | null;
}

/** What a backward sweep leaves for the per-input gradients. */
export interface SweepResult {
  /** [T, N, G·H]: gradient w.r.t. the input projection x·W_ihᵀ + b_ih. */
  dGx: Tensor;
  /** [T, N, G·H]: gradient w.r.t. the hidden projection h·W_hhᵀ + b_hh (dGx itself for RNN and LSTM). */
  dGh: Tensor;
  /** [N, H] gradients w.r.t. h0 and c0. */
  dh0: Tensor;
  dc0: Tensor | null;
}

/** A forward pass: the outputs, and the buffers its backward sweep reads. */
export interface ForwardResult {
  output: Tensor;
  hN: Tensor;
  cN?: Tensor;
  /** [T, N, I]: the input, time-major. */
  xtm: Tensor;
  /** [T + 1, N, H]: h_{t−1} for step t is block t. */
  hs: Tensor;
  /** Every buffer the sweep reads (xtm and hs included): the caller frees them when no graph needs them. */
  saved: Tensor[];
  /** The backward sweep; `needDh0` asks for the gradient of the initial state. */
  sweep: (up: Upstream, needDh0: boolean) => SweepResult;
}

/** A GEMM of one shape run once per time step, with one scratch block for all of them. */
function withStepGemm<T>(m: number, n: number, k: number, fn: (run: (a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number, ldc: number, accumulate: boolean) => void) => T): T {
  const bytes = kernels().gemm_scratch_bytes(m, n, k);
  const scratch = heap().alloc(bytes);
  try {
    return fn((a, rsA, csA, b, rsB, csB, c, ldc, accumulate) => kernels().gemm_f32(m, n, k, a, rsA, csA, b, rsB, csB, c, ldc, accumulate ? 1 : 0, scratch));
  } finally {
    heap().release(scratch, bytes);
  }
}

/** x [N, T, I] as a new time-major [T, N, I] tensor. */
function timeMajor(x: Tensor, d: Dims): Tensor {
  const out = Tensor.empty([d.steps, d.n, d.inF]);
  stridedCopy([d.steps, d.n, d.inF], { tensor: x, strides: [d.inF, d.steps * d.inF, 1] }, { tensor: out, strides: [d.n * d.inF, d.inF, 1] });
  return out;
}

/** A [T + 1, N, H] state buffer whose block 0 holds the initial state (zeros when absent). */
function stateBuffer(d: Dims, init: Tensor | null): Tensor {
  const s = Tensor.empty([d.steps + 1, d.n, d.h]);
  if (init === null) kernels().fill_f32(s.ptr, d.n * d.h, 0);
  else kernels().copy_f32(init.ptr, s.ptr, d.n * d.h);
  return s;
}

/** Rows of [rows, gh] filled with biasIh + biasHh (those present), before a GEMM adds into them. */
function biasRows(rows: number, gh: number, biases: ReadonlyArray<Tensor | null>): Tensor {
  const present = biases.filter((b): b is Tensor => b !== null);
  const out = Tensor.empty([rows, gh]);
  kernels().bias_rows_f32(out.ptr, present[0]?.ptr ?? 0, present[1]?.ptr ?? 0, present.length, rows, gh);
  return out;
}

/** G += Xtm·W_ihᵀ over all T·N rows (W read transposed through strides). */
function inputProjection(into: Tensor, xtm: Tensor, weightIh: Tensor, d: Dims, gh: number): void {
  gemm({ m: d.steps * d.n, n: gh, k: d.inF, a: xtm.ptr, rsA: d.inF, csA: 1, b: weightIh.ptr, rsB: 1, csB: d.inF, c: into.ptr, ldc: gh, accumulate: true });
}

/** A [N, H] copy of block `index` of a [T + 1, N, H] state buffer. */
function stateAt(s: Tensor, index: number, d: Dims): Tensor {
  const out = Tensor.empty([d.n, d.h]);
  kernels().copy_f32(s.ptr + index * d.n * d.h * 4, out.ptr, d.n * d.h);
  return out;
}

/** [N, H] filled with `from` (copied), or zeros. */
function startGrad(from: Tensor | null, d: Dims): Tensor {
  const g = Tensor.empty([d.n, d.h]);
  if (from === null) kernels().fill_f32(g.ptr, g.size, 0);
  else kernels().copy_f32(from.ptr, g.ptr, g.size);
  return g;
}

/** LSTM forward, gate order (i, f, g, o). */
export function lstmForward(x: Tensor, w: CellWeights, h0: Tensor | null, c0: Tensor | null, d: Dims): ForwardResult {
  const { n, steps, h } = d;
  const gh = 4 * h;
  const nh = n * h;
  const k = kernels();
  const xtm = timeMajor(x, d);
  const gates = biasRows(steps * n, gh, [w.biasIh, w.biasHh]);
  inputProjection(gates, xtm, w.weightIh, d, gh);
  const hs = stateBuffer(d, h0);
  const cs = stateBuffer(d, c0);
  const tanhC = Tensor.empty([steps, n, h]);
  const output = Tensor.empty([n, steps, h]);
  const wHh = w.weightHh.ptr;
  withStepGemm(n, gh, h, (step) => {
    for (let t = 0; t < steps; t++) {
      const gt = gates.ptr + t * n * gh * 4;
      if (t > 0 || h0 !== null) step(hs.ptr + t * nh * 4, h, 1, wHh, 1, h, gt, gh, true);
      k.lstm_cell_f32(gt, cs.ptr + t * nh * 4, cs.ptr + (t + 1) * nh * 4, tanhC.ptr + t * nh * 4, hs.ptr + (t + 1) * nh * 4, output.ptr + t * h * 4, steps * h, n, h);
    }
  });
  const sweep = (up: Upstream, needDh0: boolean): SweepResult => {
    const dG = Tensor.empty([steps, n, gh]);
    const dh = startGrad(up.hN, d);
    const dc = startGrad(up.cN, d);
    const dOut = up.output;
    withStepGemm(n, h, gh, (step) => {
      for (let t = steps - 1; t >= 0; t--) {
        const dgt = dG.ptr + t * n * gh * 4;
        k.lstm_cell_backward_f32(gates.ptr + t * n * gh * 4, cs.ptr + t * nh * 4, tanhC.ptr + t * nh * 4, dh.ptr, dOut === null ? 0 : dOut.ptr + t * h * 4, steps * h, dOut === null ? 0 : 1, dc.ptr, dgt, n, h);
        // dh_{t−1} = dG_t·W_hh
        if (t > 0 || needDh0) step(dgt, gh, 1, wHh, h, 1, dh.ptr, h, false);
      }
    });
    return { dGx: dG, dGh: dG, dh0: dh, dc0: dc };
  };
  return { output, hN: stateAt(hs, steps, d), cN: stateAt(cs, steps, d), xtm, hs, saved: [xtm, gates, hs, cs, tanhC], sweep };
}

/** GRU forward, gate order (r, z, n), the reset gate applied after the hidden product. */
export function gruForward(x: Tensor, w: CellWeights, h0: Tensor | null, d: Dims): ForwardResult {
  const { n, steps, h } = d;
  const gh = 3 * h;
  const nh = n * h;
  const k = kernels();
  const xtm = timeMajor(x, d);
  const gx = biasRows(steps * n, gh, [w.biasIh]);
  inputProjection(gx, xtm, w.weightIh, d, gh);
  const ghs = biasRows(steps * n, gh, [w.biasHh]);
  const hs = stateBuffer(d, h0);
  const output = Tensor.empty([n, steps, h]);
  const wHh = w.weightHh.ptr;
  withStepGemm(n, gh, h, (step) => {
    for (let t = 0; t < steps; t++) {
      const at = t * n * gh * 4;
      if (t > 0 || h0 !== null) step(hs.ptr + t * nh * 4, h, 1, wHh, 1, h, ghs.ptr + at, gh, true);
      k.gru_cell_f32(gx.ptr + at, ghs.ptr + at, hs.ptr + t * nh * 4, hs.ptr + (t + 1) * nh * 4, output.ptr + t * h * 4, steps * h, n, h);
    }
  });
  const sweep = (up: Upstream, needDh0: boolean): SweepResult => {
    const dGx = Tensor.empty([steps, n, gh]);
    const dGh = Tensor.empty([steps, n, gh]);
    const dh = startGrad(up.hN, d);
    const dOut = up.output;
    withStepGemm(n, h, gh, (step) => {
      for (let t = steps - 1; t >= 0; t--) {
        const at = t * n * gh * 4;
        k.gru_cell_backward_f32(gx.ptr + at, ghs.ptr + at, hs.ptr + t * nh * 4, dh.ptr, dOut === null ? 0 : dOut.ptr + t * h * 4, steps * h, dOut === null ? 0 : 1, dGx.ptr + at, dGh.ptr + at, n, h);
        // dh_{t−1} = z·dh_t (left by the kernel) + dGh_t·W_hh
        if (t > 0 || needDh0) step(dGh.ptr + at, gh, 1, wHh, h, 1, dh.ptr, h, true);
      }
    });
    return { dGx, dGh, dh0: dh, dc0: null };
  };
  return { output, hN: stateAt(hs, steps, d), xtm, hs, saved: [xtm, gx, ghs, hs], sweep };
}

/** Elman RNN forward: h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh). */
export function rnnForward(x: Tensor, w: CellWeights, h0: Tensor | null, nonlinearity: 'tanh' | 'relu', d: Dims): ForwardResult {
  const act = nonlinearity === 'relu' ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh;
  const { n, steps, h } = d;
  const nh = n * h;
  const k = kernels();
  const xtm = timeMajor(x, d);
  const pre = biasRows(steps * n, h, [w.biasIh, w.biasHh]);
  inputProjection(pre, xtm, w.weightIh, d, h);
  const hs = stateBuffer(d, h0);
  const output = Tensor.empty([n, steps, h]);
  const wHh = w.weightHh.ptr;
  withStepGemm(n, h, h, (step) => {
    for (let t = 0; t < steps; t++) {
      const pt = pre.ptr + t * nh * 4;
      if (t > 0 || h0 !== null) step(hs.ptr + t * nh * 4, h, 1, wHh, 1, h, pt, h, true);
      k.rnn_cell_f32(act, pt, hs.ptr + (t + 1) * nh * 4, output.ptr + t * h * 4, steps * h, n, h);
    }
  });
  const sweep = (up: Upstream, needDh0: boolean): SweepResult => {
    const dG = Tensor.empty([steps, n, h]);
    const dh = startGrad(up.hN, d);
    const dOut = up.output;
    withStepGemm(n, h, h, (step) => {
      for (let t = steps - 1; t >= 0; t--) {
        const dgt = dG.ptr + t * nh * 4;
        k.rnn_cell_backward_f32(act, hs.ptr + (t + 1) * nh * 4, dh.ptr, dOut === null ? 0 : dOut.ptr + t * h * 4, steps * h, dOut === null ? 0 : 1, dgt, n, h);
        if (t > 0 || needDh0) step(dgt, h, 1, wHh, h, 1, dh.ptr, h, false);
      }
    });
    return { dGx: dG, dGh: dG, dh0: dh, dc0: null };
  };
  return { output, hN: stateAt(hs, steps, d), xtm, hs, saved: [xtm, pre, hs], sweep };
}

/** dx [N, T, I] = dGx·W_ih, computed time-major and transposed back. */
export function inputGrad(dGx: Tensor, weightIh: Tensor, d: Dims, gh: number): Tensor {
  const dxtm = Tensor.empty([d.steps, d.n, d.inF]);
  gemm({ m: d.steps * d.n, n: d.inF, k: gh, a: dGx.ptr, rsA: gh, csA: 1, b: weightIh.ptr, rsB: d.inF, csB: 1, c: dxtm.ptr, ldc: d.inF });
  const dx = Tensor.empty([d.n, d.steps, d.inF]);
  stridedCopy([d.steps, d.n, d.inF], { tensor: dxtm, strides: [d.n * d.inF, d.inF, 1] }, { tensor: dx, strides: [d.inF, d.steps * d.inF, 1] });
  dxtm.dispose();
  return dx;
}

/** dW [gh, cols] = dGᵀ·rows over all T·N rows (rows: the time-major input, or the states h_{−1} … h_{T−2}). */
export function weightGrad(dG: Tensor, rows: Tensor, cols: number, d: Dims, gh: number): Tensor {
  const dw = Tensor.empty([gh, cols]);
  gemm({ m: gh, n: cols, k: d.steps * d.n, a: dG.ptr, rsA: 1, csA: gh, b: rows.ptr, rsB: cols, csB: 1, c: dw.ptr, ldc: cols });
  return dw;
}

/** Σ over all T·N rows of dG [T, N, gh], or a copy of `same` (that sum, already taken). */
export function biasGrad(dG: Tensor, d: Dims, gh: number, same: Tensor | null): Tensor {
  const db = Tensor.empty([gh]);
  if (same !== null) kernels().copy_f32(same.ptr, db.ptr, gh);
  else kernels().sum_rows_f32(dG.ptr, db.ptr, d.steps * d.n, gh);
  return db;
}
