// Matrix product with PyTorch's matmul semantics: dot, matrix-vector, matrix-matrix, and
// batched products that broadcast the batch dimensions. Every case runs as strided GEMMs on
// the operands' own storage; the backward products read transposes through strides too.
// Kernel: assembly/gemm.ts (through src/kernels/gemm.ts). Reference twin: src/reference/matmul.ts.
import { composed, isGradEnabled, record } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { type GemmCall, gemmBatch } from '../kernels/gemm.js';
import { fill } from '../kernels/memory.js';
import { type TensorInput, noMoreArgs, releasePromoted, toTensor } from '../tensor/promote.js';
import { sizeOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { sumToShape } from './broadcast.js';
import { reshape } from './reshape.js';
import { transpose } from './transpose.js';

// dA = dY·Bᵀ and dB = Aᵀ·dY from matmul itself (vectors as [1, k] / [k, 1] matrices, broadcast
// batch dimensions summed away): the rule when backward records its own graph (createGraph).
function recordedGrads(a: Tensor, b: Tensor, dy: Tensor, plan: MatmulPlan): [Tensor, Tensor] {
  const a2 = a.rank === 1 ? reshape(a, [1, plan.k]) : a;
  const b2 = b.rank === 1 ? reshape(b, [plan.k, 1]) : b;
  const batch = plan.outShape.slice(0, plan.outShape.length - (a.rank === 1 ? 0 : 1) - (b.rank === 1 ? 0 : 1));
  const dy2 = reshape(dy, [...batch, plan.m, plan.n]);
  const da = reshape(sumToShape(matmul(dy2, transpose(b2, -1, -2)), a2.shape), a.shape);
  const db = reshape(sumToShape(matmul(transpose(a2, -1, -2), dy2), b2.shape), b.shape);
  return [da, db];
}

/** How matmul maps two shapes onto a batch of [m, k]·[k, n] products. */
interface MatmulPlan {
  m: number;
  n: number;
  k: number;
  outShape: number[];
  /** Per product of the broadcast batch: index of the A matrix and of the B matrix. */
  aIndex: number[];
  bIndex: number[];
  /** B has a single matrix: the whole batch of A folds into the rows of one GEMM. */
  foldRows: boolean;
}

function planMatmul(a: readonly number[], b: readonly number[]): MatmulPlan {
  if (a.length === 0 || b.length === 0) {
    throw new ShapeError(`matmul: both arguments need at least 1 dimension, got shapes ${fmtShape(a)} and ${fmtShape(b)}`);
  }
  // A vector is promoted to a matrix ([k] → [1, k] on the left, [k, 1] on the right) and the
  // added dimension is dropped from the result.
  const [m, k] = a.length === 1 ? [1, a[0] as number] : [a[a.length - 2] as number, a[a.length - 1] as number];
  const [kb, n] = b.length === 1 ? [b[0] as number, 1] : [b[b.length - 2] as number, b[b.length - 1] as number];
  if (k !== kb) {
    throw new ShapeError(
      `matmul: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be multiplied: inner dimensions differ (${k} vs ${kb})`,
    );
  }
  const aBatch = a.slice(0, -2);
  const bBatch = b.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (s: readonly number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s];
  const pa = pad(aBatch);
  const pb = pad(bBatch);
  const batch = pa.map((da, i) => {
    const db = pb[i] as number;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `matmul: batch dimensions of ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (dimension ${i}: ${da} vs ${db})`,
      );
    }
    return da === 1 ? db : da;
  });
  const outShape = [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
  const count = sizeOf(batch);
  const sa = stridesOf(pa).map((s, i) => (pa[i] === 1 ? 0 : s));
  const sb = stridesOf(pb).map((s, i) => (pb[i] === 1 ? 0 : s));
  const aIndex = new Array<number>(count);
  const bIndex = new Array<number>(count);
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  // An odometer over the batch: one step per product, not per element.
  for (let t = 0; t < count; t++) {
    aIndex[t] = ia;
    bIndex[t] = ib;
    for (let d = rank - 1; d >= 0; d--) {
      const size = batch[d] as number;
      if ((idx[d] as number) + 1 < size) {
        idx[d] = (idx[d] as number) + 1;
        ia += sa[d] as number;
        ib += sb[d] as number;
        break;
      }
      ia -= (sa[d] as number) * (size - 1);
      ib -= (sb[d] as number) * (size - 1);
      idx[d] = 0;
    }
  }
  return { m, n, k, outShape, aIndex, bIndex, foldRows: sizeOf(bBatch) === 1 };
}

