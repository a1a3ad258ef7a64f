// Max and average pooling over NCHW (2-D) and NCL (1-D, the same path with H = 1), PyTorch
// semantics: output sizes, ceil_mode, padding rules, count_include_pad, first-max gradients.
// Kernels: assembly/pool.ts (through src/kernels/pool.ts). Reference twin: src/reference/pool.ts.
import { record } from '../autograd/graph.js';
import { ArgumentError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../kernels/pool.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';
import { type IntPair, intOption } from './conv.js';

export interface MaxPool2dOptions {
  /** The window (required, here or by position). */
  kernelSize?: IntPair;
  /** Default (or null): the kernel size. */
  stride?: IntPair | null;
  /** Implicit -Infinity padding on both sides, at most half the kernel. Default 0. */
  padding?: IntPair;
  /** Default 1. */
  dilation?: IntPair;
  /** Round the output size up (a last, partial window that starts inside the input). Default false. */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  /** The window (required, here or by position). */
  kernelSize?: IntPair;
  /** Default (or null): the kernel size. */
  stride?: IntPair | null;
  /** Implicit zero padding on both sides, at most half the kernel. Default 0. */
  padding?: IntPair;
  /** Default false. */
  ceilMode?: boolean;
  /** Count padded cells in the divisor (PyTorch's default). Default true. */
  countIncludePad?: boolean;
}

/** A 1-D size: a number or a one-element list. */
export type Int1 = number | readonly [number];

export interface MaxPool1dOptions {
  kernelSize?: Int1;
  stride?: Int1 | null;
  padding?: Int1;
  dilation?: Int1;
  ceilMode?: boolean;
}

export interface AvgPool1dOptions {
  kernelSize?: Int1;
  stride?: Int1 | null;
  padding?: Int1;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** torch.nn.functional.max_pool2d's order: `maxPool2d(x, 3, 2, 1)`, or `maxPool2d(x, 3, {stride: 2})`. */
export type MaxPool2dArgs = Args<[kernelSize: IntPair, stride: IntPair | null | undefined, padding: IntPair | undefined, dilation: IntPair | undefined, ceilMode: boolean | undefined], MaxPool2dOptions>;
/** torch.nn.functional.avg_pool2d's order: (kernelSize, stride, padding, ceilMode, countIncludePad). */
export type AvgPool2dArgs = Args<[kernelSize: IntPair, stride: IntPair | null | undefined, padding: IntPair | undefined, ceilMode: boolean | undefined, countIncludePad: boolean | undefined], AvgPool2dOptions>;
export type MaxPool1dArgs = Args<[kernelSize: Int1, stride: Int1 | null | undefined, padding: Int1 | undefined, dilation: Int1 | undefined, ceilMode: boolean | undefined], MaxPool1dOptions>;
export type AvgPool1dArgs = Args<[kernelSize: Int1, stride: Int1 | null | undefined, padding: Int1 | undefined, ceilMode: boolean | undefined, countIncludePad: boolean | undefined], AvgPool1dOptions>;

const MAX_NAMES = ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode'] as const;
const AVG_NAMES = ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'] as const;

function maxSpec(dims: number) {
  const pos = is.tuple(is.int({ min: 1 }), dims);
  return { kernelSize: pos, stride: is.nullable(pos), padding: is.tuple(is.int({ min: 0 }), dims), dilation: pos, ceilMode: is.boolean };
}

function avgSpec(dims: number) {
  const pos = is.tuple(is.int({ min: 1 }), dims);
  return { kernelSize: pos, stride: is.nullable(pos), padding: is.tuple(is.int({ min: 0 }), dims), ceilMode: is.boolean, countIncludePad: is.boolean };
}

const SPECS = { max1: maxSpec(1), max2: maxSpec(2), avg1: avgSpec(1), avg2: avgSpec(2) };

/** Reads a pooling call into a PoolSpec (`max` pools have dilation, `avg` pools countIncludePad). */
function poolArgs(op: string, kind: 'max' | 'avg', dims: 1 | 2, args: readonly unknown[]): PoolSpec {
  const o: { kernelSize?: number | number[]; stride?: number | number[] | null; padding?: number | number[]; dilation?: number | number[]; ceilMode?: boolean; countIncludePad?: boolean } =
    kind === 'max' ? readArgs(op, args, MAX_NAMES, SPECS[`max${dims}`]) : readArgs(op, args, AVG_NAMES, SPECS[`avg${dims}`]);
  if (o.kernelSize === undefined) throw new ArgumentError(`${op}: kernelSize is required (the second argument, or {kernelSize})`, op, 'kernelSize');
  return {
    op,
    dims,
    kernelSize: o.kernelSize,
    stride: o.stride ?? undefined,
    padding: o.padding ?? 0,
    dilation: o.dilation ?? 1,
    ceilMode: o.ceilMode ?? false,
    countIncludePad: kind === 'avg' && (o.countIncludePad ?? true),
  };
}

interface PoolSpec {
  op: string;
  dims: 1 | 2;
  kernelSize: number | readonly number[];
  stride: number | readonly number[] | undefined;
  padding: number | readonly number[];
  dilation: number | readonly number[];
  ceilMode: boolean;
  countIncludePad: boolean;
}

/** PyTorch's pooling_output_shape: with ceil_mode the last window must start before size + pad. */
function pooledSize(size: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  let o = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0)) / s) + 1;
  if (ceilMode && (o - 1) * s >= size + p) o--;
  return o;
}

