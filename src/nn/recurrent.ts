// nn.RNN, nn.LSTM and nn.GRU: stacks of recurrent layers with PyTorch's parameter names,
// shapes, gate order and initialisation, batch-first. Each layer runs as one fused op
// (src/ops/recurrent.ts); dropout goes between layers in training mode.
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { dropout as dropoutOp } from '../ops/dropout.js';
import { type RecurrentLayerOutput, type RecurrentWeights, gruLayer, lstmLayer, rnnLayer } from '../ops/recurrent.js';
import { reshape } from '../ops/reshape.js';
import { select } from '../ops/slice.js';
import { stack } from '../ops/concat.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { fanInUniform, generatorOption } from './init.js';
import { type Checked, is, type PositionalArgs, readArgs } from '../validate.js';
import { toTensor } from '../tensor/promote.js';
import { Module } from './module.js';

export interface RecurrentOptions {
  /** Stacked layers; layer k > 0 reads layer k − 1's output sequence. Default 1. */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Input and output as [batch, time, features]. Default true; false is not supported. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode. Default 0. */
  dropout?: number;
  /** Only false is supported. */
  bidirectional?: boolean;
  /** The stream the initial weights and the dropout masks are drawn from; the default generator otherwise. */
  generator?: Generator;
}

export interface RNNOptions extends RecurrentOptions {
  /** The cell's activation. Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** What `run` returns: the top layer's output sequence and every layer's final hidden state. */
export interface RecurrentOutput {
  /** [N, T, H]: the top layer's h_t for every step. */
  output: Tensor;
  /** [numLayers, N, H]: h_T of every layer. */
  hN: Tensor;
}

/** What `LSTM.run` returns: also every layer's final cell state. */
export interface LSTMOutput extends RecurrentOutput {
  /** [numLayers, N, H]: c_T of every layer. */
  cN: Tensor;
}

type Kind = 'RNN' | 'LSTM' | 'GRU';
const GATES: Record<Kind, number> = { RNN: 1, LSTM: 4, GRU: 3 };

// PyTorch's orders: LSTM/GRU(input_size, hidden_size, num_layers, bias, batch_first, dropout,
// bidirectional, proj_size); RNN has nonlinearity after num_layers.
const ARGS = {
  RNN: ['inputSize', 'hiddenSize', 'numLayers', 'nonlinearity', 'bias', 'batchFirst', 'dropout', 'bidirectional'],
  LSTM: ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'projSize'],
  GRU: ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'],
} as const;
const OPTIONS = {
  inputSize: is.int({ min: 1 }),
  hiddenSize: is.int({ min: 1 }),
  numLayers: is.int({ min: 1 }),
  nonlinearity: is.oneOf(['tanh', 'relu'] as const),
  bias: is.boolean,
  batchFirst: is.boolean,
  dropout: is.number({ min: 0, max: 1 }),
  bidirectional: is.boolean,
  projSize: is.int({ min: 0 }),
  generator: generatorOption,
};
// Each cell's table: RNN alone has nonlinearity, LSTM alone projSize.
const { nonlinearity, projSize, ...shared } = OPTIONS;
const SPECS = { RNN: { ...shared, nonlinearity }, LSTM: { ...shared, projSize }, GRU: shared };
type Options = Checked<typeof OPTIONS>;

function unsupported(where: string, param: string, message: string): never {
  throw new ArgumentError(`${where}: ${message}`, where, param);
}

/**
 * The shared part of RNN, LSTM and GRU: options, parameters (per layer k: `weight_ih_l{k}`
 * [G·H, I_k], `weight_hh_l{k}` [G·H, H], `bias_ih_l{k}` and `bias_hh_l{k}` [G·H], all drawn
 * from U(−1/√H, 1/√H) in that order, as PyTorch does), input and state checks, and the
 * layer stack.
 */
