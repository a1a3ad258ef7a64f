// nn.MaxPool1d/2d and nn.AvgPool1d/2d: the pooling ops as layers, with PyTorch's argument
// order, option names and defaults (stride = kernel size, padding 0, ceilMode false,
// countIncludePad true).
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { avgPool1d, avgPool2d, maxPool1d, maxPool2d } from '../ops/pool.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Check, type Checked, is, type PositionalArgs, readArgs } from '../validate.js';
import { type Size, perDim } from './conv.js';
import { toTensor } from '../tensor/promote.js';
import { Module } from './module.js';

export interface MaxPoolOptions<D extends 1 | 2> {
  /** Default (or null): the kernel size. */
  stride?: Size<D> | null;
  /** Implicit −Infinity padding on both sides, at most half the kernel. Default 0. */
  padding?: Size<D>;
  /** Default 1. */
  dilation?: Size<D>;
  /** Only false is supported (the layer returns the pooled values only). */
  returnIndices?: boolean;
  /** Round the output size up. Default false. */
  ceilMode?: boolean;
}

export interface AvgPoolOptions<D extends 1 | 2> {
  /** Default (or null): the kernel size. */
  stride?: Size<D> | null;
  /** Implicit zero padding on both sides, at most half the kernel. Default 0. */
  padding?: Size<D>;
  /** Round the output size up. Default false. */
  ceilMode?: boolean;
  /** Count padded cells in the divisor. Default true. */
  countIncludePad?: boolean;
}

type PoolKind = 'MaxPool1d' | 'MaxPool2d' | 'AvgPool1d' | 'AvgPool2d';

// PyTorch's orders: MaxPool2d(kernel_size, stride, padding, dilation, return_indices, ceil_mode),
// AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad).
const ARGS = {
  max: ['kernelSize', 'stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'],
  avg: ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'],
} as const;

function poolOptions(dims: 1 | 2) {
  const size = (min: number): Check<number | number[]> => is.tuple(is.int({ min }), dims);
  const shared = { kernelSize: size(1), stride: is.nullable(size(1)), padding: size(0), ceilMode: is.boolean };
  return { max: { ...shared, dilation: size(1), returnIndices: is.boolean }, avg: { ...shared, countIncludePad: is.boolean } };
}
type PoolTables = ReturnType<typeof poolOptions>;
const OPTIONS: Record<1 | 2, PoolTables> = { 1: poolOptions(1), 2: poolOptions(2) };

const show = (v: number[]): string => (v.length === 1 ? `${v[0]}` : `(${v.join(', ')})`);

// Options are checked when the layer is built; the op checks them against each input.
abstract class PoolNd<D extends 1 | 2> extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;
  /** Count padded cells in the divisor (average pooling). */
  readonly countIncludePad: boolean;

  constructor(
    protected readonly kind: PoolKind,
    protected readonly dims: D,
    args: unknown[],
  ) {
    super();
    const where = `nn.${kind}`;
    const tables = OPTIONS[dims as 1 | 2];
    // Each kind reads its own table; the other kind's options are simply absent.
    const o: Checked<PoolTables['max'] & PoolTables['avg']> = kind.startsWith('Max') ? readArgs(where, args, ARGS.max, tables.max) : readArgs(where, args, ARGS.avg, tables.avg);
    this.kernelSize = perDim(tables.max.kernelSize(o.kernelSize, `${where}: kernelSize`), dims);
    this.stride = o.stride === undefined || o.stride === null ? [...this.kernelSize] : perDim(o.stride, dims);
    this.padding = perDim(o.padding ?? 0, dims);
    this.dilation = perDim(o.dilation ?? 1, dims);
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    if (o.returnIndices === true) {
      throw new ArgumentError(`${where}: returnIndices = true is not supported; the layer returns the pooled values only`, where, 'returnIndices');
    }
  }

  /** The layer as named in errors: `MaxPool2d(2×2)`. */
  get label(): string {
    return `${this.kind}(${this.kernelSize.join('×')})`;
  }

  protected checkInput(x: Tensor): void {
    x.assertLive(this.label);
    if (x.rank !== this.dims + 1 && x.rank !== this.dims + 2) {
      const spatial = this.dims === 2 ? 'H, W' : 'L';
      throw new ShapeError(`${this.label}: expected input [N, C, ${spatial}] or [C, ${spatial}], got ${fmtShape(x.shape)}`);
    }
  }
}

