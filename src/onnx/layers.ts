// fingrad's layers as ONNX nodes. Sequential runs Linear + activation as one fused GEMM
// (src/nn/sequential.ts); here each semantic layer becomes its own node, and onnxruntime fuses
// what it likes. Shapes are traced by running each layer on a batch of one (the `sample`),
// which also checks the input shape the caller gave.
import type { BatchNorm1d, BatchNorm2d } from '../nn/batchnorm.js';
import type { Conv1d, Conv2d } from '../nn/conv.js';
import type { Flatten } from '../nn/flatten.js';
import * as nn from '../nn/index.js';
import type { LayerNorm } from '../nn/layernorm.js';
import { Module } from '../nn/module.js';
import type { Softplus } from '../nn/activations.js';
import type { AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from '../nn/pool.js';
import { Sequential } from '../nn/sequential.js';
import { transpose } from '../ops/transpose.js';
import type { Tensor } from '../tensor/tensor.js';
import { OnnxExportError, UnsupportedLayerError } from './errors.js';
import type { GraphBuilder } from './graph.js';
import { emitRecurrent } from './recurrent.js';

/** A value in the graph and, when the input shape is fixed, a traced sample of it (batch 1). */
export interface Value {
  name: string;
  sample: Tensor | null;
}

type Emit<M> = (g: GraphBuilder, layer: M, x: Value) => string;

interface Rule<M extends Module> {
  emit: Emit<M>;
  /** Why this instance cannot be exported (a configuration ONNX lacks), or null. */
  refuse?: (layer: M) => string | null;
}

// Every layer class src/nn exports. The rule table below is keyed by them, so a layer added to
// nn without a decision here (a rule, or null for "not exportable") is a compile error.
type NN = typeof nn;
// Any constructor signature: layers without arguments declare `...args: never[]`, the others
// overload PyTorch's positional forms.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCtor = (abstract new (...args: never[]) => Module) | (abstract new (...args: any[]) => Module);
type LayerName = { [K in keyof NN]: NN[K] extends AnyCtor ? K : never }[keyof NN];
// Abstract bases, and Sequential, which is walked rather than emitted.
type Emitted = Exclude<LayerName, 'Module' | 'RNNBase' | 'Sequential'>;
type Layer<K extends Emitted> = NN[K] extends { prototype: infer I } ? (I extends Module ? I : never) : never;

type Conv = Conv1d | Conv2d;


// PyTorch's 'same': total padding dilation·(k − 1), the extra cell on the end side.
function convPads(layer: Conv): number[] {
  const p = layer.padding;
  if (p === 'valid') return layer.kernelSize.flatMap(() => [0]).concat(layer.kernelSize.map(() => 0));
  if (p === 'same') {
    const total = layer.kernelSize.map((k, i) => (layer.dilation[i] as number) * (k - 1));
    return [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
  }
  return [...p, ...p];
}

function emitConv(g: GraphBuilder, layer: Conv, x: Value): string {
  const inputs = [x.name, g.weight('conv_weight', layer.weight)];
  if (layer.bias !== null) inputs.push(g.weight('conv_bias', layer.bias));
  return g.node('Conv', inputs, { kernel_shape: { ints: layer.kernelSize }, strides: { ints: layer.stride }, dilations: { ints: layer.dilation }, pads: { ints: convPads(layer) } });
}

function emitMaxPool(g: GraphBuilder, layer: MaxPool1d | MaxPool2d, x: Value): string {
  const attrs = { kernel_shape: { ints: layer.kernelSize }, strides: { ints: layer.stride }, pads: { ints: [...layer.padding, ...layer.padding] }, ceil_mode: { int: layer.ceilMode ? 1 : 0 } };
  return g.node('MaxPool', [x.name], layer.dilation.some((d) => d !== 1) ? { ...attrs, dilations: { ints: layer.dilation } } : attrs);
}

function emitAvgPool(g: GraphBuilder, layer: AvgPool1d | AvgPool2d, x: Value): string {
  return g.node('AveragePool', [x.name], {
    kernel_shape: { ints: layer.kernelSize },
    strides: { ints: layer.stride },
    pads: { ints: [...layer.padding, ...layer.padding] },
    ceil_mode: { int: layer.ceilMode ? 1 : 0 },
    count_include_pad: { int: layer.countIncludePad ? 1 : 0 },
  });
}

function emitBatchNorm(g: GraphBuilder, layer: BatchNorm1d | BatchNorm2d, x: Value): string {
  const c = layer.numFeatures;
  const scale = layer.weight ?? new Array<number>(c).fill(1);
  const bias = layer.bias ?? new Array<number>(c).fill(0);
  return g.node('BatchNormalization', [
    x.name,
    g.weight('bn_scale', scale, [c]),
    g.weight('bn_bias', bias, [c]),
    g.weight('bn_mean', layer.runningMean as Tensor),
    g.weight('bn_var', layer.runningVar as Tensor),
  ], { epsilon: { float: layer.eps } });
}

function emitLayerNorm(g: GraphBuilder, layer: LayerNorm, x: Value): string {
  const shape = layer.normalizedShape;
  if (g.opset < 17) throw new OnnxExportError(`exportOnnx: ${layer.label} needs opset 17 or later (LayerNormalization), got opset ${g.opset}`);
  const size = shape.reduce((a, b) => a * b, 1);
  const inputs = [x.name, g.weight('ln_scale', layer.weight ?? new Array<number>(size).fill(1), shape)];
  if (layer.bias !== null) inputs.push(g.weight('ln_bias', layer.bias));
  return g.node('LayerNormalization', inputs, { axis: -shape.length, epsilon: { float: layer.eps } });
}

function emitFlatten(g: GraphBuilder, layer: Flatten, x: Value): string {
  if (layer.startDim === 1 && layer.endDim === -1) return g.node('Flatten', [x.name], { axis: 1 });
  if (x.sample === null) throw new OnnxExportError(`exportOnnx: ${layer.toString()} needs the input shape fixed (inputShape with numbers only)`);
  // The traced output shape with the batch copied (0) or, when the batch is merged, inferred (−1).
  const out = layer.forward(x.sample).shape;
  const start = layer.startDim < 0 ? layer.startDim + x.sample.rank : layer.startDim;
  return g.node('Reshape', [x.name, g.ints('flatten_shape', start === 0 ? [-1, ...out.slice(1)] : [0, ...out.slice(1)])]);
}

// (1/β)·softplus(βx), and x itself where βx > threshold, as fingrad computes it.
function emitSoftplus(g: GraphBuilder, layer: Softplus, x: Value): string {
  const bx = layer.beta === 1 ? x.name : g.node('Mul', [x.name, g.scalar(layer.beta)]);
  let y = g.node('Softplus', [bx]);
  if (layer.beta !== 1) y = g.node('Div', [y, g.scalar(layer.beta)]);
  return g.node('Where', [g.node('Greater', [bx, g.scalar(layer.threshold)]), x.name, y]);
}

const RULES: { [K in Emitted]: Rule<Layer<K>> | null } = {
  Linear: {
    emit: (g, l, x) => {
      const bias = l.bias === null ? [] : [g.weight('linear_bias', l.bias)];
      // Gemm needs a 2-D input; MatMul (+ Add) on the transposed weight takes any leading dimensions.
      if (x.sample !== null && x.sample.rank === 2) return g.node('Gemm', [x.name, g.weight('linear_weight', l.weight), ...bias], { transB: 1 });
      const y = g.node('MatMul', [x.name, g.weight('linear_weight_t', transpose(l.weight, 0, 1))]);
      return l.bias === null ? y : g.node('Add', [y, bias[0] as string]);
    },
  },
  Conv1d: { emit: emitConv },
  Conv2d: { emit: emitConv },
  MaxPool1d: { emit: emitMaxPool },
  MaxPool2d: { emit: emitMaxPool },
  AvgPool1d: { emit: emitAvgPool },
  AvgPool2d: { emit: emitAvgPool },
  BatchNorm1d: { emit: emitBatchNorm, refuse: (l) => (l.runningMean === null ? 'BatchNorm1d without running statistics (trackRunningStats: false)' : null) },
  BatchNorm2d: { emit: emitBatchNorm, refuse: (l) => (l.runningMean === null ? 'BatchNorm2d without running statistics (trackRunningStats: false)' : null) },
  LayerNorm: { emit: emitLayerNorm },
  Dropout: { emit: (_g, _l, x) => x.name },
  ReLU: { emit: (g, _l, x) => g.node('Relu', [x.name]) },
  Tanh: { emit: (g, _l, x) => g.node('Tanh', [x.name]) },
  Sigmoid: { emit: (g, _l, x) => g.node('Sigmoid', [x.name]) },
  LeakyReLU: { emit: (g, l, x) => g.node('LeakyRelu', [x.name], { alpha: { float: l.negativeSlope } }) },
  Softplus: { emit: emitSoftplus },
  Softmax: { emit: (g, l, x) => g.node('Softmax', [x.name], { axis: l.dim }) },
  LogSoftmax: { emit: (g, l, x) => g.node('LogSoftmax', [x.name], { axis: l.dim }) },
  Flatten: { emit: emitFlatten },
  LSTM: { emit: (g, l, x) => emitRecurrent(g, l, x.name, 'sequence') },
  GRU: { emit: (g, l, x) => emitRecurrent(g, l, x.name, 'sequence') },
  RNN: { emit: (g, l, x) => emitRecurrent(g, l, x.name, 'sequence') },
};

// The rule for exactly this class: a subclass may compute something else in its forward.
function ruleFor(layer: Module): Rule<Module> | null {
  for (const [name, rule] of Object.entries(RULES)) {
    if (Object.getPrototypeOf(layer) === nn[name as Emitted].prototype) return rule as Rule<Module> | null;
  }
  return null;
}

const SUPPORTED = Object.entries(RULES).filter(([, r]) => r !== null).map(([name]) => name);

/** Class name of a module for messages (`Sequential` and user classes alike). */
export function kindOf(layer: Module): string {
  return (layer.constructor as { name?: string }).name || 'Module';
}

/** Every layer (inside nested Sequentials) export cannot write, with why; empty when all can. */
export function unsupportedLayers(m: Module, path = ''): string[] {
  if (m instanceof Sequential) return m.layers.flatMap((l, i) => unsupportedLayers(l, `${path}${i}.`));
  const r = ruleFor(m);
  const where = path === '' ? '' : ` at '${path.slice(0, -1)}'`;
  if (r === null) return [`${kindOf(m)}${where}`];
  const why = r.refuse?.(m) ?? null;
  return why === null ? [] : [`${why}${where}`];
}

/** Throws UnsupportedLayerError listing every layer of `modules` that cannot be exported. */
export function assertExportable(what: string, modules: readonly Module[]): void {
  const bad = modules.flatMap((m) => unsupportedLayers(m));
  if (bad.length > 0) {
    throw new UnsupportedLayerError(`exportOnnx: ${what} has layers ONNX export does not support: ${bad.join(', ')}. Supported: ${SUPPORTED.join(', ')}, Sequential`, bad);
  }
}

/** Emits `m` (a layer or a Sequential) on `x`; returns the output value (sample traced when x's is). */
export function emitModule(g: GraphBuilder, m: Module, x: Value): Value {
  if (m instanceof Sequential) return m.layers.reduce((v, layer) => emitModule(g, layer, v), x);
  const r = ruleFor(m);
  if (r === null) throw new UnsupportedLayerError(`exportOnnx: no ONNX translation for ${kindOf(m)}`, [kindOf(m)]);
  const name = r.emit(g, m, x);
  return { name, sample: x.sample === null ? null : m.forward(x.sample) };
}

// Sets every module to evaluation mode for `fn`, then restores each one's own flag.
export function inEvalMode<T>(m: Module, fn: () => T): T {
  const modes: Array<[Module, boolean]> = [];
  const visit = (x: Module): void => {
    modes.push([x, x.training]);
    for (const [, c] of x.namedChildren()) visit(c);
  };
  visit(m);
  m.eval();
  try {
    return fn();
  } finally {
    for (const [x, mode] of modes) x.training = mode;
  }
}
