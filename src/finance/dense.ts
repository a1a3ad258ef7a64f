// Small dense float64 linear algebra for the finance toolkit's estimators (GARCH's Hessian,
// KernelSHAP's weighted regression): matrices of a few dozen rows, where clarity beats blocking.

/** The inverse of a small square matrix by Gauss–Jordan with partial pivoting; null if singular. */
export function invert(a: readonly (readonly number[])[]): number[][] | null {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  let scale = 0;
  for (const row of a) for (const v of row) scale = Math.max(scale, Math.abs(v));
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs((m[r] as number[])[c] as number) > Math.abs((m[piv] as number[])[c] as number)) piv = r;
    const pr = m[piv] as number[];
    if (!(Math.abs(pr[c] as number) > 1e-14 * scale)) return null;
    [m[c], m[piv]] = [pr, m[c] as number[]];
    const row = m[c] as number[];
    const inv = 1 / (row[c] as number);
    for (let j = 0; j < 2 * n; j++) row[j] = (row[j] as number) * inv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const other = m[r] as number[];
      const f = other[c] as number;
      if (f !== 0) for (let j = 0; j < 2 * n; j++) other[j] = (other[j] as number) - f * (row[j] as number);
    }
  }
  return m.map((row) => row.slice(n));
}

/** Solves A·x = b for a small square A; null if A is singular. */
export function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const inv = invert(a);
  return inv === null ? null : inv.map((row) => row.reduce((s, v, j) => s + v * (b[j] as number), 0));
}
