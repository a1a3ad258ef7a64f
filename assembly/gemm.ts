// Over 400 lines because packing (a fast path per stride layout), the 4×8 micro-kernel with its fused bias/activation epilogue and the matrix-vector paths all follow one tile geometry (MR, NR, KC) and packed layout, which must change together.
// General matrix multiply: C = A·B (or C += A·B), with A and B addressed through row and
// column strides so that Aᵀ·B and A·Bᵀ need no materialised transpose: the strides are only
// read while packing, and packing has a fast path for each layout.
//
// Loop structure (BLIS): for each NC-wide column block of B, for each KC-deep slice of k, pack
// B[KC, NC] into NR-wide column panels (each KC×NR, row by row); then for each MC-tall row
// block of A, pack A[MC, KC] into MR-tall row panels (each KC×MR, column by column); then run
// the MR×NR micro-kernel over every (row panel, column panel) pair. Edge panels are zero-padded
// so the micro-kernel always computes a full tile; partial tiles are written to a small tile in
// scratch and copied out, so no masked stores are needed.
//
// Register tile 4×8 (MR×NR): 8 f32x4 accumulators + 2 B vectors + 1 splatted A element + 1
// product = 12 of the 16 xmm registers V8 has on x64 (it keeps one as scratch). 6×8 needs 16
// and spills: measured on a 512³ product (Zen 5, Node 20, one thread) 4×8 runs at ~56 GFLOP/s,
// 5×8 and 6×8 at ~30, and 4×8 with k unrolled by 2 or 4 at ~34. Per k step: 2 B loads, 4
// load-splats of A, 8 mul + 8 add; in the relaxed-SIMD build 8 madd (assembly/simd.ts: one FMA
// each where the CPU has it, and no product register). On a quiet Zen core both run at ~60
// GFLOP/s, the 128-bit peak (16 flops/cycle): its two FMUL and two FADD pipes already issue a mul
// and an add per FMA slot. At times they part: on the shared 2-core VM, while the host was busy,
// the FMA build ran up to 1.34× faster on one thread in the same rounds, and two processes running
// it slowed each other no more than OpenBLAS's (bench/capacity.ts: 1.95–2.02 of two cores' work)
// where the mul+add build kept 1.82–1.91; on the quiet host both kept ~2.0. Both load the same
// data and register-only loops of either form do not slow each other, so the likely cause is the
// 22 operations per k step against 14 meeting whatever else the host runs, not the cache blocking
// (MC = 32, 64, 256, 512 and NC = 512, 1024 showed no difference beyond the noise).
//
// Cache blocks: a B micro-panel (KC×NR = 8 KiB) stays in L1 while the A row panels stream
// past it; the packed A block (MC×KC = 128 KiB) stays in L2 (1 MiB per core); the packed B
// block (KC×NC = 2 MiB) lives in L3.
//
// m == 1 or n == 1 is a matrix-vector product: packing would cost as much as the product, and
// a 4×8 tile would compute 8 times the useful work, so it runs as row dots or column axpys.
//
// Threads (src/kernels/gemm.ts) split C into row blocks aligned to MR or column blocks aligned to NR
// and run them through gemm_tasks_f32, each with its own scratch: every element of C then sees
// the same tile, the same k order and the same SIMD lane as in one call, so a threaded product
// equals the single-thread one bit for bit. A product cut into many row blocks has B packed
// once, by all threads (gemm_pack_b_tasks_f32, into the layout the loop below packs block by
// block), so that a block costs no packing of its own and blocks can be small.

import { madd, storeTransposed } from './simd';
import { sigmoidV, tanhV } from './simd_math';
import { Activation, GemmPackLayout, GemmTaskLayout, GemmTile } from './opcodes';

// Epilogue (gemm_bias_act_f32, for Linear): on the last k slice each tile gets the bias row
// added and the activation applied while it is still in registers, so a Linear + activation
// costs no pass over its output beyond the GEMM's own store.
const ACT_NONE = Activation.None;
const ACT_RELU = Activation.Relu;
const ACT_LEAKY_RELU = Activation.LeakyRelu;
const ACT_TANH = Activation.Tanh;
const ACT_SIGMOID = Activation.Sigmoid;

