// The losses of the two training surfaces. The training loop (`fit`, `evaluate`, `fitStream`)
// takes a loss function, PyTorch's way (`fg.mseLoss`, `fg.bceWithLogits`, or your own); loss
// names are Keras' and belong to the Keras surface (`model.compile({ loss: 'mse' })`), which
// resolves them here. Probability-based losses clip like Keras (1e-7) so log never sees 0.
import { ArgumentError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { bceWithLogits, crossEntropy, hingeLoss, huberLoss, l1Loss, mseLoss, sigmoidFocalLoss } from '../ops/losses.js';
import { describe } from '../validate.js';
import { clamp, log } from '../ops/unary.js';
import { mean, sum } from '../ops/reduce.js';
import { mul, neg, sub } from '../ops/binary.js';
import { reshape } from '../ops/reshape.js';

/** A loss: prediction and target in, scalar tensor out. */
export type LossFn = (pred: Tensor, target: Tensor) => Tensor;

export type LossName =
  | 'mse'
  | 'meanSquaredError'
  | 'mae'
  | 'meanAbsoluteError'
  | 'huber'
  | 'hinge'
  | 'binaryCrossentropy'
  | 'binaryCrossentropyFromLogits'
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'sparseCategoricalCrossentropyFromLogits';

const EPS = 1e-7;

// Targets [N] against predictions [N, 1] are common; align them instead of failing.
function align(pred: Tensor, target: Tensor): Tensor {
  return pred.size === target.size && pred.rank !== target.rank ? reshape(target, pred.shape) : target;
}

// The composed losses check shapes as their PyTorch twins do (BCELoss, cross_entropy with
// probability targets): no broadcasting, which would turn a [N, 1] vs [N, 2] mix-up into a
// meaningless loss that still trains.
function checkSame(op: string, p: Tensor, t: Tensor, hint: string): void {
  p.assertLive(op);
  t.assertLive(op);
  if (!sameShape(p.shape, t.shape)) {
    throw new ShapeError(`${op}: prediction shape ${fmtShape(p.shape)} and target shape ${fmtShape(t.shape)} differ (losses do not broadcast)${hint}`);
  }
}

function binaryCrossentropy(p: Tensor, y: Tensor): Tensor {
  const t = align(p, y);
  checkSame('binaryCrossentropy', p, t, '; it takes one probability per target');
  const pc = clamp(p, EPS, 1 - EPS);
  // −[y log p + (1 − y) log(1 − p)]
  const pos = mul(t, log(pc));
  const negTerm = mul(sub(neg(t), -1), log(sub(neg(pc), -1)));
  return neg(mean(pos.add(negTerm)));
}

// One-hot (or probability) targets, probabilities in.
function categoricalCrossentropy(p: Tensor, y: Tensor): Tensor {
  checkSame('categoricalCrossentropy', p, y, p.rank === y.rank + 1 || (y.rank === p.rank && y.shape[y.rank - 1] === 1) ? '; for integer class labels use sparseCategoricalCrossentropy' : '; targets are one-hot rows, one column per class');
  return neg(mean(sum(mul(y, log(clamp(p, EPS, 1 - EPS))), -1)));
}

function flattenLabels(pred: Tensor, y: Tensor): Tensor {
  return y.rank === pred.rank && y.shape[y.rank - 1] === 1 ? reshape(y, [y.size]) : y;
}

const LOSSES: Record<LossName, LossFn> = {
  mse: (p, y) => mseLoss(p, align(p, y)),
  meanSquaredError: (p, y) => mseLoss(p, align(p, y)),
  mae: (p, y) => l1Loss(p, align(p, y)),
  meanAbsoluteError: (p, y) => l1Loss(p, align(p, y)),
  huber: (p, y) => huberLoss(p, align(p, y)),
  hinge: (p, y) => hingeLoss(p, align(p, y)),
  binaryCrossentropy,
  binaryCrossentropyFromLogits: (p, y) => bceWithLogits(p, align(p, y)),
  categoricalCrossentropy,
  // integer labels, probabilities in: logSoftmax(log p) = log p when rows sum to 1
  sparseCategoricalCrossentropy: (p, y) => crossEntropy(log(clamp(p, EPS, 1 - EPS)), flattenLabels(p, y)),
  sparseCategoricalCrossentropyFromLogits: (p, y) => crossEntropy(p, flattenLabels(p, y)),
};

// The losses that take raw scores (logits): the training metrics apply a sigmoid first.
const ON_LOGITS: ReadonlySet<unknown> = new Set<unknown>([
  bceWithLogits,
  crossEntropy,
  hingeLoss,
  sigmoidFocalLoss,
  LOSSES.binaryCrossentropyFromLogits,
  LOSSES.sparseCategoricalCrossentropyFromLogits,
  LOSSES.hinge,
]);

/** Whether a loss expects raw scores (logits) rather than probabilities. */
export function lossTakesLogits(loss: LossFn | LossName): boolean {
  return ON_LOGITS.has(typeof loss === 'string' ? LOSSES[loss] : loss);
}

// The functional loss for a Keras name, for the error that points the training loop at it.
const TORCH_NAMES: Partial<Record<LossName, string>> = {
  mse: 'mseLoss', meanSquaredError: 'mseLoss', mae: 'l1Loss', meanAbsoluteError: 'l1Loss', huber: 'huberLoss', hinge: 'hingeLoss',
  binaryCrossentropyFromLogits: 'bceWithLogits', sparseCategoricalCrossentropyFromLogits: 'crossEntropy',
};

/**
 * The training loop's `lossFn`: a function (pred, target) => scalar tensor. A loss name is the
 * Keras surface's and gets an ArgumentError that names the function to pass instead.
 */
export function readLossFn(where: string, loss: unknown): LossFn {
  if (typeof loss === 'function') return loss as LossFn;
  const torch = typeof loss === 'string' ? TORCH_NAMES[loss as LossName] : undefined;
  const instead = torch === undefined ? 'a loss function such as fg.mseLoss or fg.bceWithLogits, or your own (pred, target) => Tensor' : `fg.${torch}`;
  const keras = typeof loss === 'string' ? `; loss names are the Keras surface's: fg.keras.Sequential's model.compile({ loss: '${loss}', … })` : '';
  throw new ArgumentError(`${where}: lossFn must be ${instead}, got ${describe(loss)}${keras}`, where, 'lossFn');
}

/** A Keras loss name (or a function) as the function the training loop takes. */
export function resolveLoss(loss: LossFn | LossName): LossFn {
  if (typeof loss === 'function') return loss;
  const fn = LOSSES[loss];
  if (fn === undefined) {
    throw new ValueError(`unknown loss '${String(loss)}'; expected a function or one of ${Object.keys(LOSSES).join(', ')}`);
  }
  return fn;
}
