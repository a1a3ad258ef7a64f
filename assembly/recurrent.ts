// Fused recurrent cells: one kernel per time step applies every gate nonlinearity and the state
// update of a whole batch, and one kernel per step computes all gate gradients, so a step costs
// one GEMM (the hidden projection, done by gemm_f32) plus one pass here instead of a dozen ops.
//
// Layout (see src/ops/recurrent.ts): per step the gates are an [n, G·h] block (row-major, gate
// k in columns k·h..(k+1)·h, PyTorch's order), states are contiguous [n, h] blocks, and the
// batch-first sequence output / its gradient are rows `outStride` floats apart. Each row runs
// f32x4 along h; the 1–3 leftover columns go through the same vector code (a partial load into
// one vector, zero-padded), so a value never depends on its position. The activations written
// back over the pre-activation gates are what the backward pass differentiates with:
// σ' = σ(1 − σ), tanh' = 1 − tanh².

import { sigmoidV, tanhV } from './simd_math';
import { RnnNonlinearity } from './opcodes';

@inline function ld(p: usize, cnt: i32): v128 {
  if (cnt == 4) return v128.load(p);
  let v = f32x4.splat(0.0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (cnt > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (cnt > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline function st(p: usize, v: v128, cnt: i32): void {
  if (cnt == 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (cnt > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (cnt > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

@inline function one(): v128 {
  return f32x4.splat(1.0);
}

// σ'(x) from y = σ(x), and tanh'(x) from y = tanh(x)
@inline function dsig(y: v128): v128 {
  return f32x4.mul(y, f32x4.sub(one(), y));
}

@inline function dtanh(y: v128): v128 {
  return f32x4.sub(one(), f32x4.mul(y, y));
}

// ---- bias rows ----------------------------------------------------------------------------

/** Every row of out[rows, cols] = b1 + b2 (count = 2), b1 (count = 1) or 0 (count = 0). */
export function bias_rows_f32(out: usize, b1: usize, b2: usize, count: i32, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const bytes = <usize>cols << 2;
  if (count == 0) {
    memory.fill(out, 0, bytes * <usize>rows);
    return;
  }
  if (count == 1) memory.copy(out, b1, bytes);
  else {
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(b1 + o), v128.load(b2 + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(b1 + o) + load<f32>(b2 + o));
    }
  }
  for (let r = 1; r < rows; r++) memory.copy(out + <usize>r * bytes, out, bytes);
}

/**
 * out[cols] = Σ over rows of x[rows, cols] (the bias gradients). Row after row into
 * accumulators kept in `out` (one row of G·H floats stays in L1): a streaming pass, where a
 * column-at-a-time reduction would wait on one add chain per column.
 */
export function sum_rows_f32(x: usize, out: usize, rows: i32, cols: i32): void {
  const bytes = <usize>cols << 2;
  memory.fill(out, 0, bytes);
  for (let r = 0; r < rows; r++) {
    const src = x + <usize>r * bytes;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(src + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(src + o));
    }
  }
}

// ---- LSTM (gates i, f, g, o) --------------------------------------------------------------

@inline function lstmLanes(g: usize, cp: usize, co: usize, tc: usize, ho: usize, o: usize, h: i32, cnt: i32): void {
  const hb = <usize>h << 2;
  const iv = sigmoidV(ld(g, cnt));
  const fv = sigmoidV(ld(g + hb, cnt));
  const gv = tanhV(ld(g + 2 * hb, cnt));
  const ov = sigmoidV(ld(g + 3 * hb, cnt));
  const c = f32x4.add(f32x4.mul(fv, ld(cp, cnt)), f32x4.mul(iv, gv));
  const t = tanhV(c);
  const hv = f32x4.mul(ov, t);
  st(g, iv, cnt);
  st(g + hb, fv, cnt);
  st(g + 2 * hb, gv, cnt);
  st(g + 3 * hb, ov, cnt);
  st(co, c, cnt);
  st(tc, t, cnt);
  st(ho, hv, cnt);
  st(o, hv, cnt);
}

/**
 * One LSTM step for n rows: gates [n, 4h] (pre-activations in, activations out), cPrev [n, h]
 * in; c, tanh(c) and h [n, h] out, h also to out (rows outStride floats apart).
 * c = f·cPrev + i·g, h = o·tanh(c).
 */
export function lstm_cell_f32(gates: usize, cPrev: usize, cOut: usize, tanhC: usize, hOut: usize, out: usize, outStride: i32, n: i32, h: i32): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < n; r++) {
    const g = gates + <usize>r * 4 * hb;
    const s = <usize>r * hb;
    const o = out + <usize>r * (<usize>outStride << 2);
    let j = 0;
    for (; j + 4 <= h; j += 4) {
      const jb = <usize>j << 2;
      lstmLanes(g + jb, cPrev + s + jb, cOut + s + jb, tanhC + s + jb, hOut + s + jb, o + jb, h, 4);
    }
    if (j < h) {
      const jb = <usize>j << 2;
      lstmLanes(g + jb, cPrev + s + jb, cOut + s + jb, tanhC + s + jb, hOut + s + jb, o + jb, h, h - j);
    }
  }
}

@inline function lstmBackLanes(g: usize, cp: usize, tc: usize, dh: usize, dout: usize, hasDout: i32, dc: usize, dg: usize, h: i32, cnt: i32): void {
  const hb = <usize>h << 2;
  let dhv = ld(dh, cnt);
  if (hasDout != 0) dhv = f32x4.add(dhv, ld(dout, cnt));
  const iv = ld(g, cnt);
  const fv = ld(g + hb, cnt);
  const gv = ld(g + 2 * hb, cnt);
  const ov = ld(g + 3 * hb, cnt);
  const t = ld(tc, cnt);
  const dcv = f32x4.add(ld(dc, cnt), f32x4.mul(f32x4.mul(dhv, ov), dtanh(t)));
  st(dg, f32x4.mul(f32x4.mul(dcv, gv), dsig(iv)), cnt);
  st(dg + hb, f32x4.mul(f32x4.mul(dcv, ld(cp, cnt)), dsig(fv)), cnt);
  st(dg + 2 * hb, f32x4.mul(f32x4.mul(dcv, iv), dtanh(gv)), cnt);
  st(dg + 3 * hb, f32x4.mul(f32x4.mul(dhv, t), dsig(ov)), cnt);
  st(dc, f32x4.mul(dcv, fv), cnt);
}

/**
 * Gradient of one LSTM step. In: the activations (gates [n, 4h]), cPrev and tanh(c) [n, h],
 * dh [n, h] from the later steps plus (hasDout != 0) the output's gradient rows dout
 * (doutStride apart), and dc [n, h] from the later steps. Out: dGates [n, 4h] (w.r.t. the
 * pre-activations) and dc replaced by the gradient w.r.t. cPrev.
 */
export function lstm_cell_backward_f32(gates: usize, cPrev: usize, tanhC: usize, dh: usize, dout: usize, doutStride: i32, hasDout: i32, dc: usize, dGates: usize, n: i32, h: i32): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < n; r++) {
    const g = gates + <usize>r * 4 * hb;
    const dg = dGates + <usize>r * 4 * hb;
    const s = <usize>r * hb;
    const d = dout + <usize>r * (<usize>doutStride << 2);
    let j = 0;
    for (; j + 4 <= h; j += 4) {
      const jb = <usize>j << 2;
      lstmBackLanes(g + jb, cPrev + s + jb, tanhC + s + jb, dh + s + jb, d + jb, hasDout, dc + s + jb, dg + jb, h, 4);
    }
    if (j < h) {
      const jb = <usize>j << 2;
      lstmBackLanes(g + jb, cPrev + s + jb, tanhC + s + jb, dh + s + jb, d + jb, hasDout, dc + s + jb, dg + jb, h, h - j);
    }
  }
}

// ---- GRU (gates r, z, n) ------------------------------------------------------------------

@inline function gruLanes(gx: usize, gh: usize, hp: usize, ho: usize, o: usize, h: i32, cnt: i32): void {
  const hb = <usize>h << 2;
  const rv = sigmoidV(f32x4.add(ld(gx, cnt), ld(gh, cnt)));
  const zv = sigmoidV(f32x4.add(ld(gx + hb, cnt), ld(gh + hb, cnt)));
  const nv = tanhV(f32x4.add(ld(gx + 2 * hb, cnt), f32x4.mul(rv, ld(gh + 2 * hb, cnt))));
  // PyTorch's form: h' = n + z·(h − n)
  const hv = f32x4.add(nv, f32x4.mul(zv, f32x4.sub(ld(hp, cnt), nv)));
  st(gx, rv, cnt);
  st(gx + hb, zv, cnt);
  st(gx + 2 * hb, nv, cnt);
  st(ho, hv, cnt);
  st(o, hv, cnt);
}

/**
 * One GRU step for n rows: gx [n, 3h] = x·W_ihᵀ + b_ih (activations r, z, n written back),
 * gh [n, 3h] = hPrev·W_hhᵀ + b_hh (kept), hPrev [n, h]; h [n, h] out, also to out (rows
 * outStride floats apart). n = tanh(gx_n + r·gh_n), h = (1 − z)·n + z·hPrev.
 */
export function gru_cell_f32(gx: usize, gh: usize, hPrev: usize, hOut: usize, out: usize, outStride: i32, n: i32, h: i32): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < n; r++) {
    const x = gx + <usize>r * 3 * hb;
    const y = gh + <usize>r * 3 * hb;
    const s = <usize>r * hb;
    const o = out + <usize>r * (<usize>outStride << 2);
    let j = 0;
    for (; j + 4 <= h; j += 4) {
      const jb = <usize>j << 2;
      gruLanes(x + jb, y + jb, hPrev + s + jb, hOut + s + jb, o + jb, h, 4);
    }
    if (j < h) {
      const jb = <usize>j << 2;
      gruLanes(x + jb, y + jb, hPrev + s + jb, hOut + s + jb, o + jb, h, h - j);
    }
  }
}

