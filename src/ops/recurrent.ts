// Recurrent layers (Elman RNN, LSTM, GRU), one layer over a whole batch-first sequence per
// call, with PyTorch's weight layout and gate order.
//
// Each layer is one graph node, not T steps of small ops: the input projection of every time
// step is one GEMM over [T·N, I]; then each step runs one GEMM for the hidden projection
// (gemm_f32 with a scratch block shared by all steps) and one fused cell kernel that applies
// the gate nonlinearities and the state update. Backward is one sweep over the steps in
// reverse (a fused cell-gradient kernel and one GEMM per step), after which the weight
// gradients are single GEMMs over all steps.
//
// Internally the sequence is time-major ([T, N, ·]) so that each step's rows are one
// contiguous block and the weight gradients are plain GEMMs: the input is transposed once,
// and the cell kernels write h_t both into the time-major state buffer and into the
// batch-first output (rows T·H apart). The buffers the backward sweep needs (activations,
// states) are tensors of the current tidy scope, freed with it; without a graph to record
// they are freed at once.
//
// A graph node has one output, and a layer has three (output, h_N, c_N), so the layer's node
// sits on a hidden scalar `core`; each output is a small node on `core` that hands its
// gradient to the sweep and passes a zero scalar on. The engine visits every output before
// `core`, so the sweep sees the gradients of all the outputs that were used.
// Kernels: assembly/recurrent.ts (cells), assembly/gemm.ts.
import { heap, kernels } from '../backend/wasm.js';
import { isGradEnabled, record } from '../autograd/graph.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { Tensor, tensorCheck } from '../tensor/tensor.js';
import { type Args, is, readArgs, readOptions } from '../validate.js';
import { gemm } from './gemm.js';
import { stridedCopy } from './strided.js';

const enum RnnAct {
  Tanh = 0,
  Relu = 1,
}

/** One layer's parameters in PyTorch's layout (G = 1 for RNN, 4 for LSTM, 3 for GRU). */
export interface RecurrentWeights {
  /** [G·H, I] */
  weightIh: Tensor;
  /** [G·H, H] */
  weightHh: Tensor;
  /** [G·H], or null/absent for no bias */
  biasIh?: Tensor | null;
  /** [G·H], or null/absent for no bias */
  biasHh?: Tensor | null;
}

/** What one layer returns: the top output sequence and the final hidden state. */
export interface RecurrentLayerOutput {
  /** [N, T, H]: h_t for every step. */
  output: Tensor;
  /** [N, H]: h_T. */
  hN: Tensor;
}

/** An LSTM layer also returns its final cell state. */
export interface LstmLayerOutput extends RecurrentLayerOutput {
  /** [N, H]: c_T. */
  cN: Tensor;
}

