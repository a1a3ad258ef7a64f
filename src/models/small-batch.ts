// The few-row prediction path (Issue #13: a scoring service sends one applicant at a time).
// Up to SMALL_BATCH rows are read on the host (./input.ts `readRows`, the same checks and errors
// as the batch path) and scored in float64 from float64 copies of the parameters: a validation
// and a few dot products instead of a tensor, a tidy scope and a kernel call per op. Larger
// batches take the tensor path, where the GEMM kernels pay off. Results agree with the batch
// path to float32 rounding (test/models/small-batch.test.ts).
import { ReLU, Sigmoid, Tanh } from '../nn/activations.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';

/** Rows up to which predictions run on the host in float64. */
export const SMALL_BATCH = 16;

/** Row-major [n, k] = rows · Wᵀ + b in float64 (W [k, d] row-major; b [k] or null). */
export function hostLinear(rows: Float64Array, n: number, w: Float64Array, b: Float64Array | null, k: number): Float64Array {
  const d = w.length / k;
  const z = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < k; r++) {
      let s = b === null ? 0 : (b[r] as number);
      for (let j = 0; j < d; j++) s += (w[r * d + j] as number) * (rows[i * d + j] as number);
      z[i * k + r] = s;
    }
  }
  return z;
}

/** σ(z), from the side where exp cannot overflow. */
export function hostSigmoid(z: number): number {
  const e = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}

const ACTIVATIONS: ReadonlyArray<[abstract new (...a: never[]) => Module, (v: number) => number]> = [
  [ReLU, (v) => (v > 0 ? v : 0)],
  [Tanh, Math.tanh],
  [Sigmoid, hostSigmoid],
];

/** The parameters `hostStack` reads, in its order: each Linear's weight, then its bias if any. */
export function stackParameters(layers: readonly Module[]): Tensor[] {
  return layers.flatMap((l) => (l instanceof Linear ? [l.weight, ...(l.bias === null ? [] : [l.bias])] : []));
}

/** Whether every layer is one `hostStack` can run (Linear or an elementwise activation). */
export function hostRunnable(layers: readonly Module[]): boolean {
  return layers.every((l) => l instanceof Linear || ACTIVATIONS.some(([c]) => l instanceof c));
}

/**
 * The forward of a stack of Linear layers and activations in float64: `params` are the float64
 * copies of `stackParameters(layers)`. Returns [n, outputs] row-major and the output width.
 */
export function hostStack(layers: readonly Module[], params: readonly Float64Array[], rows: Float64Array, n: number): { z: Float64Array; k: number } {
  let z = rows;
  let k = rows.length / n;
  let p = 0;
  for (const layer of layers) {
    if (layer instanceof Linear) {
      const w = params[p++] as Float64Array;
      const b = layer.bias === null ? null : (params[p++] as Float64Array);
      k = layer.weight.shape[0] as number;
      z = hostLinear(z, n, w, b, k);
    } else {
      const f = (ACTIVATIONS.find(([c]) => layer instanceof c) as [unknown, (v: number) => number])[1];
      z = z.map(f);
    }
  }
  return { z, k };
}

/** Class probabilities [n, classes] from logits: a sigmoid on one logit (two classes), else a stable softmax. */
export function hostProbabilities(z: Float64Array, n: number, k: number): Float64Array {
  if (k === 1) {
    const out = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const p = hostSigmoid(z[i] as number);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, z[i * k + c] as number);
    let s = 0;
    for (let c = 0; c < k; c++) s += out[i * k + c] = Math.exp((z[i * k + c] as number) - m);
    for (let c = 0; c < k; c++) out[i * k + c] = (out[i * k + c] as number) / s;
  }
  return out;
}

/** The arg-max column of each row of [n, k] (the first on ties, as argmax). */
export function hostArgmax(p: Float64Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if ((p[i * k + c] as number) > (p[i * k + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}