function poolGeometry(s: PoolSpec, x: Tensor): { geom: number[]; outShape: number[] } {
  const { op, dims } = s;
  x.assertLive(op);
  const spatialNames = dims === 2 ? 'H, W' : 'L';
  if ((x.rank !== dims + 1 && x.rank !== dims + 2) || x.shape.slice(x.rank - dims - 1).some((d) => d === 0)) {
    throw new ShapeError(`${op}: input must be ${dims + 1}-D [C, ${spatialNames}] or ${dims + 2}-D [N, C, ${spatialNames}] with non-empty C, ${spatialNames}; got shape ${fmtShape(x.shape)}`);
  }
  const kernel = intOption(op, 'kernelSize', s.kernelSize, dims, 1);
  const stride = s.stride === undefined ? kernel : intOption(op, 'stride', s.stride, dims, 1);
  const padding = intOption(op, 'padding', s.padding, dims, 0);
  const dilation = intOption(op, 'dilation', s.dilation, dims, 1);
  if (padding.some((p, i) => p > Math.floor((kernel[i] as number) / 2))) {
    throw new ValueError(`${op}: padding ${fmtShape(padding)} should be at most half of kernel size ${fmtShape(kernel)}`);
  }
  const spatial = x.shape.slice(x.rank - dims);
  const out = spatial.map((n, i) => pooledSize(n, kernel[i] as number, stride[i] as number, padding[i] as number, dilation[i] as number, s.ceilMode));
  if (out.some((o) => o < 1)) {
    throw new ShapeError(
      `${op}: input ${fmtShape(x.shape)} is too small for kernel ${fmtShape(kernel)} (padding ${fmtShape(padding)}, dilation ${fmtShape(dilation)}): output size would be ${fmtShape(out)}`,
    );
  }
  const planes = x.shape.slice(0, x.rank - dims).reduce((a, b) => a * b, 1);
  const two = (v: readonly number[], one: number): number[] => (dims === 2 ? [v[0] as number, v[1] as number] : [one, v[0] as number]);
  const geom = [
    planes,
    ...two(spatial, 1),
    ...two(kernel, 1),
    ...two(stride, 1),
    ...two(padding, 0),
    ...two(dilation, 1),
    ...two(out, 1),
    s.countIncludePad ? 1 : 0,
  ];
  return { geom, outShape: [...x.shape.slice(0, x.rank - dims), ...out] };
}

function maxPool(s: PoolSpec, x: Tensor): Tensor {
  const { geom, outShape } = poolGeometry(s, x);
  const out = Tensor.empty(outShape);
  maxPoolForward(x, out, geom);
  return record(out, s.op, [x], (dy) => [
    () => {
      const dx = Tensor.empty(x.shape);
      maxPoolBackward(x, dy, dx, geom);
      return dx;
    },
  ]);
}

function avgPool(s: PoolSpec, x: Tensor): Tensor {
  const { geom, outShape } = poolGeometry(s, x);
  const out = Tensor.empty(outShape);
  avgPoolForward(x, out, geom);
  return record(out, s.op, [x], (dy) => [
    () => {
      const dx = Tensor.empty(x.shape);
      avgPoolBackward(dy, dx, geom);
      return dx;
    },
  ]);
}

/**
 * 2-D max pooling (like torch.nn.functional.max_pool2d, same positional order): input
 * [N, C, H, W] or [C, H, W]. The gradient of each window goes to its first maximum.
 */
export function maxPool2d(input: TensorInput, ...args: MaxPool2dArgs): Tensor {
  return maxPool(poolArgs('maxPool2d', 'max', 2, args), toTensor('maxPool2d', 'input', input));
}

/** 2-D average pooling (like torch.nn.functional.avg_pool2d, same positional order): input [N, C, H, W] or [C, H, W]. */
export function avgPool2d(input: TensorInput, ...args: AvgPool2dArgs): Tensor {
  return avgPool(poolArgs('avgPool2d', 'avg', 2, args), toTensor('avgPool2d', 'input', input));
}

/** 1-D max pooling (like torch.nn.functional.max_pool1d, same positional order): input [N, C, L] or [C, L]. */
export function maxPool1d(input: TensorInput, ...args: MaxPool1dArgs): Tensor {
  return maxPool(poolArgs('maxPool1d', 'max', 1, args), toTensor('maxPool1d', 'input', input));
}

/** 1-D average pooling (like torch.nn.functional.avg_pool1d, same positional order): input [N, C, L] or [C, L]. */
export function avgPool1d(input: TensorInput, ...args: AvgPool1dArgs): Tensor {
  return avgPool(poolArgs('avgPool1d', 'avg', 1, args), toTensor('avgPool1d', 'input', input));
}
