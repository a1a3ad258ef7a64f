// Softmax and log-softmax over the middle axis of a tensor viewed as [outer, len, inner], and
// their fused backward passes.
//
// inner == 1 (the last axis): a row is read three times (max, Σ exp, write), f32x4 along the
// row; a row is contiguous, so the second and third reads hit cache.
// inner > 1: the kernel streams whole rows of `inner` floats, f32x4 along inner, and keeps
// the per-column running max and sum in `scratch` (2·inner floats supplied by the caller).
// Every load is contiguous and every cache line fetched is used in full, whichever axis is
// reduced; a column-at-a-time walk would stride `inner` floats per load instead.
//
// Numerics: the max along the axis is subtracted first, so exp sees arguments <= 0 and never
// overflows: logits of ±3e38 give x − max = −inf and exp(−inf) = 0, not inf/inf. Log-softmax
// is (x − max) − log Σ exp(x − max) in that order: adding max + log Σ first would round away
// the small part when max is large. A row of −inf gives −inf − (−inf) = NaN, as in PyTorch,
// and a NaN anywhere in a row makes the whole row NaN: the max passes use pmax (one x86
// instruction; it may skip a NaN), but the NaN still reaches Σ exp and from there every output.

import { hsum } from './simd';
import { SoftmaxMode } from './opcodes';

const LOG2E: f32 = 1.44269504;
const ROUNDER: f32 = 12582912.0; // 1.5 · 2^23
const ROUNDER_BITS: i32 = 0x4b400000;
// ln 2 split in two (Cody–Waite): n·LN2_HI is exact for |n| < 2^15, LN2_LO carries the rest.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
// (e^r − 1 − r) / r² on |r| <= ln2/2: our own weighted least-squares fit (Lawson iterations
// towards minimax, float64), below 0.6 ulp of e^r when evaluated in float32.
const C0: f32 = 0.4999999403953552;
const C1: f32 = 0.1666652113199234;
const C2: f32 = 0.04166838899254799;
const C3: f32 = 0.008368710055947304;
const C4: f32 = 0.001381461275741458;

