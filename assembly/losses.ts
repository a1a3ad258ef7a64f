// Over 400 lines because each loss kernel sits beside its gradient kernel, all share the vectorised exp/log1p polynomials, and cross entropy runs in two layouts (rows along C, class planes along inner).
// Loss kernels: fused per-element losses with their gradients, and cross entropy over rows.
//
// Elementwise losses are one f32x4 pass over the flat inputs (scalar tail through the same
// vector code on splats, so tails round identically). The reduction runs afterwards with
// reduce_f32; the gradient kernels read the upstream gradient through a stride (0: one scalar
// from a reduced loss, 1: 'none') and a scale (1/n for a mean), so no expanded upstream and no
// intermediate derivative tensor is ever materialised.
//
// Cross entropy reads logits as [outer, C, inner]. inner == 1 (logits [N, C]): one row at a
// time, f32x4 along C (a max pass, then an exp-sum pass). inner > 1 ([N, C, d...]): four
// positions at once, f32x4 along inner, walking the class planes, so memory is still read
// contiguously; leftover positions go through a scalar column walk.
import { PointwiseLoss } from './opcodes';

const LOG2E: f32 = 1.44269504;
// Adding 1.5·2^23 rounds to an integer and leaves it in the low mantissa bits.
const ROUNDER: f32 = 12582912.0;
const ROUNDER_BITS: i32 = 0x4b400000;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

@inline function splat(v: f32): v128 {
  return f32x4.splat(v);
}

@inline function fma(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

// exp: x = n·ln2 + r, |r| <= ln2/2, with ln2 split in two so that n·LN2_HI is exact; e^r by
// the Cephes expf polynomial (< 2 ulp). The clamp to [−104, 89] keeps n in [−150, 129] (−104
// already underflows, 89 overflows); pmin/pmax with x first pass NaN through and are one
// instruction each on x86, unlike min/max. 2^n is applied as two exponent-field factors
// 2^(n>>1)·2^(n − n>>1), both normal, so overflow to inf and subnormal results come out of
// the last multiply.
@inline function vexp(x: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, splat(-104)), splat(89));
  const t = fma(c, splat(LOG2E), splat(ROUNDER));
  const n = f32x4.sub(t, splat(ROUNDER));
  const r = f32x4.sub(f32x4.sub(c, f32x4.mul(n, splat(LN2_HI))), f32x4.mul(n, splat(LN2_LO)));
  let p = splat(1.9875691500e-4);
  p = fma(p, r, splat(1.3981999507e-3));
  p = fma(p, r, splat(8.3334519073e-3));
  p = fma(p, r, splat(4.1665795894e-2));
  p = fma(p, r, splat(1.6666665459e-1));
  p = fma(p, r, splat(5.0000001201e-1));
  p = f32x4.add(fma(p, f32x4.mul(r, r), r), splat(1));
  const ni = i32x4.sub(t, i32x4.splat(ROUNDER_BITS));
  const half = i32x4.shr_s(ni, 1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(half, bias), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

// log(1 + e) for e in [0, 1] as 2·atanh(s), s = e / (2 + e) in [0, 1/3]: the odd series to
// s^15 truncates below 1e-8 relative, and 1 + e is never formed, so a tiny e (a huge |logit|)
// keeps full relative precision.
@inline function vlog1pUnit(e: v128): v128 {
  const s = f32x4.div(e, f32x4.add(e, splat(2)));
  const s2 = f32x4.mul(s, s);
  let p = splat(1.0 / 15.0);
  p = fma(p, s2, splat(1.0 / 13.0));
  p = fma(p, s2, splat(1.0 / 11.0));
  p = fma(p, s2, splat(1.0 / 9.0));
  p = fma(p, s2, splat(1.0 / 7.0));
  p = fma(p, s2, splat(1.0 / 5.0));
  p = fma(p, s2, splat(1.0 / 3.0));
  p = fma(p, s2, splat(1));
  return f32x4.mul(f32x4.add(s, s), p);
}

@inline function sexp(x: f32): f32 {
  return f32x4.extract_lane(vexp(splat(x)), 0);
}

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// ---------------------------------------------------------------------------------------------
// Pointwise losses: MSE, L1, Huber, hinge, Gaussian KL.

@inline function lossV(op: i32, x: v128, t: v128, param: f32): v128 {
  const d = f32x4.sub(x, t);
  switch (op) {
    case PointwiseLoss.Mse: return f32x4.mul(d, d);
    case PointwiseLoss.L1: return f32x4.abs(d);
    case PointwiseLoss.Huber: {
      const a = f32x4.abs(d);
      const quad = f32x4.mul(splat(0.5), f32x4.mul(d, d));
      const lin = f32x4.mul(splat(param), f32x4.sub(a, splat(0.5 * param)));
      return v128.bitselect(quad, lin, f32x4.lt(a, splat(param)));
    }
    case PointwiseLoss.Hinge: return f32x4.pmax(f32x4.sub(splat(param), f32x4.mul(t, x)), splat(0));
    default: {
      // −½(1 + lv − mu² − e^lv)
      const inner = f32x4.sub(f32x4.sub(f32x4.add(splat(1), t), f32x4.mul(x, x)), vexp(t));
      return f32x4.mul(splat(-0.5), inner);
    }
  }
}

// d loss / d x (wrt 0) or d loss / d t (wrt 1).
@inline function gradV(op: i32, wrt: i32, x: v128, t: v128, param: f32): v128 {
  const d = f32x4.sub(x, t);
  let g: v128;
  switch (op) {
    case PointwiseLoss.Mse: g = f32x4.add(d, d); break;
    case PointwiseLoss.L1: {
      const one = splat(1);
      g = f32x4.sub(v128.and(f32x4.gt(d, splat(0)), one), v128.and(f32x4.lt(d, splat(0)), one));
      break;
    }
    case PointwiseLoss.Huber: g = f32x4.pmin(f32x4.pmax(d, splat(-param)), splat(param)); break;
    case PointwiseLoss.Hinge: {
      // Active where margin − t·x > 0; 0 at the kink. wrt 1: −x.
      const active = f32x4.gt(f32x4.sub(splat(param), f32x4.mul(t, x)), splat(0));
      return v128.and(f32x4.neg(wrt == 0 ? t : x), active);
    }
    default:
      return wrt == 0 ? x : f32x4.mul(splat(0.5), f32x4.sub(vexp(t), splat(1)));
  }
  // MSE, L1 and Huber depend on x − t only.
  return wrt == 0 ? g : f32x4.neg(g);
}

@inline function pointwiseLoop(op: i32, x: usize, t: usize, out: usize, n: i32, param: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(out, i), lossV(op, v128.load(at(x, i)), v128.load(at(t, i)), param));
  }
  for (; i < n; i++) {
    const v = lossV(op, v128.load32_splat(at(x, i)), v128.load32_splat(at(t, i)), param);
    store<f32>(at(out, i), f32x4.extract_lane(v, 0));
  }
}

