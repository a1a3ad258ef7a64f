// Smooth convex objectives of a linear model s = x·Wᵀ + b and the two-stage solve used by the
// ready-made models:
//   F(W, b) = (1/m)·[Σᵢ vᵢ·loss(sᵢ, yᵢ) + (l2/2)·‖W‖² + l1·‖W‖₁]   (b is never penalised)
// with per-row weights vᵢ > 0 (class weights; all 1 by default) and m = Σᵢ vᵢ (n unweighted), so
// that tol reads as a gradient of the mean weighted loss.
// The solver works on standardized columns x̃ = (x − μ)/σ (μ = 0 without an intercept), with
// W = V/σ and b = b̃ − W·μ: the same problem with a diagonal penalty ½·Σ (V/σ)², a change of
// variables that makes raw-scale features (amounts in the 1e5s beside ratios) as quick to fit as
// standardized ones — a diagonal preconditioner for free.
// Stage 1 runs L-BFGS (OWL-QN with l1) on F evaluated by fingrad ops on the whole dataset with
// the gradient from autograd — float32, the engine's SIMD kernels doing the O(n·d·k) work.
// Float32 rounding leaves the gradient with noise of ~1e-7 of its terms, which limits how far
// that stage can go; stage 2 continues the same iteration, with the curvature pairs it built,
// on a float64 evaluation of F on the host, and usually needs only a few steps to reach `tol`.
import { backward } from '../../autograd/backward.js';
import { enableGrad } from '../../autograd/graph.js';
import { zeroGrad } from '../../autograd/backward.js';
import { add, mul, neg } from '../../ops/binary.js';
import { linear } from '../../ops/linear.js';
import { bceWithLogits, crossEntropy } from '../../ops/losses.js';
import { sum } from '../../ops/reduce.js';
import { relu, square } from '../../ops/unary.js';
import { zeros } from '../../tensor/creation.js';
import { keep, tidy } from '../../tensor/scope.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Design } from './design.js';
import { type ObjectiveFn, type StopReason, minimizeLbfgs } from './lbfgs.js';

/** x standardized column by column, as a tensor and as a float64 copy; dispose() frees the tensor. */
export interface Standardized {
  x: Tensor;
  host: Float64Array;
  n: number;
  d: number;
  /** Column means (zeros without an intercept). */
  mu: Float64Array;
  /** Column scales σ (the standard deviation, or the RMS without an intercept; 1 for a zero column). */
  sigma: Float64Array;
  dispose(): void;
}

/** Standardizes the columns of a design (centring them only when there is an intercept). */
export function standardize(design: Design, fitIntercept: boolean): Standardized {
  const { host, n, d } = design;
  const mu = new Float64Array(d);
  const sigma = new Float64Array(d);
  if (fitIntercept) {
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) + (host[i * d + j] as number);
    for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) / n;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) sigma[j] = (sigma[j] as number) + ((host[i * d + j] as number) - (mu[j] as number)) ** 2;
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt((sigma[j] as number) / n);
    sigma[j] = s > 0 ? s : 1;
  }
  const scaled = Float64Array.from(host, (v, k) => (v - (mu[k % d] as number)) / (sigma[k % d] as number));
  const x = keep(Tensor.empty([n, d]));
  x.data.set(scaled);
  return { x, host: scaled, n, d, mu, sigma, dispose: () => x.dispose() };
}

/**
 * - 'logistic': log(1 + e^s) − y·s for y ∈ {0, 1} (one output);
 * - 'multinomial': log Σ_c e^{s_c} − s_y for y a class index (k outputs);
 * - 'squaredHinge': max(0, 1 − y·s)² for y ∈ {−1, +1} (one output).
 */
export type LinearLoss = 'logistic' | 'multinomial' | 'squaredHinge';

export interface LinearProblem {
  design: Standardized;
  loss: LinearLoss;
  /** Per row: 0/1 ('logistic'), ±1 ('squaredHinge') or the class index ('multinomial'). */
  target: Float64Array;
  /** Outputs k: 1, or the number of classes for 'multinomial'. */
  outputs: number;
  fitIntercept: boolean;
  /** Weight of ½‖W‖² against the summed loss (1/C, or 0). */
  l2: number;
  /** Weight of ‖W‖₁ against the summed loss (1/C, or 0). */
  l1: number;
  /** Per-row weights vᵢ > 0 multiplying each row's loss (omitted or null: all 1). */
  sampleWeight?: Float64Array | null;
}

