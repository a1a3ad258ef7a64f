// Loss functions (PyTorch semantics): mseLoss, l1Loss, huberLoss, hingeLoss, bceWithLogits,
// crossEntropy, klNormal. Each is one fused kernel for the per-element loss and one for its
// gradient; 'mean'/'sum' reduce the per-element losses with reduce_f32 and the gradient kernels
// read the scalar upstream gradient with stride 0, so a reduced loss costs two passes forward
// and one backward. Kernels: assembly/losses.ts (through src/kernels/losses.ts). Reference twin: src/reference/losses.ts.
import { BinaryOp, PointwiseLoss } from '../backend/generated/opcodes.js';
import { composed, isGradEnabled, record } from '../autograd/graph.js';
import { ArgumentError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { binaryForward } from '../kernels/broadcast.js';
import {
  bceLogitsBackward, bceLogitsForward, crossEntropyBackward, crossEntropyForward, type CrossEntropyJob, firstNotSign, labelsFrom,
  pointwiseLossBackward, pointwiseLossForward, reduceLossInto, type Upstream,
} from '../kernels/losses.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { broadcastShapes, sameShape, sizeOf, stridesOf } from '../tensor/shape.js';
import { type GradNode, type NestedArray, Tensor } from '../tensor/tensor.js';
import { type Args, type Check, describe, is, readArgs } from '../validate.js';
import { add, mul, neg, sub } from './binary.js';
import { mean, sum } from './reduce.js';
import { softmax } from './softmax.js';
import { pow, sigmoid, softplus } from './unary.js';

/** How per-element losses are combined: averaged (default), summed, or returned as they are. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
}

/** `mseLoss(x, y, 'sum')` or `mseLoss(x, y, {reduction: 'sum'})`. */
export type LossArgs = Args<[reduction: Reduction | undefined], LossOptions>;

const REDUCTION = is.oneOf(['mean', 'sum', 'none'] as const);
const TENSOR: Check<unknown> = is.any; // promoted by the op itself, with its name
const LOSS = { reduction: REDUCTION };

// Both operands promoted (a number or nested arrays become tensors) and of one shape.
function operands(op: string, input: unknown, target: unknown, names: [string, string] = ['input', 'target']): [Tensor, Tensor] {
  const a = toTensor(op, names[0], input);
  const b = toTensor(op, names[1], target);
  if (!sameShape(a.shape, b.shape)) {
    throw new ShapeError(`${op}: ${names[0]} shape ${fmtShape(a.shape)} and ${names[1]} shape ${fmtShape(b.shape)} differ (losses do not broadcast)`);
  }
  return [a, b];
}

/**
 * Reduces per-element losses: 'sum' adds them, 'mean' adds them and divides by `divisor`
 * (NaN for an empty input, as in PyTorch), 'none' returns them. Disposes `per` when reducing.
 */
function reduceLoss(per: Tensor, reduction: Reduction, divisor: number): Tensor {
  if (reduction === 'none') return per;
  const out = Tensor.empty([]);
  reduceLossInto(per, out, reduction, divisor);
  per.dispose();
  return out;
}

function upstreamOf(reduction: Reduction, divisor: number): Upstream {
  return { stride: reduction === 'none' ? 1 : 0, scale: reduction === 'mean' ? 1 / divisor : 1 };
}

function pointwise(op: string, kernel: PointwiseLoss, input: Tensor, target: Tensor, reduction: Reduction, param: number, divisor: number, targetGrad: boolean): Tensor {
  const per = Tensor.empty(input.shape);
  pointwiseLossForward(kernel, input, target, per, param);
  const out = reduceLoss(per, reduction, divisor);
  const up = upstreamOf(reduction, divisor);
  const grad = (dy: Tensor, wrt: 0 | 1): Tensor => {
    if (kernel === PointwiseLoss.Mse && isGradEnabled()) {
      // Recording (createGraph): ±2·(input − target)·dy·scale from recorded ops.
      const g = mul(mul(sub(input, target), 2 * up.scale), dy);
      return wrt === 0 ? g : neg(g);
    }
    const dx = Tensor.empty(input.shape);
    pointwiseLossBackward(kernel, wrt, input, target, dy, up, dx, param);
    return dx;
  };
  const rule: GradNode['backward'] = (dy) => [() => grad(dy, 0), targetGrad ? () => grad(dy, 1) : null];
  // Only mseLoss has a recorded form of its gradient so far.
  return record(out, op, [input, target], kernel === PointwiseLoss.Mse ? composed(rule) : rule);
}

/** Mean squared error: (input − target)², reduced. */
export function mseLoss(input: TensorInput, target: TensorInput, ...args: LossArgs): Tensor {
  const [x, y] = operands('mseLoss', input, target);
  const { reduction = 'mean' } = readArgs('mseLoss', args, ['reduction'], LOSS);
  return releasePromoted(pointwise('mseLoss', PointwiseLoss.Mse, x, y, reduction, 0, x.size, true), [input, target], [x, y]);
}

/** Mean absolute error: |input − target|, reduced. The gradient at input == target is 0. */
export function l1Loss(input: TensorInput, target: TensorInput, ...args: LossArgs): Tensor {
  const [x, y] = operands('l1Loss', input, target);
  const { reduction = 'mean' } = readArgs('l1Loss', args, ['reduction'], LOSS);
  return releasePromoted(pointwise('l1Loss', PointwiseLoss.L1, x, y, reduction, 0, x.size, true), [input, target], [x, y]);
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (> 0). Default 1. */
  delta?: number;
}

const HUBER = { reduction: REDUCTION, delta: is.number({ min: 0, minOpen: true }) };

/**
 * Huber loss: ½d² where |d| < delta, delta·(|d| − ½delta) elsewhere (d = input − target).
 * F.huber_loss's order: `huberLoss(x, y, 'sum', 0.5)`, or `huberLoss(x, y, {delta: 0.5})`.
 */
export function huberLoss(input: TensorInput, target: TensorInput, ...args: Args<[reduction: Reduction | undefined, delta: number | undefined], HuberOptions>): Tensor {
  const [x, y] = operands('huberLoss', input, target);
  const { reduction = 'mean', delta = 1 } = readArgs('huberLoss', args, ['reduction', 'delta'], HUBER);
  return releasePromoted(pointwise('huberLoss', PointwiseLoss.Huber, x, y, reduction, delta, x.size, true), [input, target], [x, y]);
}

export interface HingeOptions extends LossOptions {
  /** Default 1. */
  margin?: number;
}

const HINGE = { reduction: REDUCTION, margin: is.number() };

/**
 * Hinge loss max(0, margin − y·score) for labels y in {−1, +1} (a ValueError otherwise). The
 * gradient is −y where the margin is violated and 0 at the kink; y takes no gradient.
 */
export function hingeLoss(input: TensorInput, target: TensorInput, ...args: Args<[reduction: Reduction | undefined, margin: number | undefined], HingeOptions>): Tensor {
  const [scores, y] = operands('hingeLoss', input, target, ['scores', 'y']);
  const { reduction = 'mean', margin = 1 } = readArgs('hingeLoss', args, ['reduction', 'margin'], HINGE);
  const bad = firstNotSign(y);
  if (bad >= 0) {
    throw new ValueError(`hingeLoss: labels must be −1 or +1, got ${y.data[bad]} at index ${fmtIndex(bad, y.shape)} of y ${fmtShape(y.shape)}`);
  }
  return releasePromoted(pointwise('hingeLoss', PointwiseLoss.Hinge, scores, y, reduction, margin, scores.size, false), [input, target], [scores, y]);
}

/**
 * KL(N(mu, exp(logvar)) ‖ N(0, I)) = −½·Σ(1 + logvar − mu² − exp(logvar)), summed over the last
 * (latent) dimension and averaged over the leading (batch) dimensions; shape [].
 */
export function klNormal(muInput: TensorInput, logvarInput: TensorInput, ...rest: []): Tensor {
  const [mu, logvar] = operands('klNormal', muInput, logvarInput, ['mu', 'logvar']);
  readArgs('klNormal', rest, [], {});
  if (mu.rank === 0) throw new ShapeError(`klNormal: mu must have a latent dimension, got shape ${fmtShape(mu.shape)}`);
  const batch = sizeOf(mu.shape.slice(0, -1));
  return pointwise('klNormal', PointwiseLoss.KlNormal, mu, logvar, 'mean', 0, batch, true);
}

// ---------------------------------------------------------------------------------------------

export interface BceWithLogitsOptions extends LossOptions {
  /** Rescales each element's loss; broadcast to the logits' shape. Takes no gradient. */
  weight?: TensorInput | null;
  /** Weight of the positive term, broadcast to the logits' shape (e.g. [C] for [N, C]). Takes no gradient. */
  posWeight?: TensorInput | null;
}

/** A copy of `t` broadcast to `shape` (t itself when the shapes agree); `what` names it in errors. */
function expandOperand(op: string, what: string, t: Tensor, shape: readonly number[]): { tensor: Tensor; owned: boolean } {
  t.assertLive(op);
  if (sameShape(t.shape, shape)) return { tensor: t, owned: false };
  const b = broadcastShapes(op, t.shape, shape);
  if (!sameShape(b, shape)) {
    throw new ShapeError(`${op}: ${what} of shape ${fmtShape(t.shape)} does not broadcast to the input shape ${fmtShape(shape)}`);
  }
  const out = Tensor.empty(shape);
  binaryForward(BinaryOp.Mul, t, 1, out);
  return { tensor: out, owned: true };
}

const BCE = { reduction: REDUCTION, weight: TENSOR, posWeight: TENSOR };

/**
 * Binary cross entropy on logits: −w·[pw·y·log σ(x) + (1 − y)·log(1 − σ(x))], computed as
 * (1 − y)·x + (1 + (pw − 1)·y)·softplus(−x), finite for any logit. Gradient: w·((1 + (pw−1)·y)·σ(x) − pw·y)
 * for the logits (σ(x) − y without weights) and the target takes one too, as in PyTorch.
 */
export function bceWithLogits(input: TensorInput, target: TensorInput, ...args: Args<[weight: TensorInput | null | undefined], BceWithLogitsOptions>): Tensor {
  const op = 'bceWithLogits';
  const [logits, y] = operands(op, input, target, ['logits', 'target']);
  const options = readArgs(op, args, ['weight'], BCE);
  const reduction = options.reduction ?? 'mean';
  const w = (options.weight ?? null) === null ? null : expandOperand(op, 'weight', toTensor(op, 'weight', options.weight), logits.shape);
  const pw = (options.posWeight ?? null) === null ? null : expandOperand(op, 'posWeight', toTensor(op, 'posWeight', options.posWeight), logits.shape);
  const per = Tensor.empty(logits.shape);
  bceLogitsForward(logits, y, w?.tensor ?? null, pw?.tensor ?? null, per);
  const out = reduceLoss(per, reduction, logits.size);
  const up = upstreamOf(reduction, logits.size);
  const grad = (dy: Tensor, wrt: 0 | 1): Tensor => {
    if (isGradEnabled()) return bceRecordedGrad(wrt, logits, y, w?.tensor ?? null, pw?.tensor ?? null, mul(dy, up.scale));
    const dx = Tensor.empty(logits.shape);
    bceLogitsBackward(wrt, logits, y, w?.tensor ?? null, pw?.tensor ?? null, dy, up, dx);
    return dx;
  };
  const recorded = record(out, op, [logits, y], composed((dy) => [() => grad(dy, 0), () => grad(dy, 1)]));
  // Expanded copies live as long as the graph needs them; without a graph they go now.
  if (recorded.node === null) {
    if (w?.owned) w.tensor.dispose();
    if (pw?.owned) pw.tensor.dispose();
  }
  return releasePromoted(recorded, [input, target], [logits, y]);
}

// bceWithLogits' gradients from recorded ops (createGraph), `dy` already scaled:
// logits w·((1 + (pw − 1)·y)·σ(x) − pw·y), target w·((pw − 1)·softplus(−x) − x).
function bceRecordedGrad(wrt: 0 | 1, x: Tensor, y: Tensor, w: Tensor | null, pw: Tensor | null, dy: Tensor): Tensor {
  const pwMinus1 = pw === null ? null : sub(pw, 1);
  const g =
    wrt === 0
      ? sub(pwMinus1 === null ? sigmoid(x) : mul(add(mul(pwMinus1, y), 1), sigmoid(x)), pw === null ? y : mul(pw, y))
      : pwMinus1 === null ? neg(x) : sub(mul(pwMinus1, softplus(neg(x))), x);
  return mul(w === null ? g : mul(g, w), dy);
}

// ---------------------------------------------------------------------------------------------

/** Class labels: a tensor of integer values, or a plain list. */
export type Labels = Tensor | readonly number[] | Int32Array | number;

export interface CrossEntropyOptions extends LossOptions {
  /** Class weights, shape [C]. Takes no gradient. */
  weight?: TensorInput | null;
  /** Target mixes (1 − labelSmoothing)·one-hot with labelSmoothing/C uniform. In [0, 1]; default 0. */
  labelSmoothing?: number;
  /** Positions with this label contribute nothing (nor to the 'mean' denominator). Default −100. */
  ignoreIndex?: number;
}

/** A flat index as printed in messages: `3` for rank <= 1, `[1, 0]` otherwise. */
function fmtIndex(flat: number, shape: readonly number[]): string {
  if (shape.length <= 1) return String(flat);
  const st = stridesOf(shape);
  return `[${st.map((s, d) => Math.floor(flat / s) % (shape[d] as number)).join(', ')}]`;
}

function badLabel(where: number, labelShape: readonly number[], value: number, c: number, ignoreIndex: number): ValueError {
  const at = `${labelShape.length <= 1 ? 'row' : 'position'} ${fmtIndex(where, labelShape)}`;
  return new ValueError(`crossEntropy: label at ${at} is ${value}; labels must be integers in [0, ${c}) (or the ignoreIndex ${ignoreIndex})`);
}

/** Validates labels and returns them as int32 (host copy). */
function readLabels(labels: Labels, labelShape: number[], c: number, ignoreIndex: number): Int32Array {
  const n = sizeOf(labelShape);
  if (labels instanceof Tensor) {
    labels.assertLive('crossEntropy');
    if (!sameShape(labels.shape, labelShape)) {
      throw new ShapeError(`crossEntropy: labels of shape ${fmtShape(labels.shape)} do not match logits: expected ${fmtShape(labelShape)}`);
    }
    const ids = labelsFrom(labels, n, c, ignoreIndex);
    if (typeof ids === 'number') throw badLabel(ids, labelShape, labels.data[ids] as number, c, ignoreIndex);
    return ids;
  }
  const list: ArrayLike<number> = typeof labels === 'number' ? [labels] : labels;
  if (list.length !== n) {
    throw new ShapeError(`crossEntropy: ${list.length} labels do not match logits: expected ${n} (shape ${fmtShape(labelShape)})`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = list[i] as number;
    if (!(Number.isInteger(v) && ((v >= 0 && v < c) || v === ignoreIndex))) throw badLabel(i, labelShape, v, c, ignoreIndex);
    out[i] = v;
  }
  return out;
}

const CROSS_ENTROPY = { reduction: REDUCTION, weight: TENSOR, labelSmoothing: is.number({ min: 0, max: 1 }), ignoreIndex: is.int() };

// Labels as crossEntropy reads them: a tensor, a flat list, an Int32Array or one number; nested
// lists (labels of [N, d1, …] logits) become a tensor.
function readLabelArg(target: unknown): Labels {
  if (target instanceof Tensor || target instanceof Int32Array || typeof target === 'number') return target;
  if (Array.isArray(target)) return target.some(Array.isArray) ? toTensor('crossEntropy', 'target', target) : (target as number[]);
  throw new ArgumentError(`crossEntropy: target must be class labels (a Tensor, a list of integers, an Int32Array or a number), got ${describe(target)}`, 'crossEntropy', 'target');
}

/**
 * Cross entropy between logits [N, C] (also [C], and [N, C, d1, …] with labels [N, d1, …]) and
 * integer class labels, from a max-subtracted log-sum-exp (finite for logits of ±1e4). With
 * class weights, 'mean' divides by the sum of the picked weights (PyTorch); ignored positions
 * count for nothing. Only the logits take a gradient.
 */
export function crossEntropy(input: TensorInput, target: Labels | NestedArray, ...args: Args<[weight: TensorInput | null | undefined], CrossEntropyOptions>): Tensor {
  const op = 'crossEntropy';
  const logits = toTensor(op, 'logits', input);
  const options = readArgs(op, args, ['weight'], CROSS_ENTROPY);
  const labels = readLabelArg(target);
  if (logits.rank === 0) throw new ShapeError(`crossEntropy: logits must be [C], [N, C] or [N, C, d1, …], got shape ${fmtShape(logits.shape)}`);
  const reduction = options.reduction ?? 'mean';
  const classAxis = logits.rank === 1 ? 0 : 1;
  const c = logits.shape[classAxis] as number;
  if (c === 0) throw new ShapeError(`crossEntropy: logits of shape ${fmtShape(logits.shape)} have no classes`);
  const labelShape = logits.shape.filter((_, d) => d !== classAxis);
  const outer = logits.rank === 1 ? 1 : (logits.shape[0] as number);
  const inner = sizeOf(logits.shape.slice(classAxis + 1));
  const smoothing = options.labelSmoothing ?? 0;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const weight = (options.weight ?? null) === null ? undefined : toTensor(op, 'weight', options.weight);
  if (weight !== undefined) {
    if (!sameShape(weight.shape, [c])) {
      throw new ShapeError(`crossEntropy: weight of shape ${fmtShape(weight.shape)} does not match ${c} classes of logits ${fmtShape(logits.shape)}: expected [${c}]`);
    }
  }
  const ids = readLabels(labels, labelShape, c, ignoreIndex);
  const n = ids.length;
  const per = Tensor.empty(labelShape);
  const job: CrossEntropyJob = { logits, ids, weight: weight ?? null, outer, c, inner, smoothing, ignoreIndex };
  const mean = reduction === 'mean' && n > 0;
  const den = crossEntropyForward(job, per, mean);
  const divisor = mean ? den : n;
  const out = reduceLoss(per, reduction, divisor);
  const up = upstreamOf(reduction, divisor);
  // labels promoted from nested lists were copied into ids: free them with the promoted logits
  return releasePromoted(record(out, op, [logits], composed((dy) => [
    () => {
      if (isGradEnabled()) return crossEntropyRecordedGrad(logits, ids, weight ?? null, smoothing, ignoreIndex, c, inner, mul(dy, up.scale));
      const dx = Tensor.empty(logits.shape);
      crossEntropyBackward(job, dy, up, dx);
      return dx;
    },
  ])), [input, target], [logits, labels instanceof Tensor ? labels : 0]);
}

// crossEntropy's gradient from recorded ops (createGraph). Each position's loss is
// −Σ_c W_c·log softmax(x)_c with the constant target weights W_c = (1 − ε)·w_label·[c = label]
// + ε·w_c/C (0 at ignored positions), so the gradient is softmax(x)·Σ_c W_c − W, times dy.
function crossEntropyRecordedGrad(logits: Tensor, ids: Int32Array, weight: Tensor | null, smoothing: number, ignoreIndex: number, c: number, inner: number, dy: Tensor): Tensor {
  const w = weight === null ? null : weight.toFloat32Array();
  const target = new Float32Array(logits.size);
  ids.forEach((label, i) => {
    if (label === ignoreIndex) return;
    const n = Math.floor(i / inner);
    const j = i % inner;
    const at = (k: number): number => (n * c + k) * inner + j;
    for (let k = 0; k < c; k++) target[at(k)] = (smoothing * (w === null ? 1 : (w[k] as number))) / c;
    target[at(label)] = (target[at(label)] as number) + (1 - smoothing) * (w === null ? 1 : (w[label] as number));
  });
  const t = Tensor.empty(logits.shape);
  t.data.set(target);
  const axis = logits.rank === 1 ? 0 : 1;
  const g = sub(mul(softmax(logits, axis), sum(t, axis, { keepdim: true })), t);
  // dy is a scalar for a reduced loss, one per position (the class axis dropped) for 'none'.
  return mul(g, dy.rank === 0 || logits.rank === 1 ? dy : dy.unsqueeze(axis));
}

// ---------------------------------------------------------------------------------------------
// Focal loss (Lin et al. 2017) for rare events (defaults, fraud): cross entropy scaled down for
// rows the model already gets right, so training spends itself on the hard ones.

export interface SigmoidFocalLossOptions {
  /** Weight of the positive class, (1 − alpha) for the negatives; a negative value turns weighting off. Default 0.25. */
  alpha?: number;
  /** Focusing exponent: 0 is plain binary cross entropy. Default 2. */
  gamma?: number;
  /** Default 'none', as torchvision.ops.sigmoid_focal_loss. */
  reduction?: Reduction;
}

const FOCAL = { alpha: is.number(), gamma: is.number({ min: 0 }), reduction: REDUCTION };

/**
 * torchvision's sigmoid_focal_loss on logits: bce(x, y)·(1 − p_t)^γ·α_t with p = σ(x),
 * p_t = p·y + (1 − p)(1 − y) and α_t = α·y + (1 − α)(1 − y). Composed from bceWithLogits and
 * elementwise ops, so its gradient is theirs. `sigmoidFocalLoss(x, y, alpha, gamma, reduction)`
 * or with an options object.
 */
export function sigmoidFocalLoss(input: TensorInput, target: TensorInput, ...args: Args<[alpha: number | undefined, gamma: number | undefined, reduction: Reduction | undefined], SigmoidFocalLossOptions>): Tensor {
  const op = 'sigmoidFocalLoss';
  const [x, y] = operands(op, input, target, ['inputs', 'targets']);
  const o = readArgs(op, args, ['alpha', 'gamma', 'reduction'], FOCAL);
  const alpha = o.alpha ?? 0.25;
  const gamma = o.gamma ?? 2;
  const reduction = o.reduction ?? 'none';
  const p = sigmoid(x);
  const pt = add(mul(p, y), mul(sub(1, p), sub(1, y)));
  let loss = bceWithLogits(x, y, { reduction: 'none' });
  if (gamma !== 0) loss = mul(loss, pow(sub(1, pt), gamma));
  if (alpha >= 0) loss = mul(loss, add(mul(y, alpha), mul(sub(1, y), 1 - alpha)));
  const out = reduction === 'none' ? loss : reduction === 'sum' ? sum(loss) : mean(loss);
  // With a graph, the promoted operands are saved deep inside it: the scope frees them later.
  return out.node === null ? releasePromoted(out, [input, target], [x, y]) : out;
}