export interface RnnLayerOptions {
  /** The Elman cell's activation: 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

const PARAM = tensorCheck();
const WEIGHTS = { weightIh: PARAM, weightHh: PARAM, biasIh: is.nullable(PARAM), biasHh: is.nullable(PARAM) };

/** Checks a layer's weights object and promotes its input and initial states. */
function readLayer(op: string, input: unknown, weights: unknown, states: readonly unknown[]): { x: Tensor; w: RecurrentWeights; states: Array<Tensor | null> } {
  const x = toTensor(op, 'input', input);
  if (weights === undefined || weights === null) throw new ArgumentError(`${op}: weights {weightIh, weightHh, biasIh?, biasHh?} are required`, op, 'weights');
  const w = readOptions(`${op}: weights`, weights, WEIGHTS);
  if (w.weightIh === undefined || w.weightHh === undefined) {
    throw new ArgumentError(`${op}: weights need weightIh and weightHh`, op, w.weightIh === undefined ? 'weightIh' : 'weightHh');
  }
  const promoted = states.map((s, i) => (s === undefined || s === null ? null : toTensor(op, i === 0 ? 'h0' : 'c0', s)));
  return { x, w: w as RecurrentWeights, states: promoted };
}

const RNN = { nonlinearity: is.oneOf(['tanh', 'relu'] as const) };

interface Dims {
  n: number;
  steps: number;
  inF: number;
  h: number;
}

function checkLayer(op: string, gates: number, x: Tensor, w: RecurrentWeights, states: ReadonlyArray<[string, Tensor | null]>): Dims {
  const { weightIh, weightHh } = w;
  const biasIh = w.biasIh ?? null;
  const biasHh = w.biasHh ?? null;
  x.assertLive(op);
  weightIh.assertLive(op);
  weightHh.assertLive(op);
  biasIh?.assertLive(op);
  biasHh?.assertLive(op);
  for (const [, s] of states) s?.assertLive(op);
  if (weightHh.rank !== 2 || (weightHh.shape[0] as number) !== gates * (weightHh.shape[1] as number) || weightHh.size === 0) {
    throw new ShapeError(`${op}: weightHh must have shape [${gates}·H, H] with H ≥ 1, got ${fmtShape(weightHh.shape)}`);
  }
  const h = weightHh.shape[1] as number;
  const gh = gates * h;
  if (weightIh.rank !== 2 || weightIh.shape[0] !== gh) {
    throw new ShapeError(`${op}: weightIh must have shape [${gh}, I] to match weightHh ${fmtShape(weightHh.shape)}, got ${fmtShape(weightIh.shape)}`);
  }
  const inF = weightIh.shape[1] as number;
  for (const [name, b] of [['biasIh', biasIh], ['biasHh', biasHh]] as const) {
    if (b !== null && (b.rank !== 1 || b.shape[0] !== gh)) {
      throw new ShapeError(`${op}: ${name} must have shape [${gh}], got ${fmtShape(b.shape)}`);
    }
  }
  if (x.rank !== 3 || x.shape[2] !== inF) {
    throw new ShapeError(`${op}: input must have shape [batch, time, ${inF}] (batch-first) for weightIh ${fmtShape(weightIh.shape)}, got ${fmtShape(x.shape)}`);
  }
  const [n, steps] = x.shape as [number, number, number];
  if (n === 0 || steps === 0) {
    throw new ShapeError(`${op}: input ${fmtShape(x.shape)} is empty; batch and sequence length must be at least 1`);
  }
  for (const [name, s] of states) {
    if (s !== null && (s.rank !== 2 || s.shape[0] !== n || s.shape[1] !== h)) {
      throw new ShapeError(`${op}: ${name} must have shape [${n}, ${h}] ([batch, hidden]) for input ${fmtShape(x.shape)}, got ${fmtShape(s.shape)}`);
    }
  }
  return { n, steps, inF, h };
}

/** A GEMM of one shape run once per time step, with one scratch block for all of them. */
class StepGemm {
  private readonly bytes: number;
  private readonly scratch: number;

  constructor(
    private readonly m: number,
    private readonly n: number,
    private readonly k: number,
  ) {
    this.bytes = kernels().gemm_scratch_bytes(m, n, k);
    this.scratch = heap().alloc(this.bytes);
  }

  /** C (+)= A·B; A and B addressed through element strides, C row-major with ldc. */
  run(a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number, ldc: number, accumulate: boolean): void {
    kernels().gemm_f32(this.m, this.n, this.k, a, rsA, csA, b, rsB, csB, c, ldc, accumulate ? 1 : 0, this.scratch);
  }