// e^x lane-wise. x = n·ln2 + r with |r| <= ln2/2. The clamp keeps n in [−150, 128] (−104
// already underflows to 0, 89 overflows to inf); pmin/pmax with x first pass NaN through and
// are one instruction each on x86, unlike min/max. n is rounded by adding 1.5·2^23, which
// leaves round-to-nearest(x·log2 e) in the low mantissa bits (cheaper than nearest plus a
// saturating conversion). 2^n is applied as 2^(n>>1) · 2^(n − n>>1): both factors are normal
// floats, so subnormal results and overflow to inf come out of the last multiply rounded once.
@inline function expv(x: v128): v128 {
  const cx = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const t = f32x4.add(f32x4.mul(cx, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  const nf = f32x4.sub(t, f32x4.splat(ROUNDER));
  const r = f32x4.sub(f32x4.sub(cx, f32x4.mul(nf, f32x4.splat(LN2_HI))), f32x4.mul(nf, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(C4), r), f32x4.splat(C3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C0));
  const y = f32x4.add(f32x4.splat(1.0), f32x4.add(r, f32x4.mul(f32x4.mul(r, r), p)));
  const n = i32x4.sub(t, i32x4.splat(ROUNDER_BITS));
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

// Tails use the same approximation as the vector body, so every element of a row is rounded
// the same way.
@inline function exps(x: f32): f32 {
  return f32x4.extract_lane(expv(f32x4.splat(x)), 0);
}

@inline function hmax(v: v128): f32 {
  return max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

@inline function rowMax(x: usize, len: i32): f32 {
  const id = f32x4.splat(-Infinity);
  let m0 = id, m1 = id, m2 = id, m3 = id;
  let l = 0;
  for (; l + 16 <= len; l += 16) {
    const p = x + (<usize>l << 2);
    m0 = f32x4.pmax(m0, v128.load(p));
    m1 = f32x4.pmax(m1, v128.load(p, 16));
    m2 = f32x4.pmax(m2, v128.load(p, 32));
    m3 = f32x4.pmax(m3, v128.load(p, 48));
  }
  for (; l + 4 <= len; l += 4) m0 = f32x4.pmax(m0, v128.load(x + (<usize>l << 2)));
  let m = hmax(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
  for (; l < len; l++) m = max<f32>(m, load<f32>(x + (<usize>l << 2)));
  return m;
}

@inline function forwardRow(mode: i32, x: usize, out: usize, len: i32): void {
  const m = rowMax(x, len);
  const vm = f32x4.splat(m);
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  let l = 0;
  for (; l + 8 <= len; l += 8) {
    const o = <usize>l << 2;
    const e0 = expv(f32x4.sub(v128.load(x + o), vm));
    const e1 = expv(f32x4.sub(v128.load(x + o, 16), vm));
    if (mode == SoftmaxMode.Softmax) {
      v128.store(out + o, e0);
      v128.store(out + o, e1, 16);
    }
    acc0 = f32x4.add(acc0, e0);
    acc1 = f32x4.add(acc1, e1);
  }
  for (; l + 4 <= len; l += 4) {
    const o = <usize>l << 2;
    const e = expv(f32x4.sub(v128.load(x + o), vm));
    if (mode == SoftmaxMode.Softmax) v128.store(out + o, e);
    acc0 = f32x4.add(acc0, e);
  }
  let s = hsum(f32x4.add(acc0, acc1));
  for (; l < len; l++) {
    const o = <usize>l << 2;
    const e = exps(load<f32>(x + o) - m);
    if (mode == SoftmaxMode.Softmax) store<f32>(out + o, e);
    s += e;
  }
  if (mode == SoftmaxMode.Softmax) {
    const inv: f32 = 1.0 / s;
    const vi = f32x4.splat(inv);
    l = 0;
    for (; l + 4 <= len; l += 4) {
      const o = <usize>l << 2;
      v128.store(out + o, f32x4.mul(v128.load(out + o), vi));
    }
    for (; l < len; l++) {
      const o = <usize>l << 2;
      store<f32>(out + o, load<f32>(out + o) * inv);
    }
  } else {
    const ls = Mathf.log(s);
    const vl = f32x4.splat(ls);
    l = 0;
    for (; l + 4 <= len; l += 4) {
      const o = <usize>l << 2;
      v128.store(out + o, f32x4.sub(f32x4.sub(v128.load(x + o), vm), vl));
    }
    for (; l < len; l++) {
      const o = <usize>l << 2;
      store<f32>(out + o, (load<f32>(x + o) - m) - ls);
    }
  }
}

// One [len, inner] slab; mx and sm are `inner` floats of scratch each.
@inline function forwardSlab(mode: i32, x: usize, out: usize, len: i32, inner: i32, mx: usize, sm: usize): void {
  const rowBytes = <usize>inner << 2;
  memory.copy(mx, x, rowBytes);
  for (let l = 1; l < len; l++) {
    const src = x + <usize>l * rowBytes;
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const o = <usize>i << 2;
      v128.store(mx + o, f32x4.pmax(v128.load(mx + o), v128.load(src + o)));
    }
    for (; i < inner; i++) {
      const o = <usize>i << 2;
      store<f32>(mx + o, max<f32>(load<f32>(mx + o), load<f32>(src + o)));
    }
  }
  memory.fill(sm, 0, rowBytes);
  for (let l = 0; l < len; l++) {
    const src = x + <usize>l * rowBytes;
    const dst = out + <usize>l * rowBytes;
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const o = <usize>i << 2;
      const e = expv(f32x4.sub(v128.load(src + o), v128.load(mx + o)));
      if (mode == SoftmaxMode.Softmax) v128.store(dst + o, e);
      v128.store(sm + o, f32x4.add(v128.load(sm + o), e));
    }
    for (; i < inner; i++) {
      const o = <usize>i << 2;
      const e = exps(load<f32>(src + o) - load<f32>(mx + o));
      if (mode == SoftmaxMode.Softmax) store<f32>(dst + o, e);
      store<f32>(sm + o, load<f32>(sm + o) + e);
    }
  }
  // sm becomes 1/Σ (softmax) or log Σ (log-softmax): one division or log per column.
  for (let i = 0; i < inner; i++) {
    const o = <usize>i << 2;
    const s = load<f32>(sm + o);
    store<f32>(sm + o, mode == SoftmaxMode.Softmax ? <f32>1.0 / s : Mathf.log(s));
  }
  for (let l = 0; l < len; l++) {
    const src = x + <usize>l * rowBytes;
    const dst = out + <usize>l * rowBytes;
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const o = <usize>i << 2;
      if (mode == SoftmaxMode.Softmax) {
        v128.store(dst + o, f32x4.mul(v128.load(dst + o), v128.load(sm + o)));
      } else {
        v128.store(dst + o, f32x4.sub(f32x4.sub(v128.load(src + o), v128.load(mx + o)), v128.load(sm + o)));
      }
    }
    for (; i < inner; i++) {
      const o = <usize>i << 2;
      if (mode == SoftmaxMode.Softmax) store<f32>(dst + o, load<f32>(dst + o) * load<f32>(sm + o));
      else store<f32>(dst + o, (load<f32>(src + o) - load<f32>(mx + o)) - load<f32>(sm + o));
    }
  }
}

@inline function forward(mode: i32, x: usize, out: usize, outer: i32, len: i32, inner: i32, scratch: usize): void {
  const slab = <usize>len * <usize>inner << 2;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) forwardRow(mode, x + <usize>o * slab, out + <usize>o * slab, len);
    return;
  }
  const sm = scratch + (<usize>inner << 2);
  for (let o = 0; o < outer; o++) forwardSlab(mode, x + <usize>o * slab, out + <usize>o * slab, len, inner, scratch, sm);
}

