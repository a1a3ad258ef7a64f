// nn.BatchNorm1d / nn.BatchNorm2d: normalisation per channel with batch statistics in training
// and running statistics in evaluation, PyTorch's parameters, buffers and update rule.
import { noGrad } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { fill_ } from '../ops/inplace.js';
import { batchNorm } from '../ops/norm.js';
import { ones, zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';
import { toTensor } from '../tensor/promote.js';
import { Module } from './module.js';

export interface BatchNormLayerOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /**
   * Weight of each batch in the running statistics: r ← (1 − momentum)·r + momentum·batch.
   * null: the plain average of all batches so far (momentum = 1/batches). Default 0.1.
   */
  momentum?: number | null;
  /** Learn a scale `weight` (ones) and shift `bias` (zeros) per channel. Default true. */
  affine?: boolean;
  /**
   * Keep `running_mean`, `running_var` and `num_batches_tracked` buffers and use them in
   * evaluation mode; otherwise batch statistics are used in both modes. Default true.
   */
  trackRunningStats?: boolean;
}

// PyTorch's order: BatchNorm1d(num_features, eps, momentum, affine, track_running_stats).
const ARGS = ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats'] as const;
const OPTIONS = {
  numFeatures: is.int({ min: 1 }),
  eps: is.number({ min: 0 }),
  momentum: is.nullable(is.number({ min: 0, max: 1 })),
  affine: is.boolean,
  trackRunningStats: is.boolean,
};

abstract class BatchNormNd extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  /** The running statistics (null without trackRunningStats). Updated in place. */
  readonly runningMean: Tensor | null = null;
  readonly runningVar: Tensor | null = null;
  /** Training batches seen (a float scalar; int64 in PyTorch). */
  readonly numBatchesTracked: Tensor | null = null;

  constructor(
    private readonly kind: 'BatchNorm1d' | 'BatchNorm2d',
    args: unknown[],
  ) {
    super();
    const where = `nn.${kind}`;
    const o = readArgs(where, args, ARGS, OPTIONS);
    const numFeatures = OPTIONS.numFeatures(o.numFeatures, `${where}: numFeatures`);
    this.numFeatures = numFeatures;
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    this.checkParameterBudget(where, numFeatures * ((this.affine ? 2 : 0) + (this.trackRunningStats ? 2 : 0)), 'numFeatures');
    this.weight = this.registerParameter('weight', this.affine ? ones([numFeatures]) : null);
    this.bias = this.registerParameter('bias', this.affine ? zeros([numFeatures]) : null);
    if (this.trackRunningStats) {
      this.runningMean = this.registerBuffer('running_mean', zeros([numFeatures]));
      this.runningVar = this.registerBuffer('running_var', ones([numFeatures]));
      this.numBatchesTracked = this.registerBuffer('num_batches_tracked', zeros([]));
    }
  }

  /** The layer as named in errors: `BatchNorm1d(16)`. */
  get label(): string {
    return `${this.kind}(${this.numFeatures})`;
  }

  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    x = toTensor(this.label, 'x', x);
    this.checkInput(x);
    const count = this.training ? this.numBatchesTracked : null;
    const batches = count === null ? 0 : count.item() + 1;
    const momentum = this.momentum ?? (batches > 0 ? 1 / batches : 0);
    // Batch statistics in training, and in evaluation too when no running statistics are kept.
    const training = this.training || this.runningMean === null;
    const out = batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { training, momentum, eps: this.eps });
    if (count !== null) noGrad(() => fill_(count, batches));
    return out;
  }

  /** Resets the running statistics to mean 0, variance 1, and the batch count to 0. */
  resetRunningStats(): void {
    noGrad(() => {
      if (this.runningMean) fill_(this.runningMean, 0);
      if (this.runningVar) fill_(this.runningVar, 1);
      if (this.numBatchesTracked) fill_(this.numBatchesTracked, 0);
    });
  }

  override toString(): string {
    return `${this.kind}(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, track_running_stats=${this.trackRunningStats})`;
  }
}

/**
 * Batch normalisation of [N, C] or [N, C, L] per channel C (statistics over N and L):
 * y = (x − mean)/√(var + eps)·weight + bias. Training uses the batch's mean and biased
 * variance and updates `running_mean` and `running_var` (unbiased variance) with `momentum`;
 * evaluation uses the running statistics.
 */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, ...args: PositionalArgs<[eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean], BatchNormLayerOptions>) {
    super('BatchNorm1d', [numFeatures, ...args]);
  }

  protected checkInput(x: Tensor): void {
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.label}: expected input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got ${fmtShape(x.shape)}`);
    }
  }
}

/** Batch normalisation of [N, C, H, W] per channel C (statistics over N, H and W). */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, ...args: PositionalArgs<[eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean], BatchNormLayerOptions>) {
    super('BatchNorm2d', [numFeatures, ...args]);
  }

  protected checkInput(x: Tensor): void {
    if (x.rank !== 4 || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.label}: expected input [N, ${this.numFeatures}, H, W], got ${fmtShape(x.shape)}`);
    }
  }
}
