// The few-row prediction path (Issue #13: a scoring service sends one applicant at a time).
// Up to SMALL_BATCH rows are read on the host (./input.ts `readRows`, the same checks and errors
// as the batch path) and scored in float64 from float64 copies of the parameters: a validation
// and a few dot products instead of a tensor, a tidy scope and a kernel call per op. Larger
// batches take the tensor path, where the GEMM kernels pay off. Results agree with the batch
// path to float32 rounding (test/models/small-batch.test.ts).
import { ReLU, Sigmoid, Tanh } from '../nn/activations.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';

/** A result tensor [shape] of values the host path computed (finite by construction: no checks). */
export function hostResult(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  const t = Tensor.empty(shape);
  t.data.set(values);
  return t;
}

/** Rows up to which predictions run on the host in float64. */
export const SMALL_BATCH = 16;

/** Row-major [n, k] = rows · Wᵀ + b in float64 (W [k, d] row-major; b [k] or null), into `z` if given. */
export function hostLinear(rows: Float64Array, n: number, w: Float64Array, b: Float64Array | null, k: number, z: Float64Array = new Float64Array(n * k)): Float64Array {
  const d = (w.length / k) | 0;
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    for (let r = 0; r < k; r++) {
      const wo = r * d;
      // Four independent sums: the adds of one chain wait for each other, four chains overlap.
      let s0 = b === null ? 0 : (b[r] as number);
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        s0 += (w[wo + j] as number) * (rows[xo + j] as number);
        s1 += (w[wo + j + 1] as number) * (rows[xo + j + 1] as number);
        s2 += (w[wo + j + 2] as number) * (rows[xo + j + 2] as number);
        s3 += (w[wo + j + 3] as number) * (rows[xo + j + 3] as number);
      }
      for (; j < d; j++) s0 += (w[wo + j] as number) * (rows[xo + j] as number);
      z[i * k + r] = s0 + s1 + (s2 + s3);
    }
  }
  return z;
}

/** σ(z), from the side where exp cannot overflow. */
export function hostSigmoid(z: number): number {
  const e = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}

const RELU = 0;
const TANH = 1;
const SIGMOID = 2;

/** A stack of Linear layers and activations as the host path runs it, built once per network. */
export interface HostPlan {
  /** Per layer: an activation code, or the index in `params` of a Linear's weight (≥ 10). */
  steps: Int32Array;
  /** Output width of each Linear, by step. */
  widths: Int32Array;
  /** Each Linear's bias index in `params` (−1 without a bias), by step. */
  biases: Int32Array;
  /** The tensors the float64 copies are made of, in `params` order. */
  params: Tensor[];
  /** Each Linear's output for up to SMALL_BATCH rows, by step (reused: no allocation per call). */
  scratch: Float64Array[];
}

/** The host plan of `layers`, or null if one of them is not a Linear or an elementwise activation. */
export function hostPlan(layers: readonly Module[]): HostPlan | null {
  const params: Tensor[] = [];
  const steps = new Int32Array(layers.length);
  const widths = new Int32Array(layers.length);
  const biases = new Int32Array(layers.length).fill(-1);
  const scratch: Float64Array[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    if (l instanceof Linear) {
      steps[i] = 10 + params.push(l.weight) - 1;
      widths[i] = l.weight.shape[0] as number;
      scratch[i] = new Float64Array(SMALL_BATCH * (widths[i] as number));
      if (l.bias !== null) biases[i] = params.push(l.bias) - 1;
    } else if (l instanceof ReLU) steps[i] = RELU;
    else if (l instanceof Tanh) steps[i] = TANH;
    else if (l instanceof Sigmoid) steps[i] = SIGMOID;
    else return null;
  }
  return { steps, widths, biases, params, scratch };
}

/**
 * The forward of a host plan in float64 on n ≤ SMALL_BATCH rows: `values` are the float64
 * copies of `plan.params`. Returns [n, outputs] row-major in the first n·k entries of `z` (the
 * plan's scratch: read it before the next call) and the output width k.
 */
export function runHostPlan(plan: HostPlan, values: readonly Float64Array[], rows: Float64Array, n: number): { z: Float64Array; k: number } {
  let z = rows;
  let k = rows.length / n;
  const { steps, widths, biases } = plan;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as number;
    if (step >= 10) {
      const bi = biases[i] as number;
      k = widths[i] as number;
      z = hostLinear(z, n, values[step - 10] as Float64Array, bi < 0 ? null : (values[bi] as Float64Array), k, plan.scratch[i]);
    } else if (step === RELU) {
      for (let j = 0; j < n * k; j++) if ((z[j] as number) < 0) z[j] = 0;
    } else if (step === TANH) {
      for (let j = 0; j < n * k; j++) z[j] = Math.tanh(z[j] as number);
    } else {
      for (let j = 0; j < n * k; j++) z[j] = hostSigmoid(z[j] as number);
    }
  }
  return { z, k };
}

/**
 * Class probabilities [n, classes] from logits [n, k] (the first n·k entries of z): a sigmoid on
 * one logit (two classes), else a stable softmax; into `out` if given (a result tensor's data).
 */
export function hostProbabilities<A extends Float64Array | Float32Array = Float64Array>(z: Float64Array, n: number, k: number, out?: A): A {
  if (k === 1) {
    out ??= new Float64Array(2 * n) as A;
    for (let i = 0; i < n; i++) {
      const p = hostSigmoid(z[i] as number);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  out ??= new Float64Array(n * k) as A;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, z[i * k + c] as number);
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp((z[i * k + c] as number) - m);
    for (let c = 0; c < k; c++) out[i * k + c] = Math.exp((z[i * k + c] as number) - m) / s;
  }
  return out;
}

/** The arg-max column of each row of [n, k] (the first on ties, as argmax). */
export function hostArgmax(p: ArrayLike<number>, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if ((p[i * k + c] as number) > (p[i * k + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}
