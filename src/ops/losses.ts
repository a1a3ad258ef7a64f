// Loss functions (PyTorch semantics): mseLoss, l1Loss, huberLoss, hingeLoss, bceWithLogits,
// crossEntropy, klNormal. Each is one fused kernel for the per-element loss and one for its
// gradient; 'mean'/'sum' reduce the per-element losses with reduce_f32 and the gradient kernels
// read the scalar upstream gradient with stride 0, so a reduced loss costs two passes forward
// and one backward. Kernels: assembly/losses.ts. Reference twin: src/reference/losses.ts.
import { floatArg } from '../backend/scratch.js';
import { heap, kernels } from '../backend/wasm.js';
import { composed, isGradEnabled, record } from '../autograd/graph.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { broadcastShapes, sameShape, sizeOf, stridesOf } from '../tensor/shape.js';
import { type GradNode, Tensor } from '../tensor/tensor.js';
import { add, mul, neg, sub } from './binary.js';
import { broadcastMeta } from './broadcast.js';
import { sum } from './reduce.js';
import { softmax } from './softmax.js';
import { sigmoid, softplus } from './unary.js';

const enum LossKernel {
  Mse = 0,
  L1 = 1,
  Huber = 2,
  Hinge = 3,
  KlNormal = 4,
}

const OP_MUL = 2; // assembly/binary.ts
const RED_SUM = 0; // assembly/reduce.ts

/** How per-element losses are combined: averaged (default), summed, or returned as they are. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
}

function reductionOf(op: string, options: LossOptions): Reduction {
  const r = options.reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
  }
  return r;
}

function checkSameShape(op: string, input: Tensor, target: Tensor, names: [string, string] = ['input', 'target']): void {
  input.assertLive(op);
  target.assertLive(op);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`${op}: ${names[0]} shape ${fmtShape(input.shape)} and ${names[1]} shape ${fmtShape(target.shape)} differ (losses do not broadcast)`);
  }
}

/**
 * Reduces per-element losses: 'sum' adds them, 'mean' adds them and divides by `divisor`
 * (NaN for an empty input, as in PyTorch), 'none' returns them. Disposes `per` when reducing.
 */
function reduceLoss(per: Tensor, reduction: Reduction, divisor: number): Tensor {
  if (reduction === 'none') return per;
  const out = Tensor.empty([]);
  if (per.size === 0) {
    kernels().fill_f32(out.ptr, 1, reduction === 'sum' ? 0 : NaN);
  } else {
    kernels().reduce_f32(RED_SUM, per.ptr, out.ptr, 1, per.size, 1);
    if (reduction === 'mean') kernels().scale_f32(out.ptr, out.ptr, 1, 1 / divisor);
  }
  per.dispose();
  return out;
}

/** How a gradient kernel reads the upstream gradient: one scalar (reduced loss) or one per element. */
interface Upstream {
  stride: number;
  scale: number;
}

function upstreamOf(reduction: Reduction, divisor: number): Upstream {
  return { stride: reduction === 'none' ? 1 : 0, scale: reduction === 'mean' ? 1 / divisor : 1 };
}

function pointwise(op: string, kernel: LossKernel, input: Tensor, target: Tensor, reduction: Reduction, param: number, divisor: number, targetGrad: boolean): Tensor {
  const per = Tensor.empty(input.shape);
  kernels().pointwise_loss_f32(kernel, input.ptr, target.ptr, per.ptr, per.size, param);
  const out = reduceLoss(per, reduction, divisor);
  const up = upstreamOf(reduction, divisor);
  const grad = (dy: Tensor, wrt: 0 | 1): Tensor => {
    if (kernel === LossKernel.Mse && isGradEnabled()) {
      // Recording (createGraph): ±2·(input − target)·dy·scale from recorded ops.
      const g = mul(mul(sub(input, target), 2 * up.scale), dy);
      return wrt === 0 ? g : neg(g);
    }
    const dx = Tensor.empty(input.shape);
    kernels().pointwise_loss_grad_f32(kernel, wrt, input.ptr, target.ptr, dy.ptr, up.stride, up.scale, dx.ptr, dx.size, param);
    return dx;
  };
  const rule: GradNode['backward'] = (dy) => [() => grad(dy, 0), targetGrad ? () => grad(dy, 1) : null];
  // Only mseLoss has a recorded form of its gradient so far.
  return record(out, op, [input, target], kernel === LossKernel.Mse ? composed(rule) : rule);
}

/** Mean squared error: (input − target)², reduced. */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkSameShape('mseLoss', input, target);
  return pointwise('mseLoss', LossKernel.Mse, input, target, reductionOf('mseLoss', options), 0, input.size, true);
}