/** Max pooling over [N, C, L] (or [C, L]). */
export class MaxPool1d extends PoolNd<1> {
  constructor(kernelSize: Size<1>, ...args: PositionalArgs<[stride: Size<1> | null, padding: Size<1>, dilation: Size<1>, returnIndices: boolean, ceilMode: boolean], MaxPoolOptions<1>>) {
    super('MaxPool1d', 1, [kernelSize, ...args]);
  }

  forward(x: Tensor): Tensor {
    x = toTensor(this.label, 'x', x);
    this.checkInput(x);
    const [k, s, p, d] = [this.kernelSize, this.stride, this.padding, this.dilation].map((v) => v[0] as number) as [number, number, number, number];
    return maxPool1d(x, k, { stride: s, padding: p, dilation: d, ceilMode: this.ceilMode });
  }

  override toString(): string {
    return `MaxPool1d(kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceil_mode=${this.ceilMode})`;
  }
}

/** Max pooling over [N, C, H, W] (or [C, H, W]). */
export class MaxPool2d extends PoolNd<2> {
  constructor(kernelSize: Size<2>, ...args: PositionalArgs<[stride: Size<2> | null, padding: Size<2>, dilation: Size<2>, returnIndices: boolean, ceilMode: boolean], MaxPoolOptions<2>>) {
    super('MaxPool2d', 2, [kernelSize, ...args]);
  }

  forward(x: Tensor): Tensor {
    x = toTensor(this.label, 'x', x);
    this.checkInput(x);
    const pair = (v: number[]): [number, number] => [v[0] as number, v[1] as number];
    return maxPool2d(x, pair(this.kernelSize), { stride: pair(this.stride), padding: pair(this.padding), dilation: pair(this.dilation), ceilMode: this.ceilMode });
  }

  override toString(): string {
    return `MaxPool2d(kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceil_mode=${this.ceilMode})`;
  }
}

/** Average pooling over [N, C, L] (or [C, L]). */
export class AvgPool1d extends PoolNd<1> {
  constructor(kernelSize: Size<1>, ...args: PositionalArgs<[stride: Size<1> | null, padding: Size<1>, ceilMode: boolean, countIncludePad: boolean], AvgPoolOptions<1>>) {
    super('AvgPool1d', 1, [kernelSize, ...args]);
  }

  forward(x: Tensor): Tensor {
    x = toTensor(this.label, 'x', x);
    this.checkInput(x);
    const [k, s, p] = [this.kernelSize, this.stride, this.padding].map((v) => v[0] as number) as [number, number, number];
    return avgPool1d(x, k, { stride: s, padding: p, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }

  override toString(): string {
    return `AvgPool1d(kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)})`;
  }
}

/** Average pooling over [N, C, H, W] (or [C, H, W]). */
export class AvgPool2d extends PoolNd<2> {
  constructor(kernelSize: Size<2>, ...args: PositionalArgs<[stride: Size<2> | null, padding: Size<2>, ceilMode: boolean, countIncludePad: boolean], AvgPoolOptions<2>>) {
    super('AvgPool2d', 2, [kernelSize, ...args]);
  }

  forward(x: Tensor): Tensor {
    x = toTensor(this.label, 'x', x);
    this.checkInput(x);
    const pair = (v: number[]): [number, number] => [v[0] as number, v[1] as number];
    return avgPool2d(x, pair(this.kernelSize), { stride: pair(this.stride), padding: pair(this.padding), ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }

  override toString(): string {
    return `AvgPool2d(kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)})`;
  }
}
