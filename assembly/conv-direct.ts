// Over 400 lines because the three direct convolutions (forward, weight gradient, scatter input gradient) share the tap-offset tables, the zero-padded window layout and the task list of conv_tasks_f32, and each unrolls its own register tile.
// Direct convolution kernels (NCHW): no column matrix. Each reads its input through a table of
// byte offsets, one per tap (c, ki, kj), from the top-left input cell of an output pixel, in
// planes that conv_window_f32 has padded with zeros, so no tap is ever out of range.
//
// Register budget: V8 (x64) gives wasm 15 xmm registers (one is its scratch) and its scheduler
// hoists every load of a loop body to the top, so a tile fits when accumulators + all values
// loaded per step + 1 product register (mul + add without relaxed SIMD) ≤ 15. One more spills an
// accumulator to the stack, and the store-to-load round trip on it every step cost 2.5× (a 3×3
// dW tile ran at 24 GFLOP/s, the 4×2 one below at 59).
//
// conv_direct_f32 (forward; also the stride-1 input gradient, as the correlation of the padded
// dY with the flipped, transposed weights): tile 4 pixels × 8 channels. Per tap: the weights of
// 8 channels (2 loads from the packed panel) times 4 input values (4 load-splats, the pixels sW
// apart in one output row): 8 multiply-adds into 8 accumulators, 15 registers, as in the GEMM
// micro-kernel (assembly/gemm.ts). The pixels are broadcast, so any stride costs the same; a
// tile is 4 pixels of one row, and a row whose width is not a multiple of 4 ends with a tile
// that overlaps the one before it (rewriting the same values), so no lane computes padding.
// Accumulators hold channels per pixel; a 4×4 transpose stores them as 4-pixel runs of each
// channel plane. A last panel of at most 4 channels runs a 4×4 tile. Panels loop innermost so a
// tile's input window is reused from L1 by every panel, unless the packed weights exceed
// GROUP_BYTES (then panels go in groups that stay in L1, the image walked once per group) or the
// output planes are a multiple of 1 KiB apart (then the channel rows of all panels at one pixel
// would share a few L1 sets; panels go one at a time). 65 GFLOP/s on 32×32×16→32 3×3.
//
// conv_dw_f32 (weight gradient, sW = 1): dW[o, k] = Σ_p dY[o, p]·X[p + off(k)] is a dot
// product over the long pixel dimension, so it runs as one: tile 4 channels × 2 taps of f32x4
// accumulators over 4-pixel runs (2 + 4 loads per 8 multiply-adds, 15 registers), summed across
// lanes once per group of images. The runs of a group come from a table of x offsets, so one
// loop covers the group: with a loop per row, rows of 32 pixels ran at 48 GFLOP/s instead of 59
// (and 1.08× the table loop's time again after the packing below). The tile's 4 dY channels
// are first copied run by run into scratch, so each step reads them at constant offsets from
// one pointer: 1 table load and 2 address additions per step instead of 2 and 6 (an
// issue-bound loop: on 8×16×32×32→32 3×3 dW took 1.19× the forward's time, now 1.07×, CPU time
// of the kernels, interleaved, 41 rounds; with 1 input channel, 5 tap pairs share each copy
// and dW takes 1.035-1.05× its former time: keeping the in-place loop for such blocks, through
// a second table, measured no better). Tiles past O or K repeat the last row or tap and drop
// the sums. Its sums go to dw through a table of per-tap offsets, so that the same loop can
// write a transposed, flipped result (flip > 0): dW computed from the input gradient's padded
// dY, which then needs no padded copy of x (src/kernels/conv-direct.ts directBackward).
//
// conv_dx_scatter_f32 (input gradient, stride 1, few input channels, where a tile over input
// channels would be mostly empty): for one 4-pixel run in each of two dY rows, a tile of 3 taps
// accumulates Σ_o W[o, k]·dY[o, ·] (2 loads + 3 load-splats per 6 multiply-adds, 12 registers),
// then adds the 6 sums into the zero-padded dX at their shifted places: col2im inside the GEMM
// tile, nothing materialised. Taps go in (c, kj, ki) order so that the 3 sums of a tile land in
// different rows (see there).
//
// Row widths oW ≥ 4 only (the caller checks): the last run of a row overlaps the one before it,
// masked where it would count pixels twice.
//
// conv_tasks_f32 runs a list of these calls: one share of a threaded convolution (src/kernels/conv-direct.ts
// plans them, src/backend/threads.ts runs them on any thread), each share with its own padded
// planes and scratch. For the weight gradient a share takes a block of dW rows or taps.
//
// geom (i32 each): C, Hp, Wp (padded input), O, kH, kW, sH, sW, dH, dW, oH, oW.

