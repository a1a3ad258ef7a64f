// Elementwise binary ops with numpy broadcasting.
//
// The caller coalesces the broadcast into at most a few dimensions and passes, in linear
// memory, the output shape and each input's element strides (0 along broadcast dimensions);
// assembly/odometer.ts walks the rows. Inputs are contiguous, so along the innermost dimension
// each stride is 0 or 1: four inner loops (vector-vector, vector-splat, splat-vector,
// splat-splat) cover every case in f32x4.
import { next, offset, rowLength, rowStride, start } from './odometer';
import { BinaryOp } from './opcodes';

@inline function bool(mask: v128): v128 {
  return v128.and(mask, f32x4.splat(1.0));
}

@inline function vop(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case BinaryOp.Add: return f32x4.add(a, b);
    case BinaryOp.Sub: return f32x4.sub(a, b);
    case BinaryOp.Mul: return f32x4.mul(a, b);
    case BinaryOp.Div: return f32x4.div(a, b);
    // NaN-propagating like torch.maximum: pmax would drop a NaN in a.
    case BinaryOp.Max: return v128.bitselect(f32x4.add(a, b), f32x4.max(a, b), f32x4.ne(a, a));
    case BinaryOp.Min: return v128.bitselect(f32x4.add(a, b), f32x4.min(a, b), f32x4.ne(a, a));
    case BinaryOp.Eq: return bool(f32x4.eq(a, b));
    case BinaryOp.Ne: return bool(f32x4.ne(a, b));
    case BinaryOp.Lt: return bool(f32x4.lt(a, b));
    case BinaryOp.Le: return bool(f32x4.le(a, b));
    case BinaryOp.Gt: return bool(f32x4.gt(a, b));
    default: return bool(f32x4.ge(a, b));
  }
}

@inline function sop(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case BinaryOp.Add: return a + b;
    case BinaryOp.Sub: return a - b;
    case BinaryOp.Mul: return a * b;
    case BinaryOp.Div: return a / b;
    case BinaryOp.Max: return a != a ? a : max<f32>(a, b);
    case BinaryOp.Min: return a != a ? a : min<f32>(a, b);
    case BinaryOp.Eq: return a == b ? 1 : 0;
    case BinaryOp.Ne: return a != b ? 1 : 0;
    case BinaryOp.Lt: return a < b ? 1 : 0;
    case BinaryOp.Le: return a <= b ? 1 : 0;
    case BinaryOp.Gt: return a > b ? 1 : 0;
    default: return a >= b ? 1 : 0;
  }
}

@inline function innerLoop(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, vop(op, v128.load(a + o), v128.load(b + o)));
    }
  } else if (sa == 1) {
    const vb = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, vop(op, v128.load(a + o), vb));
    }
  } else if (sb == 1) {
    const va = v128.load32_splat(a);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, vop(op, va, v128.load(b + o)));
    }
  }
  for (; i < n; i++) {
    store<f32>(out + (<usize>i << 2), sop(op, load<f32>(a + (<usize>(i * sa) << 2)), load<f32>(b + (<usize>(i * sb) << 2))));
  }
}

@inline function broadcastLoop(op: i32, a: usize, b: usize, out: usize, meta: usize, rank: i32): void {
  const n = rowLength(meta, rank);
  const sa = rowStride(meta, rank, 0);
  const sb = rowStride(meta, rank, 1);
  const rows = start(meta, rank, 2);
  let outPtr = out;
  for (let r = 0; r < rows; r++) {
    innerLoop(op, a + (<usize>offset(meta, rank, 2, 0) << 2), sa, b + (<usize>offset(meta, rank, 2, 1) << 2), sb, outPtr, n);
    outPtr += <usize>n << 2;
    next(meta, rank, 2);
  }
}

/** out = a (op) b with broadcasting described by meta (see the header). rank >= 1. */
export function binary_f32(op: i32, a: usize, b: usize, out: usize, meta: usize, rank: i32): void {
  switch (op) {
    case BinaryOp.Add: broadcastLoop(BinaryOp.Add, a, b, out, meta, rank); break;
    case BinaryOp.Sub: broadcastLoop(BinaryOp.Sub, a, b, out, meta, rank); break;
    case BinaryOp.Mul: broadcastLoop(BinaryOp.Mul, a, b, out, meta, rank); break;
    case BinaryOp.Div: broadcastLoop(BinaryOp.Div, a, b, out, meta, rank); break;
    case BinaryOp.Max: broadcastLoop(BinaryOp.Max, a, b, out, meta, rank); break;
    case BinaryOp.Min: broadcastLoop(BinaryOp.Min, a, b, out, meta, rank); break;
    case BinaryOp.Eq: broadcastLoop(BinaryOp.Eq, a, b, out, meta, rank); break;
    case BinaryOp.Ne: broadcastLoop(BinaryOp.Ne, a, b, out, meta, rank); break;
    case BinaryOp.Lt: broadcastLoop(BinaryOp.Lt, a, b, out, meta, rank); break;
    case BinaryOp.Le: broadcastLoop(BinaryOp.Le, a, b, out, meta, rank); break;
    case BinaryOp.Gt: broadcastLoop(BinaryOp.Gt, a, b, out, meta, rank); break;
    default: broadcastLoop(BinaryOp.Ge, a, b, out, meta, rank); break;
  }
}
