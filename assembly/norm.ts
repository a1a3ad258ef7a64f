// Over 400 lines because batch norm and layer norm, forward and backward, share the shifted-sum and two-pass variance loops, and each kernel has an @inline loop variant per contiguous axis and per optional weight/bias.
// Batch norm over x viewed as [N, C, L] (statistics per channel c, over n and l) and layer norm
// over x viewed as [R, D] (statistics per row), forward and backward.
//
// Numerics for data far from zero (price levels with a small spread): the mean is summed as
// shift + Σ(x − shift)/n with the first value of the group as the shift, so the float32 sum
// carries the spread, not the level (summing 256 prices near 4000 directly loses ~0.002 of the
// mean); the variance takes a second pass, Σ(x − mean)², not Σx² − (Σx)²/n, which cancels
// catastrophically; outputs are (x − mean)·rstd·w + b, never x·scale + (b − mean·scale).
// Vectorisation follows whichever axis is contiguous:
//   batch norm, L == 1 (a [N, C] batch of features): channels are adjacent, so f32x4 runs along
//   C and the N rows accumulate lane-wise into the per-channel outputs, reading x row by row;
//   batch norm, L > 1: each (n, c) block of L values is contiguous: f32x4 along L with the
//   channel's values splatted;
//   layer norm: each row of D is contiguous: f32x4 along D, two accumulators per sum so that
//   the adds of consecutive vectors do not wait on each other. The per-column parameter
//   gradients accumulate rows lane-wise into dw, db (f32x4 along D).
// Per-channel coefficients (rstd·w, the mean terms of the gradient) are formed inside the
// loops from the [C] arrays, which stay in L1: no [C] temporaries between kernel calls.
// Optional parameters (w or b = 0) and the batch/running-statistics choice pick one of a few
// loop variants, each specialised by @inline on constant flags.

import { hsum } from './simd';

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

@inline function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

@inline function scaleRun(p: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(p, i), f32x4.mul(v128.load(at(p, i)), vs));
  for (; i < n; i++) store<f32>(at(p, i), load<f32>(at(p, i)) * s);
}

// Σ (x − shift) over a contiguous run.
@inline function sumRun(x: usize, n: i32, shift: f32): f32 {
  const vs = f32x4.splat(shift);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    a0 = f32x4.add(a0, f32x4.sub(v128.load(at(x, i)), vs));
    a1 = f32x4.add(a1, f32x4.sub(v128.load(at(x, i), 16), vs));
  }
  for (; i + 4 <= n; i += 4) a0 = f32x4.add(a0, f32x4.sub(v128.load(at(x, i)), vs));
  let s = hsum(f32x4.add(a0, a1));
  for (; i < n; i++) s += load<f32>(at(x, i)) - shift;
  return s;
}

// Σ (x − m)² over a contiguous run.
@inline function sqDevRun(x: usize, n: i32, m: f32): f32 {
  const vm = f32x4.splat(m);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const d0 = f32x4.sub(v128.load(at(x, i)), vm);
    const d1 = f32x4.sub(v128.load(at(x, i), 16), vm);
    a0 = f32x4.add(a0, f32x4.mul(d0, d0));
    a1 = f32x4.add(a1, f32x4.mul(d1, d1));
  }
  for (; i + 4 <= n; i += 4) {
    const d = f32x4.sub(v128.load(at(x, i)), vm);
    a0 = f32x4.add(a0, f32x4.mul(d, d));
  }
  let s = hsum(f32x4.add(a0, a1));
  for (; i < n; i++) {
    const d = load<f32>(at(x, i)) - m;
    s += d * d;
  }
  return s;
}

// Σ g and Σ g·(x − m) over a contiguous run, g = dy·w (w absent: g = dy), written to the two
// module-level results below (AssemblyScript has no tuples; globals belong to one instance,
// and each thread has its own).
let runSumG: f32 = 0;
let runSumGXmu: f32 = 0;

