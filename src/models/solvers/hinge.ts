// The hinge-loss SVM  min ½‖w‖² + Σ Cᵢ·max(0, 1 − yᵢ(w·xᵢ + b)),  b unpenalised, Cᵢ = C·vᵢ
// (vᵢ > 0 a row weight, 1 by default; the dual box is then 0 ≤ αᵢ ≤ Cᵢ), solved exactly
// in float64 on the host. The hinge is not differentiable, so this is where the models leave
// autograd. Two steps:
// 1. Smoothing continuation in the primal: the hinge is replaced by ℓₕ(u) (u = 1 − margin):
//    0 for u ≤ 0, u²/2h inside the band 0 < u < h, u − h/2 beyond — C¹ and piecewise quadratic,
//    so Newton's method (generalised Hessian, exact line search along the step) reaches its
//    minimiser in a few steps: once the band stops changing, the quadratic model is exact.
//    h starts at 2 (every row in the band) and shrinks tenfold per level, each level warm-started
//    from the last. Working in the d + 1 primal variables makes a step cost O(n·d + band·d² +
//    d³); large C, where dual coordinate descent (liblinear) crawls, costs nothing extra.
// 2. Cᵢ·ℓₕ′(uᵢ) ∈ [0, Cᵢ] estimates the dual variables αᵢ, so each level names the support-vector
//    sets: free (in the band), at C (beyond it), at 0 (margin ≥ 1); the KKT equations on those
//    sets give the exact optimum when they are consistent (hinge-kkt.ts). Otherwise the next
//    level, with a narrower band, names the sets again.
// With an intercept the columns are centred first (b absorbs the shift), which conditions the
// KKT equations; Newton also scales them to unit variance (a change of variables with a
// diagonal penalty), so raw-scale columns cost no more than standardized ones.
import type { Design } from './design.js';
import { AT_C, AT_ZERO, type Exact, FREE, exactFromSets, solveDense } from './hinge-kkt.js';

export interface HingeOptions {
  C: number;
  /** Per-row weights vᵢ > 0 (row i's bound is C·vᵢ); omitted or null: all 1. */
  sampleWeight?: Float64Array | null;
  fitIntercept: boolean;
  /**
   * When the exact solve does not confirm an answer, the band narrows until the smoothed
   * optimum is provably within tol (relative) of the optimal objective.
   */
  tol: number;
  /** Most Newton steps over all band widths. */
  maxIter: number;
}

export interface HingeSolution {
  coef: Float64Array;
  intercept: number;
  /** Dual variables αᵢ ∈ [0, C·vᵢ]. */
  alpha: Float64Array;
  /** Newton steps taken. */
  iterations: number;
  /** Whether the KKT equations confirmed the answer (it is then exact up to rounding). */
  exact: boolean;
  converged: boolean;
}

/** Newton steps per band width before moving on to the next. */
const MAX_STEPS_PER_LEVEL = 50;
/** Band widths go 2, 0.2, 0.02, … down to this (the smoothed optimum is then within Σ Cᵢ·1e-14 of the hinge optimum). */
const SMALLEST_BAND = 1e-14;

/** x minus its column means (written into mu). */
function centred(design: Design, mu: Float64Array): Float64Array {
  const { host, n, d } = design;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) + (host[i * d + j] as number);
  for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) / n;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = (host[i * d + j] as number) - (mu[j] as number);
  return out;
}

/** ℓₕ′(u): 0 at or below 0, u/h in the band, 1 beyond. */
function slopeOf(u: number, h: number): number {
  return u <= 0 ? 0 : u < h ? u / h : 1;
}

/**
 * The step length t > 0 minimising ½·Σ pwⱼ(wⱼ + t·Δwⱼ)² + Σ Cᵢ·ℓₕ(uᵢ − t·vᵢ) along a descent
 * direction (w, Δw: the first d entries; the intercept is not penalised):
 * its derivative is non-decreasing and piecewise linear in t, so its root is bracketed by
 * doubling and then found by regula falsi with bisection safeguards, O(n) per trial.
 */
