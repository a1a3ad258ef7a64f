// Reductions over the middle axis of a tensor viewed as [outer, len, inner].
//
// inner == 1 (reducing the last axis): each row is reduced with four f32x4 accumulators (16
// lanes in flight hide the add latency) and a horizontal step at the end.
// inner > 1: rows of `inner` are combined lane-wise, f32x4 along inner, so memory is read
// contiguously whatever axis is reduced.
import { ReduceOp } from './opcodes';

@inline function vcomb(op: i32, a: v128, b: v128): v128 {
  if (op == ReduceOp.Sum) return f32x4.add(a, b);
  // NaN-propagating like torch.max: a NaN in either operand wins.
  const nan = v128.or(f32x4.ne(a, a), f32x4.ne(b, b));
  const m = op == ReduceOp.Max ? f32x4.max(a, b) : f32x4.min(a, b);
  return v128.bitselect(f32x4.add(a, b), m, nan);
}

@inline function scomb(op: i32, a: f32, b: f32): f32 {
  if (op == ReduceOp.Sum) return a + b;
  if (a != a || b != b) return a + b;
  return op == ReduceOp.Max ? max<f32>(a, b) : min<f32>(a, b);
}

@inline function identity(op: i32): f32 {
  return op == ReduceOp.Sum ? 0 : op == ReduceOp.Max ? -Infinity : Infinity;
}

@inline function reduceRow(op: i32, x: usize, len: i32): f32 {
  const id = f32x4.splat(identity(op));
  let acc0 = id, acc1 = id, acc2 = id, acc3 = id;
  let l = 0;
  for (; l + 16 <= len; l += 16) {
    const p = x + (<usize>l << 2);
    acc0 = vcomb(op, acc0, v128.load(p));
    acc1 = vcomb(op, acc1, v128.load(p, 16));
    acc2 = vcomb(op, acc2, v128.load(p, 32));
    acc3 = vcomb(op, acc3, v128.load(p, 48));
  }
  for (; l + 4 <= len; l += 4) acc0 = vcomb(op, acc0, v128.load(x + (<usize>l << 2)));
  const acc = vcomb(op, vcomb(op, acc0, acc1), vcomb(op, acc2, acc3));
  let r = scomb(op, scomb(op, f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), scomb(op, f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  for (; l < len; l++) r = scomb(op, r, load<f32>(x + (<usize>l << 2)));
  return r;
}

@inline function reduceAxis(op: i32, x: usize, out: usize, outer: i32, len: i32, inner: i32): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      store<f32>(out + (<usize>o << 2), reduceRow(op, x + (<usize>(o * len) << 2), len));
    }
    return;
  }
  // Rows are folded into the output one after another: independent lanes along the row keep
  // the adds pipelined (a running sum per column would be one long dependency chain) and every
  // read is sequential.
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const src = x + <usize>o * <usize>len * rowBytes;
    const dst = out + <usize>o * rowBytes;
    memory.copy(dst, src, rowBytes);
    for (let l = 1; l < len; l++) {
      const row = src + <usize>l * rowBytes;
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const io = <usize>i << 2;
        v128.store(dst + io, vcomb(op, v128.load(dst + io), v128.load(row + io)));
      }
      for (; i < inner; i++) {
        const io = <usize>i << 2;
        store<f32>(dst + io, scomb(op, load<f32>(dst + io), load<f32>(row + io)));
      }
    }
  }
}

/** out[o, i] = reduce over l of x[o, l, i]; len >= 1. */
export function reduce_f32(op: i32, x: usize, out: usize, outer: i32, len: i32, inner: i32): void {
  if (op == ReduceOp.Sum) reduceAxis(ReduceOp.Sum, x, out, outer, len, inner);
  else if (op == ReduceOp.Max) reduceAxis(ReduceOp.Max, x, out, outer, len, inner);
  else reduceAxis(ReduceOp.Min, x, out, outer, len, inner);
}