  release(): void {
    heap().release(this.scratch, this.bytes);
  }
}

function withStepGemm<T>(m: number, n: number, k: number, fn: (g: StepGemm) => T): T {
  const g = new StepGemm(m, n, k);
  try {
    return fn(g);
  } finally {
    g.release();
  }
}

/** x [N, T, I] as a new time-major [T, N, I] tensor. */
function timeMajor(x: Tensor, d: Dims): Tensor {
  const out = Tensor.empty([d.steps, d.n, d.inF]);
  stridedCopy([d.steps, d.n, d.inF], { tensor: x, strides: [d.inF, d.steps * d.inF, 1] }, { tensor: out, strides: [d.n * d.inF, d.inF, 1] });
  return out;
}

/** A time-major [T, N, I] gradient as a batch-first [N, T, I] tensor. */
function batchFirst(g: Tensor, d: Dims): Tensor {
  const out = Tensor.empty([d.n, d.steps, d.inF]);
  stridedCopy([d.steps, d.n, d.inF], { tensor: g, strides: [d.n * d.inF, d.inF, 1] }, { tensor: out, strides: [d.inF, d.steps * d.inF, 1] });
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

/** Gradients the outputs hand to the sweep; null where an output took no part. */
interface Upstream {
  output: Tensor | null;
  hN: Tensor | null;
  cN: Tensor | null;
}

/** What a backward sweep leaves for the per-input gradient thunks. */
interface SweepResult {
  /** [T, N, G·H]: gradient w.r.t. the input projection x·W_ihᵀ + b_ih. */
  dGx: Tensor;
  /** [T, N, G·H]: gradient w.r.t. the hidden projection h·W_hhᵀ + b_hh (dGx itself for RNN and LSTM). */
  dGh: Tensor;
  /** [N, H] gradients w.r.t. h0 and c0, when asked for. */
  dh0: Tensor | null;
  dc0: Tensor | null;
}

/** [N, H] filled with `from` (copied), or zeros. */
function startGrad(from: Tensor | null, d: Dims): Tensor {
  const g = Tensor.empty([d.n, d.h]);
  if (from === null) kernels().fill_f32(g.ptr, g.size, 0);
  else kernels().copy_f32(from.ptr, g.ptr, g.size);
  return g;
}

interface LayerRecord {
  op: string;
  d: Dims;
  gh: number;
  x: Tensor;
  w: RecurrentWeights;
  xtm: Tensor;
  /** [T + 1, N, H]: h_{t−1} for step t is block t. */
  hs: Tensor;
  h0: Tensor | null;
  c0: Tensor | null;
  /** Buffers the sweep reads (freed at once when nothing is recorded). */
  saved: Tensor[];
  sweep: (up: Upstream, needDh0: boolean) => SweepResult;
}

/**
 * Records the layer's node on a hidden scalar and the outputs as nodes on it (see the header);
 * returns the outputs, unchanged when no graph is recorded.
 */
function recordLayer<O extends { output: Tensor; hN: Tensor; cN?: Tensor }>(r: LayerRecord, outputs: O): O {
  const { d, gh, x, w, xtm, hs, h0, c0 } = r;
  const biasIh = w.biasIh ?? null;
  const biasHh = w.biasHh ?? null;
  const inputs: Array<[Tensor, (g: () => SweepResult) => Tensor]> = [
    // dx = dGx·W_ih, computed time-major and transposed back
    [x, (g) => {
      const dxtm = Tensor.empty([d.steps, d.n, d.inF]);
      gemm({ m: d.steps * d.n, n: d.inF, k: gh, a: g().dGx.ptr, rsA: gh, csA: 1, b: w.weightIh.ptr, rsB: d.inF, csB: 1, c: dxtm.ptr, ldc: d.inF });
      const dx = batchFirst(dxtm, d);
      dxtm.dispose();
      return dx;
    }],
    // dW_ih = dGxᵀ·Xtm over all steps
    [w.weightIh, (g) => {
      const dw = Tensor.empty(w.weightIh.shape);
      gemm({ m: gh, n: d.inF, k: d.steps * d.n, a: g().dGx.ptr, rsA: 1, csA: gh, b: xtm.ptr, rsB: d.inF, csB: 1, c: dw.ptr, ldc: d.inF });
      return dw;
    }],
    // dW_hh = dGhᵀ·[h_{−1} … h_{T−2}]
    [w.weightHh, (g) => {
      const dw = Tensor.empty(w.weightHh.shape);
      gemm({ m: gh, n: d.h, k: d.steps * d.n, a: g().dGh.ptr, rsA: 1, csA: gh, b: hs.ptr, rsB: d.h, csB: 1, c: dw.ptr, ldc: d.h });
      return dw;
    }],
  ];
  // Σ over all T·N rows; the RNN and the LSTM share one projection gradient for both biases,
  // so the second bias gets a copy of the first sum.
  let lastSum: [Tensor, Tensor] | null = null;
  const sumRows = (src: Tensor): Tensor => {
    const db = Tensor.empty([gh]);
    if (lastSum !== null && lastSum[0] === src && !lastSum[1].isDisposed) kernels().copy_f32(lastSum[1].ptr, db.ptr, gh);
    else kernels().sum_rows_f32(src.ptr, db.ptr, d.steps * d.n, gh);
    lastSum = [src, db];
    return db;
  };
  if (biasIh !== null) inputs.push([biasIh, (g) => sumRows(g().dGx)]);
  if (biasHh !== null) inputs.push([biasHh, (g) => sumRows(g().dGh)]);
  if (h0 !== null) inputs.push([h0, (g) => g().dh0 as Tensor]);
  if (c0 !== null) inputs.push([c0, (g) => g().dc0 as Tensor]);
  const tensors = inputs.map(([t]) => t);
  if (!isGradEnabled() || !tensors.some((t) => t.requiresGrad)) {
    r.saved.forEach((t) => t.dispose());
    return outputs;
  }
  const up: Upstream = { output: null, hN: null, cN: null };
  const core = zeros([]); // a finite placeholder value: detectAnomaly checks it as it is recorded
  record(core, r.op, tensors, () => {
    // One sweep per backward pass, shared by the thunks (only those of inputs that need a
    // gradient run); the outputs' gradients are taken and cleared for the next pass.
    let result: SweepResult | null = null;
    const g = (): SweepResult => {
      if (result === null) {
        // (a gradient left over from a backward pass that failed midway is dead by now)
        const live = (t: Tensor | null): Tensor | null => (t !== null && !t.isDisposed ? t : null);
        const taken = { output: live(up.output), hN: live(up.hN), cN: live(up.cN) };
        up.output = up.hN = up.cN = null;
        result = r.sweep(taken, h0?.requiresGrad === true);
      }
      return result;
    };
    return inputs.map(([, thunk]) => () => thunk(g));
  });
  const tap = (t: Tensor, slot: keyof Upstream): void => {
    record(t, `${r.op}.${slot}`, [core], (dy) => [
      () => {
        up[slot] = dy;
        return zeros([]);
      },
    ]);
  };
  tap(outputs.output, 'output');
  tap(outputs.hN, 'hN');
  if (outputs.cN !== undefined) tap(outputs.cN, 'cN');
  return outputs;
}

/**
 * One LSTM layer over a batch-first sequence x [N, T, I], with PyTorch's equations and gate
 * order (i, f, g, o): gates = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh,
 * c_t = σ(f)·c_{t−1} + σ(i)·tanh(g), h_t = σ(o)·tanh(c_t). h0, c0 [N, H] default to zeros.
 * Returns the output sequence [N, T, H], h_T and c_T [N, H]; gradients reach x, the weights
 * and h0/c0 through any of the three.
 */
export function lstmLayer(input: TensorInput, weightsArg: RecurrentWeights, h0Arg: TensorInput | null = null, c0Arg: TensorInput | null = null, ...rest: []): LstmLayerOutput {
  const op = 'lstmLayer';
  const { x, w: weights, states } = readLayer(op, input, weightsArg, [h0Arg, c0Arg]);
  readArgs(op, rest, [], {});
  const [h0 = null, c0 = null] = states;
  const d = checkLayer(op, 4, x, weights, [['h0', h0], ['c0', c0]]);
  const { n, steps, h } = d;
  const gh = 4 * h;
  const nh = n * h;
  const k = kernels();
  const xtm = timeMajor(x, d);
  const gates = biasRows(steps * n, gh, [weights.biasIh ?? null, weights.biasHh ?? null]);
  inputProjection(gates, xtm, weights.weightIh, d, gh);
  const hs = stateBuffer(d, h0);
  const cs = stateBuffer(d, c0);
  const tanhC = Tensor.empty([steps, n, h]);
  const output = Tensor.empty([n, steps, h]);
  const wHh = weights.weightHh.ptr;
  withStepGemm(n, gh, h, (step) => {
    for (let t = 0; t < steps; t++) {
      const gt = gates.ptr + t * n * gh * 4;
      if (t > 0 || h0 !== null) step.run(hs.ptr + t * nh * 4, h, 1, wHh, 1, h, gt, gh, true);
      k.lstm_cell_f32(gt, cs.ptr + t * nh * 4, cs.ptr + (t + 1) * nh * 4, tanhC.ptr + t * nh * 4, hs.ptr + (t + 1) * nh * 4, output.ptr + t * h * 4, steps * h, n, h);
    }
  });
  const outputs = { output, hN: stateAt(hs, steps, d), cN: stateAt(cs, steps, d) };
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
        if (t > 0 || needDh0) step.run(dgt, gh, 1, wHh, h, 1, dh.ptr, h, false);
      }
    });
    return { dGx: dG, dGh: dG, dh0: dh, dc0: dc };
  };
  return recordLayer({ op, d, gh, x, w: weights, xtm, hs, h0, c0, saved: [xtm, gates, hs, cs, tanhC], sweep }, outputs);
}