import { hsum, madd, storeTransposed } from './simd';
import { ConvStep, ConvStepLayout } from './opcodes';

// Packed weights of the panels one walk of the image serves (a third of the 48 KiB L1).
const GROUP_BYTES = 16 << 10;
// dY of the 4 channels of a conv_dw_f32 tile, over the images of a group.
const DW_GROUP_BYTES = 16 << 10;

// Type tags that specialise the tile loops: with unit stride the pixel lanes sit at constant
// offsets 4, 8, 12 (immediates of the load), otherwise at multiples of the stride.
class UnitStride {}
class AnyStride {}

@inline function isUnit<T>(): bool {
  return idof<T>() == idof<UnitStride>();
}

@inline function pixel1<Unit>(p: usize, step: usize): v128 {
  return isUnit<Unit>() ? v128.load32_splat(p, 4) : v128.load32_splat(p + step);
}

@inline function pixel2<Unit>(p: usize, step2: usize): v128 {
  return isUnit<Unit>() ? v128.load32_splat(p, 8) : v128.load32_splat(p + step2);
}

@inline function pixel3<Unit>(p: usize, step3: usize): v128 {
  return isUnit<Unit>() ? v128.load32_splat(p, 12) : v128.load32_splat(p + step3);
}

@inline function gi(g: usize, k: i32): i32 {
  return load<i32>(g + (<usize>k << 2));
}

@inline function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

@inline function zeroRun(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

@inline function copyRun(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** Byte offsets of the taps (c, ki, kj) in a padded image [C, Hp, Wp], in that order. */
function tapOffsets(offs: usize, C: i32, Hp: i32, Wp: i32, kH: i32, kW: i32, dH: i32, dW: i32): void {
  let t: usize = offs;
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++) {
        store<i32>(t, ((c * Hp + ki * dH) * Wp + kj * dW) << 2);
        t += 4;
      }
    }
  }
}

/**
 * dst[p, i, j] = src[p, i − top, j − left] where that is inside src [sH, sW], else 0, for each
 * of `planes` planes (dst [dH, dW]). top and left may be negative: the window then crops.
 * borders = 0 writes only the cells inside src: dst already holds the zeros (a buffer reused for
 * the next chunk of images of the same geometry).
 */
export function conv_window_f32(src: usize, sH: i32, sW: i32, dst: usize, dH: i32, dW: i32, planes: i32, top: i32, left: i32, borders: i32): void {
  const jLo = min(dW, max(0, left));
  const jHi = max(jLo, min(dW, sW + left));
  const iLo = borders != 0 ? 0 : min(dH, max(0, top));
  const iHi = borders != 0 ? dH : max(iLo, min(dH, sH + top));
  for (let p = 0; p < planes; p++) {
    for (let i = iLo; i < iHi; i++) {
      const d = dst + (<usize>(p * dH + i) * <usize>dW << 2);
      const si = i - top;
      if (si < 0 || si >= sH) {
        zeroRun(d, dW);
        continue;
      }
      if (borders != 0) zeroRun(d, jLo);
      copyRun(src + ((<usize>(p * sH + si) * <usize>sW + <usize>(jLo - left)) << 2), d + (<usize>jLo << 2), jHi - jLo);
      if (borders != 0) zeroRun(d + (<usize>jHi << 2), dW - jHi);
    }
  }
}

/**
 * Packs weights Wm[r, k] (r < rows, k = (a, b, c) row-major over nA × nB × nC) into the panels
 * conv_direct_f32 reads: 8 rows per panel, the last one 4 wide when at most 4 rows remain, each
 * panel K × width floats (tap-major), zeros past `rows`. Wm[r, (a, b, c)] is the float at
 * w + 4·(base + r·s0 + a·s1 + b·s2 + c·s3), so a flipped, transposed kernel is a choice of
 * strides. spec (i32 each): rows, nA, nB, nC, base, s0, s1, s2, s3.
 */