@inline function activate(act: i32, v: v128, alpha: f32): v128 {
  switch (act) {
    case ACT_RELU: return f32x4.max(v, f32x4.splat(0));
    case ACT_LEAKY_RELU: return v128.bitselect(v, f32x4.mul(v, f32x4.splat(alpha)), f32x4.gt(v, f32x4.splat(0)));
    case ACT_TANH: return tanhV(v);
    case ACT_SIGMOID: return sigmoidV(v);
    default: return v;
  }
}

// The epilogue of four values: + bias (bias 0: none, else the address of four bias floats),
// then the activation.
@inline function finish(v: v128, bias: usize, act: i32, alpha: f32): v128 {
  return activate(act, bias != 0 ? f32x4.add(v, v128.load(bias)) : v, alpha);
}

// The epilogue of one value (lane 0); reads exactly one bias float.
@inline function finishOne(v: f32, bias: usize, act: i32, alpha: f32): f32 {
  const b: f32 = bias != 0 ? load<f32>(bias) : 0;
  return f32x4.extract_lane(activate(act, f32x4.splat(v + b), alpha), 0);
}

const MR = GemmTile.MR;
const NR = GemmTile.NR;
const KC = 256;
const MC = 128;
const NC = 2048;
const TILE_BYTES: usize = MR * NR * 4;

@inline function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/** Packs A[mc, kc] (element strides rsA, csA) into row panels: panel i holds A[i..i+MR, p] at p·MR. */
function packA(mc: i32, kc: i32, a: usize, rsA: i32, csA: i32, dst: usize): void {
  const rs = <usize>rsA << 2;
  const cs = <usize>csA << 2;
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    const panel = dst + <usize>i * <usize>kc * 4;
    const src = a + <usize>i * rs;
    let p = 0;
    if (rows == MR && rsA == 1) {
      for (; p < kc; p++) v128.store(panel + (<usize>p << 4), v128.load(src + <usize>p * cs));
      continue;
    }
    if (rows == MR && csA == 1) {
      for (; p + 4 <= kc; p += 4) {
        const s = src + (<usize>p << 2);
        storeTransposed(v128.load(s), v128.load(s + rs), v128.load(s + 2 * rs), v128.load(s + 3 * rs), panel + (<usize>p << 4), MR * 4);
      }
    }
    for (let r = 0; r < MR; r++) {
      let s = src + <usize>r * rs + <usize>p * cs;
      let d = panel + (<usize>(p * MR + r) << 2);
      if (r < rows) {
        for (let q = p; q < kc; q++) {
          store<f32>(d, load<f32>(s));
          s += cs;
          d += MR * 4;
        }
      } else {
        for (let q = p; q < kc; q++) {
          store<f32>(d, 0);
          d += MR * 4;
        }
      }
    }
  }
}

/** Packs B[kc, nc] (element strides rsB, csB) into column panels: panel j holds B[p, j..j+NR] at p·NR. */
function packB(kc: i32, nc: i32, b: usize, rsB: i32, csB: i32, dst: usize): void {
  const rs = <usize>rsB << 2;
  const cs = <usize>csB << 2;
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    const panel = dst + <usize>j * <usize>kc * 4;
    const src = b + <usize>j * cs;
    let p = 0;
    if (cols == NR && csB == 1) {
      for (; p < kc; p++) {
        const s = src + <usize>p * rs;
        const d = panel + (<usize>p << 5);
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
      }
      continue;
    }
    if (cols == NR && rsB == 1) {
      // Columns are contiguous in p: transpose 4×4 blocks (4 columns × 4 values of p).
      for (; p + 4 <= kc; p += 4) {
        const s = src + (<usize>p << 2);
        const d = panel + (<usize>p << 5);
        storeTransposed(v128.load(s), v128.load(s + cs), v128.load(s + 2 * cs), v128.load(s + 3 * cs), d, NR * 4);
        const s4 = s + 4 * cs;
        storeTransposed(v128.load(s4), v128.load(s4 + cs), v128.load(s4 + 2 * cs), v128.load(s4 + 3 * cs), d + 16, NR * 4);
      }
    }
    for (let q = 0; q < NR; q++) {
      let s = src + <usize>q * cs + <usize>p * rs;
      let d = panel + (<usize>(p * NR + q) << 2);
      if (q < cols) {
        for (let t = p; t < kc; t++) {
          store<f32>(d, load<f32>(s));
          s += rs;
          d += NR * 4;
        }
      } else {
        for (let t = p; t < kc; t++) {
          store<f32>(d, 0);
          d += NR * 4;
        }
      }
    }
  }
}

