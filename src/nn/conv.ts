// nn.Conv1d and nn.Conv2d: PyTorch's parameters ([out, in, k…]), argument order, option names
// and initialisation.
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { conv1d, conv2d } from '../ops/conv.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Check, is, type PositionalArgs, readArgs } from '../validate.js';
import { fanInUniform, generatorOption, kaimingUniform } from './init.js';
import { toTensor } from '../tensor/promote.js';
import { Module } from './module.js';

/** A size per spatial dimension, or one number for all of them. */
export type Size<D extends 1 | 2> = number | (D extends 1 ? readonly [number] : readonly [number, number]);

export interface ConvOptions<D extends 1 | 2> {
  /** Default 1. */
  stride?: Size<D>;
  /** Zero padding on both sides, or 'valid' (none) / 'same' (output size = input size; stride 1). Default 0. */
  padding?: Size<D> | 'valid' | 'same';
  /** Default 1. */
  dilation?: Size<D>;
  /** Only 1 (PyTorch's default) is supported; it is accepted so that PyTorch's positional form reads. */
  groups?: number;
  /** Learn an additive bias per output channel. Default true. */
  bias?: boolean;
  /** Only 'zeros' is supported. */
  paddingMode?: 'zeros';
  /** The stream the initial weights are drawn from; the default generator otherwise. */
  generator?: Generator;
}

export type Conv1dLayerOptions = ConvOptions<1>;
export type Conv2dLayerOptions = ConvOptions<2>;

/** @internal Expands a checked size (one number or one per dimension) to one per dimension. */
export function perDim(v: number | number[], dims: number): number[] {
  return typeof v === 'number' ? new Array<number>(dims).fill(v) : v;
}

// PyTorch's order: Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation,
// groups, bias, padding_mode).
const ARGS = ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'] as const;
function convOptions(dims: 1 | 2) {
  const size = (min: number): Check<number | number[]> => is.tuple(is.int({ min }), dims);
  return {
    inChannels: is.int({ min: 1 }),
    outChannels: is.int({ min: 1 }),
    kernelSize: size(1),
    stride: size(1),
    padding: is.anyOf<number | number[] | 'valid' | 'same'>(
      `an integer >= 0${dims > 1 ? `, a list of ${dims} of them` : ''}, 'valid' or 'same'`,
      size(0),
      is.oneOf(['valid', 'same'] as const),
    ),
    dilation: size(1),
    groups: is.int({ min: 1 }),
    bias: is.boolean,
    paddingMode: is.oneOf(['zeros'] as const),
    generator: generatorOption,
  };
}
const OPTIONS: Record<1 | 2, ReturnType<typeof convOptions>> = { 1: convOptions(1), 2: convOptions(2) };

const tuple = (v: readonly number[]): string => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