export abstract class RNNBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst = true;
  /** Dropout probability between layers (training mode only). */
  readonly dropout: number;
  /** Per layer: its weights, as the fused layer ops take them. */
  protected readonly layers: RecurrentWeights[] = [];
  private readonly generator: Generator | undefined;

  /** The arguments as checked by the constructor (subclasses read their own options here). */
  protected readonly options: Options;

  protected constructor(
    private readonly kind: Kind,
    args: unknown[],
  ) {
    super();
    const where = `nn.${kind}`;
    const o: Options = readArgs(where, args, ARGS[kind], SPECS[kind] as typeof OPTIONS);
    this.options = o;
    const inputSize = OPTIONS.inputSize(o.inputSize, `${where}: inputSize`);
    const hiddenSize = OPTIONS.hiddenSize(o.hiddenSize, `${where}: hiddenSize`);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = o.numLayers ?? 1;
    this.bias = o.bias ?? true;
    if (o.batchFirst === false) unsupported(where, 'batchFirst', 'only batchFirst = true is supported (input [batch, time, features]); transpose a time-major input first');
    if (o.bidirectional === true) unsupported(where, 'bidirectional', 'bidirectional = true is not supported; run a second layer on the time-reversed input');
    if ((o.projSize ?? 0) !== 0) unsupported(where, 'projSize', `projSize = ${o.projSize} is not supported (only 0, no projection)`);
    this.dropout = o.dropout ?? 0;
    this.generator = o.generator;
    const g = GATES[kind] * hiddenSize;
    const weights = (inF: number): number => g * (inF + hiddenSize + (this.bias ? 2 : 0));
    this.checkParameterBudget(where, weights(inputSize) + (this.numLayers - 1) * weights(hiddenSize), 'numLayers');
    const init = (shape: number[]): Tensor => fanInUniform(shape, hiddenSize, { generator: this.generator });
    for (let k = 0; k < this.numLayers; k++) {
      const inF = k === 0 ? inputSize : hiddenSize;
      const weightIh = this.registerParameter(`weight_ih_l${k}`, init([g, inF]));
      const weightHh = this.registerParameter(`weight_hh_l${k}`, init([g, hiddenSize]));
      const biasIh = this.bias ? this.registerParameter(`bias_ih_l${k}`, init([g])) : null;
      const biasHh = this.bias ? this.registerParameter(`bias_hh_l${k}`, init([g])) : null;
      this.layers.push({ weightIh, weightHh, biasIh, biasHh });
    }
  }

  /** The layer as named in errors: `LSTM(5 → 32, 2 layers)`. */
  get label(): string {
    return `${this.kind}(${this.inputSize} → ${this.hiddenSize}${this.numLayers > 1 ? `, ${this.numLayers} layers` : ''})`;
  }

  override toString(): string {
    const extra = [this.numLayers !== 1 ? `num_layers=${this.numLayers}` : '', this.bias ? '' : 'bias=False', this.dropout ? `dropout=${this.dropout}` : '']
      .filter((s) => s !== '')
      .map((s) => `, ${s}`)
      .join('');
    return `${this.kind}(${this.inputSize}, ${this.hiddenSize}, batch_first=True${extra})`;
  }

  /** Checks x [N, T, inputSize] (promoting nested arrays); returns it as a tensor, and N. */
  protected checkInput(input: Tensor): { x: Tensor; n: number } {
    const x = toTensor(this.label, 'x', input);
    if (x.rank !== 3 || x.shape[2] !== this.inputSize) {
      throw new ShapeError(`${this.label}: expected input [batch, time, ${this.inputSize}] (batch-first), got ${fmtShape(x.shape)}`);
    }
    if (x.shape[0] === 0 || x.shape[1] === 0) {
      throw new ShapeError(`${this.label}: input ${fmtShape(x.shape)} is empty; batch and sequence length must be at least 1`);
    }
    return { x, n: x.shape[0] as number };
  }

  /** Checks an initial state [numLayers, N, H] and splits it into per-layer [N, H]; nulls when absent. */
  protected splitState(name: string, s: Tensor | null | undefined, n: number): Array<Tensor | null> {
    if (s === null || s === undefined) return new Array<Tensor | null>(this.numLayers).fill(null);
    s = toTensor(this.label, name, s);
    const want = [this.numLayers, n, this.hiddenSize];
    if (s.rank !== 3 || s.shape.some((d, i) => d !== want[i])) {
      throw new ShapeError(`${this.label}: ${name} must have shape ${fmtShape(want)} ([numLayers, batch, hidden]), got ${fmtShape(s.shape)}`);
    }
    return this.numLayers === 1 ? [reshape(s, [n, this.hiddenSize])] : Array.from({ length: this.numLayers }, (_, k) => select(s, 0, k));
  }

  /** Per-layer final states [N, H] as one [numLayers, N, H] tensor. */
  protected stackStates(states: Tensor[]): Tensor {
    const first = states[0] as Tensor;
    return states.length === 1 ? reshape(first, [1, ...first.shape]) : stack(states, 0);
  }

  /** Runs the stack: `layer(k, input)` runs layer k; dropout between layers when training. */
  protected runLayers<O extends RecurrentLayerOutput>(x: Tensor, layer: (k: number, input: Tensor) => O): O[] {
    const results: O[] = [];
    let input = x;
    for (let k = 0; k < this.numLayers; k++) {
      const r = layer(k, input);
      results.push(r);
      input = k < this.numLayers - 1 ? dropoutOp(r.output, this.dropout, { training: this.training, generator: this.generator }) : r.output;
    }
    return results;
  }
}

