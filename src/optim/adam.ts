import { adamStep } from '../kernels/optim.js';
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';
import { Optimizer, sharedOptions } from './optimizer.js';

export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1). Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Default 0 (Adam), 0.01 (AdamW). */
  weightDecay?: number;
  /** Only false is supported. */
  amsgrad?: boolean;
}

// PyTorch's order: Adam(params, lr, betas, eps, weight_decay, amsgrad); AdamW the same.
const ARGS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'] as const;
const OPTIONS = {
  ...sharedOptions,
  betas: is.list(is.number({ min: 0, max: 1, maxOpen: true }), { minLength: 2, maxLength: 2 }),
  amsgrad: is.boolean,
};

/**
 * Adam (torch.optim.Adam): weight decay added to the gradient (L2).
 * `new optim.Adam(params, 1e-3, [0.9, 0.99])` or `new optim.Adam(params, { lr: 1e-3 })`.
 */
export class Adam extends Optimizer {
  /** What distinguishes AdamW: its name, default weight decay, and decoupled decay. */
  protected static readonly variant = { name: 'Adam', weightDecay: 0, decoupled: false };
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean;

  constructor(params: Iterable<Tensor>, ...args: PositionalArgs<[lr: number, betas: [number, number], eps: number, weightDecay: number, amsgrad: boolean], AdamOptions>) {
    const variant = (new.target as unknown as typeof Adam).variant;
    const where = `optim.${variant.name}`;
    const o = readArgs(where, args, ARGS, OPTIONS);
    if (o.amsgrad === true) throw new ArgumentError(`${where}: amsgrad = true is not supported`, where, 'amsgrad');
    super(where, params, o.lr ?? 1e-3);
    this.betas = (o.betas as [number, number] | undefined) ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? variant.weightDecay;
    this.decoupled = variant.decoupled;
  }

  protected update(p: Tensor, grad: Tensor): void {
    const [b1, b2] = this.betas;
    const t = this.stepCount;
    adamStep(p, grad, this.buffer(p, 'expAvg'), this.buffer(p, 'expAvgSq'), this.lr, b1, b2, this.eps, this.weightDecay, 1 - b1 ** t, 1 - b2 ** t, this.decoupled);
  }
}

/** AdamW (torch.optim.AdamW): decoupled weight decay, default 0.01; arguments as Adam. */
export class AdamW extends Adam {
  protected static override readonly variant = { name: 'AdamW', weightDecay: 1e-2, decoupled: true };
}
