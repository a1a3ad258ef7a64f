// Step 2 of the hinge-loss SVM (see hinge.ts): given the support-vector sets a smoothing level
// names — free (on the margin), at C, at 0 — the KKT equations of the exact hinge problem
// (margins of free vectors equal 1, w = Σ αᵢyᵢxᵢ, Σ αᵢyᵢ = 0) are a dense linear system of
// (free vectors + 1) unknowns. Its solution is accepted only if it satisfies every optimality
// condition (all αᵢ in [0, C], margins ≥ 1 at 0, ≤ 1 at C); it is then the optimum up to rounding.

/** Slack in the optimality checks of the exact solve, relative to the size of the terms of a margin. */
const KKT_SLACK = 1e-9;
/** Free vectors tried at a bound when the estimated sets give a singular system. */
const MAX_TRIES = 16;

export const AT_ZERO = 0;
export const FREE = 1;
export const AT_C = 2;

/** An exact optimum: weights, intercept and dual variables. */
export interface Exact {
  w: Float64Array;
  b: number;
  alpha: Float64Array;
}

/** Solves A·x = r (A square, row-major, overwritten) by elimination with partial pivoting; null if singular. */
export function solveDense(a: Float64Array, r: Float64Array, m: number): Float64Array | null {
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i] as number));
  for (let col = 0; col < m; col++) {
    let piv = col;
    for (let i = col + 1; i < m; i++) if (Math.abs(a[i * m + col] as number) > Math.abs(a[piv * m + col] as number)) piv = i;
    if (!(Math.abs(a[piv * m + col] as number) > 1e-13 * scale)) return null;
    if (piv !== col) {
      for (let j = 0; j < m; j++) {
        const t = a[col * m + j] as number;
        a[col * m + j] = a[piv * m + j] as number;
        a[piv * m + j] = t;
      }
      const t = r[col] as number;
      r[col] = r[piv] as number;
      r[piv] = t;
    }
    const p = a[col * m + col] as number;
    for (let i = col + 1; i < m; i++) {
      const f = (a[i * m + col] as number) / p;
      if (f === 0) continue;
      for (let j = col; j < m; j++) a[i * m + j] = (a[i * m + j] as number) - f * (a[col * m + j] as number);
      r[i] = (r[i] as number) - f * (r[col] as number);
    }
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = r[i] as number;
    for (let j = i + 1; j < m; j++) s -= (a[i * m + j] as number) * (x[j] as number);
    x[i] = s / (a[i * m + i] as number);
  }
  return x;
}

/**
 * The KKT conditions when no vector is free: w = Σ Cᵢ·yᵢxᵢ over the vectors at Cᵢ, which must
 * balance (Σ αᵢyᵢ = 0); the margin conditions then bound b on both sides and any b between
 * the bounds is optimal — the midpoint is returned (as libsvm does).
 */
function boundOnly(x: Float64Array, n: number, d: number, y: Float64Array, C: Float64Array, set: Uint8Array, w: Float64Array, cSum: number): Exact | null {
  let mass = 0;
  for (let i = 0; i < n; i++) if (set[i] === AT_C) mass += C[i] as number;
  if (Math.abs(cSum) > KKT_SLACK * Math.max(1, mass)) return null;
  let lo = -Infinity;
  let hi = Infinity;
  let slack = 0;
  for (let i = 0; i < n; i++) {
    let z = 0;
    let size = 0;
    for (let j = 0; j < d; j++) {
      const t = (w[j] as number) * (x[i * d + j] as number);
      z += t;
      size += Math.abs(t);
    }
    slack = Math.max(slack, KKT_SLACK * Math.max(1, size));
    // At C: y·(z + b) ≤ 1; at 0: y·(z + b) ≥ 1.
    const edge = (y[i] as number) - z;
    const upper = (set[i] === AT_C) === (y[i] as number) > 0;
    if (upper) hi = Math.min(hi, edge);
    else lo = Math.max(lo, edge);
  }
  if (!(lo <= hi + slack)) return null;
  const b = Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : Number.isFinite(lo) ? lo : hi;
  if (!Number.isFinite(b)) return null;
  const alpha = Float64Array.from(set, (s, i) => (s === AT_C ? (C[i] as number) : 0));
  return { w: Float64Array.from(w), b, alpha };
}

/**
 * Solves the KKT equations for the sets in `set` (λ for the free vectors and b, every other αᵢ
 * at its bound) by a small active-set iteration: a λ outside [0, Cᵢ] sends its vector to the
 * bound it crossed; a vector at a bound whose margin breaks its condition becomes free.
 * 'singular' when more vectors are free than the equations can pin; null when no consistent
 * sets turn up within the step budget.
 */
