// Convolution over NCHW (conv2d) and NCL (conv1d, the same path with H = 1), PyTorch semantics.
// Kernels (through src/kernels/conv.ts): assembly/conv-direct.ts, assembly/im2col.ts, GEMM. Reference
// twin: src/reference/conv.ts.
//
// This file reads and checks the arguments, works out the geometry and records the backward
// rule; the lowerings, their choice per shape and the thread split are src/kernels/conv.ts.
import { record } from '../autograd/graph.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { convBackward, convBackwardBias, convBackwardInput, convBackwardWeight, convForward, type ConvGeom } from '../kernels/conv.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';

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
  convForward(g, x, weight, bias, out);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(out, s.op, inputs, (dy, wanted) => {
    // Both gradients wanted: one pass over a padded dY gives both (src/kernels/conv.ts
    // convBackward), dW kept here for its rule, which the backward pass runs next.
    let dwBoth: Tensor | null = null;
    return [
      () => {
        const dx = Tensor.empty(x.shape);
        if (wanted?.[1] === true) dwBoth = convBackward(g, x, dy, weight, dx);
        if (dwBoth === null) convBackwardInput(g, dy, weight, dx);
        return dx;
      },
      () => {
        if (dwBoth !== null) return dwBoth;
        const dw = Tensor.empty(weight.shape);
        convBackwardWeight(g, x, dy, dw);
        return dw;
      },
      () => {
        const db = Tensor.empty([g.O]);
        convBackwardBias(g, dy, db);
        return db;
      },
    ];
  }, [x, weight]);
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