// The shared part of Conv1d and Conv2d: parameters, option checks, input checks, summary.
abstract class ConvNd<D extends 1 | 2> extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'valid' | 'same';
  readonly dilation: number[];
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    private readonly kind: 'Conv1d' | 'Conv2d',
    private readonly dims: D,
    args: unknown[],
  ) {
    super();
    const where = `nn.${kind}`;
    const spec = OPTIONS[dims as 1 | 2];
    const o = readArgs(where, args, ARGS, spec);
    const inChannels = spec.inChannels(o.inChannels, `${where}: inChannels`);
    const outChannels = spec.outChannels(o.outChannels, `${where}: outChannels`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = perDim(spec.kernelSize(o.kernelSize, `${where}: kernelSize`), dims);
    this.stride = perDim(o.stride ?? 1, dims);
    this.dilation = perDim(o.dilation ?? 1, dims);
    if ((o.groups ?? 1) !== 1) {
      throw new ArgumentError(`${where}: groups = ${o.groups} is not supported (grouped and depthwise convolutions are not implemented); use groups = 1`, where, 'groups');
    }
    const padding = o.padding ?? 0;
    if (padding === 'same' && this.stride.some((s) => s !== 1)) {
      throw new ArgumentError(`${where}: padding='same' needs stride 1, got stride ${tuple(this.stride)}`, where, 'padding');
    }
    this.padding = typeof padding === 'string' ? padding : perDim(padding, dims);
    const fanIn = inChannels * this.kernelSize.reduce((a, b) => a * b, 1);
    const generator = o.generator;
    this.weight = this.registerParameter('weight', kaimingUniform([outChannels, inChannels, ...this.kernelSize], fanIn, Math.sqrt(5), { generator }));
    this.bias = this.registerParameter('bias', o.bias ?? true ? fanInUniform([outChannels], fanIn, { generator }) : null);
  }

  /** The layer as named in errors: `Conv2d(3 → 16, kernel 3×3)`. */
  get label(): string {
    return `${this.kind}(${this.inChannels} → ${this.outChannels}, kernel ${this.kernelSize.join('×')})`;
  }

  protected checkInput(x: Tensor): void {
    x.assertLive(this.label);
    const spatial = this.dims === 2 ? 'H, W' : 'L';
    const channelAxis = x.rank - this.dims - 1;
    if ((x.rank !== this.dims + 1 && x.rank !== this.dims + 2) || x.shape[channelAxis] !== this.inChannels) {
      throw new ShapeError(`${this.label}: expected input [N, ${this.inChannels}, ${spatial}] or [${this.inChannels}, ${spatial}], got ${fmtShape(x.shape)}`);
    }
  }

  protected get convOptions(): { stride: number[]; padding: number[] | 'valid' | 'same'; dilation: number[] } {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation };
  }

  override toString(): string {
    const parts = [`${this.inChannels}`, `${this.outChannels}`, `kernel_size=${tuple(this.kernelSize)}`, `stride=${tuple(this.stride)}`];
    if (typeof this.padding === 'string') parts.push(`padding=${this.padding}`);
    else if (this.padding.some((p) => p !== 0)) parts.push(`padding=${tuple(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${tuple(this.dilation)}`);
    if (this.bias === null) parts.push('bias=false');
    return `${this.kind}(${parts.join(', ')})`;
  }
}

/**
 * 1-D convolution over [N, C, L] (or [C, L]): `weight` [outChannels, inChannels, k] and `bias`
 * [outChannels], both U(−1/√(inChannels·k), 1/√(inChannels·k)) as PyTorch. Arguments in
 * PyTorch's order (`new nn.Conv1d(4, 8, 3, 2, 1)`: stride 2, padding 1), as an options object
 * after the sizes, or both.
 */
export class Conv1d extends ConvNd<1> {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Size<1>,
    ...args: PositionalArgs<[stride: Size<1>, padding: Size<1> | 'valid' | 'same', dilation: Size<1>, groups: number, bias: boolean, paddingMode: 'zeros'], Conv1dLayerOptions>
  ) {
    super('Conv1d', 1, [inChannels, outChannels, kernelSize, ...args]);
  }

  forward(x: Tensor): Tensor {
    x = toTensor(this.label, 'x', x);
    this.checkInput(x);
    const { stride, padding, dilation } = this.convOptions;
    return conv1d(x, this.weight, this.bias, {
      stride: stride[0] as number,
      padding: typeof padding === 'string' ? padding : (padding[0] as number),
      dilation: dilation[0] as number,
    });
  }
}

/**
 * 2-D convolution over [N, C, H, W] (or [C, H, W]): `weight` [outChannels, inChannels, kH, kW]
 * and `bias` [outChannels], both U(−1/√(inChannels·kH·kW), 1/√(inChannels·kH·kW)) as PyTorch.
 * Arguments in PyTorch's order (`new nn.Conv2d(1, 2, 3, 2)`: stride 2), as an options object
 * after the sizes, or both.
 */
export class Conv2d extends ConvNd<2> {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Size<2>,
    ...args: PositionalArgs<[stride: Size<2>, padding: Size<2> | 'valid' | 'same', dilation: Size<2>, groups: number, bias: boolean, paddingMode: 'zeros'], Conv2dLayerOptions>
  ) {
    super('Conv2d', 2, [inChannels, outChannels, kernelSize, ...args]);
  }

  forward(x: Tensor): Tensor {
    x = toTensor(this.label, 'x', x);
    this.checkInput(x);
    const { stride, padding, dilation } = this.convOptions;
    const pair = (v: number[]): [number, number] => [v[0] as number, v[1] as number];
    return conv2d(x, this.weight, this.bias, {
      stride: pair(stride),
      padding: typeof padding === 'string' ? padding : pair(padding),
      dilation: pair(dilation),
    });
  }
}
