import { sgdStep } from '../kernels/optim.js';
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';
import { Optimizer, sharedOptions } from './optimizer.js';

export interface SGDOptions {
  /** Default 1e-3 (PyTorch's). */
  lr?: number;
  /** Default 0. */
  momentum?: number;
  /** Default 0. */
  dampening?: number;
  /** Default 0. */
  weightDecay?: number;
  /** Default false. */
  nesterov?: boolean;
}

// PyTorch's order: SGD(params, lr, momentum, dampening, weight_decay, nesterov).
const ARGS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'] as const;
const OPTIONS = {
  lr: sharedOptions.lr,
  momentum: is.number({ min: 0 }),
  dampening: is.number(),
  weightDecay: sharedOptions.weightDecay,
  nesterov: is.boolean,
};

/**
 * Stochastic gradient descent with momentum, Nesterov momentum and weight decay (torch.optim.SGD):
 * `new optim.SGD(model.parameters(), 0.1, 0.9)` or `new optim.SGD(params, { lr: 0.1, momentum: 0.9 })`.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: Iterable<Tensor>, ...args: PositionalArgs<[lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean], SGDOptions>) {
    const o = readArgs('optim.SGD', args, ARGS, OPTIONS);
    super('optim.SGD', params, o.lr ?? 1e-3);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.nesterov = o.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ArgumentError('optim.SGD: Nesterov momentum requires a momentum and zero dampening', 'optim.SGD', 'nesterov');
    }
  }

  protected update(p: Tensor, grad: Tensor): void {
    const first = this.momentum !== 0 && !this.hasBuffer(p, 'momentum');
    const buf = this.momentum !== 0 ? this.buffer(p, 'momentum') : null;
    sgdStep(p, grad, buf, this.lr, this.momentum, this.dampening, this.weightDecay, this.nesterov, first);
  }
}