/**
 * out = softmax (mode SoftmaxMode.Softmax) or log-softmax (SoftmaxMode.LogSoftmax) of x along the middle axis of
 * [outer, len, inner]; len >= 1. scratch: 2·inner floats when inner > 1 (unused otherwise).
 */
export function softmax_f32(mode: i32, x: usize, out: usize, outer: i32, len: i32, inner: i32, scratch: usize): void {
  if (mode == SoftmaxMode.Softmax) forward(SoftmaxMode.Softmax, x, out, outer, len, inner, scratch);
  else forward(SoftmaxMode.LogSoftmax, x, out, outer, len, inner, scratch);
}

// Backward, with y the forward output and s a sum along the axis:
//   softmax:      s = Σ dy·y,  dx = y·(dy − s)
//   log-softmax:  s = Σ dy,    dx = dy − e^y·s   (e^y is the softmax)
@inline function backwardRow(mode: i32, y: usize, dy: usize, dx: usize, len: i32): void {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  let l = 0;
  for (; l + 8 <= len; l += 8) {
    const o = <usize>l << 2;
    if (mode == SoftmaxMode.Softmax) {
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(dy + o), v128.load(y + o)));
      acc1 = f32x4.add(acc1, f32x4.mul(v128.load(dy + o, 16), v128.load(y + o, 16)));
    } else {
      acc0 = f32x4.add(acc0, v128.load(dy + o));
      acc1 = f32x4.add(acc1, v128.load(dy + o, 16));
    }
  }
  for (; l + 4 <= len; l += 4) {
    const o = <usize>l << 2;
    acc0 = f32x4.add(acc0, mode == SoftmaxMode.Softmax ? f32x4.mul(v128.load(dy + o), v128.load(y + o)) : v128.load(dy + o));
  }
  let s = hsum(f32x4.add(acc0, acc1));
  for (; l < len; l++) {
    const o = <usize>l << 2;
    s += mode == SoftmaxMode.Softmax ? load<f32>(dy + o) * load<f32>(y + o) : load<f32>(dy + o);
  }
  const vs = f32x4.splat(s);
  l = 0;
  for (; l + 4 <= len; l += 4) {
    const o = <usize>l << 2;
    const vy = v128.load(y + o);
    const vd = v128.load(dy + o);
    v128.store(dx + o, mode == SoftmaxMode.Softmax ? f32x4.mul(vy, f32x4.sub(vd, vs)) : f32x4.sub(vd, f32x4.mul(expv(vy), vs)));
  }
  for (; l < len; l++) {
    const o = <usize>l << 2;
    const vy = load<f32>(y + o);
    const vd = load<f32>(dy + o);
    store<f32>(dx + o, mode == SoftmaxMode.Softmax ? vy * (vd - s) : vd - exps(vy) * s);
  }
}