@inline function pointwiseGradLoop(op: i32, wrt: i32, x: usize, t: usize, g: usize, gStride: i32, scale: f32, dx: usize, n: i32, param: f32): void {
  const vs = splat(scale);
  let i = 0;
  if (gStride == 0) {
    const vg = f32x4.mul(v128.load32_splat(g), vs);
    for (; i + 4 <= n; i += 4) {
      v128.store(at(dx, i), f32x4.mul(vg, gradV(op, wrt, v128.load(at(x, i)), v128.load(at(t, i)), param)));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const vg = f32x4.mul(v128.load(at(g, i)), vs);
      v128.store(at(dx, i), f32x4.mul(vg, gradV(op, wrt, v128.load(at(x, i)), v128.load(at(t, i)), param)));
    }
  }
  for (; i < n; i++) {
    const vg = f32x4.mul(v128.load32_splat(at(g, i * gStride)), vs);
    const v = f32x4.mul(vg, gradV(op, wrt, v128.load32_splat(at(x, i)), v128.load32_splat(at(t, i)), param));
    store<f32>(at(dx, i), f32x4.extract_lane(v, 0));
  }
}

/** out[i] = loss(x[i], t[i]) for a PointwiseLoss op; param: Huber's delta or the hinge margin. */
export function pointwise_loss_f32(op: i32, x: usize, t: usize, out: usize, n: i32, param: f32): void {
  switch (op) {
    case PointwiseLoss.Mse: pointwiseLoop(PointwiseLoss.Mse, x, t, out, n, param); break;
    case PointwiseLoss.L1: pointwiseLoop(PointwiseLoss.L1, x, t, out, n, param); break;
    case PointwiseLoss.Huber: pointwiseLoop(PointwiseLoss.Huber, x, t, out, n, param); break;
    case PointwiseLoss.Hinge: pointwiseLoop(PointwiseLoss.Hinge, x, t, out, n, param); break;
    default: pointwiseLoop(PointwiseLoss.KlNormal, x, t, out, n, param); break;
  }
}