export interface LinearSolveOptions {
  maxIter: number;
  /**
   * Stop when max |∂F/∂θ| ≤ tol (pseudo-gradient with l1), θ the coefficients of the
   * standardized columns and the intercept.
   */
  tol: number;
}

export interface LinearSolution {
  /** [k, d] row-major, for the original columns. */
  coef: Float64Array;
  /** [k] (zeros without an intercept). */
  intercept: Float64Array;
  /** F at the solution, times m: Σ vᵢ·loss + penalty. */
  objective: number;
  gradMax: number;
  /** Iterations of the float32 stage and of the float64 stage. */
  iterations: [number, number];
  reason: StopReason;
  converged: boolean;
}

/** Relative decrease below which the float32 stage has reached its rounding noise. */
const FLOAT32_FTOL = 1e-7;
const FLOAT64_FTOL = 1e-15;

/** m = Σ vᵢ, the divisor of F (n without weights). */
function weightTotal(p: LinearProblem): number {
  const v = p.sampleWeight;
  if (v === undefined || v === null) return p.design.n;
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i] as number;
  return m;
}

function paramCount(p: LinearProblem): number {
  return p.outputs * p.design.d + (p.fitIntercept ? p.outputs : 0);
}

/** 1/σⱼ² per column: the weights of the L2 penalty on the standardized coefficients. */
function penaltyWeights(p: LinearProblem): Float64Array {
  return Float64Array.from(p.design.sigma, (s) => 1 / (s * s));
}

/** F and its gradient by fingrad ops and backward(); owns its tensors until disposed. */
function tensorObjective(p: LinearProblem): { fn: ObjectiveFn; dispose: () => void } {
  const { x, n, d } = p.design;
  const k = p.outputs;
  const m = weightTotal(p);
  const w = keep(zeros([k, d], { requiresGrad: true }));
  const b = p.fitIntercept ? keep(zeros([k], { requiresGrad: true })) : null;
  const kd = k * d;
  const owned: Tensor[] = [w, ...(b === null ? [] : [b])];
  const weights = keep(Tensor.empty([d]));
  weights.data.set(penaltyWeights(p));
  owned.push(weights);
  let rowWeights: Tensor | null = null;
  if (p.sampleWeight !== undefined && p.sampleWeight !== null) {
    // [n] for crossEntropy's per-row losses, [n, 1] for the single-output losses.
    rowWeights = keep(Tensor.empty(p.loss === 'multinomial' ? [n] : [n, 1]));
    rowWeights.data.set(p.sampleWeight);
    owned.push(rowWeights);
  }
  const summed = (per: Tensor): Tensor => sum(rowWeights === null ? per : mul(per, rowWeights));
  let target: Tensor | null = null;
  let labels: Int32Array | null = null;
  if (p.loss === 'multinomial') labels = Int32Array.from(p.target);
  else {
    target = keep(Tensor.empty([n, 1]));
    target.data.set(p.target);
    owned.push(target);
  }
  const fn: ObjectiveFn = (theta, grad) =>
    enableGrad(() =>
      tidy(() => {
        w.data.set(theta.subarray(0, kd));
        if (b !== null) b.data.set(theta.subarray(kd));
        const s = linear(x, w, b);
        let loss: Tensor;
        if (p.loss === 'logistic') {
          loss = rowWeights === null ? bceWithLogits(s, target as Tensor, { reduction: 'sum' }) : bceWithLogits(s, target as Tensor, { reduction: 'sum', weight: rowWeights });
        } else if (p.loss === 'multinomial') loss = summed(crossEntropy(s, labels as Int32Array, { reduction: 'none' }));
        else loss = summed(square(relu(add(neg(mul(s, target as Tensor)), 1))));
        if (p.l2 > 0) loss = add(loss, mul(sum(mul(square(w), weights)), p.l2 / 2));
        const f = mul(loss, 1 / m);
        backward(f);
        const value = f.item();
        grad.set((w.grad as Tensor).data);
        if (b !== null) grad.set((b.grad as Tensor).data, kd);
        zeroGrad(b === null ? [w] : [w, b]);
        return value;
      }),
    );
  return { fn, dispose: () => owned.forEach((t) => t.dispose()) };
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The float64 twin of tensorObjective, as plain loops on the host copy of x. */
function hostObjective(p: LinearProblem): ObjectiveFn {
  const { host, n, d } = p.design;
  const k = p.outputs;
  const kd = k * d;
  const weights = penaltyWeights(p);
  const m = weightTotal(p);
  const v = p.sampleWeight ?? null;
  const s = new Float64Array(k);
  const ds = new Float64Array(k);
  return (theta, grad) => {
    grad.fill(0);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let c = 0; c < k; c++) {
        let z = p.fitIntercept ? (theta[kd + c] as number) : 0;
        const wc = c * d;
        for (let j = 0; j < d; j++) z += (theta[wc + j] as number) * (host[row + j] as number);
        s[c] = z;
      }
      const y = p.target[i] as number;
      const vi = v === null ? 1 : (v[i] as number);
      if (p.loss === 'logistic') {
        const z = s[0] as number;
        total += vi * (softplus(z) - y * z);
        ds[0] = 1 / (1 + Math.exp(-z)) - y;
      } else if (p.loss === 'squaredHinge') {
        const u = 1 - y * (s[0] as number);
        if (u > 0) {
          total += vi * u * u;
          ds[0] = -2 * y * u;
        } else ds[0] = 0;
      } else {
        let top = -Infinity;
        for (let c = 0; c < k; c++) top = Math.max(top, s[c] as number);
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.exp((s[c] as number) - top);
        total += vi * (top + Math.log(sum) - (s[y] as number));
        for (let c = 0; c < k; c++) ds[c] = Math.exp((s[c] as number) - top) / sum - (c === y ? 1 : 0);
      }
      for (let c = 0; c < k; c++) {
        const g = vi * (ds[c] as number);
        if (g === 0) continue;
        const wc = c * d;
        for (let j = 0; j < d; j++) grad[wc + j] = (grad[wc + j] as number) + g * (host[row + j] as number);
        if (p.fitIntercept) grad[kd + c] = (grad[kd + c] as number) + g;
      }
    }
    if (p.l2 > 0) {
      let sq = 0;
      for (let q = 0; q < kd; q++) {
        const wq = theta[q] as number;
        const pw = weights[q % d] as number;
        sq += pw * wq * wq;
        grad[q] = (grad[q] as number) + p.l2 * pw * wq;
      }
      total += (p.l2 / 2) * sq;
    }
    for (let j = 0; j < grad.length; j++) grad[j] = (grad[j] as number) / m;
    return total / m;
  };
}