/** Mean absolute error: |input − target|, reduced. The gradient at input == target is 0. */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkSameShape('l1Loss', input, target);
  return pointwise('l1Loss', LossKernel.L1, input, target, reductionOf('l1Loss', options), 0, input.size, true);
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (> 0). Default 1. */
  delta?: number;
}

/** Huber loss: ½d² where |d| < delta, delta·(|d| − ½delta) elsewhere (d = input − target). */
export function huberLoss(input: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  checkSameShape('huberLoss', input, target);
  const delta = options.delta ?? 1;
  if (!(delta > 0) || !Number.isFinite(delta)) throw new ValueError(`huberLoss: delta must be a positive finite number, got ${delta}`);
  return pointwise('huberLoss', LossKernel.Huber, input, target, reductionOf('huberLoss', options), delta, input.size, true);
}

export interface HingeOptions extends LossOptions {
  /** Default 1. */
  margin?: number;
}

/**
 * Hinge loss max(0, margin − y·score) for labels y in {−1, +1} (a ValueError otherwise). The
 * gradient is −y where the margin is violated and 0 at the kink; y takes no gradient.
 */
export function hingeLoss(scores: Tensor, y: Tensor, options: HingeOptions = {}): Tensor {
  checkSameShape('hingeLoss', scores, y, ['scores', 'y']);
  const margin = options.margin ?? 1;
  if (!Number.isFinite(margin)) throw new ValueError(`hingeLoss: margin must be finite, got ${margin}`);
  const reduction = reductionOf('hingeLoss', options);
  const bad = kernels().first_not_sign_f32(y.ptr, y.size);
  if (bad >= 0) {
    throw new ValueError(`hingeLoss: labels must be −1 or +1, got ${y.data[bad]} at index ${fmtIndex(bad, y.shape)} of y ${fmtShape(y.shape)}`);
  }
  return pointwise('hingeLoss', LossKernel.Hinge, scores, y, reduction, margin, scores.size, false);
}

/**
 * KL(N(mu, exp(logvar)) ‖ N(0, I)) = −½·Σ(1 + logvar − mu² − exp(logvar)), summed over the last
 * (latent) dimension and averaged over the leading (batch) dimensions; shape [].
 */
export function klNormal(mu: Tensor, logvar: Tensor): Tensor {
  checkSameShape('klNormal', mu, logvar, ['mu', 'logvar']);
  if (mu.rank === 0) throw new ShapeError(`klNormal: mu must have a latent dimension, got shape ${fmtShape(mu.shape)}`);
  const batch = sizeOf(mu.shape.slice(0, -1));
  return pointwise('klNormal', LossKernel.KlNormal, mu, logvar, 'mean', 0, batch, true);
}

// ---------------------------------------------------------------------------------------------

export interface BceWithLogitsOptions extends LossOptions {
  /** Rescales each element's loss; broadcast to the logits' shape. Takes no gradient. */
  weight?: Tensor;
  /** Weight of the positive term, broadcast to the logits' shape (e.g. [C] for [N, C]). Takes no gradient. */
  posWeight?: Tensor;
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
  const one = floatArg(1);
  const { meta, rank } = broadcastMeta(shape, [t.shape, []]);
  kernels().binary_f32(OP_MUL, t.ptr, one, out.ptr, meta, rank);
  return { tensor: out, owned: true };
}

/**
 * Binary cross entropy on logits: −w·[pw·y·log σ(x) + (1 − y)·log(1 − σ(x))], computed as
 * (1 − y)·x + (1 + (pw − 1)·y)·softplus(−x), finite for any logit. Gradient: w·((1 + (pw−1)·y)·σ(x) − pw·y)
 * for the logits (σ(x) − y without weights) and the target takes one too, as in PyTorch.
 */
