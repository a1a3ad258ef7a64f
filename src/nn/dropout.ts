// nn.Dropout: zeroes elements with probability p in training mode (survivors scaled by
// 1/(1 − p)); the identity in evaluation mode.
import { dropout } from '../ops/dropout.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';
import { generatorOption } from './init.js';
import { toTensor } from '../tensor/promote.js';
import { Module } from './module.js';

export interface DropoutLayerOptions {
  /** Probability of zeroing an element. Default 0.5. */
  p?: number;
  /** The random stream; the default generator (see `manualSeed`) otherwise. */
  generator?: Generator;
}

const OPTIONS = { p: is.number({ min: 0, max: 1 }), generator: generatorOption };

/** `new nn.Dropout(0.2)` (PyTorch's form), `new nn.Dropout({ p: 0.2, generator })`. */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator | undefined;

  constructor(...args: PositionalArgs<[p: number], DropoutLayerOptions>) {
    super();
    const o = readArgs('nn.Dropout', args, ['p'], OPTIONS);
    this.p = o.p ?? 0.5;
    this.generator = o.generator;
  }

  forward(x: Tensor): Tensor {
    return dropout(toTensor('nn.Dropout', 'x', x), this.p, { training: this.training, generator: this.generator });
  }

  override toString(): string {
    return `Dropout(p=${this.p})`;
  }
}