@inline function gradSumsRun(hasW: bool, x: usize, dy: usize, w: usize, n: i32, m: f32): void {
  const vm = f32x4.splat(m);
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let g = v128.load(at(dy, i));
    if (hasW) g = f32x4.mul(g, v128.load(at(w, i)));
    s0 = f32x4.add(s0, g);
    s1 = f32x4.add(s1, f32x4.mul(g, f32x4.sub(v128.load(at(x, i)), vm)));
  }
  let a = hsum(s0), b = hsum(s1);
  for (; i < n; i++) {
    let g = load<f32>(at(dy, i));
    if (hasW) g *= load<f32>(at(w, i));
    a += g;
    b += g * (load<f32>(at(x, i)) - m);
  }
  runSumG = a;
  runSumGXmu = b;
}

// ---------------------------------------------------------------------------------------------
// Batch norm

/** mean[c] and the biased variance var[c] of x [N, C, L] over n and l (N·L ≥ 1). */
export function batch_norm_stats_f32(x: usize, mean: usize, variance: usize, N: i32, C: i32, L: i32): void {
  const inv = <f32>(1.0 / (<f64>N * <f64>L));
  const rowBytes = <usize>C << 2;
  if (L == 1) {
    // Row 0 is the shift; mean accumulates Σ(x − x[0]) first.
    zero(mean, C);
    zero(variance, C);
    for (let n = 1; n < N; n++) {
      const row = x + <usize>n * rowBytes;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        v128.store(at(mean, c), f32x4.add(v128.load(at(mean, c)), f32x4.sub(v128.load(at(row, c)), v128.load(at(x, c)))));
      }
      for (; c < C; c++) store<f32>(at(mean, c), load<f32>(at(mean, c)) + (load<f32>(at(row, c)) - load<f32>(at(x, c))));
    }
    let c = 0;
    const vinv = f32x4.splat(inv);
    for (; c + 4 <= C; c += 4) v128.store(at(mean, c), f32x4.add(v128.load(at(x, c)), f32x4.mul(v128.load(at(mean, c)), vinv)));
    for (; c < C; c++) store<f32>(at(mean, c), load<f32>(at(x, c)) + load<f32>(at(mean, c)) * inv);
    for (let n = 0; n < N; n++) {
      const row = x + <usize>n * rowBytes;
      c = 0;
      for (; c + 4 <= C; c += 4) {
        const d = f32x4.sub(v128.load(at(row, c)), v128.load(at(mean, c)));
        v128.store(at(variance, c), f32x4.add(v128.load(at(variance, c)), f32x4.mul(d, d)));
      }
      for (; c < C; c++) {
        const d = load<f32>(at(row, c)) - load<f32>(at(mean, c));
        store<f32>(at(variance, c), load<f32>(at(variance, c)) + d * d);
      }
    }
    scaleRun(variance, C, inv);
    return;
  }
  const block = <usize>L << 2;
  for (let c = 0; c < C; c++) {
    const shift = load<f32>(x + <usize>c * block);
    let s: f32 = 0;
    for (let n = 0; n < N; n++) s += sumRun(x + (<usize>n * <usize>C + <usize>c) * block, L, shift);
    const m = shift + s * inv;
    let q: f32 = 0;
    for (let n = 0; n < N; n++) q += sqDevRun(x + (<usize>n * <usize>C + <usize>c) * block, L, m);
    store<f32>(at(mean, c), m);
    store<f32>(at(variance, c), q * inv);
  }
}

/**
 * Ends the statistics step: with runningMean ≠ 0, running ← (1 − momentum)·running +
 * momentum·batch for the mean and for the variance times `unbias` (M/(M − 1)); then turns
 * var[c] into 1/√(var[c] + eps) in place.
 */
export function batch_norm_finish_f32(mean: usize, varRstd: usize, runningMean: usize, runningVar: usize, C: i32, eps: f32, momentum: f32, unbias: f32): void {
  const keep: f32 = 1 - momentum;
  for (let c = 0; c < C; c++) {
    const v = load<f32>(at(varRstd, c));
    if (runningMean != 0) {
      store<f32>(at(runningMean, c), keep * load<f32>(at(runningMean, c)) + momentum * load<f32>(at(mean, c)));
      store<f32>(at(runningVar, c), keep * load<f32>(at(runningVar, c)) + momentum * unbias * v);
    }
    store<f32>(at(varRstd, c), 1 / Mathf.sqrt(v + eps));
  }
}