export function conv_pack_f32(w: usize, dst: usize, spec: usize): void {
  const rows = gi(spec, 0), nA = gi(spec, 1), nB = gi(spec, 2), nC = gi(spec, 3);
  const base = gi(spec, 4), s0 = gi(spec, 5), s1 = gi(spec, 6), s2 = gi(spec, 7), s3 = gi(spec, 8);
  let d = dst;
  for (let r0 = 0; r0 < rows; r0 += 8) {
    const width = rows - r0 <= 4 ? 4 : 8;
    for (let a = 0; a < nA; a++) {
      for (let b = 0; b < nB; b++) {
        for (let c = 0; c < nC; c++) {
          const at = base + a * s1 + b * s2 + c * s3;
          for (let j = 0; j < width; j++) {
            const r = r0 + j;
            store<f32>(d, r < rows ? load<f32>(w + (<usize>(at + r * s0) << 2)) : 0);
            d += 4;
          }
        }
      }
    }
  }
}

/** Bytes of scratch conv_direct_f32 needs. */
export function conv_direct_scratch_bytes(K: i32, O: i32): i32 {
  return (roundUp(K, 4) + 32 + roundUp(O, 8)) * 4;
}

/** Bytes of packed weights (conv_pack_f32) for `rows` output channels and K taps. */
export function conv_pack_bytes(rows: i32, K: i32): i32 {
  return roundUp(rows, 4) * K * 4;
}

// 4 pixels × 8 channels over K taps; adds the bias (bias 0: none) and stores 8 channel rows at
// d + q·plane, or the first `rows` of them through the scratch tile.
@inline function tile8<Unit>(K: i32, offs: usize, pw: usize, x: usize, step: usize, bias: usize, d: usize, plane: usize, rows: i32, tile: usize): void {
  const s2 = step << 1;
  const s3 = step + (step << 1);
  const zero = f32x4.splat(0);
  let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
  let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  const end = offs + (<usize>K << 2);
  for (let o = offs; o < end; o += 4) {
    const p = x + <usize>load<i32>(o);
    const b0 = v128.load(pw);
    const b1 = v128.load(pw, 16);
    let a = v128.load32_splat(p);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = pixel1<Unit>(p, step);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = pixel2<Unit>(p, s2);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = pixel3<Unit>(p, s3);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pw += 32;
  }
  if (bias != 0) {
    const bv0 = v128.load(bias);
    const bv1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, bv0);
    c10 = f32x4.add(c10, bv0);
    c20 = f32x4.add(c20, bv0);
    c30 = f32x4.add(c30, bv0);
    c01 = f32x4.add(c01, bv1);
    c11 = f32x4.add(c11, bv1);
    c21 = f32x4.add(c21, bv1);
    c31 = f32x4.add(c31, bv1);
  }
  if (rows >= 8) {
    storeTransposed(c00, c10, c20, c30, d, plane);
    storeTransposed(c01, c11, c21, c31, d + 4 * plane, plane);
    return;
  }
  storeTransposed(c00, c10, c20, c30, tile, 16);
  storeTransposed(c01, c11, c21, c31, tile + 64, 16);
  for (let q = 0; q < rows; q++) v128.store(d + <usize>q * plane, v128.load(tile + (<usize>q << 4)));
}

// 4 pixels × 4 channels (the last panel when at most 4 channels remain).
@inline function tile4<Unit>(K: i32, offs: usize, pw: usize, x: usize, step: usize, bias: usize, d: usize, plane: usize, rows: i32, tile: usize): void {
  const s2 = step << 1;
  const s3 = step + (step << 1);
  const zero = f32x4.splat(0);
  let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
  const end = offs + (<usize>K << 2);
  for (let o = offs; o < end; o += 4) {
    const p = x + <usize>load<i32>(o);
    const b = v128.load(pw);
    c0 = madd(v128.load32_splat(p), b, c0);
    c1 = madd(pixel1<Unit>(p, step), b, c1);
    c2 = madd(pixel2<Unit>(p, s2), b, c2);
    c3 = madd(pixel3<Unit>(p, s3), b, c3);
    pw += 16;
  }
  if (bias != 0) {
    const bv = v128.load(bias);
    c0 = f32x4.add(c0, bv);
    c1 = f32x4.add(c1, bv);
    c2 = f32x4.add(c2, bv);
    c3 = f32x4.add(c3, bv);
  }
  if (rows >= 4) {
    storeTransposed(c0, c1, c2, c3, d, plane);
    return;
  }
  storeTransposed(c0, c1, c2, c3, tile, 16);
  for (let q = 0; q < rows; q++) v128.store(d + <usize>q * plane, v128.load(tile + (<usize>q << 4)));
}