/**
 * One GRU layer over a batch-first sequence x [N, T, I], with PyTorch's equations and gate
 * order (r, z, n): r = σ(x_t·W_irᵀ + b_ir + h·W_hrᵀ + b_hr), z likewise,
 * n = tanh(x_t·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn)) (the reset gate applies after the hidden
 * product), h_t = (1 − z)·n + z·h_{t−1}. h0 [N, H] defaults to zeros. Returns the output
 * sequence [N, T, H] and h_T [N, H].
 */
export function gruLayer(input: TensorInput, weightsArg: RecurrentWeights, h0Arg: TensorInput | null = null, ...rest: []): RecurrentLayerOutput {
  const op = 'gruLayer';
  const { x, w: weights, states } = readLayer(op, input, weightsArg, [h0Arg]);
  readArgs(op, rest, [], {});
  const [h0 = null] = states;
  const d = checkLayer(op, 3, x, weights, [['h0', h0]]);
  const { n, steps, h } = d;
  const gh = 3 * h;
  const nh = n * h;
  const k = kernels();
  const xtm = timeMajor(x, d);
  const gx = biasRows(steps * n, gh, [weights.biasIh ?? null]);
  inputProjection(gx, xtm, weights.weightIh, d, gh);
  const ghs = biasRows(steps * n, gh, [weights.biasHh ?? null]);
  const hs = stateBuffer(d, h0);
  const output = Tensor.empty([n, steps, h]);
  const wHh = weights.weightHh.ptr;
  withStepGemm(n, gh, h, (step) => {
    for (let t = 0; t < steps; t++) {
      const at = t * n * gh * 4;
      if (t > 0 || h0 !== null) step.run(hs.ptr + t * nh * 4, h, 1, wHh, 1, h, ghs.ptr + at, gh, true);
      k.gru_cell_f32(gx.ptr + at, ghs.ptr + at, hs.ptr + t * nh * 4, hs.ptr + (t + 1) * nh * 4, output.ptr + t * h * 4, steps * h, n, h);
    }
  });
  const outputs = { output, hN: stateAt(hs, steps, d) };
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
        if (t > 0 || needDh0) step.run(dGh.ptr + at, gh, 1, wHh, h, 1, dh.ptr, h, true);
      }
    });
    return { dGx, dGh, dh0: dh, dc0: null };
  };
  return recordLayer({ op, d, gh, x, w: weights, xtm, hs, h0, c0: null, saved: [xtm, gx, ghs, hs], sweep }, outputs);
}

