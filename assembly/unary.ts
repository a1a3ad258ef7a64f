// Elementwise unary ops, their fused gradients, and pow with a broadcast tensor exponent.
//
// Contiguous input and output: one f32x4 loop per op, the op switch hoisted out of the loop by
// inlining a loop per op code. The 1–3 leftover elements go through the same vector code
// (a partial load into one vector), so an element's result never depends on its position.
// Gradients are fused: dx = dy · f'(x) is one pass that reads x, the forward output and dy,
// with no temporaries. The transcendental functions live in simd_math.ts.
// pow_f32/pow_grad_f32 read the broadcast meta block of binary.ts (shape, strides of x and of
// the exponent, counters) and write a contiguous output.

import { expV, log1pUnitV, logV, powV, sigmoidV, tanhV } from './simd_math';
import { next, offset, rowLength, rowStride, start } from './odometer';
import { UnaryOp } from './opcodes';

// pow is long (two float64 log/exp pairs per vector): called, not inlined at every use.
function pow4(x: v128, e: v128): v128 {
  return powV(x, e);
}

// pow's fast paths, chosen inside the kernel from the exponent
const POW_COPY = 100;
const POW_ONE = 101;
const POW_RECIP = 102;
const POW_CUBE = 103;
const POW_RECIP_SQUARE = 104;
const GRAD_ZERO = 105;
const GRAD_POW_COPY = 106;

@inline function splat1(): v128 {
  return f32x4.splat(1.0);
}

@inline function fwd(op: i32, x: v128, p1: v128, p2: v128): v128 {
  switch (op) {
    case UnaryOp.Exp: return expV(x);
    case UnaryOp.Log: return logV(x);
    case UnaryOp.Sqrt: return f32x4.sqrt(x);
    case UnaryOp.Abs: return f32x4.abs(x);
    case UnaryOp.Tanh: return tanhV(x);
    case UnaryOp.Sigmoid: return sigmoidV(x);
    // f32x4.max propagates NaN (relu(NaN) = NaN, as in PyTorch) and max(−0, 0) = +0
    case UnaryOp.Relu: return f32x4.max(x, f32x4.splat(0.0));
    case UnaryOp.LeakyRelu: return v128.bitselect(x, f32x4.mul(x, p1), f32x4.gt(x, f32x4.splat(0.0)));
    case UnaryOp.Softplus: {
      // softplus(z)/β with z = βx: max(z, 0) + log1p(e^−|z|) never overflows and keeps
      // full precision for very negative z (log1p(t) ≈ t); PyTorch returns x when z > threshold.
      const z = f32x4.mul(x, p1);
      const sp = f32x4.add(f32x4.max(z, f32x4.splat(0.0)), log1pUnitV(expV(f32x4.neg(f32x4.abs(z)))));
      return v128.bitselect(x, f32x4.div(sp, p1), f32x4.gt(z, p2));
    }
    // min > max gives max everywhere, as torch.clamp; NaN stays NaN
    case UnaryOp.Clamp: return f32x4.min(f32x4.max(x, p1), p2);
    case UnaryOp.Pow: return pow4(x, p1);
    case UnaryOp.Square: return f32x4.mul(x, x);
    case UnaryOp.Rsqrt: return f32x4.div(splat1(), f32x4.sqrt(x));
    case POW_COPY: return x;
    case POW_ONE: return splat1();
    case POW_RECIP: return f32x4.div(splat1(), x);
    case POW_CUBE: return f32x4.mul(f32x4.mul(x, x), x);
    default: return f32x4.div(splat1(), f32x4.mul(x, x)); // POW_RECIP_SQUARE
  }
}

