// nn.Flatten: merges dimensions startDim..endDim (default 1..−1: everything but the batch).
import { ShapeError, fmtShape } from '../errors.js';
import { flatten } from '../ops/reshape.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';
import { toTensor } from '../tensor/promote.js';
import { Module } from './module.js';

export interface FlattenOptions {
  /** First dimension merged. Default 1. */
  startDim?: number;
  /** Last dimension merged (negative counts from the end). Default −1. */
  endDim?: number;
}

const OPTIONS = { startDim: is.int(), endDim: is.int() };

/** `new nn.Flatten()`, `new nn.Flatten(0, 2)` (PyTorch's form), `new nn.Flatten({ startDim: 2 })`. */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(...args: PositionalArgs<[startDim: number, endDim: number], FlattenOptions>) {
    super();
    const o = readArgs('nn.Flatten', args, ['startDim', 'endDim'], OPTIONS);
    this.startDim = o.startDim ?? 1;
    this.endDim = o.endDim ?? -1;
  }

  forward(x: Tensor): Tensor {
    const label = this.toString();
    x = toTensor(label, 'x', x);
    const rank = Math.max(x.rank, 1);
    const resolve = (d: number): number => (d < 0 ? d + rank : d);
    const [start, end] = [resolve(this.startDim), resolve(this.endDim)];
    if (start < 0 || start >= rank || end < 0 || end >= rank || start > end) {
      throw new ShapeError(`${label}: expected an input with dimensions ${this.startDim} to ${this.endDim} (in that order), got ${fmtShape(x.shape)}`);
    }
    return flatten(x, this.startDim, this.endDim);
  }

  override toString(): string {
    return `Flatten(start_dim=${this.startDim}, end_dim=${this.endDim})`;
  }
}