@inline function gruBackLanes(gx: usize, gh: usize, hp: usize, dh: usize, dout: usize, hasDout: i32, dgx: usize, dgh: usize, h: i32, cnt: i32): void {
  const hb = <usize>h << 2;
  let dhv = ld(dh, cnt);
  if (hasDout != 0) dhv = f32x4.add(dhv, ld(dout, cnt));
  const rv = ld(gx, cnt);
  const zv = ld(gx + hb, cnt);
  const nv = ld(gx + 2 * hb, cnt);
  const dz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(ld(hp, cnt), nv)), dsig(zv));
  const dn = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one(), zv)), dtanh(nv));
  const dr = f32x4.mul(f32x4.mul(dn, ld(gh + 2 * hb, cnt)), dsig(rv));
  st(dgx, dr, cnt);
  st(dgx + hb, dz, cnt);
  st(dgx + 2 * hb, dn, cnt);
  st(dgh, dr, cnt);
  st(dgh + hb, dz, cnt);
  st(dgh + 2 * hb, f32x4.mul(dn, rv), cnt);
  st(dh, f32x4.mul(dhv, zv), cnt);
}

/**
 * Gradient of one GRU step. In: activations gx [n, 3h] (r, z, n), gh [n, 3h], hPrev [n, h],
 * dh [n, h] from the later steps plus (hasDout != 0) the output's gradient rows dout
 * (doutStride apart). Out: dGx [n, 3h] and dGh [n, 3h] (w.r.t. the two projections), and dh
 * replaced by the direct part of the gradient w.r.t. hPrev (z·dh; the caller adds dGh·W_hh).
 */