/** Minimises F: float32 stage on fingrad, then the float64 stage from where it stopped. */
export function solveLinear(p: LinearProblem, options: LinearSolveOptions): LinearSolution {
  const { d, mu, sigma } = p.design;
  const k = p.outputs;
  const size = paramCount(p);
  const m = weightTotal(p);
  let l1: Float64Array | null = null;
  if (p.l1 > 0) {
    // |Wⱼ| = |Vⱼ|/σⱼ
    l1 = new Float64Array(size);
    for (let q = 0; q < k * d; q++) l1[q] = p.l1 / (m * (sigma[q % d] as number));
  }
  const staged = tensorObjective(p);
  let first;
  try {
    first = minimizeLbfgs(staged.fn, new Float64Array(size), { maxIter: options.maxIter, gtol: options.tol, ftol: FLOAT32_FTOL, l1 });
  } finally {
    staged.dispose();
  }
  const second = minimizeLbfgs(hostObjective(p), first.theta, {
    maxIter: options.maxIter,
    gtol: options.tol,
    ftol: FLOAT64_FTOL,
    l1,
    curvature: first.curvature,
  });
  const theta = second.theta;
  const coef = new Float64Array(k * d);
  const intercept = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let b = p.fitIntercept ? (theta[k * d + c] as number) : 0;
    for (let j = 0; j < d; j++) {
      const w = (theta[c * d + j] as number) / (sigma[j] as number);
      coef[c * d + j] = w;
      b -= w * (mu[j] as number);
    }
    intercept[c] = b;
  }
  if (p.loss === 'multinomial') {
    // Softmax ignores a constant added to every class: without a penalty pinning them, centre
    // the intercepts (and, with no penalty at all, the weights) across classes.
    if (p.fitIntercept) centreAcrossClasses(intercept, k, 1);
    if (p.l1 === 0 && p.l2 === 0) centreAcrossClasses(coef, k, d);
  }
  return {
    coef,
    intercept,
    objective: second.value * m,
    gradMax: second.gradMax,
    iterations: [first.iterations, second.iterations],
    reason: second.reason,
    converged: second.reason === 'gtol' || second.reason === 'ftol',
  };
}

function centreAcrossClasses(m: Float64Array, k: number, d: number): void {
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let c = 0; c < k; c++) mean += m[c * d + j] as number;
    mean /= k;
    for (let c = 0; c < k; c++) m[c * d + j] = (m[c * d + j] as number) - mean;
  }
}