/** dx[i] = scale · g[i·gStride] · ∂loss(x[i], t[i]) / ∂(x if wrt == 0 else t). */
export function pointwise_loss_grad_f32(op: i32, wrt: i32, x: usize, t: usize, g: usize, gStride: i32, scale: f32, dx: usize, n: i32, param: f32): void {
  switch (op) {
    case PointwiseLoss.Mse: pointwiseGradLoop(PointwiseLoss.Mse, wrt, x, t, g, gStride, scale, dx, n, param); break;
    case PointwiseLoss.L1: pointwiseGradLoop(PointwiseLoss.L1, wrt, x, t, g, gStride, scale, dx, n, param); break;
    case PointwiseLoss.Huber: pointwiseGradLoop(PointwiseLoss.Huber, wrt, x, t, g, gStride, scale, dx, n, param); break;
    case PointwiseLoss.Hinge: pointwiseGradLoop(PointwiseLoss.Hinge, wrt, x, t, g, gStride, scale, dx, n, param); break;
    default: pointwiseGradLoop(PointwiseLoss.KlNormal, wrt, x, t, g, gStride, scale, dx, n, param); break;
  }
}

/** Index of the first element that is neither −1 nor +1, or −1 when all are. */
export function first_not_sign_f32(y: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(y, i));
    if (v != 1 && v != -1) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Binary cross entropy on logits, with optional per-element weight w and positive weight pw
// (0 pointers when absent; both already expanded to x's shape).
//
// With L = 1 + (pw − 1)·y, loss = (1 − y)·x + L·softplus(−x) and
// softplus(−x) = max(−x, 0) + log1p(e^−|x|): only e^−|x| <= 1 is ever computed, so any
// logit (±100, ±1e30) gives a finite loss. ∂/∂x = L·σ(x) − pw·y, ∂/∂y = (pw − 1)·softplus(−x) − x.

@inline function bceLossV(x: v128, y: v128, pw: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const spNeg = f32x4.add(f32x4.pmax(f32x4.neg(x), splat(0)), vlog1pUnit(e));
  const l = fma(f32x4.sub(pw, splat(1)), y, splat(1));
  return fma(l, spNeg, f32x4.mul(f32x4.sub(splat(1), y), x));
}

@inline function bceGradV(wrt: i32, x: v128, y: v128, pw: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  if (wrt == 1) {
    const spNeg = f32x4.add(f32x4.pmax(f32x4.neg(x), splat(0)), vlog1pUnit(e));
    return f32x4.sub(f32x4.mul(f32x4.sub(pw, splat(1)), spNeg), x);
  }
  // σ(x) = 1/(1 + e) for x >= 0, e/(1 + e) otherwise, with e = e^−|x|.
  const inv = f32x4.div(splat(1), f32x4.add(splat(1), e));
  const sig = v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(x, splat(0)));
  const l = fma(f32x4.sub(pw, splat(1)), y, splat(1));
  return f32x4.sub(f32x4.mul(l, sig), f32x4.mul(pw, y));
}

@inline function loadOr(p: usize, i: i32, one: v128): v128 {
  return p != 0 ? v128.load(at(p, i)) : one;
}

@inline function splatOr(p: usize, i: i32, one: v128): v128 {
  return p != 0 ? v128.load32_splat(at(p, i)) : one;
}

/** out[i] = w[i] · bce(x[i], y[i]; pw[i]); w, pw may be 0 (absent). */
export function bce_logits_f32(x: usize, y: usize, w: usize, pw: usize, out: usize, n: i32): void {
  const one = splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const l = bceLossV(v128.load(at(x, i)), v128.load(at(y, i)), loadOr(pw, i, one));
    v128.store(at(out, i), f32x4.mul(l, loadOr(w, i, one)));
  }
  for (; i < n; i++) {
    const l = bceLossV(v128.load32_splat(at(x, i)), v128.load32_splat(at(y, i)), splatOr(pw, i, one));
    store<f32>(at(out, i), f32x4.extract_lane(f32x4.mul(l, splatOr(w, i, one)), 0));
  }
}