export function gru_cell_backward_f32(gx: usize, gh: usize, hPrev: usize, dh: usize, dout: usize, doutStride: i32, hasDout: i32, dGx: usize, dGh: usize, n: i32, h: i32): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < n; r++) {
    const x = gx + <usize>r * 3 * hb;
    const y = gh + <usize>r * 3 * hb;
    const dx = dGx + <usize>r * 3 * hb;
    const dy = dGh + <usize>r * 3 * hb;
    const s = <usize>r * hb;
    const d = dout + <usize>r * (<usize>doutStride << 2);
    let j = 0;
    for (; j + 4 <= h; j += 4) {
      const jb = <usize>j << 2;
      gruBackLanes(x + jb, y + jb, hPrev + s + jb, dh + s + jb, d + jb, hasDout, dx + jb, dy + jb, h, 4);
    }
    if (j < h) {
      const jb = <usize>j << 2;
      gruBackLanes(x + jb, y + jb, hPrev + s + jb, dh + s + jb, d + jb, hasDout, dx + jb, dy + jb, h, h - j);
    }
  }
}

// ---- Elman RNN (tanh or relu) -------------------------------------------------------------

const RNN_TANH = RnnNonlinearity.Tanh;
const RNN_RELU = RnnNonlinearity.Relu;