// dx for dy, given the input x and the forward output y. The rules and their edge values
// follow PyTorch's derivatives.yaml (see the JSDoc of each op in src/ops/unary.ts).
@inline function bwd(op: i32, x: v128, y: v128, dy: v128, p1: v128, p2: v128): v128 {
  const zero = f32x4.splat(0.0);
  switch (op) {
    case UnaryOp.Exp: return f32x4.mul(dy, y);
    case UnaryOp.Log: return f32x4.div(dy, x);
    case UnaryOp.Sqrt: return f32x4.div(dy, f32x4.add(y, y));
    case UnaryOp.Abs: {
      // sign(x): 0 at 0 and at NaN
      const s = f32x4.sub(v128.and(f32x4.gt(x, zero), splat1()), v128.and(f32x4.lt(x, zero), splat1()));
      return f32x4.mul(dy, s);
    }
    case UnaryOp.Tanh: return f32x4.mul(dy, f32x4.sub(splat1(), f32x4.mul(y, y)));
    case UnaryOp.Sigmoid: return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(splat1(), y)));
    // PyTorch's threshold_backward: 0 where y <= 0, so a NaN output passes dy through
    case UnaryOp.Relu: return v128.andnot(dy, f32x4.le(y, zero));
    case UnaryOp.LeakyRelu: return v128.bitselect(dy, f32x4.mul(dy, p1), f32x4.gt(x, zero));
    case UnaryOp.Softplus: {
      // σ(βx) in its overflow-free form (PyTorch's z/(z+1) with z = e^βx is NaN once z = Inf)
      const z = f32x4.mul(x, p1);
      return v128.bitselect(dy, f32x4.mul(dy, sigmoidV(z)), f32x4.gt(z, p2));
    }
    case UnaryOp.Clamp: return v128.and(dy, v128.and(f32x4.ge(x, p1), f32x4.le(x, p2)));
    case UnaryOp.Pow: return f32x4.mul(dy, f32x4.mul(p1, pow4(x, f32x4.sub(p1, splat1()))));
    case UnaryOp.Square: return f32x4.mul(dy, f32x4.add(x, x));
    case UnaryOp.Rsqrt: return f32x4.mul(f32x4.mul(dy, f32x4.splat(-0.5)), f32x4.mul(y, f32x4.mul(y, y)));
    case POW_CUBE: return f32x4.mul(dy, f32x4.mul(f32x4.splat(3.0), f32x4.mul(x, x)));
    case POW_RECIP: return f32x4.neg(f32x4.div(dy, f32x4.mul(x, x)));
    case POW_RECIP_SQUARE: return f32x4.mul(f32x4.mul(dy, f32x4.splat(-2.0)), f32x4.mul(y, f32x4.div(splat1(), x)));
    case GRAD_POW_COPY: return dy;
    default: return zero; // GRAD_ZERO
  }
}