/** dx[i] = scale · g[i·gStride] · w[i] · ∂bce/∂(x if wrt == 0 else y). */
export function bce_logits_grad_f32(wrt: i32, x: usize, y: usize, w: usize, pw: usize, g: usize, gStride: i32, scale: f32, dx: usize, n: i32): void {
  const one = splat(1);
  const vs = splat(scale);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const vg = f32x4.mul(gStride == 0 ? v128.load32_splat(g) : v128.load(at(g, i)), vs);
    const d = bceGradV(wrt, v128.load(at(x, i)), v128.load(at(y, i)), loadOr(pw, i, one));
    v128.store(at(dx, i), f32x4.mul(f32x4.mul(vg, loadOr(w, i, one)), d));
  }
  for (; i < n; i++) {
    const vg = f32x4.mul(v128.load32_splat(at(g, i * gStride)), vs);
    const d = bceGradV(wrt, v128.load32_splat(at(x, i)), v128.load32_splat(at(y, i)), splatOr(pw, i, one));
    store<f32>(at(dx, i), f32x4.extract_lane(f32x4.mul(f32x4.mul(vg, splatOr(w, i, one)), d), 0));
  }
}

// ---------------------------------------------------------------------------------------------
// Cross entropy with class weights w (0: all 1), label smoothing eps and an ignored label.
//
// Per position, with m = max_c x_c, S = Σ_c e^(x_c − m), lse = m + log S, W = Σ_c w_c:
//   loss = (1 − eps)·w_y·(lse − x_y) + (eps/C)·Σ_c w_c·(lse − x_c)
// (PyTorch's label smoothing), written as sums of the non-negative m − x_c plus log S, so that
// logits of ±1e4 cancel nothing. den = w_y is the position's share of a 'mean' denominator;
// ignored positions give loss 0 and den 0.
//   ∂loss/∂x_c = a·p_c − (eps/C)·w_c − [c = y]·(1 − eps)·w_y,  a = (1 − eps)·w_y + (eps/C)·W.

let statMax: f32 = 0;
let statSum: f32 = 0;
let statSw: f32 = 0;
// Lanes of the 4-position path, spilled for per-lane scalar work (lane indices must be constant).
const laneMax = memory.data(16, 16);
const laneSum = memory.data(16, 16);
const laneSw = memory.data(16, 16);
const laneA = memory.data(16, 16);
const laneB = memory.data(16, 16);