@inline function rnnLanes(act: i32, p: usize, ho: usize, o: usize, cnt: i32): void {
  const x = ld(p, cnt);
  // f32x4.max propagates NaN, as relu does in PyTorch
  const hv = act == RNN_RELU ? f32x4.max(x, f32x4.splat(0.0)) : tanhV(x);
  st(ho, hv, cnt);
  st(o, hv, cnt);
}

@inline function rnnRows(act: i32, pre: usize, hOut: usize, out: usize, outStride: i32, n: i32, h: i32): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < n; r++) {
    const s = <usize>r * hb;
    const o = out + <usize>r * (<usize>outStride << 2);
    let j = 0;
    for (; j + 4 <= h; j += 4) {
      const jb = <usize>j << 2;
      rnnLanes(act, pre + s + jb, hOut + s + jb, o + jb, 4);
    }
    if (j < h) {
      const jb = <usize>j << 2;
      rnnLanes(act, pre + s + jb, hOut + s + jb, o + jb, h - j);
    }
  }
}

/** One Elman step for n rows: h = act(pre) for pre [n, h]; h to hOut [n, h] and out (rows outStride apart). */
export function rnn_cell_f32(act: i32, pre: usize, hOut: usize, out: usize, outStride: i32, n: i32, h: i32): void {
  if (act == RNN_RELU) rnnRows(RNN_RELU, pre, hOut, out, outStride, n, h);
  else rnnRows(RNN_TANH, pre, hOut, out, outStride, n, h);
}

@inline function rnnBackLanes(act: i32, hc: usize, dh: usize, dout: usize, hasDout: i32, dp: usize, cnt: i32): void {
  let dhv = ld(dh, cnt);
  if (hasDout != 0) dhv = f32x4.add(dhv, ld(dout, cnt));
  const hv = ld(hc, cnt);
  // relu'(x) = 1 where x > 0 (h > 0), else 0, as PyTorch's threshold_backward
  const d = act == RNN_RELU ? v128.and(dhv, f32x4.gt(hv, f32x4.splat(0.0))) : f32x4.mul(dhv, dtanh(hv));
  st(dp, d, cnt);
}

@inline function rnnBackRows(act: i32, hCur: usize, dh: usize, dout: usize, doutStride: i32, hasDout: i32, dPre: usize, n: i32, h: i32): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < n; r++) {
    const s = <usize>r * hb;
    const d = dout + <usize>r * (<usize>doutStride << 2);
    let j = 0;
    for (; j + 4 <= h; j += 4) {
      const jb = <usize>j << 2;
      rnnBackLanes(act, hCur + s + jb, dh + s + jb, d + jb, hasDout, dPre + s + jb, 4);
    }
    if (j < h) {
      const jb = <usize>j << 2;
      rnnBackLanes(act, hCur + s + jb, dh + s + jb, d + jb, hasDout, dPre + s + jb, h - j);
    }
  }
}

/**
 * Gradient of one Elman step: dPre [n, h] = (dh + dout rows if hasDout != 0) · act'(pre), with
 * act' read from the step's output hCur [n, h].
 */
export function rnn_cell_backward_f32(act: i32, hCur: usize, dh: usize, dout: usize, doutStride: i32, hasDout: i32, dPre: usize, n: i32, h: i32): void {
  if (act == RNN_RELU) rnnBackRows(RNN_RELU, hCur, dh, dout, doutStride, hasDout, dPre, n, h);
  else rnnBackRows(RNN_TANH, hCur, dh, dout, doutStride, hasDout, dPre, n, h);
}