/** Loads rem (1–3) floats into the low lanes; the other lanes repeat the first. */
@inline function loadPart(p: usize, rem: i32): v128 {
  let v = v128.load32_splat(p);
  if (rem > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (rem > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline function storePart(p: usize, v: v128, rem: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (rem > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (rem > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

@inline function mapLoop(op: i32, x: usize, out: usize, n: i32, p1: f32, p2: f32): void {
  const v1 = f32x4.splat(p1);
  const v2 = f32x4.splat(p2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, fwd(op, v128.load(x + o), v1, v2));
  }
  if (i < n) {
    const o = <usize>i << 2;
    storePart(out + o, fwd(op, loadPart(x + o, n - i), v1, v2), n - i);
  }
}

@inline function gradLoop(op: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32, p1: f32, p2: f32): void {
  const v1 = f32x4.splat(p1);
  const v2 = f32x4.splat(p2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, bwd(op, v128.load(x + o), v128.load(y + o), v128.load(dy + o), v1, v2));
  }
  if (i < n) {
    const o = <usize>i << 2;
    const r = n - i;
    storePart(dx + o, bwd(op, loadPart(x + o, r), loadPart(y + o, r), loadPart(dy + o, r), v1, v2), r);
  }
}

/** out[i] = f(x[i]) for the op code (p1, p2: the op's parameters); out may be x. */
export function unary_f32(op: i32, x: usize, out: usize, n: i32, p1: f32, p2: f32): void {
  switch (op) {
    case UnaryOp.Exp: mapLoop(UnaryOp.Exp, x, out, n, p1, p2); break;
    case UnaryOp.Log: mapLoop(UnaryOp.Log, x, out, n, p1, p2); break;
    case UnaryOp.Sqrt: mapLoop(UnaryOp.Sqrt, x, out, n, p1, p2); break;
    case UnaryOp.Abs: mapLoop(UnaryOp.Abs, x, out, n, p1, p2); break;
    case UnaryOp.Tanh: mapLoop(UnaryOp.Tanh, x, out, n, p1, p2); break;
    case UnaryOp.Sigmoid: mapLoop(UnaryOp.Sigmoid, x, out, n, p1, p2); break;
    case UnaryOp.Relu: mapLoop(UnaryOp.Relu, x, out, n, p1, p2); break;
    case UnaryOp.LeakyRelu: mapLoop(UnaryOp.LeakyRelu, x, out, n, p1, p2); break;
    case UnaryOp.Softplus: mapLoop(UnaryOp.Softplus, x, out, n, p1, p2); break;
    case UnaryOp.Clamp: mapLoop(UnaryOp.Clamp, x, out, n, p1, p2); break;
    case UnaryOp.Square: mapLoop(UnaryOp.Square, x, out, n, p1, p2); break;
    case UnaryOp.Rsqrt: mapLoop(UnaryOp.Rsqrt, x, out, n, p1, p2); break;
    default: // UnaryOp.Pow; the exponents PyTorch special-cases get exact short forms
      if (p1 == 2) mapLoop(UnaryOp.Square, x, out, n, p1, p2);
      else if (p1 == 0.5) mapLoop(UnaryOp.Sqrt, x, out, n, p1, p2);
      else if (p1 == 1) mapLoop(POW_COPY, x, out, n, p1, p2);
      else if (p1 == 0) mapLoop(POW_ONE, x, out, n, p1, p2);
      else if (p1 == -1) mapLoop(POW_RECIP, x, out, n, p1, p2);
      else if (p1 == 3) mapLoop(POW_CUBE, x, out, n, p1, p2);
      else if (p1 == -2) mapLoop(POW_RECIP_SQUARE, x, out, n, p1, p2);
      else mapLoop(UnaryOp.Pow, x, out, n, p1, p2);
  }
}

/** dx[i] = dy[i] · f'(x[i]) for the op code; y is the forward output (read by some rules). */
export function unary_grad_f32(op: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32, p1: f32, p2: f32): void {
  switch (op) {
    case UnaryOp.Exp: gradLoop(UnaryOp.Exp, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Log: gradLoop(UnaryOp.Log, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Sqrt: gradLoop(UnaryOp.Sqrt, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Abs: gradLoop(UnaryOp.Abs, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Tanh: gradLoop(UnaryOp.Tanh, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Sigmoid: gradLoop(UnaryOp.Sigmoid, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Relu: gradLoop(UnaryOp.Relu, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.LeakyRelu: gradLoop(UnaryOp.LeakyRelu, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Softplus: gradLoop(UnaryOp.Softplus, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Clamp: gradLoop(UnaryOp.Clamp, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Square: gradLoop(UnaryOp.Square, x, y, dy, dx, n, p1, p2); break;
    case UnaryOp.Rsqrt: gradLoop(UnaryOp.Rsqrt, x, y, dy, dx, n, p1, p2); break;
    default: // UnaryOp.Pow: e·x^(e−1), and 0 for e = 0 (PyTorch's pow_backward)
      if (p1 == 0) gradLoop(GRAD_ZERO, x, y, dy, dx, n, p1, p2);
      else if (p1 == 1) gradLoop(GRAD_POW_COPY, x, y, dy, dx, n, p1, p2);
      else if (p1 == 2) gradLoop(UnaryOp.Square, x, y, dy, dx, n, p1, p2);
      else if (p1 == 0.5) gradLoop(UnaryOp.Sqrt, x, y, dy, dx, n, p1, p2);
      else if (p1 == 3) gradLoop(POW_CUBE, x, y, dy, dx, n, p1, p2);
      else if (p1 == -1) gradLoop(POW_RECIP, x, y, dy, dx, n, p1, p2);
      else if (p1 == -2) gradLoop(POW_RECIP_SQUARE, x, y, dy, dx, n, p1, p2);
      else gradLoop(UnaryOp.Pow, x, y, dy, dx, n, p1, p2);
  }
}

// ---- pow with a tensor exponent (broadcast) -------------------------------------------------

const POW_FORWARD = 0;
const POW_GRAD_BASE = 1;
const POW_GRAD_EXPONENT = 2;

@inline function powElem(mode: i32, x: v128, e: v128, y: v128, dy: v128): v128 {
  if (mode == POW_FORWARD) return pow4(x, e);
  const zero = f32x4.splat(0.0);
  if (mode == POW_GRAD_BASE) {
    // e·x^(e−1), and 0 where e = 0 (PyTorch's pow_backward_self)
    const g = f32x4.mul(dy, f32x4.mul(e, pow4(x, f32x4.sub(e, splat1()))));
    return v128.andnot(g, f32x4.eq(e, zero));
  }
  // y·log x, and 0 where x = 0 and e ≥ 0 (PyTorch's pow_backward_exponent)
  const g = f32x4.mul(dy, f32x4.mul(y, logV(x)));
  return v128.andnot(g, v128.and(f32x4.eq(x, zero), f32x4.ge(e, zero)));
}

@inline function lane(p: usize, contiguous: bool, i: i32): v128 {
  return contiguous ? v128.load(p + (<usize>i << 2)) : v128.load32_splat(p);
}

@inline function lanePart(p: usize, contiguous: bool, i: i32, rem: i32): v128 {
  return contiguous ? loadPart(p + (<usize>i << 2), rem) : v128.load32_splat(p);
}

// One row of the innermost dimension: x and e contiguous (vx/ve) or broadcast (stride 0);
// y, dy and out always advance with the output.
@inline function powRow(mode: i32, vx: bool, ve: bool, x: usize, e: usize, y: usize, dy: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const yv = mode == POW_GRAD_EXPONENT ? v128.load(y + o) : f32x4.splat(0.0);
    const dyv = mode == POW_FORWARD ? f32x4.splat(0.0) : v128.load(dy + o);
    v128.store(out + o, powElem(mode, lane(x, vx, i), lane(e, ve, i), yv, dyv));
  }
  if (i < n) {
    const o = <usize>i << 2;
    const r = n - i;
    const yv = mode == POW_GRAD_EXPONENT ? loadPart(y + o, r) : f32x4.splat(0.0);
    const dyv = mode == POW_FORWARD ? f32x4.splat(0.0) : loadPart(dy + o, r);
    storePart(out + o, powElem(mode, lanePart(x, vx, i, r), lanePart(e, ve, i, r), yv, dyv), r);
  }
}

@inline function powRowAny(mode: i32, sx: i32, se: i32, x: usize, e: usize, y: usize, dy: usize, out: usize, n: i32): void {
  if (sx == 1 && se == 1) powRow(mode, true, true, x, e, y, dy, out, n);
  else if (sx == 1) powRow(mode, true, false, x, e, y, dy, out, n);
  else if (se == 1) powRow(mode, false, true, x, e, y, dy, out, n);
  else powRow(mode, false, false, x, e, y, dy, out, n);
}

// One innermost row at a time over the broadcast of x and e (assembly/odometer.ts).
@inline function powBroadcast(mode: i32, x: usize, e: usize, y: usize, dy: usize, out: usize, meta: usize, rank: i32): void {
  const n = rowLength(meta, rank);
  const sx = rowStride(meta, rank, 0);
  const se = rowStride(meta, rank, 1);
  const rows = start(meta, rank, 2);
  let row: usize = 0;
  for (let r = 0; r < rows; r++) {
    powRowAny(mode, sx, se, x + (<usize>offset(meta, rank, 2, 0) << 2), e + (<usize>offset(meta, rank, 2, 1) << 2), y + row, dy + row, out + row, n);
    row += <usize>n << 2;
    next(meta, rank, 2);
  }
}

/** out = x^e with broadcasting described by meta (binary.ts layout); rank >= 1. */
export function pow_f32(x: usize, e: usize, out: usize, meta: usize, rank: i32): void {
  powBroadcast(POW_FORWARD, x, e, 0, 0, out, meta, rank);
}

/**
 * Gradient of out = x^e in the output's shape (the caller sums it down to the input's shape):
 * wrt = 0: dy·e·x^(e−1) (0 where e = 0); wrt = 1: dy·out·log x (0 where x = 0 and e ≥ 0).
 */
export function pow_grad_f32(wrt: i32, x: usize, e: usize, y: usize, dy: usize, dx: usize, meta: usize, rank: i32): void {
  if (wrt == 0) powBroadcast(POW_GRAD_BASE, x, e, y, dy, dx, meta, rank);
  else powBroadcast(POW_GRAD_EXPONENT, x, e, y, dy, dx, meta, rank);
}
