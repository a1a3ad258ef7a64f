// Lowering of 2-D convolution (NCHW) to GEMM: im2col unfolds one image into a column matrix,
// col2im folds a column matrix back, adding into the image (the input gradient). The GEMM path of
// src/kernels/conv-gemm.ts, for the shapes where it beats the direct kernels of assembly/conv-direct.ts.
//
// Column matrix: row r = (c, ki, kj) of length oH·oW, row stride `ld` floats, so several images
// can sit side by side in one [C·kH·kW, B·oH·oW] matrix and one GEMM serves a whole chunk of
// the batch. For a row and an output row oh, the input row ih is fixed and the output columns
// whose input column falls inside the image form one interval [owLo, owHi): outside it the
// column holds zeros (padding), inside it reads input columns iw = ow·sW + kj·dW − pW. With
// stride 1 that interval is a contiguous run of the input row and moves in f32x4; stride 2
// gathers the even lanes of two overlapping loads; other strides go element by element.
//
// geom (i32 each): C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW.

@inline function geom(g: usize, k: i32): i32 {
  return load<i32>(g + (<usize>k << 2));
}

@inline function zeroRun(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

// Lanes 0, 2, 4, 6 from p: the second load starts at p[3] so nothing past p[6] is read.
@inline function gatherStride2(p: usize): v128 {
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 12), 0, 2, 5, 7);
}

// dst[i] = src[i·s] for i < n
@inline function gatherRun(src: usize, s: i32, dst: usize, n: i32): void {
  let i = 0;
  if (s == 1) {
    for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  } else if (s == 2) {
    for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), gatherStride2(src + (<usize>i << 3)));
  }
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>(i * s) << 2)));
}

// dst[i·s] += src[i] for i < n (indices distinct, so the f32x4 path is exact for s == 1)
@inline function scatterAddRun(src: usize, dst: usize, s: i32, n: i32): void {
  let i = 0;
  if (s == 1) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
  }
  for (; i < n; i++) {
    const d = dst + (<usize>(i * s) << 2);
    store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>i << 2)));
  }
}

// First output column whose input column ow·s + off is >= 0, and one past the last whose input
// column is < w; clamped to [0, outW] with lo <= hi.
@inline function validLo(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (s - 1 - off) / s;
}

@inline function validHi(off: i32, s: i32, w: i32, outW: i32): i32 {
  const last = w - 1 - off;
  return last < 0 ? 0 : min(outW, last / s + 1);
}

/** Unfolds image x [C, H, W] into cols [C·kH·kW, oH·oW] (row stride ld floats). */
export function im2col_f32(x: usize, cols: usize, ld: i32, g: usize): void {
  const C = geom(g, 0), H = geom(g, 1), W = geom(g, 2), kH = geom(g, 3), kW = geom(g, 4);
  const sH = geom(g, 5), sW = geom(g, 6), pH = geom(g, 7), pW = geom(g, 8);
  const dH = geom(g, 9), dW = geom(g, 10), oH = geom(g, 11), oW = geom(g, 12);
  let row: usize = cols;
  const rowBytes = <usize>ld << 2;
  for (let c = 0; c < C; c++) {
    const plane = x + <usize>(c * H * W) * 4;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++) {
        const off = kj * dW - pW;
        const lo = validLo(off, sW);
        const hi = max(lo, validHi(off, sW, W, oW));
        for (let oh = 0; oh < oH; oh++) {
          const dst = row + <usize>(oh * oW) * 4;
          const ih = oh * sH - pH + ki * dH;
          if (ih < 0 || ih >= H) {
            zeroRun(dst, oW);
            continue;
          }
          zeroRun(dst, lo);
          gatherRun(plane + <usize>(ih * W + lo * sW + off) * 4, sW, dst + (<usize>lo << 2), hi - lo);
          zeroRun(dst + (<usize>hi << 2), oW - hi);
        }
        row += rowBytes;
      }
    }
  }
}

/** Folds cols [C·kH·kW, oH·oW] (row stride ld floats) back, adding into image dx [C, H, W]. */
export function col2im_f32(cols: usize, ld: i32, dx: usize, g: usize): void {
  const C = geom(g, 0), H = geom(g, 1), W = geom(g, 2), kH = geom(g, 3), kW = geom(g, 4);
  const sH = geom(g, 5), sW = geom(g, 6), pH = geom(g, 7), pW = geom(g, 8);
  const dH = geom(g, 9), dW = geom(g, 10), oH = geom(g, 11), oW = geom(g, 12);
  let row: usize = cols;
  const rowBytes = <usize>ld << 2;
  for (let c = 0; c < C; c++) {
    const plane = dx + <usize>(c * H * W) * 4;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++) {
        const off = kj * dW - pW;
        const lo = validLo(off, sW);
        const hi = max(lo, validHi(off, sW, W, oW));
        for (let oh = 0; oh < oH; oh++) {
          const ih = oh * sH - pH + ki * dH;
          if (ih < 0 || ih >= H) continue;
          scatterAddRun(row + <usize>(oh * oW + lo) * 4, plane + <usize>(ih * W + lo * sW + off) * 4, sW, hi - lo);
        }
        row += rowBytes;
      }
    }
  }
}

/**
 * dst[j, i, :] = src[i, j, :] (+ bias[i] when hasBias) for src [a, b, inner]: moves a GEMM
 * result [O, B·P] to NCHW [B, O, P] (adding the bias on the way) and a gradient the other way.
 * With b == 1 the layouts coincide and src may equal dst.
 */
export function swap_outer_f32(src: usize, dst: usize, a: i32, b: i32, inner: i32, bias: usize, hasBias: i32): void {
  const runBytes = <usize>inner << 2;
  for (let i = 0; i < a; i++) {
    const bv: f32 = hasBias != 0 ? load<f32>(bias + (<usize>i << 2)) : 0;
    const vb = f32x4.splat(bv);
    for (let j = 0; j < b; j++) {
      const s = src + (<usize>(i * b + j)) * runBytes;
      const d = dst + (<usize>(j * a + i)) * runBytes;
      let k = 0;
      for (; k + 4 <= inner; k += 4) {
        const o = <usize>k << 2;
        v128.store(d + o, f32x4.add(v128.load(s + o), vb));
      }
      for (; k < inner; k++) {
        const o = <usize>k << 2;
        store<f32>(d + o, load<f32>(s + o) + bv);
      }
    }
  }
}