export function bceWithLogits(logits: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  const op = 'bceWithLogits';
  checkSameShape(op, logits, target, ['logits', 'target']);
  const reduction = reductionOf(op, options);
  const w = options.weight === undefined ? null : expandOperand(op, 'weight', options.weight, logits.shape);
  const pw = options.posWeight === undefined ? null : expandOperand(op, 'posWeight', options.posWeight, logits.shape);
  const per = Tensor.empty(logits.shape);
  kernels().bce_logits_f32(logits.ptr, target.ptr, w?.tensor.ptr ?? 0, pw?.tensor.ptr ?? 0, per.ptr, per.size);
  const out = reduceLoss(per, reduction, logits.size);
  const up = upstreamOf(reduction, logits.size);
  const grad = (dy: Tensor, wrt: 0 | 1): Tensor => {
    if (isGradEnabled()) return bceRecordedGrad(wrt, logits, target, w?.tensor ?? null, pw?.tensor ?? null, mul(dy, up.scale));
    const dx = Tensor.empty(logits.shape);
    kernels().bce_logits_grad_f32(wrt, logits.ptr, target.ptr, w?.tensor.ptr ?? 0, pw?.tensor.ptr ?? 0, dy.ptr, up.stride, up.scale, dx.ptr, dx.size);
    return dx;
  };
  const recorded = record(out, op, [logits, target], composed((dy) => [() => grad(dy, 0), () => grad(dy, 1)]));
  // Expanded copies live as long as the graph needs them; without a graph they go now.
  if (recorded.node === null) {
    if (w?.owned) w.tensor.dispose();
    if (pw?.owned) pw.tensor.dispose();
  }
  return recorded;
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
  weight?: Tensor;
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
    const bytes = Math.max(4, n * 4);
    const buf = heap().alloc(bytes);
    try {
      const bad = kernels().ce_labels_i32(labels.ptr, buf, n, c, ignoreIndex);
      if (bad >= 0) throw badLabel(bad, labelShape, labels.data[bad] as number, c, ignoreIndex);
      return heap().i32.slice(buf >>> 2, (buf >>> 2) + n);
    } finally {
      heap().release(buf, bytes);
    }
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

// Runs `fn` with the labels copied into linear memory.
function withLabels<T>(labels: Int32Array, fn: (ptr: number) => T): T {
  const bytes = Math.max(4, labels.length * 4);
  const ptr = heap().alloc(bytes);
  try {
    heap().i32.set(labels, ptr >>> 2);
    return fn(ptr);
  } finally {
    heap().release(ptr, bytes);
  }
}

/**
 * Cross entropy between logits [N, C] (also [C], and [N, C, d1, …] with labels [N, d1, …]) and
 * integer class labels, from a max-subtracted log-sum-exp (finite for logits of ±1e4). With
 * class weights, 'mean' divides by the sum of the picked weights (PyTorch); ignored positions
 * count for nothing. Only the logits take a gradient.
 */
export function crossEntropy(logits: Tensor, labels: Labels, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  logits.assertLive(op);
  if (logits.rank === 0) throw new ShapeError(`crossEntropy: logits must be [C], [N, C] or [N, C, d1, …], got shape ${fmtShape(logits.shape)}`);
  const reduction = reductionOf(op, options);
  const classAxis = logits.rank === 1 ? 0 : 1;
  const c = logits.shape[classAxis] as number;
  if (c === 0) throw new ShapeError(`crossEntropy: logits of shape ${fmtShape(logits.shape)} have no classes`);
  const labelShape = logits.shape.filter((_, d) => d !== classAxis);
  const outer = logits.rank === 1 ? 1 : (logits.shape[0] as number);
  const inner = sizeOf(logits.shape.slice(classAxis + 1));
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) throw new ValueError(`crossEntropy: labelSmoothing must be in [0, 1], got ${smoothing}`);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new ValueError(`crossEntropy: ignoreIndex must be an integer, got ${ignoreIndex}`);
  const weight = options.weight;
  if (weight !== undefined) {
    weight.assertLive(op);
    if (!sameShape(weight.shape, [c])) {
      throw new ShapeError(`crossEntropy: weight of shape ${fmtShape(weight.shape)} does not match ${c} classes of logits ${fmtShape(logits.shape)}: expected [${c}]`);
    }
  }
  const ids = readLabels(labels, labelShape, c, ignoreIndex);
  const n = ids.length;
  const per = Tensor.empty(labelShape);
  let divisor = n;
  withLabels(ids, (lp) => {
    // n per-position denominators, then their sum.
    const denBytes = (n + 1) * 4;
    const den = heap().alloc(denBytes);
    try {
      kernels().cross_entropy_f32(logits.ptr, lp, weight?.ptr ?? 0, per.ptr, den, outer, c, inner, smoothing, ignoreIndex);
      if (reduction === 'mean' && n > 0) {
        const total = den + n * 4;
        kernels().reduce_f32(RED_SUM, den, total, 1, n, 1);
        divisor = heap().f32[total >>> 2] as number;
      }
    } finally {
      heap().release(den, denBytes);
    }
  });
  const out = reduceLoss(per, reduction, divisor);
  const up = upstreamOf(reduction, divisor);
  return record(out, op, [logits], composed((dy) => [
    () => {
      if (isGradEnabled()) return crossEntropyRecordedGrad(logits, ids, weight ?? null, smoothing, ignoreIndex, c, inner, mul(dy, up.scale));
      const dx = Tensor.empty(logits.shape);
      withLabels(ids, (lp) =>
        kernels().cross_entropy_grad_f32(logits.ptr, lp, weight?.ptr ?? 0, dy.ptr, up.stride, up.scale, dx.ptr, outer, c, inner, smoothing, ignoreIndex),
      );
      return dx;
    },
  ]));
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
