import { rmspropStep } from '../kernels/optim.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';
import { Optimizer, sharedOptions } from './optimizer.js';

export interface RMSpropOptions {
  /** Default 1e-2. */
  lr?: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Default 0. */
  weightDecay?: number;
  /** Default 0. */
  momentum?: number;
  /** Normalise by the gradient's estimated variance instead of its second moment. Default false. */
  centered?: boolean;
}

// PyTorch's order: RMSprop(params, lr, alpha, eps, weight_decay, momentum, centered).
const ARGS = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'] as const;
const OPTIONS = {
  ...sharedOptions,
  alpha: is.number({ min: 0, max: 1 }),
  momentum: is.number({ min: 0 }),
  centered: is.boolean,
};

/** RMSprop (torch.optim.RMSprop), optionally centered and with momentum. */
export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;

  constructor(
    params: Iterable<Tensor>,
    ...args: PositionalArgs<[lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: boolean], RMSpropOptions>
  ) {
    const o = readArgs('optim.RMSprop', args, ARGS, OPTIONS);
    super('optim.RMSprop', params, o.lr ?? 1e-2);
    this.alpha = o.alpha ?? 0.99;
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.momentum = o.momentum ?? 0;
    this.centered = o.centered ?? false;
  }

  protected update(p: Tensor, grad: Tensor): void {
    const ga = this.centered ? this.buffer(p, 'gradAvg') : null;
    const buf = this.momentum > 0 ? this.buffer(p, 'momentum') : null;
    rmspropStep(p, grad, this.buffer(p, 'squareAvg'), ga, buf, this.lr, this.alpha, this.eps, this.weightDecay, this.momentum);
  }
}