/**
 * One Elman RNN layer over a batch-first sequence x [N, T, I]:
 * h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh), act = tanh (default) or relu.
 * h0 [N, H] defaults to zeros. Returns the output sequence [N, T, H] and h_T [N, H].
 */
export function rnnLayer(
  input: TensorInput,
  weightsArg: RecurrentWeights,
  h0Arg: TensorInput | null = null,
  ...rest: Args<[nonlinearity: 'tanh' | 'relu' | undefined], RnnLayerOptions>
): RecurrentLayerOutput {
  const op = 'rnnLayer';
  const { x, w: weights, states } = readLayer(op, input, weightsArg, [h0Arg]);
  const [h0 = null] = states;
  const nonlinearity = readArgs(op, rest, ['nonlinearity'], RNN).nonlinearity ?? 'tanh';
  const act = nonlinearity === 'relu' ? RnnAct.Relu : RnnAct.Tanh;
  const d = checkLayer(op, 1, x, weights, [['h0', h0]]);
  const { n, steps, h } = d;
  const nh = n * h;
  const k = kernels();
  const xtm = timeMajor(x, d);
  const pre = biasRows(steps * n, h, [weights.biasIh ?? null, weights.biasHh ?? null]);
  inputProjection(pre, xtm, weights.weightIh, d, h);
  const hs = stateBuffer(d, h0);
  const output = Tensor.empty([n, steps, h]);
  const wHh = weights.weightHh.ptr;
  withStepGemm(n, h, h, (step) => {
    for (let t = 0; t < steps; t++) {
      const pt = pre.ptr + t * nh * 4;
      if (t > 0 || h0 !== null) step.run(hs.ptr + t * nh * 4, h, 1, wHh, 1, h, pt, h, true);
      k.rnn_cell_f32(act, pt, hs.ptr + (t + 1) * nh * 4, output.ptr + t * h * 4, steps * h, n, h);
    }
  });
  const outputs = { output, hN: stateAt(hs, steps, d) };
  const sweep = (up: Upstream, needDh0: boolean): SweepResult => {
    const dG = Tensor.empty([steps, n, h]);
    const dh = startGrad(up.hN, d);
    const dOut = up.output;
    withStepGemm(n, h, h, (step) => {
      for (let t = steps - 1; t >= 0; t--) {
        const dgt = dG.ptr + t * nh * 4;
        k.rnn_cell_backward_f32(act, hs.ptr + (t + 1) * nh * 4, dh.ptr, dOut === null ? 0 : dOut.ptr + t * h * 4, steps * h, dOut === null ? 0 : 1, dgt, n, h);
        if (t > 0 || needDh0) step.run(dgt, h, 1, wHh, h, 1, dh.ptr, h, false);
      }
    });
    return { dGx: dG, dGh: dG, dh0: dh, dc0: null };
  };
  return recordLayer({ op, d, gh: h, x, w: weights, xtm, hs, h0, c0: null, saved: [xtm, pre, hs], sweep }, outputs);
}