@inline function directBody<Unit>(x: usize, count: i32, wp: usize, bias: usize, out: usize, inImage: usize, O: i32, K: i32, rowStep: usize, oH: i32, oW: i32, offs: usize, tile: usize, step: usize): void {
  const plane = <usize>(oH * oW) << 2;
  const outImage = <usize>O * plane;
  const panelBytes = <usize>K << 5;
  const panels = (O + 7) >> 3;
  // Output planes a multiple of 1 KiB apart put a tile's channel rows in at most 4 of the 64 L1
  // sets; with every panel at one pixel that is more rows than a set holds, so panels go one by one.
  const perGroup = (plane & 1023) == 0 ? 1 : max(1, GROUP_BYTES / <i32>panelBytes);
  for (let n = 0; n < count; n++) {
    const xi = x + <usize>n * inImage;
    const oi = out + <usize>n * outImage;
    for (let g0 = 0; g0 < panels; g0 += perGroup) {
      const g1 = min(panels, g0 + perGroup);
      for (let oh = 0; oh < oH; oh++) {
        const xr = xi + <usize>oh * rowStep;
        const orow = oi + (<usize>(oh * oW) << 2);
        for (let ow = 0; ow < oW; ow += 4) {
          const o0 = min(ow, oW - 4);
          const xb = xr + <usize>o0 * step;
          const ob = orow + (<usize>o0 << 2);
          for (let pnl = g0; pnl < g1; pnl++) {
            const c0 = pnl << 3;
            const rows = O - c0;
            const pw = wp + <usize>pnl * panelBytes;
            const d = ob + <usize>c0 * plane;
            const bp = bias != 0 ? bias + (<usize>c0 << 2) : 0;
            if (rows > 4) tile8<Unit>(K, offs, pw, xb, step, bp, d, plane, rows, tile);
            else tile4<Unit>(K, offs, pw, xb, step, bp, d, plane, rows, tile);
          }
        }
      }
    }
  }
}

/**
 * out[n, o, oh, ow] = Σ_(c, ki, kj) W[o, c, ki, kj] · x[n, c, oh·sH + ki·dH, ow·sW + kj·dW]
 * (+ bias[o]) for `count` padded images x [C, Hp, Wp]; wp from conv_pack_f32, bias 0 for none.
 * scratch: conv_direct_scratch_bytes(K, O).
 */
export function conv_direct_f32(x: usize, count: i32, wp: usize, bias: usize, out: usize, g: usize, scratch: usize): void {
  const C = gi(g, 0), Hp = gi(g, 1), Wp = gi(g, 2), O = gi(g, 3), kH = gi(g, 4), kW = gi(g, 5);
  const sH = gi(g, 6), sW = gi(g, 7), dH = gi(g, 8), dW = gi(g, 9), oH = gi(g, 10), oW = gi(g, 11);
  const K = C * kH * kW;
  const offs = scratch;
  const tile = offs + (<usize>roundUp(K, 4) << 2);
  const bpad = tile + 128;
  tapOffsets(offs, C, Hp, Wp, kH, kW, dH, dW);
  // The bias padded to whole panels (0: none).
  let bp: usize = 0;
  if (bias != 0) {
    zeroRun(bpad, roundUp(O, 8));
    copyRun(bias, bpad, O);
    bp = bpad;
  }
  const inImage = <usize>(C * Hp * Wp) << 2;
  const rowStep = <usize>(sH * Wp) << 2;
  if (sW == 1) directBody<UnitStride>(x, count, wp, bp, out, inImage, O, K, rowStep, oH, oW, offs, tile, 4);
  else directBody<AnyStride>(x, count, wp, bp, out, inImage, O, K, rowStep, oH, oW, offs, tile, <usize>sW << 2);
}

// Images per group of conv_dw_f32: their 4 dY planes stay in L1 while every tap tile reads them.
@inline function dwGroup(count: i32, oH: i32, oW: i32): i32 {
  return max(1, min(count, DW_GROUP_BYTES / (16 * oH * oW)));
}

/** Bytes of scratch conv_dw_f32 needs for `count` images. */
export function conv_dw_scratch_bytes(K: i32, oH: i32, oW: i32, count: i32): i32 {
  // Tap offsets and output offsets, then per run of a group its x offset and the packed dY of a
  // 4-channel tile.
  return (2 * roundUp(K, 4) + 17 * dwGroup(count, oH, oW) * oH * ((oW + 3) >> 2)) * 4;
}