/**
 * For each product t, (+)= into matrix `dst[t]` of the output: the first product that writes a
 * matrix overwrites it, later ones add (the sum over broadcast batch dimensions).
 */
function firstWrites(dst: readonly number[]): boolean[] {
  const seen = new Set<number>();
  return dst.map((i) => {
    const acc = seen.has(i);
    seen.add(i);
    return acc;
  });
}

/** Matrix product with PyTorch semantics (`a @ b`); either side may be given as nested arrays. */
export function matmul(input: TensorInput, other: TensorInput, ...rest: []): Tensor {
  noMoreArgs('matmul', rest);
  const a = toTensor('matmul', 'input', input);
  const b = toTensor('matmul', 'other', other);
  return releasePromoted(product(a, b), [input, other], [a, b]);
}

function product(a: Tensor, b: Tensor): Tensor {
  const plan = planMatmul(a.shape, b.shape);
  const { m, n, k, aIndex, bIndex } = plan;
  const count = aIndex.length;
  const out = Tensor.empty(plan.outShape);
  const mk = m * k * 4;
  const kn = k * n * 4;
  const mn = m * n * 4;
  if (plan.foldRows) {
    gemmBatch({ m: m * count, n, k, rsA: k, csA: 1, rsB: n, csB: 1, ldc: n }, [{ a: a.ptr, b: b.ptr, c: out.ptr, accumulate: false }]);
  } else {
    const calls = aIndex.map((ia, t): GemmCall => ({ a: a.ptr + ia * mk, b: b.ptr + (bIndex[t] as number) * kn, c: out.ptr + t * mn, accumulate: false }));
    gemmBatch({ m, n, k, rsA: k, csA: 1, rsB: n, csB: 1, ldc: n }, calls);
  }
  return record(out, 'matmul', [a, b], composed((dy) => [
    // dA = dY · Bᵀ, Bᵀ read through swapped strides
    () => {
      if (isGradEnabled()) return recordedGrads(a, b, dy, plan)[0];
      const da = Tensor.empty(a.shape);
      if (count === 0) fill(da, 0);
      else if (plan.foldRows) {
        gemmBatch({ m: m * count, n: k, k: n, rsA: n, csA: 1, rsB: 1, csB: n, ldc: k }, [{ a: dy.ptr, b: b.ptr, c: da.ptr, accumulate: false }]);
      } else {
        const acc = firstWrites(aIndex);
        const calls = aIndex.map((ia, t): GemmCall => ({ a: dy.ptr + t * mn, b: b.ptr + (bIndex[t] as number) * kn, c: da.ptr + ia * mk, accumulate: acc[t] as boolean }));
        gemmBatch({ m, n: k, k: n, rsA: n, csA: 1, rsB: 1, csB: n, ldc: k }, calls);
      }
      return da;
    },
    // dB = Aᵀ · dY, summed over the products that share a B matrix
    () => {
      if (isGradEnabled()) return recordedGrads(a, b, dy, plan)[1];
      const db = Tensor.empty(b.shape);
      if (count === 0) fill(db, 0);
      else if (plan.foldRows) {
        gemmBatch({ m: k, n, k: m * count, rsA: 1, csA: k, rsB: n, csB: 1, ldc: n }, [{ a: a.ptr, b: dy.ptr, c: db.ptr, accumulate: false }]);
      } else {
        const acc = firstWrites(bIndex);
        const calls = bIndex.map((ib, t): GemmCall => ({ a: a.ptr + (aIndex[t] as number) * mk, b: dy.ptr + t * mn, c: db.ptr + ib * kn, accumulate: acc[t] as boolean }));
        gemmBatch({ m: k, n, k: m, rsA: 1, csA: k, rsB: n, csB: 1, ldc: n }, calls);
      }
      return db;
    },
  ]), [a, b]);
}