@inline function backwardSlab(mode: i32, y: usize, dy: usize, dx: usize, len: i32, inner: i32, sm: usize): void {
  const rowBytes = <usize>inner << 2;
  memory.fill(sm, 0, rowBytes);
  for (let l = 0; l < len; l++) {
    const yr = y + <usize>l * rowBytes;
    const dr = dy + <usize>l * rowBytes;
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const o = <usize>i << 2;
      const t = mode == SoftmaxMode.Softmax ? f32x4.mul(v128.load(dr + o), v128.load(yr + o)) : v128.load(dr + o);
      v128.store(sm + o, f32x4.add(v128.load(sm + o), t));
    }
    for (; i < inner; i++) {
      const o = <usize>i << 2;
      const t = mode == SoftmaxMode.Softmax ? load<f32>(dr + o) * load<f32>(yr + o) : load<f32>(dr + o);
      store<f32>(sm + o, load<f32>(sm + o) + t);
    }
  }
  for (let l = 0; l < len; l++) {
    const yr = y + <usize>l * rowBytes;
    const dr = dy + <usize>l * rowBytes;
    const xr = dx + <usize>l * rowBytes;
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const o = <usize>i << 2;
      const vy = v128.load(yr + o);
      const vd = v128.load(dr + o);
      const vs = v128.load(sm + o);
      v128.store(xr + o, mode == SoftmaxMode.Softmax ? f32x4.mul(vy, f32x4.sub(vd, vs)) : f32x4.sub(vd, f32x4.mul(expv(vy), vs)));
    }
    for (; i < inner; i++) {
      const o = <usize>i << 2;
      const vy = load<f32>(yr + o);
      const vd = load<f32>(dr + o);
      const s = load<f32>(sm + o);
      store<f32>(xr + o, mode == SoftmaxMode.Softmax ? vy * (vd - s) : vd - exps(vy) * s);
    }
  }
}

@inline function backward(mode: i32, y: usize, dy: usize, dx: usize, outer: i32, len: i32, inner: i32, scratch: usize): void {
  const slab = <usize>len * <usize>inner << 2;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const off = <usize>o * slab;
      backwardRow(mode, y + off, dy + off, dx + off, len);
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const off = <usize>o * slab;
    backwardSlab(mode, y + off, dy + off, dx + off, len, inner, scratch);
  }
}

/**
 * dx from y (the forward output) and dy, for softmax (mode SoftmaxMode.Softmax) or log-softmax
 * (SoftmaxMode.LogSoftmax) along the middle axis of [outer, len, inner]. scratch: inner floats when
 * inner > 1 (unused otherwise).
 */
export function softmax_backward_f32(mode: i32, y: usize, dy: usize, dx: usize, outer: i32, len: i32, inner: i32, scratch: usize): void {
  if (mode == SoftmaxMode.Softmax) backward(SoftmaxMode.Softmax, y, dy, dx, outer, len, inner, scratch);
  else backward(SoftmaxMode.LogSoftmax, y, dy, dx, outer, len, inner, scratch);
}