// Max, Σ e^(x − max) and Σ w·(max − x) over one contiguous row, f32x4 along C.
function rowStats(x: usize, w: usize, c: i32, smooth: bool): void {
  let vm = splat(-Infinity);
  let j = 0;
  for (; j + 4 <= c; j += 4) vm = f32x4.pmax(v128.load(at(x, j)), vm);
  // pmax may skip a NaN logit, but the NaN still reaches Σ e^(x − max): the loss is NaN.
  let m = max<f32>(max<f32>(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max<f32>(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  for (; j < c; j++) m = max<f32>(m, load<f32>(at(x, j)));
  const mv = splat(m);
  const one = splat(1);
  let vs = splat(0), vw = splat(0);
  j = 0;
  for (; j + 4 <= c; j += 4) {
    const xv = v128.load(at(x, j));
    vs = f32x4.add(vs, vexp(f32x4.sub(xv, mv)));
    if (smooth) vw = fma(loadOr(w, j, one), f32x4.sub(mv, xv), vw);
  }
  let s = f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1) + f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3);
  let sw = f32x4.extract_lane(vw, 0) + f32x4.extract_lane(vw, 1) + f32x4.extract_lane(vw, 2) + f32x4.extract_lane(vw, 3);
  for (; j < c; j++) {
    const v = load<f32>(at(x, j));
    s += sexp(v - m);
    if (smooth) sw += (w != 0 ? load<f32>(at(w, j)) : 1) * (m - v);
  }
  statMax = m;
  statSum = s;
  statSw = sw;
}

// The same over one position of [outer, C, inner], reading class c at x + c·inner.
function columnStats(x: usize, inner: i32, w: usize, c: i32, smooth: bool): void {
  let m: f32 = -Infinity;
  for (let j = 0; j < c; j++) m = max<f32>(m, load<f32>(at(x, j * inner)));
  let s: f32 = 0, sw: f32 = 0;
  for (let j = 0; j < c; j++) {
    const v = load<f32>(at(x, j * inner));
    s += sexp(v - m);
    if (smooth) sw += (w != 0 ? load<f32>(at(w, j)) : 1) * (m - v);
  }
  statMax = m;
  statSum = s;
  statSw = sw;
}

@inline function classWeight(w: usize, y: i32): f32 {
  return w != 0 ? load<f32>(at(w, y)) : 1;
}

@inline function finishLoss(m: f32, s: f32, sw: f32, xy: f32, wy: f32, bigW: f32, eps: f32, c: i32): f32 {
  const logS = Mathf.log(s);
  let loss = (<f32>1 - eps) * wy * ((m - xy) + logS);
  if (eps != 0) loss += (eps / <f32>c) * (sw + bigW * logS);
  return loss;
}

function totalWeight(w: usize, c: i32): f32 {
  if (w == 0) return <f32>c;
  let t: f32 = 0;
  for (let j = 0; j < c; j++) t += load<f32>(at(w, j));
  return t;
}

/**
 * Cross entropy per position of logits [outer, C, inner] with i32 labels [outer, inner]:
 * out = loss, den = w_y (both 0 where label == ignoreIndex). w: [C] class weights or 0.
 */
export function cross_entropy_f32(x: usize, labels: usize, w: usize, out: usize, den: usize, outer: i32, c: i32, inner: i32, eps: f32, ignoreIndex: i32): void {
  const smooth = eps != 0;
  const bigW = totalWeight(w, c);
  const planeBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * <usize>c * planeBytes;
    let s = 0;
    if (inner >= 4) {
      for (; s + 4 <= inner; s += 4) {
        const p = base + (<usize>s << 2);
        let vm = v128.load(p);
        for (let j = 1; j < c; j++) vm = f32x4.pmax(v128.load(p + <usize>j * planeBytes), vm);
        let vs = splat(0), vw = splat(0);
        for (let j = 0; j < c; j++) {
          const xv = v128.load(p + <usize>j * planeBytes);
          vs = f32x4.add(vs, vexp(f32x4.sub(xv, vm)));
          if (smooth) vw = fma(splatOr(w, j, splat(1)), f32x4.sub(vm, xv), vw);
        }
        v128.store(laneMax, vm);
        v128.store(laneSum, vs);
        v128.store(laneSw, vw);
        for (let k = 0; k < 4; k++) {
          const pos = o * inner + s + k;
          const y = load<i32>(at(labels, pos));
          let loss: f32 = 0, d: f32 = 0;
          if (y != ignoreIndex) {
            d = classWeight(w, y);
            const xy = load<f32>(p + <usize>y * planeBytes + (<usize>k << 2));
            loss = finishLoss(load<f32>(at(laneMax, k)), load<f32>(at(laneSum, k)), load<f32>(at(laneSw, k)), xy, d, bigW, eps, c);
          }
          store<f32>(at(out, pos), loss);
          store<f32>(at(den, pos), d);
        }
      }
    }
    for (; s < inner; s++) {
      const p = base + (<usize>s << 2);
      const pos = o * inner + s;
      const y = load<i32>(at(labels, pos));
      let loss: f32 = 0, d: f32 = 0;
      if (y != ignoreIndex) {
        if (inner == 1) rowStats(p, w, c, smooth);
        else columnStats(p, inner, w, c, smooth);
        d = classWeight(w, y);
        loss = finishLoss(statMax, statSum, statSw, load<f32>(p + <usize>y * planeBytes), d, bigW, eps, c);
      }
      store<f32>(at(out, pos), loss);
      store<f32>(at(den, pos), d);
    }
  }
}

/**
 * dx = ∂/∂x of Σ_pos g[pos·gStride]·scale·loss(pos), for logits [outer, C, inner] (see
 * cross_entropy_f32).
 */