/** C[0..4, 0..8] (+)= packed A panel · packed B panel over kc; row r of C at c + r·ldc bytes. */
@inline function gemm4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, beta: i32, epilogue: bool, bias: usize, act: i32, alpha: f32): void {
  const zero = f32x4.splat(0);
  let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
  let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += MR * 4;
    pb += NR * 4;
  }
  const c1 = c + ldc, c2 = c + 2 * ldc, c3 = c + 3 * ldc;
  if (beta != 0) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c1));
    c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2));
    c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3));
    c31 = f32x4.add(c31, v128.load(c3, 16));
  }
  if (epilogue) {
    const bias1 = bias != 0 ? bias + 16 : 0;
    c00 = finish(c00, bias, act, alpha);
    c01 = finish(c01, bias1, act, alpha);
    c10 = finish(c10, bias, act, alpha);
    c11 = finish(c11, bias1, act, alpha);
    c20 = finish(c20, bias, act, alpha);
    c21 = finish(c21, bias1, act, alpha);
    c30 = finish(c30, bias, act, alpha);
    c31 = finish(c31, bias1, act, alpha);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
}

@inline function dot(x: usize, y: usize, n: i32): f32 {
  let acc0 = f32x4.splat(0), acc1 = acc0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    acc0 = madd(v128.load(x + o), v128.load(y + o), acc0);
    acc1 = madd(v128.load(x + o, 16), v128.load(y + o, 16), acc1);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    acc0 = madd(v128.load(x + o), v128.load(y + o), acc0);
  }
  const acc = f32x4.add(acc0, acc1);
  let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) s += load<f32>(x + (<usize>i << 2)) * load<f32>(y + (<usize>i << 2));
  return s;
}

