// Index of the largest / smallest element along the middle axis of [outer, len, inner],
// written as float32 (exact up to 2^24).
//
// inner == 1 (the last axis): eight lanes (two f32x4 accumulators) each track their own best
// value and index along the row (lane k sees elements k, k+8, …, so a strict comparison keeps
// its first occurrence); the candidates are merged at the end, ties going to the smaller index.
// inner > 1: whole rows of `inner` floats are streamed, f32x4 along inner, against the
// running best values kept in `scratch` (inner floats from the caller) and the running
// indices kept in the output row itself, so every load is contiguous.
//
// Like PyTorch, NaN counts as beyond every number for both argmax and argmin: the first NaN
// along the axis wins.
import { ArgOp } from './opcodes';

// Lanes where best stays: v is not beyond it, or best is already NaN (the first NaN wins).
@inline function vkeep(op: i32, v: v128, best: v128): v128 {
  const notBeyond = op == ArgOp.Max ? f32x4.le(v, best) : f32x4.ge(v, best);
  return v128.or(notBeyond, f32x4.ne(best, best));
}

@inline function sbeats(op: i32, v: f32, best: f32): bool {
  return (op == ArgOp.Max ? v > best : v < best) || (v != v && best == best);
}

// Merging candidates: equal values (or both NaN) go to the smaller index.
@inline function laneBeats(op: i32, v: f32, i: i32, bestV: f32, bestI: i32): bool {
  const tie = v == bestV || (v != v && bestV != bestV);
  return sbeats(op, v, bestV) || (tie && i < bestI);
}

@inline function argRow(op: i32, x: usize, len: i32): i32 {
  let bestV: f32 = load<f32>(x);
  let bestI = 0;
  let l = 1;
  if (len >= 8) {
    // Two accumulators (elements 8k..8k+3 and 8k+4..8k+7) halve the compare/select chain.
    let va = v128.load(x), vb = v128.load(x, 16);
    let ia = i32x4(0, 1, 2, 3), ib = i32x4(4, 5, 6, 7);
    let ca = ia, cb = ib;
    const eight = i32x4.splat(8);
    for (l = 8; l + 8 <= len; l += 8) {
      ca = i32x4.add(ca, eight);
      cb = i32x4.add(cb, eight);
      const p = x + (<usize>l << 2);
      const a = v128.load(p), b = v128.load(p, 16);
      const ka = vkeep(op, a, va), kb = vkeep(op, b, vb);
      va = v128.bitselect(va, a, ka);
      ia = v128.bitselect(ia, ca, ka);
      vb = v128.bitselect(vb, b, kb);
      ib = v128.bitselect(ib, cb, kb);
    }
    const tie = v128.or(f32x4.eq(vb, va), v128.and(f32x4.ne(vb, vb), f32x4.ne(va, va)));
    const takeB = v128.or(v128.not(vkeep(op, vb, va)), v128.and(tie, i32x4.lt_s(ib, ia)));
    va = v128.bitselect(vb, va, takeB);
    ia = v128.bitselect(ib, ia, takeB);
    if (l + 4 <= len) {
      const a = v128.load(x + (<usize>l << 2));
      const ka = vkeep(op, a, va);
      va = v128.bitselect(va, a, ka);
      ia = v128.bitselect(ia, i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(l)), ka);
      l += 4;
    }
    bestV = f32x4.extract_lane(va, 0);
    bestI = i32x4.extract_lane(ia, 0);
    const v1 = f32x4.extract_lane(va, 1), i1 = i32x4.extract_lane(ia, 1);
    if (laneBeats(op, v1, i1, bestV, bestI)) { bestV = v1; bestI = i1; }
    const v2 = f32x4.extract_lane(va, 2), i2 = i32x4.extract_lane(ia, 2);
    if (laneBeats(op, v2, i2, bestV, bestI)) { bestV = v2; bestI = i2; }
    const v3 = f32x4.extract_lane(va, 3), i3 = i32x4.extract_lane(ia, 3);
    if (laneBeats(op, v3, i3, bestV, bestI)) { bestV = v3; bestI = i3; }
  }
  for (; l < len; l++) {
    const v = load<f32>(x + (<usize>l << 2));
    if (sbeats(op, v, bestV)) {
      bestV = v;
      bestI = l;
    }
  }
  return bestI;
}

@inline function argSlab(op: i32, x: usize, out: usize, len: i32, inner: i32, best: usize): void {
  const rowBytes = <usize>inner << 2;
  memory.copy(best, x, rowBytes);
  memory.fill(out, 0, rowBytes);
  for (let l = 1; l < len; l++) {
    const src = x + <usize>l * rowBytes;
    const idx = f32x4.splat(<f32>l);
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(src + o);
      const b = v128.load(best + o);
      const k = vkeep(op, v, b);
      v128.store(best + o, v128.bitselect(b, v, k));
      v128.store(out + o, v128.bitselect(v128.load(out + o), idx, k));
    }
    for (; i < inner; i++) {
      const o = <usize>i << 2;
      const v = load<f32>(src + o);
      if (sbeats(op, v, load<f32>(best + o))) {
        store<f32>(best + o, v);
        store<f32>(out + o, <f32>l);
      }
    }
  }
}

@inline function argAxis(op: i32, x: usize, out: usize, outer: i32, len: i32, inner: i32, scratch: usize): void {
  const slab = <usize>len * <usize>inner << 2;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) store<f32>(out + (<usize>o << 2), <f32>argRow(op, x + <usize>o * slab, len));
    return;
  }
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) argSlab(op, x + <usize>o * slab, out + <usize>o * rowBytes, len, inner, scratch);
}

/**
 * out[o, i] = index along l of the largest (op 0) or smallest (op 1) x[o, l, i], first on
 * ties, NaN winning; len >= 1. scratch: inner floats when inner > 1 (unused otherwise).
 */
export function argmax_f32(op: i32, x: usize, out: usize, outer: i32, len: i32, inner: i32, scratch: usize): void {
  if (op == ArgOp.Max) argAxis(ArgOp.Max, x, out, outer, len, inner, scratch);
  else argAxis(ArgOp.Min, x, out, outer, len, inner, scratch);
}