export function cross_entropy_grad_f32(x: usize, labels: usize, w: usize, g: usize, gStride: i32, scale: f32, dx: usize, outer: i32, c: i32, inner: i32, eps: f32, ignoreIndex: i32): void {
  const bigW = totalWeight(w, c);
  const epsC = eps / <f32>c;
  const planeBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * <usize>c * planeBytes;
    let s = 0;
    if (inner >= 4) {
      for (; s + 4 <= inner; s += 4) {
        const p = x + base + (<usize>s << 2);
        const q = dx + base + (<usize>s << 2);
        let vm = v128.load(p);
        for (let j = 1; j < c; j++) vm = f32x4.pmax(v128.load(p + <usize>j * planeBytes), vm);
        let vs = splat(0);
        for (let j = 0; j < c; j++) vs = f32x4.add(vs, vexp(f32x4.sub(v128.load(p + <usize>j * planeBytes), vm)));
        // Per lane: a/S multiplies e^(x − m), b = g·eps/C multiplies w_c; 0 on ignored lanes.
        v128.store(laneSum, vs);
        for (let k = 0; k < 4; k++) {
          const pos = o * inner + s + k;
          const y = load<i32>(at(labels, pos));
          let a: f32 = 0, b: f32 = 0;
          if (y != ignoreIndex) {
            const gi = load<f32>(at(g, pos * gStride)) * scale;
            a = gi * ((<f32>1 - eps) * classWeight(w, y) + epsC * bigW) / load<f32>(at(laneSum, k));
            b = gi * epsC;
          }
          store<f32>(at(laneA, k), a);
          store<f32>(at(laneB, k), b);
        }
        const va = v128.load(laneA), vb = v128.load(laneB);
        for (let j = 0; j < c; j++) {
          const off = <usize>j * planeBytes;
          const pj = f32x4.mul(va, vexp(f32x4.sub(v128.load(p + off), vm)));
          v128.store(q + off, f32x4.sub(pj, f32x4.mul(vb, splatOr(w, j, splat(1)))));
        }
        for (let k = 0; k < 4; k++) {
          const pos = o * inner + s + k;
          const y = load<i32>(at(labels, pos));
          if (y == ignoreIndex) continue;
          const gi = load<f32>(at(g, pos * gStride)) * scale;
          const qy = q + <usize>y * planeBytes + (<usize>k << 2);
          store<f32>(qy, load<f32>(qy) - gi * (<f32>1 - eps) * classWeight(w, y));
        }
      }
    }
    for (; s < inner; s++) {
      const p = x + base + (<usize>s << 2);
      const q = dx + base + (<usize>s << 2);
      const pos = o * inner + s;
      const y = load<i32>(at(labels, pos));
      if (y == ignoreIndex) {
        for (let j = 0; j < c; j++) store<f32>(q + <usize>j * planeBytes, 0);
        continue;
      }
      const gi = load<f32>(at(g, pos * gStride)) * scale;
      const wy = classWeight(w, y);
      const b = gi * epsC;
      if (inner == 1) {
        rowStats(p, w, c, false);
        const a = gi * ((<f32>1 - eps) * wy + epsC * bigW) / statSum;
        const va = splat(a), vb = splat(b), vm = splat(statMax), one = splat(1);
        let j = 0;
        for (; j + 4 <= c; j += 4) {
          const pj = f32x4.mul(va, vexp(f32x4.sub(v128.load(at(p, j)), vm)));
          v128.store(at(q, j), f32x4.sub(pj, f32x4.mul(vb, loadOr(w, j, one))));
        }
        for (; j < c; j++) store<f32>(at(q, j), a * sexp(load<f32>(at(p, j)) - statMax) - b * classWeight(w, j));
      } else {
        columnStats(p, inner, w, c, false);
        const a = gi * ((<f32>1 - eps) * wy + epsC * bigW) / statSum;
        for (let j = 0; j < c; j++) {
          const off = <usize>j * planeBytes;
          store<f32>(q + off, a * sexp(load<f32>(p + off) - statMax) - b * classWeight(w, j));
        }
      }
      const qy = q + <usize>y * planeBytes;
      store<f32>(qy, load<f32>(qy) - gi * (<f32>1 - eps) * wy);
    }
  }
}

/**
 * Converts float labels to i32 in place or into dst, checking each is an integer in [0, c) or
 * equal to ignoreIndex. Returns the index of the first bad label, or −1.
 */
export function ce_labels_i32(src: usize, dst: usize, n: i32, c: i32, ignoreIndex: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(src, i));
    if (v != Mathf.floor(v)) return i;
    if (v == <f32>ignoreIndex) {
      store<i32>(at(dst, i), ignoreIndex);
      continue;
    }
    if (!(v >= 0 && v < <f32>c)) return i;
    store<i32>(at(dst, i), <i32>v);
  }
  return -1;
}