@inline function addSum(p: usize, v: v128): void {
  store<f32>(p, load<f32>(p) + hsum(v));
}

/**
 * dw[o, k] += Σ_(n, oh, ow) dy[n, o, oh, ow] · x[n, c, oh·sH + ki·dH, ow + kj·dW] for `count`
 * padded images x [C, Hp, Wp] and dy [O, oH, oW]; k = (c, ki, kj). Needs sW = 1 and oW ≥ 4.
 * flip = 0, or kH·kW to add each sum to dw[c, o, flip − 1 − (ki·kW + kj)] instead (dw [C, O, kH, kW]).
 * scratch: conv_dw_scratch_bytes(K, oH, oW, count).
 */
export function conv_dw_f32(x: usize, dy: usize, count: i32, dw: usize, g: usize, scratch: usize, flip: i32): void {
  dwBlock(x, dy, count, dw, g, scratch, 0, gi(g, 3), 0, gi(g, 0) * gi(g, 4) * gi(g, 5), flip);
}

// conv_dw_f32 for the block o0 ≤ o < o1, k0 ≤ k < k1 of dw: every element is one accumulator
// chain over the same runs whatever tile it falls in, so blocks computed apart equal the whole.
// flip = 0 writes dw[o, k]; flip = kH·kW writes the sum of (o, k = (c, t)) to dw[c, o, flip − 1 − t]
// instead: the weight gradient of the input-gradient convolution (x: the padded dY, dy: the
// input, o: an input channel, c: an output channel) is the layer's dW transposed and flipped.
function dwBlock(x: usize, dy: usize, count: i32, dw: usize, g: usize, scratch: usize, o0: i32, o1: i32, k0: i32, k1: i32, flip: i32): void {
  const C = gi(g, 0), Hp = gi(g, 1), Wp = gi(g, 2), O = gi(g, 3), kH = gi(g, 4), kW = gi(g, 5);
  const sH = gi(g, 6), dH = gi(g, 8), dW = gi(g, 9), oH = gi(g, 10), oW = gi(g, 11);
  const K = C * kH * kW;
  const offs = scratch;
  tapOffsets(offs, C, Hp, Wp, kH, kW, dH, dW);
  const planeB = <usize>(oH * oW) << 2;
  const inImage = <usize>(C * Hp * Wp) << 2;
  const outImage = <usize>O * planeB;
  const group = dwGroup(count, oH, oW);
  // The 4-pixel runs of a group of images as x byte offsets from the group's first image: every
  // full run, image by image, then the last run of each row when the width is not a multiple of
  // 4 (masked to the lanes the full runs have not counted). One loop per tile then walks the
  // whole group. The dY of a tile's 4 channels is packed in the same run order (4 channels of 4
  // lanes per run, the last runs of rows already masked), so its offsets need no table.
  // Byte offset in dw of each tap's sums for row 0; row r adds r·rowB.
  const outs = offs + (<usize>roundUp(K, 4) << 2);
  const rowB: usize = flip == 0 ? <usize>K << 2 : <usize>flip << 2;
  for (let k = 0; k < K; k++) {
    const at = flip == 0 ? k : (k / flip) * O * flip + flip - 1 - k % flip;
    store<i32>(outs + (<usize>k << 2), at << 2);
  }
  const runs = outs + (<usize>roundUp(K, 4) << 2);
  const rem = oW & 3;
  const perRow = (oW + 3) >> 2;
  const fullPerImage = oH * (oW >> 2);
  const packed = runs + (<usize>(group * oH * perRow) << 2);
  let r = runs;
  for (let n = 0; n < group; n++) {
    const xn = <i32>(<usize>n * inImage);
    for (let oh = 0; oh < oH; oh++) {
      for (let ow = 0; ow + 4 <= oW; ow += 4) {
        store<i32>(r, xn + ((oh * sH * Wp + ow) << 2));
        r += 4;
      }
    }
  }
  const tails = r;
  if (rem != 0) {
    for (let n = 0; n < group; n++) {
      const xn = <i32>(<usize>n * inImage);
      for (let oh = 0; oh < oH; oh++) {
        store<i32>(r, xn + ((oh * sH * Wp + oW - 4) << 2));
        r += 4;
      }
    }
  }
  const keep = i32x4.gt_s(i32x4(0, 1, 2, 3), i32x4.splat(3 - rem));
  for (let n0 = 0; n0 < count; n0 += group) {
    const images = min(group, count - n0);
    const fullEnd = runs + (<usize>(images * fullPerImage) << 2);
    const tailEnd = rem != 0 ? tails + (<usize>(images * oH) << 2) : tails;
    const tailPacked = packed + (<usize>(images * fullPerImage) << 6);
    const xg = x + <usize>n0 * inImage;
    const yg = dy + <usize>n0 * outImage;
    for (let ot = o0; ot < o1; ot += 4) {
      // Tiles past o1 repeat its last channel (their sums are dropped).
      const y0 = yg + <usize>ot * planeB;
      const y1 = yg + <usize>min(ot + 1, o1 - 1) * planeB;
      const y2 = yg + <usize>min(ot + 2, o1 - 1) * planeB;
      const y3 = yg + <usize>min(ot + 3, o1 - 1) * planeB;
      let d = packed;
      for (let n = 0; n < images; n++) {
        const yn = <usize>n * outImage;
        for (let oh = 0; oh < oH; oh++) {
          const yr = yn + (<usize>(oh * oW) << 2);
          for (let ow = 0; ow + 4 <= oW; ow += 4) {
            const yo = yr + (<usize>ow << 2);
            v128.store(d, v128.load(y0 + yo));
            v128.store(d, v128.load(y1 + yo), 16);
            v128.store(d, v128.load(y2 + yo), 32);
            v128.store(d, v128.load(y3 + yo), 48);
            d += 64;
          }
        }
      }
      if (rem != 0) {
        for (let n = 0; n < images; n++) {
          for (let oh = 0; oh < oH; oh++) {
            const yo = <usize>n * outImage + (<usize>(oh * oW + oW - 4) << 2);
            v128.store(d, v128.and(v128.load(y0 + yo), keep));
            v128.store(d, v128.and(v128.load(y1 + yo), keep), 16);
            v128.store(d, v128.and(v128.load(y2 + yo), keep), 32);
            v128.store(d, v128.and(v128.load(y3 + yo), keep), 48);
            d += 64;
          }
        }
      }
      for (let kt = k0; kt < k1; kt += 2) {
        const x0 = xg + <usize>load<i32>(offs + (<usize>kt << 2));
        const x1 = xg + <usize>load<i32>(offs + (<usize>min(kt + 1, k1 - 1) << 2));
        const zero = f32x4.splat(0);
        let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
        let yp = packed;
        for (let e = runs; e < fullEnd; e += 4) {
          const xo = <usize>load<i32>(e);
          const v0 = v128.load(x0 + xo), v1 = v128.load(x1 + xo);
          let dv = v128.load(yp);
          a00 = madd(dv, v0, a00);
          a01 = madd(dv, v1, a01);
          dv = v128.load(yp, 16);
          a10 = madd(dv, v0, a10);
          a11 = madd(dv, v1, a11);
          dv = v128.load(yp, 32);
          a20 = madd(dv, v0, a20);
          a21 = madd(dv, v1, a21);
          dv = v128.load(yp, 48);
          a30 = madd(dv, v0, a30);
          a31 = madd(dv, v1, a31);
          yp += 64;
        }
        yp = tailPacked;
        for (let e = tails; e < tailEnd; e += 4) {
          const xo = <usize>load<i32>(e);
          const v0 = v128.and(v128.load(x0 + xo), keep), v1 = v128.and(v128.load(x1 + xo), keep);
          let dv = v128.load(yp);
          a00 = madd(dv, v0, a00);
          a01 = madd(dv, v1, a01);
          dv = v128.load(yp, 16);
          a10 = madd(dv, v0, a10);
          a11 = madd(dv, v1, a11);
          dv = v128.load(yp, 32);
          a20 = madd(dv, v0, a20);
          a21 = madd(dv, v1, a21);
          dv = v128.load(yp, 48);
          a30 = madd(dv, v0, a30);
          a31 = madd(dv, v1, a31);
          yp += 64;
        }
        const two = kt + 1 < k1;
        const on = o1 - ot;
        const row = dw + <usize>ot * rowB;
        let w = row + <usize>load<i32>(outs + (<usize>kt << 2));
        let w1 = two ? row + <usize>load<i32>(outs + (<usize>(kt + 1) << 2)) : w;
        addSum(w, a00);
        if (two) addSum(w1, a01);
        if (on < 2) continue;
        w += rowB;
        w1 += rowB;
        addSum(w, a10);
        if (two) addSum(w1, a11);
        if (on < 3) continue;
        w += rowB;
        w1 += rowB;
        addSum(w, a20);
        if (two) addSum(w1, a21);
        if (on < 4) continue;
        w += rowB;
        w1 += rowB;
        addSum(w, a30);
        if (two) addSum(w1, a31);
      }
    }
  }
}