/** y[0..n] += alpha · x[0..n], both contiguous. */
@inline function axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, madd(va, v128.load(x + o), v128.load(y + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

@inline function gemvScratchBytes(m: i32, k: i32): i32 {
  return (roundUp(k, 16) + roundUp(m, 16)) * 4;
}

/**
 * y[i·incy] (+)= Σ_p A[i, p] · x[p·incx] for i < m. x is first gathered into scratch; rows of A
 * contiguous in p give dot products, columns contiguous in i give axpys into a scratch y.
 */
function gemv(m: i32, k: i32, a: usize, rsA: i32, csA: i32, x: usize, incx: i32, y: usize, incy: i32, accumulate: i32, scratch: usize): void {
  const xs = scratch;
  const ys = scratch + (<usize>roundUp(k, 16) << 2);
  const incxB = <usize>incx << 2;
  for (let p = 0; p < k; p++) store<f32>(xs + (<usize>p << 2), load<f32>(x + <usize>p * incxB));
  const incyB = <usize>incy << 2;
  if (csA == 1) {
    const rs = <usize>rsA << 2;
    for (let i = 0; i < m; i++) {
      const s = dot(a + <usize>i * rs, xs, k);
      const d = y + <usize>i * incyB;
      store<f32>(d, accumulate != 0 ? load<f32>(d) + s : s);
    }
    return;
  }
  for (let i = 0; i < m; i++) store<f32>(ys + (<usize>i << 2), 0);
  const cs = <usize>csA << 2;
  if (rsA == 1) {
    for (let p = 0; p < k; p++) axpy(load<f32>(xs + (<usize>p << 2)), a + <usize>p * cs, ys, m);
  } else {
    const rs = <usize>rsA << 2;
    for (let p = 0; p < k; p++) {
      const xp = load<f32>(xs + (<usize>p << 2));
      const col = a + <usize>p * cs;
      for (let i = 0; i < m; i++) {
        const o = ys + (<usize>i << 2);
        store<f32>(o, load<f32>(o) + xp * load<f32>(col + <usize>i * rs));
      }
    }
  }
  for (let i = 0; i < m; i++) {
    const d = y + <usize>i * incyB;
    const s = load<f32>(ys + (<usize>i << 2));
    store<f32>(d, accumulate != 0 ? load<f32>(d) + s : s);
  }
}

/** Bytes of B (k × n) packed whole by gemm_pack_b_tasks_f32. */
export function gemm_packed_b_bytes(n: i32, k: i32): i32 {
  return max(1, roundUp(n, NR) * k) * 4;
}

/** Bytes of scratch a gemm_tasks_f32 call whose products have B packed whole needs (m rows). */
export function gemm_packed_scratch_bytes(m: i32, k: i32): i32 {
  return <i32>TILE_BYTES + roundUp(min(max(m, 1), MC), MR) * min(max(k, 1), KC) * 4;
}

/** Bytes of scratch the caller must pass to gemm_f32 for these sizes. */
export function gemm_scratch_bytes(m: i32, n: i32, k: i32): i32 {
  if (m <= 0 || n <= 0 || k <= 0) return 64;
  if (n == 1) return gemvScratchBytes(m, k);
  if (m == 1) return gemvScratchBytes(n, k);
  const kc = min(k, KC);
  return <i32>TILE_BYTES + (roundUp(min(m, MC), MR) * kc + kc * roundUp(min(n, NC), NR)) * 4;
}

/**
 * C[i, j] (+)= Σ_p A[i, p] · B[p, j] for i < m, j < n, p < k.
 * A[i, p] is at a + 4·(i·rsA + p·csA); B[p, j] at b + 4·(p·rsB + j·csB); C[i, j] at
 * c + 4·(i·ldc + j). accumulate != 0 adds into C. scratch: gemm_scratch_bytes(m, n, k) bytes.
 */
export function gemm_f32(m: i32, n: i32, k: i32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  gemm(m, n, k, a, rsA, csA, b, rsB, csB, c, ldc, accumulate, scratch, 0, ACT_NONE, 0, 0);
}

/**
 * gemm_f32 followed by C[i, j] = act(C[i, j] + bias[j]) (bias 0: none; act an Activation, alpha
 * the leaky-ReLU slope), applied to each tile as it is stored; bias holds n floats.
 */
export function gemm_bias_act_f32(m: i32, n: i32, k: i32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize, bias: usize, act: i32, alpha: f32): void {
  gemm(m, n, k, a, rsA, csA, b, rsB, csB, c, ldc, accumulate, scratch, bias, act, alpha, 0);
}

/** C[i, j] = act(C[i, j] + bias[j]) over an m×n block (the epilogue as a pass of its own). */
export function bias_act_f32(c: usize, ldc: i32, m: i32, n: i32, bias: usize, act: i32, alpha: f32): void {
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * (<usize>ldc << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(row + o, finish(v128.load(row + o), bias != 0 ? bias + o : 0, act, alpha));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(row + o, finishOne(load<f32>(row + o), bias != 0 ? bias + o : 0, act, alpha));
    }
  }
}

// packed != 0: B was packed whole by gemm_pack_b_tasks_f32 (all n columns of it, whatever this
// call's rows), and scratch needs only gemm_packed_scratch_bytes.
function gemm(m: i32, n: i32, k: i32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize, bias: usize, act: i32, alpha: f32, packed: usize): void {
  if (m <= 0 || n <= 0) return;
  const ldcB = <usize>ldc << 2;
  const hasEpilogue = bias != 0 || act != ACT_NONE;
  if (k <= 0) {
    if (accumulate == 0) {
      for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldcB, 0, <usize>n << 2);
    }
    if (hasEpilogue) bias_act_f32(c, ldc, m, n, bias, act, alpha);
    return;
  }
  if (n == 1 || m == 1) {
    if (n == 1) gemv(m, k, a, rsA, csA, b, rsB, c, ldc, accumulate, scratch);
    // C[0, :]ᵀ = Bᵀ · A[0, :]ᵀ
    else gemv(n, k, b, csB, rsB, a, csA, c, 1, accumulate, scratch);
    if (hasEpilogue) bias_act_f32(c, ldc, m, n, bias, act, alpha);
    return;
  }
  const tile = scratch;
  const pa = scratch + TILE_BYTES;
  const own = pa + <usize>(roundUp(min(m, MC), MR) * min(k, KC)) * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const beta = accumulate != 0 || pc > 0 ? 1 : 0;
      const epilogue = hasEpilogue && pc + kc >= k;
      let pb = own;
      if (packed != 0) pb = packedBlock(packed, n, k, jc, pc);
      else packB(kc, nc, b + (<usize>(pc * rsB + jc * csB) << 2), rsB, csB, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(mc, kc, a + (<usize>(ic * rsA + pc * csA) << 2), rsA, csA, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bPanel = pb + <usize>jr * <usize>kc * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const aPanel = pa + <usize>ir * <usize>kc * 4;
            const cTile = c + <usize>(ic + ir) * ldcB + (<usize>(jc + jr) << 2);
            const biasTile = bias != 0 ? bias + (<usize>(jc + jr) << 2) : 0;
            if (mr == MR && nr == NR) {
              gemm4x8(kc, aPanel, bPanel, cTile, ldcB, beta, epilogue, biasTile, act, alpha);
              continue;
            }
            gemm4x8(kc, aPanel, bPanel, tile, NR * 4, 0, false, 0, ACT_NONE, 0);
            for (let r = 0; r < mr; r++) {
              const src = tile + <usize>(r * NR) * 4;
              const dst = cTile + <usize>r * ldcB;
              for (let q = 0; q < nr; q++) {
                const o = <usize>q << 2;
                let v = load<f32>(src + o);
                if (beta != 0) v += load<f32>(dst + o);
                if (epilogue) v = finishOne(v, biasTile != 0 ? biasTile + o : 0, act, alpha);
                store<f32>(dst + o, v);
              }
            }
          }
        }
      }
    }
  }
}

