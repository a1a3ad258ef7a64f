// The kernel calls of the losses (src/ops/losses.ts): assembly/losses.ts. The gradient kernels
// read the upstream gradient with a stride (0: one scalar for a reduced loss) and a scale.
import { type PointwiseLoss, ReduceOp } from '../backend/generated/opcodes.js';
import { heap, kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';

/** How a gradient kernel reads the upstream gradient: one scalar (reduced loss) or one per element. */
export interface Upstream {
  stride: number;
  scale: number;
}

/** out (one element) = Σ per, divided by `divisor` for 'mean'; an empty per gives 0 or NaN, as in PyTorch. */
export function reduceLossInto(per: Tensor, out: Tensor, reduction: 'mean' | 'sum', divisor: number): void {
  const k = kernels();
  if (per.size === 0) {
    k.fill_f32(out.ptr, 1, reduction === 'sum' ? 0 : NaN);
  } else {
    k.reduce_f32(ReduceOp.Sum, per.ptr, out.ptr, 1, per.size, 1);
    if (reduction === 'mean') k.scale_f32(out.ptr, out.ptr, 1, 1 / divisor);
  }
}

/** per = loss(x, t) elementwise; param: Huber's delta or the hinge margin. */
export function pointwiseLossForward(op: PointwiseLoss, x: Tensor, t: Tensor, per: Tensor, param: number): void {
  kernels().pointwise_loss_f32(op, x.ptr, t.ptr, per.ptr, per.size, param);
}

/** dx = the loss's gradient with respect to x (wrt 0) or t (wrt 1), times the upstream dy. */
export function pointwiseLossBackward(op: PointwiseLoss, wrt: 0 | 1, x: Tensor, t: Tensor, dy: Tensor, up: Upstream, dx: Tensor, param: number): void {
  kernels().pointwise_loss_grad_f32(op, wrt, x.ptr, t.ptr, dy.ptr, up.stride, up.scale, dx.ptr, dx.size, param);
}

/** The flat index of the first element of y that is not −1 or +1, or −1 when there is none. */
export function firstNotSign(y: Tensor): number {
  return kernels().first_not_sign_f32(y.ptr, y.size);
}

/** per = binary cross entropy on logits x with targets y, optional weights w and positive weights pw (x's shape). */
export function bceLogitsForward(x: Tensor, y: Tensor, w: Tensor | null, pw: Tensor | null, per: Tensor): void {
  kernels().bce_logits_f32(x.ptr, y.ptr, w?.ptr ?? 0, pw?.ptr ?? 0, per.ptr, per.size);
}

/** dx = its gradient with respect to the logits (wrt 0) or the targets (wrt 1), times the upstream dy. */
export function bceLogitsBackward(wrt: 0 | 1, x: Tensor, y: Tensor, w: Tensor | null, pw: Tensor | null, dy: Tensor, up: Upstream, dx: Tensor): void {
  kernels().bce_logits_grad_f32(wrt, x.ptr, y.ptr, w?.ptr ?? 0, pw?.ptr ?? 0, dy.ptr, up.stride, up.scale, dx.ptr, dx.size);
}

/**
 * The n labels of a tensor as int32, checked to be integers in [0, c) or ignoreIndex: the labels,
 * or the flat index of the first bad one.
 */
export function labelsFrom(labels: Tensor, n: number, c: number, ignoreIndex: number): Int32Array | number {
  const bytes = Math.max(4, n * 4);
  const buf = heap().alloc(bytes);
  try {
    const bad = kernels().ce_labels_i32(labels.ptr, buf, n, c, ignoreIndex);
    return bad >= 0 ? bad : heap().i32.slice(buf >>> 2, (buf >>> 2) + n);
  } finally {
    heap().release(buf, bytes);
  }
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

/** Where cross entropy reads its logits [outer, c, inner] and labels, and how. */
export interface CrossEntropyJob {
  logits: Tensor;
  ids: Int32Array;
  weight: Tensor | null;
  outer: number;
  c: number;
  inner: number;
  smoothing: number;
  ignoreIndex: number;
}

/**
 * per = cross entropy at each position; returns the sum of the per-position denominators (the
 * picked class weights; ignored positions count 0) when `wantDenominator`, else NaN.
 */
export function crossEntropyForward(j: CrossEntropyJob, per: Tensor, wantDenominator: boolean): number {
  const n = j.ids.length;
  let total = NaN;
  withLabels(j.ids, (lp) => {
    // n per-position denominators, then their sum.
    const denBytes = (n + 1) * 4;
    const den = heap().alloc(denBytes);
    try {
      kernels().cross_entropy_f32(j.logits.ptr, lp, j.weight?.ptr ?? 0, per.ptr, den, j.outer, j.c, j.inner, j.smoothing, j.ignoreIndex);
      if (wantDenominator && n > 0) {
        const at = den + n * 4;
        kernels().reduce_f32(ReduceOp.Sum, den, at, 1, n, 1);
        total = heap().f32[at >>> 2] as number;
      }
    } finally {
      heap().release(den, denBytes);
    }
  });
  return total;
}

/** dx = the gradient of cross entropy with respect to the logits, times the upstream dy. */
export function crossEntropyBackward(j: CrossEntropyJob, dy: Tensor, up: Upstream, dx: Tensor): void {
  withLabels(j.ids, (lp) =>
    kernels().cross_entropy_grad_f32(j.logits.ptr, lp, j.weight?.ptr ?? 0, dy.ptr, up.stride, up.scale, dx.ptr, j.outer, j.c, j.inner, j.smoothing, j.ignoreIndex),
  );
}
