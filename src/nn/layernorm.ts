// nn.LayerNorm: normalisation over the trailing dimensions of each sample, PyTorch's
// parameters (weight ones, bias zeros, both of the normalized shape).
import { ShapeError, fmtShape } from '../errors.js';
import { layerNorm } from '../ops/norm.js';
import { sameShape } from '../tensor/shape.js';
import { ones, zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';
import { toTensor } from '../tensor/promote.js';
import { Module } from './module.js';

export interface LayerNormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Learn a per-element `weight` (and `bias`) of the normalized shape. Default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, learn the additive `bias` too. Default true. */
  bias?: boolean;
}

// PyTorch's order: LayerNorm(normalized_shape, eps, elementwise_affine, bias).
const ARGS = ['normalizedShape', 'eps', 'elementwiseAffine', 'bias'] as const;
const OPTIONS = {
  normalizedShape: is.anyOf<number | number[]>('an integer >= 1 or a list of them', is.int({ min: 1 }), is.list(is.int({ min: 1 }), { minLength: 1 })),
  eps: is.number({ min: 0 }),
  elementwiseAffine: is.boolean,
  bias: is.boolean,
};

/**
 * y = (x − mean)/√(var + eps)·weight + bias, the mean and biased variance taken over the last
 * dimensions `normalizedShape` of each sample.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], ...args: PositionalArgs<[eps: number, elementwiseAffine: boolean, bias: boolean], LayerNormOptions>) {
    super();
    const where = 'nn.LayerNorm';
    const o = readArgs(where, [normalizedShape, ...args], ARGS, OPTIONS);
    const shape = OPTIONS.normalizedShape(o.normalizedShape, `${where}: normalizedShape`);
    this.normalizedShape = typeof shape === 'number' ? [shape] : [...shape];
    this.eps = o.eps ?? 1e-5;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    this.checkParameterBudget(where, this.normalizedShape.reduce((a, d) => a * d, 1) * (this.elementwiseAffine ? 2 : 0), 'normalizedShape');
    this.weight = this.registerParameter('weight', this.elementwiseAffine ? ones(this.normalizedShape) : null);
    this.bias = this.registerParameter('bias', this.elementwiseAffine && (o.bias ?? true) ? zeros(this.normalizedShape) : null);
  }

  /** The layer as named in errors: `LayerNorm([8])`. */
  get label(): string {
    return `LayerNorm(${fmtShape(this.normalizedShape)})`;
  }

  forward(x: Tensor): Tensor {
    x = toTensor(this.label, 'x', x);
    const k = this.normalizedShape.length;
    if (x.rank < k || !sameShape(x.shape.slice(x.rank - k), this.normalizedShape)) {
      throw new ShapeError(`${this.label}: expected input [..., ${this.normalizedShape.join(', ')}], got ${fmtShape(x.shape)}`);
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override toString(): string {
    const shape = `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''})`;
    return `LayerNorm(${shape}, eps=${this.eps}, elementwise_affine=${this.elementwiseAffine})`;
  }
}