// (x − mean)·rstd·w + b along C for one row of [N, C] (L == 1).
@inline function bnApplyRow(hasW: bool, hasB: bool, src: usize, dst: usize, mean: usize, rstd: usize, w: usize, b: usize, C: i32): void {
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    let v = f32x4.mul(f32x4.sub(v128.load(at(src, c)), v128.load(at(mean, c))), v128.load(at(rstd, c)));
    if (hasW) v = f32x4.mul(v, v128.load(at(w, c)));
    if (hasB) v = f32x4.add(v, v128.load(at(b, c)));
    v128.store(at(dst, c), v);
  }
  for (; c < C; c++) {
    let v = (load<f32>(at(src, c)) - load<f32>(at(mean, c))) * load<f32>(at(rstd, c));
    if (hasW) v *= load<f32>(at(w, c));
    if (hasB) v += load<f32>(at(b, c));
    store<f32>(at(dst, c), v);
  }
}

/** out[n, c, l] = (x − mean[c])·rstd[c]·w[c] + b[c]; w or b may be 0 (absent). */
export function batch_norm_f32(x: usize, mean: usize, rstd: usize, w: usize, b: usize, out: usize, N: i32, C: i32, L: i32): void {
  if (L == 1) {
    const rowBytes = <usize>C << 2;
    for (let n = 0; n < N; n++) {
      const src = x + <usize>n * rowBytes;
      const dst = out + <usize>n * rowBytes;
      if (w != 0 && b != 0) bnApplyRow(true, true, src, dst, mean, rstd, w, b, C);
      else if (w != 0) bnApplyRow(true, false, src, dst, mean, rstd, w, b, C);
      else if (b != 0) bnApplyRow(false, true, src, dst, mean, rstd, w, b, C);
      else bnApplyRow(false, false, src, dst, mean, rstd, w, b, C);
    }
    return;
  }
  const block = <usize>L << 2;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const off = (<usize>n * <usize>C + <usize>c) * block;
      const src = x + off;
      const dst = out + off;
      const m = load<f32>(at(mean, c));
      const s = load<f32>(at(rstd, c)) * (w != 0 ? load<f32>(at(w, c)) : 1);
      const t: f32 = b != 0 ? load<f32>(at(b, c)) : 0;
      const vm = f32x4.splat(m), vs = f32x4.splat(s), vt = f32x4.splat(t);
      let l = 0;
      for (; l + 4 <= L; l += 4) v128.store(at(dst, l), f32x4.add(f32x4.mul(f32x4.sub(v128.load(at(src, l)), vm), vs), vt));
      for (; l < L; l++) store<f32>(at(dst, l), (load<f32>(at(src, l)) - m) * s + t);
    }
  }
}