function exactStep(w: Float64Array, dw: Float64Array, pw: Float64Array, u: Float64Array, v: Float64Array, C: Float64Array, h: number): number {
  let ww = 0;
  let wd = 0;
  for (let j = 0; j < pw.length; j++) {
    ww += (pw[j] as number) * (dw[j] as number) ** 2;
    wd += (pw[j] as number) * (w[j] as number) * (dw[j] as number);
  }
  const deriv = (t: number): number => {
    let g = wd + t * ww;
    for (let i = 0; i < u.length; i++) {
      const vi = v[i] as number;
      if (vi !== 0) g -= (C[i] as number) * slopeOf((u[i] as number) - t * vi, h) * vi;
    }
    return g;
  };
  let lo = 0;
  let glo = deriv(0);
  if (!(glo < 0)) return 0;
  let hi = 1;
  let ghi = deriv(hi);
  while (ghi < 0 && hi < 1e12) {
    lo = hi;
    glo = ghi;
    hi *= 2;
    ghi = deriv(hi);
  }
  if (ghi < 0) return hi;
  for (let k = 0; k < 100 && hi - lo > 1e-15 * hi; k++) {
    let t = lo - (glo * (hi - lo)) / (ghi - glo);
    if (!(t > lo + 0.01 * (hi - lo) && t < hi - 0.01 * (hi - lo))) t = 0.5 * (lo + hi);
    const g = deriv(t);
    if (g === 0) return t;
    if (g < 0) {
      lo = t;
      glo = g;
    } else {
      hi = t;
      ghi = g;
    }
  }
  return 0.5 * (lo + hi);
}