const TASK_INTS = GemmTaskLayout.Ints;
const TASK_PACKED = GemmTaskLayout.Packed;
const PACK_INTS = GemmPackLayout.Ints;

/**
 * Runs `count` products in order, each described by 13 i32 at `list` (m, n, k, a, rsA, csA, b,
 * rsB, csB, c, ldc, accumulate: the arguments of gemm_f32; then B packed whole by
 * gemm_pack_b_tasks_f32, or 0), sharing `scratch` (at least gemm_scratch_bytes of the largest,
 * or gemm_packed_scratch_bytes where B is packed whole). One thread's share of a parallel GEMM.
 */
export function gemm_tasks_f32(list: usize, count: i32, scratch: usize): void {
  for (let t = 0; t < count; t++) {
    const r = list + <usize>(t * TASK_INTS) * 4;
    gemm(
      load<i32>(r), load<i32>(r, 4), load<i32>(r, 8),
      load<u32>(r, 12), load<i32>(r, 16), load<i32>(r, 20),
      load<u32>(r, 24), load<i32>(r, 28), load<i32>(r, 32),
      load<u32>(r, 36), load<i32>(r, 40), load<i32>(r, 44),
      scratch, 0, ACT_NONE, 0, load<u32>(r, TASK_PACKED * 4),
    );
  }
}

// B packed whole: its KC×NC blocks one after another, column block by column block (jc), each
// as packB lays it out, so block (jc, pc) starts after jc·k floats of the earlier column blocks
// and pc rows of panels roundUp(nc, NR) wide.
@inline function packedBlock(packed: usize, n: i32, k: i32, jc: i32, pc: i32): usize {
  return packed + (<usize>(jc * k + roundUp(min(NC, n - jc), NR) * pc) << 2);
}

/**
 * Packs columns j0 ≤ j < j1 of B (k × n, strides rsB, csB) into `dst`, gemm_packed_b_bytes(n, k)
 * bytes, for each of `count` records at `list` (GemmPackLayout: n, k, b, rsB, csB, dst, j0, j1;
 * j0 a multiple of NR, j1 one too or n). One thread's share of packing B before gemm_tasks_f32
 * calls with its Packed field set; `_` is unused (every task kernel takes three arguments).
 */
export function gemm_pack_b_tasks_f32(list: usize, count: i32, _: usize): void {
  for (let t = 0; t < count; t++) {
    const r = list + <usize>(t * PACK_INTS) * 4;
    const n = load<i32>(r), k = load<i32>(r, 4), b = <usize>load<u32>(r, 8), rsB = load<i32>(r, 12), csB = load<i32>(r, 16);
    const dst = <usize>load<u32>(r, 20), j0 = load<i32>(r, 24), j1 = load<i32>(r, 28);
    for (let jc = j0 - j0 % NC; jc < j1; jc += NC) {
      const lo = max(j0, jc);
      const hi = min(j1, jc + NC);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = min(KC, k - pc);
        const src = b + (<usize>(pc * rsB + lo * csB) << 2);
        packB(kc, hi - lo, src, rsB, csB, packedBlock(dst, n, k, jc, pc) + <usize>(lo - jc) * <usize>kc * 4);
      }
    }
  }
}

/** dst[r, :] = row[:] for r < rows (n floats per row): the bias rows a GEMM then adds into. */
export function fill_rows_f32(dst: usize, row: usize, rows: i32, n: i32): void {
  const bytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) memory.copy(dst + <usize>r * bytes, row, bytes);
}