const TAPS = 3;

/** Bytes of scratch conv_dx_scatter_f32 needs. */
export function conv_dx_scatter_scratch_bytes(K: i32, O: i32): i32 {
  const Kp = roundUp(K, TAPS);
  return (Kp * O + Kp) * 4;
}

@inline function addInto(p: usize, v: v128): void {
  v128.store(p, f32x4.add(v128.load(p), v));
}

/**
 * dx[n, c, ih + pH, iw + pW] = Σ_(o, ki, kj) W[o, c, ki, kj] · dy[n, o, ih + pH − ki·dH, iw + pW − kj·dW]
 * (stride 1) into `count` padded images dx [C, Hp, Wp] with Hp = oH + (kH − 1)·dH and
 * Wp = oW + (kW − 1)·dW (zeroed here first): each dY run adds into dx at its taps' places.
 * w is [O, C, kH, kW]; needs oW ≥ 4. scratch: conv_dx_scatter_scratch_bytes(K, O).
 */
export function conv_dx_scatter_f32(dy: usize, count: i32, w: usize, dx: usize, g: usize, scratch: usize): void {
  const C = gi(g, 0), Hp = gi(g, 1), Wp = gi(g, 2), O = gi(g, 3), kH = gi(g, 4), kW = gi(g, 5);
  const dH = gi(g, 8), dW = gi(g, 9), oH = gi(g, 10), oW = gi(g, 11);
  const K = C * kH * kW;
  const Kp = roundUp(K, TAPS);
  // Taps in (c, kj, ki) order, so that the 3 of a tile add into different rows: vectors one
  // column apart in one row would each load what the one before just stored, and a load that
  // partly overlaps a pending store waits for it (measured: a third of the time). Weights as
  // [tap tile][o][TAPS] and tap offsets in the padded dX, both zero past K.
  const wt = scratch;
  const offs = wt + (<usize>(Kp * O) << 2);
  const tileB = <usize>(O * TAPS) << 2;
  let kk = 0;
  for (let c = 0; c < C; c++) {
    for (let kj = 0; kj < kW; kj++) {
      for (let ki = 0; ki < kH; ki++) {
        store<i32>(offs + (<usize>kk << 2), ((c * Hp + ki * dH) * Wp + kj * dW) << 2);
        const src = w + (<usize>((c * kH + ki) * kW + kj) << 2);
        const dst = wt + <usize>(kk / TAPS) * tileB + (<usize>(kk % TAPS) << 2);
        for (let o = 0; o < O; o++) store<f32>(dst + <usize>(o * TAPS * 4), load<f32>(src + <usize>(o * K) * 4));
        kk++;
      }
    }
  }
  for (; kk < Kp; kk++) {
    store<i32>(offs + (<usize>kk << 2), 0);
    const dst = wt + <usize>(kk / TAPS) * tileB + (<usize>(kk % TAPS) << 2);
    for (let o = 0; o < O; o++) store<f32>(dst + <usize>(o * TAPS * 4), 0);
  }
  const planeB = <usize>(oH * oW) << 2;
  const dyRowB = <usize>oW << 2;
  const dxRowB = <usize>Wp << 2;
  const dxImage = <usize>(C * Hp * Wp) << 2;
  const rem = oW & 3;
  const keep = i32x4.gt_s(i32x4(0, 1, 2, 3), i32x4.splat(3 - rem));
  for (let n = 0; n < count; n++) {
    const yi = dy + <usize>n * <usize>O * planeB;
    const di = dx + <usize>n * dxImage;
    memory.fill(di, 0, dxImage);
    for (let oh = 0; oh < oH; oh += 2) {
      // Rows oh and oh + 1 (a last odd row pairs with itself, its twin's sums dropped).
      const pair = oh + 1 < oH;
      const second: usize = pair ? dyRowB : 0;
      for (let ow = 0; ow < oW; ow += 4) {
        const o0 = min(ow, oW - 4);
        const tail = ow + 4 > oW;
        const y = yi + (<usize>(oh * oW + o0) << 2);
        const db = di + (<usize>(oh * Wp + o0) << 2);
        // Every tap tile reads the same dY runs (2 rows × O planes), so they stay in L1.
        for (let kt = 0; kt < Kp; kt += TAPS) {
          const wk = wt + <usize>(kt / TAPS) * tileB;
          const ok = offs + (<usize>kt << 2);
          const zero = f32x4.splat(0);
          let a0 = zero, a1 = zero, a2 = zero, b0 = zero, b1 = zero, b2 = zero;
          let yp = y;
          const wEnd = wk + tileB;
          for (let wq = wk; wq < wEnd; wq += TAPS * 4) {
            const u = v128.load(yp);
            const v = v128.load(yp + second);
            const w0 = v128.load32_splat(wq), w1 = v128.load32_splat(wq, 4), w2 = v128.load32_splat(wq, 8);
            a0 = madd(w0, u, a0);
            a1 = madd(w1, u, a1);
            a2 = madd(w2, u, a2);
            b0 = madd(w0, v, b0);
            b1 = madd(w1, v, b1);
            b2 = madd(w2, v, b2);
            yp += planeB;
          }
          if (tail) {
            a0 = v128.and(a0, keep);
            a1 = v128.and(a1, keep);
            a2 = v128.and(a2, keep);
            b0 = v128.and(b0, keep);
            b1 = v128.and(b1, keep);
            b2 = v128.and(b2, keep);
          }
          const f0 = <usize>load<i32>(ok), f1 = <usize>load<i32>(ok, 4), f2 = <usize>load<i32>(ok, 8);
          addInto(db + f0, a0);
          addInto(db + f1, a1);
          addInto(db + f2, a2);
          if (!pair) continue;
          addInto(db + dxRowB + f0, b0);
          addInto(db + dxRowB + f1, b1);
          addInto(db + dxRowB + f2, b2);
        }
      }
    }
  }
}