function solveSets(x: Float64Array, n: number, d: number, y: Float64Array, C: Float64Array, set: Uint8Array, withB: boolean, maxSteps: number): Exact | 'singular' | null {
  for (let attempt = 0; attempt < maxSteps; attempt++) {
    const free: number[] = [];
    const gC = new Float64Array(d);
    let cSum = 0;
    for (let i = 0; i < n; i++) {
      if (set[i] === AT_C) {
        const cy = (C[i] as number) * (y[i] as number);
        for (let j = 0; j < d; j++) gC[j] = (gC[j] as number) + cy * (x[i * d + j] as number);
        cSum += cy;
      } else if (set[i] === FREE) free.push(i);
    }
    const m = free.length;
    if (m === 0 && withB) return boundOnly(x, n, d, y, C, set, gC, cSum);
    const size = withB ? m + 1 : m;
    const a = new Float64Array(size * size);
    const r = new Float64Array(size);
    for (let p = 0; p < m; p++) {
      const i = free[p] as number;
      const yi = y[i] as number;
      let gx = 0;
      for (let j = 0; j < d; j++) gx += (gC[j] as number) * (x[i * d + j] as number);
      r[p] = 1 - yi * gx;
      for (let q = 0; q <= p; q++) {
        const k = free[q] as number;
        let dotik = 0;
        for (let j = 0; j < d; j++) dotik += (x[i * d + j] as number) * (x[k * d + j] as number);
        const v = yi * (y[k] as number) * dotik;
        a[p * size + q] = v;
        a[q * size + p] = v;
      }
      if (withB) {
        a[p * size + m] = yi;
        a[m * size + p] = yi;
      }
    }
    if (withB) r[m] = -cSum;
    const sol = solveDense(a, r, size);
    if (sol === null) return 'singular';
    let worst = -1;
    let worstBy = 0;
    for (let p = 0; p < m; p++) {
      const lam = sol[p] as number;
      const ci = C[free[p] as number] as number;
      // Measured relative to the vector's own bound.
      const by = Math.max(-lam, lam - ci) / ci;
      if (by > KKT_SLACK && by > worstBy) {
        worstBy = by;
        worst = p;
      }
    }
    if (worst >= 0) {
      set[free[worst] as number] = (sol[worst] as number) < 0 ? AT_ZERO : AT_C;
      continue;
    }
    const out = new Float64Array(n);
    const w = Float64Array.from(gC);
    for (let p = 0; p < m; p++) {
      const i = free[p] as number;
      const lam = Math.min(Math.max(sol[p] as number, 0), C[i] as number);
      out[i] = lam;
      const ly = lam * (y[i] as number);
      for (let j = 0; j < d; j++) w[j] = (w[j] as number) + ly * (x[i * d + j] as number);
    }
    const b = withB ? (sol[m] as number) : 0;
    let violator = -1;
    let violation = 0;
    let balance = 0;
    let mass = 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      let size = Math.abs(b);
      for (let j = 0; j < d; j++) {
        const t = (w[j] as number) * (x[i * d + j] as number);
        z += t;
        size += Math.abs(t);
      }
      const g = (y[i] as number) * z - 1;
      const slack = KKT_SLACK * Math.max(1, size);
      if (set[i] === FREE) {
        // The equations hold to rounding unless the solve was inaccurate.
        if (Math.abs(g) > slack) return null;
      } else {
        if (set[i] === AT_C) out[i] = C[i] as number;
        const by = (set[i] === AT_C ? g : -g) - slack;
        if (by > violation) {
          violation = by;
          violator = i;
        }
      }
      balance += (out[i] as number) * (y[i] as number);
      mass += out[i] as number;
    }
    if (withB && Math.abs(balance) > KKT_SLACK * Math.max(1, mass)) return null;
    if (violator < 0) return { w, b, alpha: out };
    set[violator] = FREE;
  }
  return null;
}

/**
 * The optimum the sets in `base` lead to, if found. A vector in the band that belongs at a
 * bound makes the system singular; then each free vector is tried at either bound, the one
 * whose estimate `alpha` is closest to a bound first.
 */
export function exactFromSets(x: Float64Array, n: number, d: number, y: Float64Array, C: Float64Array, alpha: Float64Array, base: Uint8Array, withB: boolean): Exact | null {
  let free = 0;
  for (let i = 0; i < n; i++) if (base[i] === FREE) free++;
  // In general position at most d + 1 vectors sit on the margin: far more means the sets are
  // not settled yet (and the system would be large and singular).
  if (free > 2 * (d + 1) + 8) return null;
  const first = solveSets(x, n, d, y, C, base.slice(), withB, 2 * d + 16);
  if (first !== 'singular') return first;
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) if (base[i] === FREE) candidates.push(i);
  const dist = (i: number): number => Math.min(alpha[i] as number, (C[i] as number) - (alpha[i] as number)) / (C[i] as number);
  candidates.sort((i, k) => dist(i) - dist(k));
  for (const i of candidates.slice(0, MAX_TRIES)) {
    const near = (alpha[i] as number) < (C[i] as number) / 2 ? AT_ZERO : AT_C;
    for (const bound of [near, near === AT_ZERO ? AT_C : AT_ZERO]) {
      const set = base.slice();
      set[i] = bound;
      const got = solveSets(x, n, d, y, C, set, withB, 4);
      if (got !== 'singular' && got !== null) return got;
    }
  }
  return null;
}
