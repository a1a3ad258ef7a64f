import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { gemm } from '../../src/kernels/gemm.js';
import { SIZES, randomValues, rng } from '../support/opcheck.js';

/** How an operand's elements are laid out: row-major, transposed, or every other element. */
type Layout = 'N' | 'T' | 'S';

/** Element strides (row, column) of a rows×cols operand stored in the given layout, and its storage size. */
function strides(layout: Layout, rows: number, cols: number): { rs: number; cs: number; size: number } {
  if (layout === 'N') return { rs: cols, cs: 1, size: rows * cols };
  if (layout === 'T') return { rs: 1, cs: rows, size: rows * cols };
  // neither stride is 1: a sub-matrix view that skips every other element
  return { rs: 2 * cols + 1, cs: 2, size: Math.max(1, (2 * cols + 1) * rows) };
}

interface Case {
  m: number;
  n: number;
  k: number;
  la: Layout;
  lb: Layout;
  accumulate: boolean;
  seed: number;
}

// C (+)= A·B through the kernel vs float64 loops. C has a leading dimension larger than n; the
// padding columns hold a sentinel that must survive.
function checkGemm({ m, n, k, la, lb, accumulate, seed }: Case): void {
  const rand = rng(seed);
  const sa = strides(la, m, k);
  const sb = strides(lb, k, n);
  const ldc = n + 3;
  const av = randomValues(sa.size, rand);
  const bv = randomValues(sb.size, rand);
  const cv = randomValues(m * ldc, rand);
  const expected = Float64Array.from(cv);
  const bound = new Float64Array(m * ldc);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const t = (av[i * sa.rs + p * sa.cs] as number) * (bv[p * sb.rs + j * sb.cs] as number);
        s += t;
        abs += Math.abs(t);
      }
      const c0 = accumulate ? (cv[i * ldc + j] as number) : 0;
      expected[i * ldc + j] = c0 + s;
      // worst-case float32 summation error of k + 1 terms
      bound[i * ldc + j] = (k + 2) * 1.2e-7 * (abs + Math.abs(c0)) + 1e-30;
    }
  }
  fg.tidy(() => {
    const a = fg.tensor(Float32Array.from(av), [sa.size]);
    const b = fg.tensor(Float32Array.from(bv), [sb.size]);
    const c = fg.tensor(Float32Array.from(cv), [m * ldc]);
    gemm({ m, n, k, a: a.ptr, rsA: sa.rs, csA: sa.cs, b: b.ptr, rsB: sb.rs, csB: sb.cs, c: c.ptr, ldc, accumulate });
    const got = c.toFloat32Array();
    for (let idx = 0; idx < m * ldc; idx++) {
      const e = expected[idx] as number;
      const g = got[idx] as number;
      if (!(Math.abs(g - e) <= (bound[idx] as number))) {
        expect.fail(`${m}×${n}×${k} ${la}${lb} accumulate=${accumulate}: C[${Math.floor(idx / ldc)}, ${idx % ldc}] = ${g}, expected ${e}`);
      }
    }
  });
}

const pick = (rand: () => number): number => SIZES[Math.floor(rand() * SIZES.length)] as number;

describe('gemm kernel', () => {
  const combos: Array<[Layout, Layout]> = [['N', 'N'], ['N', 'T'], ['T', 'N'], ['T', 'T']];

  it.each(combos)('A %s, B %s: every size from SIZES in each dimension', (la, lb) => {
    const rand = rng(la.charCodeAt(0) * 7 + lb.charCodeAt(0));
    // each size appears at least once along m, n and k; the rest of the triple is random
    for (const s of SIZES) {
      checkGemm({ m: s, n: pick(rand), k: pick(rand), la, lb, accumulate: false, seed: s });
      checkGemm({ m: pick(rand), n: s, k: pick(rand), la, lb, accumulate: true, seed: s + 1 });
      checkGemm({ m: pick(rand), n: pick(rand), k: s, la, lb, accumulate: rand() < 0.5, seed: s + 2 });
    }
  });

  it.each(combos)('A %s, B %s: accumulates into C', (la, lb) => {
    for (const [m, n, k] of [[17, 63, 5], [65, 3, 127], [1, 65, 17], [63, 1, 65], [1, 1, 63]] as const) {
      checkGemm({ m, n, k, la, lb, accumulate: true, seed: m * n + k });
    }
  });

  it('handles operands where neither stride is 1, on the blocked and matrix-vector paths', () => {
    for (const [m, n, k] of [[17, 65, 63], [63, 1, 17], [1, 17, 63], [5, 3, 127]] as const) {
      checkGemm({ m, n, k, la: 'S', lb: 'N', accumulate: false, seed: 1 });
      checkGemm({ m, n, k, la: 'N', lb: 'S', accumulate: true, seed: 2 });
      checkGemm({ m, n, k, la: 'S', lb: 'S', accumulate: false, seed: 3 });
    }
  });

  it('crosses the cache blocks (k over KC, m over MC, n over NC)', () => {
    checkGemm({ m: 300, n: 300, k: 300, la: 'N', lb: 'N', accumulate: false, seed: 11 });
    checkGemm({ m: 300, n: 300, k: 300, la: 'T', lb: 'T', accumulate: true, seed: 12 });
    checkGemm({ m: 5, n: 2100, k: 3, la: 'N', lb: 'T', accumulate: false, seed: 13 });
    checkGemm({ m: 2, n: 1, k: 5000, la: 'T', lb: 'N', accumulate: true, seed: 14 });
  });

  it('with k = 0 writes zeros, or leaves C as is when accumulating', () => {
    checkGemm({ m: 5, n: 17, k: 0, la: 'N', lb: 'N', accumulate: false, seed: 21 });
    checkGemm({ m: 5, n: 17, k: 0, la: 'N', lb: 'N', accumulate: true, seed: 22 });
  });
});