/**
 * Elman RNN: h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh), act = tanh or relu, stacked
 * `numLayers` deep. Input [N, T, inputSize] (batch-first).
 *
 * - `forward(x, h0?)` returns the top layer's output sequence [N, T, hiddenSize].
 * - `run(x, h0?)` returns `{ output, hN }` with hN [numLayers, N, hiddenSize] (h_T per layer),
 *   like PyTorch's `(output, h_n)`; feed hN back as the next call's h0.
 *
 * h0 is [numLayers, N, hiddenSize] and defaults to zeros.
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(
    inputSize: number,
    hiddenSize: number,
    ...args: PositionalArgs<[numLayers: number, nonlinearity: 'tanh' | 'relu', bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean], RNNOptions>
  ) {
    super('RNN', [inputSize, hiddenSize, ...args]);
    this.nonlinearity = this.options.nonlinearity ?? 'tanh';
  }

  forward(x: Tensor, h0?: Tensor): Tensor {
    return this.run(x, h0).output;
  }

  /** The output sequence and the final hidden state of every layer. */
  run(x: Tensor, h0?: Tensor | null): RecurrentOutput {
    const { x: xt, n } = this.checkInput(x);
    x = xt;
    const hs = this.splitState('h0', h0, n);
    const rs = this.runLayers(x, (k, input) => rnnLayer(input, this.layers[k] as RecurrentWeights, hs[k], { nonlinearity: this.nonlinearity }));
    return { output: (rs[rs.length - 1] as RecurrentLayerOutput).output, hN: this.stackStates(rs.map((r) => r.hN)) };
  }

  override toString(): string {
    const s = super.toString();
    return this.nonlinearity === 'relu' ? `${s.slice(0, -1)}, nonlinearity='relu')` : s;
  }
}

/**
 * LSTM with PyTorch's gate order (i, f, g, o): c_t = σ(f)·c_{t−1} + σ(i)·tanh(g),
 * h_t = σ(o)·tanh(c_t), stacked `numLayers` deep. Input [N, T, inputSize] (batch-first).
 *
 * - `forward(x, h0?, c0?)` returns the top layer's output sequence [N, T, hiddenSize].
 * - `run(x, [h0, c0]?)` returns `{ output, hN, cN }` with hN and cN [numLayers, N, hiddenSize]
 *   (h_T and c_T per layer), like PyTorch's `(output, (h_n, c_n))`; pass `[hN, cN]` back as
 *   the next call's state.
 *
 * h0 and c0 are [numLayers, N, hiddenSize] and default to zeros (each on its own).
 */
export class LSTM extends RNNBase {
  constructor(
    inputSize: number,
    hiddenSize: number,
    ...args: PositionalArgs<[numLayers: number, bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean, projSize: number], RecurrentOptions & { projSize?: number }>
  ) {
    super('LSTM', [inputSize, hiddenSize, ...args]);
  }

  forward(x: Tensor, h0?: Tensor, c0?: Tensor): Tensor {
    return this.run(x, [h0 ?? null, c0 ?? null]).output;
  }

  /** The output sequence and the final hidden and cell states of every layer. */
  run(x: Tensor, state?: readonly [h0: Tensor | null, c0: Tensor | null] | null): LSTMOutput {
    const { x: xt, n } = this.checkInput(x);
    x = xt;
    const hs = this.splitState('h0', state?.[0], n);
    const cs = this.splitState('c0', state?.[1], n);
    const rs = this.runLayers(x, (k, input) => lstmLayer(input, this.layers[k] as RecurrentWeights, hs[k], cs[k]));
    return {
      output: (rs[rs.length - 1] as RecurrentLayerOutput).output,
      hN: this.stackStates(rs.map((r) => r.hN)),
      cN: this.stackStates(rs.map((r) => r.cN)),
    };
  }
}

/**
 * GRU with PyTorch's gate order (r, z, n): n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) (reset
 * applied after the hidden product), h_t = (1 − z)·n + z·h_{t−1}, stacked `numLayers` deep.
 * Input [N, T, inputSize] (batch-first).
 *
 * - `forward(x, h0?)` returns the top layer's output sequence [N, T, hiddenSize].
 * - `run(x, h0?)` returns `{ output, hN }` with hN [numLayers, N, hiddenSize], like PyTorch's
 *   `(output, h_n)`.
 *
 * h0 is [numLayers, N, hiddenSize] and defaults to zeros.
 */
export class GRU extends RNNBase {
  constructor(
    inputSize: number,
    hiddenSize: number,
    ...args: PositionalArgs<[numLayers: number, bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean], RecurrentOptions>
  ) {
    super('GRU', [inputSize, hiddenSize, ...args]);
  }

  forward(x: Tensor, h0?: Tensor): Tensor {
    return this.run(x, h0).output;
  }

  /** The output sequence and the final hidden state of every layer. */
  run(x: Tensor, h0?: Tensor | null): RecurrentOutput {
    const { x: xt, n } = this.checkInput(x);
    x = xt;
    const hs = this.splitState('h0', h0, n);
    const rs = this.runLayers(x, (k, input) => gruLayer(input, this.layers[k] as RecurrentWeights, hs[k]));
    return { output: (rs[rs.length - 1] as RecurrentLayerOutput).output, hN: this.stackStates(rs.map((r) => r.hN)) };
  }
}
