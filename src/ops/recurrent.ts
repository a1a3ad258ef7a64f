// Recurrent layers (Elman RNN, LSTM, GRU), one layer over a whole batch-first sequence per
// call, with PyTorch's weight layout and gate order: the input checks, the forward call and the
// backward rule. The sweeps themselves (time-major buffers, one GEMM and one fused cell kernel
// per step) are in src/kernels/recurrent.ts.
//
// Each layer is one graph node with several outputs (the sequence, h_N and c_N): backward runs
// it once with the gradients of the outputs that were used, and one reverse sweep over the
// steps serves every input's gradient. The buffers the sweep needs are tensors of the current
// tidy scope, freed with it; without a graph to record they are freed at once.
import { isGradEnabled, recordMulti } from '../autograd/graph.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { type CellWeights, type Dims, type ForwardResult, type SweepResult, biasGrad, gruForward, inputGrad, lstmForward, rnnForward, weightGrad } from '../kernels/recurrent.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { type Tensor, tensorCheck } from '../tensor/tensor.js';
import { type Args, is, readArgs, readOptions } from '../validate.js';

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

const cellWeights = (w: RecurrentWeights): CellWeights => ({ weightIh: w.weightIh, weightHh: w.weightHh, biasIh: w.biasIh ?? null, biasHh: w.biasHh ?? null });

/**
 * Records the layer as one node whose outputs are the sequence, h_N (and c_N); frees the
 * sweep's buffers at once when no graph is recorded. Returns the outputs.
 */
function recordLayer<O extends { output: Tensor; hN: Tensor; cN?: Tensor }>(op: string, x: Tensor, w: CellWeights, h0: Tensor | null, c0: Tensor | null, d: Dims, gh: number, f: ForwardResult): O {
  const outputs = { output: f.output, hN: f.hN, ...(f.cN !== undefined && { cN: f.cN }) } as O;
  const inputs: Array<[Tensor, (g: SweepResult) => Tensor]> = [
    [x, (g) => inputGrad(g.dGx, w.weightIh, d, gh)],
    [w.weightIh, (g) => weightGrad(g.dGx, f.xtm, d.inF, d, gh)],
    // over the states h_{−1} … h_{T−2}
    [w.weightHh, (g) => weightGrad(g.dGh, f.hs, d.h, d, gh)],
  ];
  // The RNN and the LSTM share one projection gradient for both biases: the second bias gets
  // a copy of the first sum.
  let lastSum: [Tensor, Tensor] | null = null;
  const sumRows = (dG: Tensor): Tensor => {
    const db = biasGrad(dG, d, gh, lastSum !== null && lastSum[0] === dG && !lastSum[1].isDisposed ? lastSum[1] : null);
    lastSum = [dG, db];
    return db;
  };
  if (w.biasIh !== null) inputs.push([w.biasIh, (g) => sumRows(g.dGx)]);
  if (w.biasHh !== null) inputs.push([w.biasHh, (g) => sumRows(g.dGh)]);
  if (h0 !== null) inputs.push([h0, (g) => g.dh0]);
  if (c0 !== null) inputs.push([c0, (g) => g.dc0 as Tensor]);
  const tensors = inputs.map(([t]) => t);
  if (!isGradEnabled() || !tensors.some((t) => t.requiresGrad)) {
    f.saved.forEach((t) => t.dispose());
    return outputs;
  }
  const list = f.cN === undefined ? [f.output, f.hN] : [f.output, f.hN, f.cN];
  recordMulti(list, op, tensors, ([dOut = null, dhN = null, dcN = null]) => {
    // One sweep per backward pass, shared by the thunks (only those of inputs that need a
    // gradient run).
    let result: SweepResult | null = null;
    const g = (): SweepResult => (result ??= f.sweep({ output: dOut, hN: dhN, cN: dcN }, h0?.requiresGrad === true));
    return inputs.map(([, thunk]) => () => thunk(g()));
  }, tensors);
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
  const w = cellWeights(weights);
  return recordLayer(op, x, w, h0, c0, d, 4 * d.h, lstmForward(x, w, h0, c0, d));
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
  const w = cellWeights(weights);
  return recordLayer(op, x, w, h0, null, d, 3 * d.h, gruForward(x, w, h0, d));
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
  const d = checkLayer(op, 1, x, weights, [['h0', h0]]);
  const w = cellWeights(weights);
  return recordLayer(op, x, w, h0, null, d, d.h, rnnForward(x, w, h0, nonlinearity, d));
}