/** sumDy[c] = Σ dy and sumDyXhat[c] = Σ dy·(x − mean[c])·rstd[c], over n and l. */
export function batch_norm_backward_reduce_f32(x: usize, dy: usize, mean: usize, rstd: usize, sumDy: usize, sumDyXhat: usize, N: i32, C: i32, L: i32): void {
  if (L == 1) {
    zero(sumDy, C);
    zero(sumDyXhat, C);
    const rowBytes = <usize>C << 2;
    for (let n = 0; n < N; n++) {
      const xr = x + <usize>n * rowBytes;
      const gr = dy + <usize>n * rowBytes;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const g = v128.load(at(gr, c));
        v128.store(at(sumDy, c), f32x4.add(v128.load(at(sumDy, c)), g));
        const d = f32x4.sub(v128.load(at(xr, c)), v128.load(at(mean, c)));
        v128.store(at(sumDyXhat, c), f32x4.add(v128.load(at(sumDyXhat, c)), f32x4.mul(g, d)));
      }
      for (; c < C; c++) {
        const g = load<f32>(at(gr, c));
        store<f32>(at(sumDy, c), load<f32>(at(sumDy, c)) + g);
        store<f32>(at(sumDyXhat, c), load<f32>(at(sumDyXhat, c)) + g * (load<f32>(at(xr, c)) - load<f32>(at(mean, c))));
      }
    }
    let c = 0;
    for (; c + 4 <= C; c += 4) v128.store(at(sumDyXhat, c), f32x4.mul(v128.load(at(sumDyXhat, c)), v128.load(at(rstd, c))));
    for (; c < C; c++) store<f32>(at(sumDyXhat, c), load<f32>(at(sumDyXhat, c)) * load<f32>(at(rstd, c)));
    return;
  }
  const block = <usize>L << 2;
  for (let c = 0; c < C; c++) {
    const m = load<f32>(at(mean, c));
    let a: f32 = 0, b: f32 = 0;
    for (let n = 0; n < N; n++) {
      const off = (<usize>n * <usize>C + <usize>c) * block;
      gradSumsRun(false, x + off, dy + off, 0, L, m);
      a += runSumG;
      b += runSumGXmu;
    }
    store<f32>(at(sumDy, c), a);
    store<f32>(at(sumDyXhat, c), b * load<f32>(at(rstd, c)));
  }
}

// dx along C for one row of [N, C] (L == 1); see batch_norm_backward_f32.
@inline function bnBackwardRow(hasW: bool, batchStats: bool, xr: usize, gr: usize, dr: usize, mean: usize, rstd: usize, w: usize, sumDy: usize, sumDyXhat: usize, C: i32, invM: f32): void {
  const vinv = f32x4.splat(invM);
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const r = v128.load(at(rstd, c));
    let k = r;
    if (hasW) k = f32x4.mul(k, v128.load(at(w, c)));
    let g = v128.load(at(gr, c));
    if (batchStats) {
      const xhat = f32x4.mul(f32x4.sub(v128.load(at(xr, c)), v128.load(at(mean, c))), r);
      const p = f32x4.mul(v128.load(at(sumDy, c)), vinv);
      const q = f32x4.mul(v128.load(at(sumDyXhat, c)), vinv);
      g = f32x4.sub(f32x4.sub(g, p), f32x4.mul(xhat, q));
    }
    v128.store(at(dr, c), f32x4.mul(k, g));
  }
  for (; c < C; c++) {
    const r = load<f32>(at(rstd, c));
    let k = r;
    if (hasW) k *= load<f32>(at(w, c));
    let g = load<f32>(at(gr, c));
    if (batchStats) {
      const xhat = (load<f32>(at(xr, c)) - load<f32>(at(mean, c))) * r;
      g = g - load<f32>(at(sumDy, c)) * invM - xhat * load<f32>(at(sumDyXhat, c)) * invM;
    }
    store<f32>(at(dr, c), k * g);
  }
}

@inline function bnBackwardRows(hasW: bool, batchStats: bool, x: usize, dy: usize, mean: usize, rstd: usize, w: usize, sumDy: usize, sumDyXhat: usize, dx: usize, N: i32, C: i32, invM: f32): void {
  const rowBytes = <usize>C << 2;
  for (let n = 0; n < N; n++) {
    const off = <usize>n * rowBytes;
    bnBackwardRow(hasW, batchStats, x + off, dy + off, dx + off, mean, rstd, w, sumDy, sumDyXhat, C, invM);
  }
}

/**
 * Input gradient of batch norm, k = rstd·w (rstd when w = 0), x̂ = (x − mean)·rstd:
 * with batch statistics (M = N·L > 0) dx = k·(dy − sumDy/M − x̂·sumDyXhat/M);
 * with fixed (running) statistics (M = 0) dx = k·dy and the sums are not read.
 */