/** Minimises the hinge SVM for labels y ∈ {−1, +1}. */
export function solveHinge(design: Design, y: Float64Array, options: HingeOptions): HingeSolution {
  const { n, d } = design;
  const { fitIntercept } = options;
  const weights = options.sampleWeight ?? null;
  const C = Float64Array.from({ length: n }, (_, i) => options.C * (weights === null ? 1 : (weights[i] as number)));
  let cTotal = 0;
  for (let i = 0; i < n; i++) cTotal += C[i] as number;
  const mu = new Float64Array(d);
  const xc = fitIntercept ? centred(design, mu) : design.host;
  // Newton works on standardized columns x = xc/σ with coefficients σ·w, whose penalty is
  // ½·Σ (σⱼwⱼ)²/σⱼ²: raw-scale columns (amounts beside ratios) then cost no more than scaled ones.
  const sigma = new Float64Array(d);
  for (let i = 0; i < n * d; i++) sigma[i % d] = (sigma[i % d] as number) + (xc[i] as number) ** 2;
  for (let j = 0; j < d; j++) sigma[j] = Math.sqrt((sigma[j] as number) / n) || 1;
  const x = Float64Array.from(xc, (v, k) => v / (sigma[k % d] as number));
  const pw = Float64Array.from(sigma, (s) => 1 / (s * s));
  const p = fitIntercept ? d + 1 : d;
  const theta = new Float64Array(p);
  const grad = new Float64Array(p);
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  let scale = 1;
  for (let i = 0; i < n * d; i++) scale = Math.max(scale, Math.abs(x[i] as number));
  // The gradient is a sum of n terms of size up to Cᵢ·max|x|: below this it is rounding noise.
  const gtol = 1e-11 * cTotal * scale;
  let iterations = 0;
  let exact: Exact | null = null;
  let converged = false;
  const alpha = new Float64Array(n);
  const sets = new Uint8Array(n);

  const margins = (): void => {
    const b = fitIntercept ? (theta[d] as number) : 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      for (let j = 0; j < d; j++) z += (theta[j] as number) * (x[i * d + j] as number);
      u[i] = 1 - (y[i] as number) * z;
    }
  };

  for (let h = 2; h > SMALLEST_BAND && iterations < options.maxIter; h /= 10) {
    let levelDone = false;
    for (let step = 0; step < MAX_STEPS_PER_LEVEL && iterations < options.maxIter; step++) {
      margins();
      grad.fill(0);
      for (let j = 0; j < d; j++) grad[j] = (pw[j] as number) * (theta[j] as number);
      const hess = new Float64Array(p * p);
      for (let j = 0; j < d; j++) hess[j * p + j] = pw[j] as number;
      for (let i = 0; i < n; i++) {
        const ui = u[i] as number;
        if (ui <= 0) continue;
        const ci = C[i] as number;
        const k = ci / h;
        const g = -ci * slopeOf(ui, h) * (y[i] as number);
        const row = i * d;
        for (let j = 0; j < d; j++) grad[j] = (grad[j] as number) + g * (x[row + j] as number);
        if (fitIntercept) grad[d] = (grad[d] as number) + g;
        if (ui >= h) continue;
        // Generalised Hessian: diag(pw) on w, plus Cᵢ/h·x̃x̃ᵀ over the rows in the band (lower half).
        for (let r = 0; r < p; r++) {
          const xr = r < d ? (x[row + r] as number) : 1;
          if (xr === 0) continue;
          const kr = k * xr;
          for (let c = 0; c <= r; c++) hess[r * p + c] = (hess[r * p + c] as number) + kr * (c < d ? (x[row + c] as number) : 1);
        }
      }
      let gmax = 0;
      for (let j = 0; j < p; j++) gmax = Math.max(gmax, Math.abs(grad[j] as number));
      if (gmax <= gtol) {
        levelDone = true;
        break;
      }
      for (let r = 0; r < p; r++) for (let c = 0; c < r; c++) hess[c * p + r] = hess[r * p + c] as number;
      // With no row in the band the objective is piecewise linear in b: a tiny curvature makes
      // the step mostly a move of b, and the exact line search takes it to the next kink.
      if (fitIntercept && (hess[d * p + d] as number) === 0) hess[d * p + d] = (1e-6 * cTotal) / (n * h);
      let dir: Float64Array | null = null;
      for (let jitter = 0; dir === null && jitter < 8; jitter++) {
        const a = hess.slice();
        if (jitter > 0) for (let j = 0; j < p; j++) a[j * p + j] = (a[j * p + j] as number) * (1 + 10 ** (jitter - 12)) + 10 ** (jitter - 12);
        dir = solveDense(a, Float64Array.from(grad, (g) => -g), p);
      }
      iterations++;
      if (dir === null) break;
      const db = fitIntercept ? (dir[d] as number) : 0;
      for (let i = 0; i < n; i++) {
        let z = db;
        for (let j = 0; j < d; j++) z += (dir[j] as number) * (x[i * d + j] as number);
        v[i] = (y[i] as number) * z; // u(t) = u − t·v
      }
      const t = exactStep(theta, dir, pw, u, v, C, h);
      if (!(t > 0)) {
        levelDone = true;
        break;
      }
      let moved = 0;
      for (let j = 0; j < p; j++) {
        const delta = t * (dir[j] as number);
        theta[j] = (theta[j] as number) + delta;
        moved = Math.max(moved, Math.abs(delta) / (1 + Math.abs(theta[j] as number)));
      }
      if (moved <= 1e-15) {
        levelDone = true;
        break;
      }
    }
    // The dual estimate names the sets; the KKT equations on them may give the exact optimum.
    margins();
    let objective = 0;
    for (let j = 0; j < d; j++) objective += 0.5 * (pw[j] as number) * (theta[j] as number) ** 2;
    for (let i = 0; i < n; i++) {
      const ui = u[i] as number;
      alpha[i] = (C[i] as number) * slopeOf(ui, h);
      sets[i] = ui <= 0 ? AT_ZERO : ui < h ? FREE : AT_C;
      objective += (C[i] as number) * Math.max(0, ui);
    }
    exact = exactFromSets(xc, n, d, y, C, alpha, sets, fitIntercept);
    if (exact !== null) break;
    // ℓₕ ≤ hinge ≤ ℓₕ + h/2, so this point is within Σ Cᵢ·h/2 of the optimal objective.
    if (levelDone && (cTotal * h) / 2 <= options.tol * objective) {
      converged = true;
      break;
    }
  }
  let coef: Float64Array = Float64Array.from({ length: d }, (_, j) => (theta[j] as number) / (sigma[j] as number));
  let intercept = fitIntercept ? (theta[d] as number) : 0;
  let finalAlpha: Float64Array = alpha;
  if (exact !== null) {
    coef = exact.w;
    intercept = exact.b;
    finalAlpha = exact.alpha;
    converged = true;
  }
  if (fitIntercept) for (let j = 0; j < d; j++) intercept -= (coef[j] as number) * (mu[j] as number);
  return { coef, intercept, alpha: finalAlpha, iterations, exact: exact !== null, converged };
}
