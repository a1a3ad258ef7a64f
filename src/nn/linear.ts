// nn.Linear: y = x·Wᵀ + b over the last dimension, PyTorch's parameters and initialisation.
import { ShapeError, fmtShape } from '../errors.js';
import { type LinearOptions as LinearOpOptions, linear } from '../ops/linear.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';
import { fanInUniform, generatorOption, kaimingUniform } from './init.js';
import { toTensor } from '../tensor/promote.js';
import { Module } from './module.js';

export interface LinearOptions {
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** The stream the initial weights are drawn from; the default generator otherwise. */
  generator?: Generator;
}

// nn.Linear(inFeatures, outFeatures, bias) as in PyTorch, or any tail of it as an options object.
const ARGS = ['inFeatures', 'outFeatures', 'bias'] as const;
const OPTIONS = {
  inFeatures: is.int({ min: 1 }),
  outFeatures: is.int({ min: 1 }),
  bias: is.boolean,
  generator: generatorOption,
};

/**
 * Affine layer on the last dimension: input [..., inFeatures] → [..., outFeatures].
 * Parameters `weight` [outFeatures, inFeatures] and `bias` [outFeatures], both drawn from
 * U(−1/√inFeatures, 1/√inFeatures) as PyTorch does (Kaiming-uniform with a = √5 for the weight).
 *
 * `new nn.Linear(20, 32)`, `new nn.Linear(20, 32, false)` (no bias, PyTorch's positional form),
 * `new nn.Linear(20, 32, { bias: false, generator })`.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, ...args: PositionalArgs<[bias: boolean], LinearOptions>) {
    super();
    const where = 'nn.Linear';
    const o = readArgs(where, [inFeatures, outFeatures, ...args], ARGS, OPTIONS);
    const fanIn = OPTIONS.inFeatures(o.inFeatures, `${where}: inFeatures`);
    const fanOut = OPTIONS.outFeatures(o.outFeatures, `${where}: outFeatures`);
    this.inFeatures = fanIn;
    this.outFeatures = fanOut;
    const generator = o.generator;
    this.weight = this.registerParameter('weight', kaimingUniform([fanOut, fanIn], fanIn, Math.sqrt(5), { generator }));
    this.bias = this.registerParameter('bias', o.bias ?? true ? fanInUniform([fanOut], fanIn, { generator }) : null);
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, {});
  }

  /** forward with an activation fused into the GEMM's epilogue (used by Sequential). */
  forwardWith(x: Tensor, activation: LinearOpOptions): Tensor {
    x = toTensor(this.label, 'x', x);
    if (x.rank === 0 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(`${this.label}: expected input [..., ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    }
    return linear(x, this.weight, this.bias, activation);
  }

  /** The layer as named in errors: `Linear(20 → 32)`. */
  get label(): string {
    return `Linear(${this.inFeatures} → ${this.outFeatures})`;
  }

  override toString(): string {
    return `Linear(in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null})`;
  }
}