// conv_tasks_f32 steps: STEP_INTS i32 each, the op code, its arguments, and from i32
// ConvStepLayout.Geom on the geom that the kernel reads (so every step carries its own).
const STEP_WINDOW = ConvStep.Window; // src, sH, sW, dst, dH, dW, planes, top, left, borders
const STEP_DIRECT = ConvStep.Direct; // x, count, wp, bias, out
const STEP_DW = ConvStep.Dw; // x, dy, count, dw, o0, o1, k0, k1, flip
const STEP_SCATTER = ConvStep.Scatter; // dy, count, w, dx
const STEP_INTS = ConvStepLayout.Ints;
const STEP_GEOM = ConvStepLayout.Geom * 4; // bytes

/**
 * Runs `count` steps from `list` in order (a share of a threaded convolution, see
 * src/kernels/conv-direct.ts): each a conv_window_f32, conv_direct_f32, conv_dw_f32 (on a block
 * of dw) or conv_dx_scatter_f32 call. `scratch` is the kernel scratch of every step, large enough for each.
 */
export function conv_tasks_f32(list: usize, count: i32, scratch: usize): void {
  for (let t = 0; t < count; t++) {
    const r = list + <usize>(t * STEP_INTS) * 4;
    const g = r + STEP_GEOM;
    switch (load<i32>(r)) {
      case STEP_WINDOW:
        conv_window_f32(load<u32>(r, 4), load<i32>(r, 8), load<i32>(r, 12), load<u32>(r, 16), load<i32>(r, 20), load<i32>(r, 24), load<i32>(r, 28), load<i32>(r, 32), load<i32>(r, 36), load<i32>(r, 40));
        break;
      case STEP_DIRECT:
        conv_direct_f32(load<u32>(r, 4), load<i32>(r, 8), load<u32>(r, 12), load<u32>(r, 16), load<u32>(r, 20), g, scratch);
        break;
      case STEP_DW:
        dwBlock(load<u32>(r, 4), load<u32>(r, 8), load<i32>(r, 12), load<u32>(r, 16), g, scratch, load<i32>(r, 20), load<i32>(r, 24), load<i32>(r, 28), load<i32>(r, 32), load<i32>(r, 36));
        break;
      case STEP_SCATTER:
        conv_dx_scatter_f32(load<u32>(r, 4), load<i32>(r, 8), load<u32>(r, 12), load<u32>(r, 16), g, scratch);
        break;
      default:
        unreachable();
    }
  }
}