export function batch_norm_backward_f32(x: usize, dy: usize, mean: usize, rstd: usize, w: usize, sumDy: usize, sumDyXhat: usize, dx: usize, N: i32, C: i32, L: i32, M: i32): void {
  const batchStats = M > 0;
  const invM: f32 = batchStats ? <f32>(1.0 / <f64>M) : 0;
  if (L == 1) {
    if (w != 0 && batchStats) bnBackwardRows(true, true, x, dy, mean, rstd, w, sumDy, sumDyXhat, dx, N, C, invM);
    else if (w != 0) bnBackwardRows(true, false, x, dy, mean, rstd, w, sumDy, sumDyXhat, dx, N, C, invM);
    else if (batchStats) bnBackwardRows(false, true, x, dy, mean, rstd, w, sumDy, sumDyXhat, dx, N, C, invM);
    else bnBackwardRows(false, false, x, dy, mean, rstd, w, sumDy, sumDyXhat, dx, N, C, invM);
    return;
  }
  const block = <usize>L << 2;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const off = (<usize>n * <usize>C + <usize>c) * block;
      const xr = x + off, gr = dy + off, dr = dx + off;
      const m = load<f32>(at(mean, c)), r = load<f32>(at(rstd, c));
      const k = r * (w != 0 ? load<f32>(at(w, c)) : 1);
      // dx = k·dy − k·p − k·q·r·(x − m): one multiply-add chain per element.
      const p: f32 = batchStats ? load<f32>(at(sumDy, c)) * invM : 0;
      const q: f32 = batchStats ? load<f32>(at(sumDyXhat, c)) * invM * r : 0;
      const vm = f32x4.splat(m), vk = f32x4.splat(k), vp = f32x4.splat(p), vq = f32x4.splat(q);
      let l = 0;
      for (; l + 4 <= L; l += 4) {
        const d = f32x4.sub(v128.load(at(xr, l)), vm);
        v128.store(at(dr, l), f32x4.mul(vk, f32x4.sub(f32x4.sub(v128.load(at(gr, l)), vp), f32x4.mul(d, vq))));
      }
      for (; l < L; l++) store<f32>(at(dr, l), k * (load<f32>(at(gr, l)) - p - (load<f32>(at(xr, l)) - m) * q));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Layer norm

@inline function normRow(hasW: bool, hasB: bool, x: usize, w: usize, b: usize, out: usize, D: i32, m: f32, rs: f32): void {
  const vm = f32x4.splat(m), vr = f32x4.splat(rs);
  let i = 0;
  for (; i + 4 <= D; i += 4) {
    let v = f32x4.mul(f32x4.sub(v128.load(at(x, i)), vm), vr);
    if (hasW) v = f32x4.mul(v, v128.load(at(w, i)));
    if (hasB) v = f32x4.add(v, v128.load(at(b, i)));
    v128.store(at(out, i), v);
  }
  for (; i < D; i++) {
    let v = (load<f32>(at(x, i)) - m) * rs;
    if (hasW) v *= load<f32>(at(w, i));
    if (hasB) v += load<f32>(at(b, i));
    store<f32>(at(out, i), v);
  }
}

/**
 * Per row r of x [R, D] (D ≥ 1): mean[r], rstd[r] = 1/√(var + eps) with the biased variance,
 * and out = (x − mean)·rstd·w + b; w or b may be 0 (absent).
 */
export function layer_norm_f32(x: usize, w: usize, b: usize, out: usize, mean: usize, rstd: usize, R: i32, D: i32, eps: f32): void {
  const inv = <f32>(1.0 / <f64>D);
  const rowBytes = <usize>D << 2;
  for (let r = 0; r < R; r++) {
    const src = x + <usize>r * rowBytes;
    const dst = out + <usize>r * rowBytes;
    const shift = load<f32>(src);
    const m = shift + sumRun(src, D, shift) * inv;
    const rs: f32 = 1 / Mathf.sqrt(sqDevRun(src, D, m) * inv + eps);
    store<f32>(at(mean, r), m);
    store<f32>(at(rstd, r), rs);
    if (w != 0 && b != 0) normRow(true, true, src, w, b, dst, D, m, rs);
    else if (w != 0) normRow(true, false, src, w, b, dst, D, m, rs);
    else if (b != 0) normRow(false, true, src, w, b, dst, D, m, rs);
    else normRow(false, false, src, w, b, dst, D, m, rs);
  }
}

@inline function layerNormBackwardRows(hasW: bool, x: usize, dy: usize, w: usize, mean: usize, rstd: usize, dx: usize, R: i32, D: i32): void {
  const inv = <f32>(1.0 / <f64>D);
  const rowBytes = <usize>D << 2;
  for (let r = 0; r < R; r++) {
    const off = <usize>r * rowBytes;
    const xr = x + off, gr = dy + off, dr = dx + off;
    const m = load<f32>(at(mean, r)), rs = load<f32>(at(rstd, r));
    gradSumsRun(hasW, xr, gr, w, D, m);
    const a = runSumG * inv;
    const c = runSumGXmu * rs * rs * inv;
    const vm = f32x4.splat(m), vr = f32x4.splat(rs), va = f32x4.splat(a), vc = f32x4.splat(c);
    let i = 0;
    for (; i + 4 <= D; i += 4) {
      let g = v128.load(at(gr, i));
      if (hasW) g = f32x4.mul(g, v128.load(at(w, i)));
      const d = f32x4.sub(v128.load(at(xr, i)), vm);
      v128.store(at(dr, i), f32x4.mul(vr, f32x4.sub(f32x4.sub(g, va), f32x4.mul(d, vc))));
    }
    for (; i < D; i++) {
      let g = load<f32>(at(gr, i));
      if (hasW) g *= load<f32>(at(w, i));
      store<f32>(at(dr, i), rs * (g - a - (load<f32>(at(xr, i)) - m) * c));
    }
  }
}

/**
 * Input gradient of layer norm: with g = dy·w (dy when w = 0) and x̂ = (x − mean)·rstd,
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) along each row.
 */
export function layer_norm_backward_f32(x: usize, dy: usize, w: usize, mean: usize, rstd: usize, dx: usize, R: i32, D: i32): void {
  if (w != 0) layerNormBackwardRows(true, x, dy, w, mean, rstd, dx, R, D);
  else layerNormBackwardRows(false, x, dy, w, mean, rstd, dx, R, D);
}

@inline function paramGradRows(hasB: bool, x: usize, dy: usize, mean: usize, rstd: usize, dw: usize, db: usize, R: i32, D: i32): void {
  zero(dw, D);
  if (hasB) zero(db, D);
  const rowBytes = <usize>D << 2;
  for (let r = 0; r < R; r++) {
    const off = <usize>r * rowBytes;
    const xr = x + off, gr = dy + off;
    const m = load<f32>(at(mean, r)), rs = load<f32>(at(rstd, r));
    const vm = f32x4.splat(m), vr = f32x4.splat(rs);
    let i = 0;
    for (; i + 4 <= D; i += 4) {
      const g = v128.load(at(gr, i));
      const xhat = f32x4.mul(f32x4.sub(v128.load(at(xr, i)), vm), vr);
      v128.store(at(dw, i), f32x4.add(v128.load(at(dw, i)), f32x4.mul(g, xhat)));
      if (hasB) v128.store(at(db, i), f32x4.add(v128.load(at(db, i)), g));
    }
    for (; i < D; i++) {
      const g = load<f32>(at(gr, i));
      store<f32>(at(dw, i), load<f32>(at(dw, i)) + g * (load<f32>(at(xr, i)) - m) * rs);
      if (hasB) store<f32>(at(db, i), load<f32>(at(db, i)) + g);
    }
  }
}

/** dw[d] = Σ over rows of dy·x̂ and db[d] = Σ over rows of dy (db may be 0: not computed). */
export function layer_norm_param_grad_f32(x: usize, dy: usize, mean: usize, rstd: usize, dw: usize, db: usize, R: i32, D: i32): void {
  if (db != 0) paramGradRows(true, x, dy, mean, rstd, dw, db, R, D);
  else paramGradRows(false, x, dy, mean, rstd, dw, db, R, D);
}
