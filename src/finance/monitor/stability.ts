// Population stability: how far a recent sample's distribution has moved from the reference
// (training) sample, bin by bin:  PSI = Σ_b (a_b − e_b) · ln(a_b / e_b), with e_b and a_b the
// reference and recent shares of bin b. Numeric bins are cut on the reference (its deciles by
// default), so each starts with about the same share; categorical bins are the categories,
// with categories never seen in the reference kept as bins of their own. Missing values form
// one more bin. An empty bin would make the log infinite: shares are floored at `epsilon`
// (default 1e-4), the common convention. Flags follow the usual rule of thumb: < 0.1 stable,
// 0.1 – 0.25 a moderate shift worth watching, ≥ 0.25 a significant shift.
import { ArgumentError, ShapeError, ValueError } from '../../index.js';
import { describe, is, readOptions } from '../../validate.js';

/** A column: numbers (NaN, null or undefined missing) or categories (null, undefined or '' missing). */
export type ColumnValues = ArrayLike<number | null | undefined> | ReadonlyArray<string | null | undefined>;

export type StabilityFlag = 'stable' | 'moderate' | 'significant';

export interface StabilityBin {
  /** '[0.1, 0.5)', a category, or 'missing'. */
  label: string;
  expectedShare: number;
  actualShare: number;
  /** This bin's term of the sum. */
  psi: number;
}

export interface StabilityIndex {
  psi: number;
  flag: StabilityFlag;
  bins: StabilityBin[];
}

export interface StabilityOptions {
  /** Numeric bins (default 10). */
  bins?: number;
  /** 'quantile' (default: reference quantiles) or 'uniform' (equal width over the reference range). */
  strategy?: 'quantile' | 'uniform';
  /** Smallest share used in the log (default 1e-4). */
  epsilon?: number;
}

const spec = {
  bins: is.int({ min: 2, max: 1000 }),
  strategy: is.oneOf(['quantile', 'uniform'] as const),
  epsilon: is.number({ min: 0, minOpen: true, max: 0.1 }),
};

/** The flag for a PSI value. */
export function stabilityFlag(psi: number): StabilityFlag {
  return psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'significant';
}

const isMissing = (v: unknown): boolean => v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));

/** Whether a column holds categories (any string) rather than numbers. */
export function isCategorical(where: string, name: string, col: ColumnValues): boolean {
  let strings = false;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (isMissing(v)) continue;
    if (typeof v === 'string') strings = true;
    else if (typeof v !== 'number') throw new ArgumentError(`${where}: ${name}[${i}] must be a number or a string, got ${describe(v)}`, where, name);
    else if (!Number.isFinite(v)) throw new ValueError(`${where}: ${name}[${i}] is ${v}`);
  }
  return strings;
}

function readColumn(where: string, name: string, col: unknown): ColumnValues {
  if (!Array.isArray(col) && !(ArrayBuffer.isView(col) && !(col instanceof DataView))) throw new ArgumentError(`${where}: ${name} must be an array of values, got ${describe(col)}`, where, name);
  if ((col as ArrayLike<unknown>).length === 0) throw new ValueError(`${where}: ${name} is empty`);
  return col as ColumnValues;
}

/** Numeric cut points (interior edges) from the reference values. */
function edges(values: number[], bins: number, strategy: 'quantile' | 'uniform'): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const lo = sorted[0] as number;
  const hi = sorted[sorted.length - 1] as number;
  const cuts: number[] = [];
  for (let b = 1; b < bins; b++) {
    let c: number;
    if (strategy === 'uniform') c = lo + ((hi - lo) * b) / bins;
    else {
      // Linear-interpolated quantile (numpy's default), as in most PSI tooling.
      const pos = (b / bins) * (sorted.length - 1);
      const i = Math.floor(pos);
      c = (sorted[i] as number) + (pos - i) * ((sorted[Math.min(i + 1, sorted.length - 1)] as number) - (sorted[i] as number));
    }
    if (c > lo && c < hi && c !== cuts[cuts.length - 1]) cuts.push(c);
  }
  return cuts;
}

function binIndex(cuts: number[], v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v >= (cuts[mid] as number)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** PSI of a numeric or categorical column between a reference and a recent sample. */
export function populationStabilityIndex(expected: ColumnValues, actual: ColumnValues, options?: StabilityOptions): StabilityIndex {
  const where = 'populationStabilityIndex';
  const o = readOptions(where, options, spec);
  const e = readColumn(where, 'expected', expected);
  const a = readColumn(where, 'actual', actual);
  const catE = isCategorical(where, 'expected', e);
  const catA = isCategorical(where, 'actual', a);
  if (catE !== catA && e.length > 0) {
    const hasValues = (c: ColumnValues): boolean => Array.from(c as ArrayLike<unknown>).some((v) => !isMissing(v));
    if (hasValues(e) && hasValues(a)) throw new ShapeError(`${where}: the reference column is ${catE ? 'categorical' : 'numeric'} but the recent one is ${catA ? 'categorical' : 'numeric'}`);
  }
  const eps = o.epsilon ?? 1e-4;
  let labels: string[];
  let keyOf: (v: unknown) => number;
  if (catE || catA) {
    const cats = [...new Set([...(Array.from(e as ArrayLike<unknown>) as unknown[]), ...(Array.from(a as ArrayLike<unknown>) as unknown[])].filter((v) => !isMissing(v)).map(String))].sort();
    const pos = new Map(cats.map((c, i) => [c, i]));
    labels = [...cats, 'missing'];
    keyOf = (v) => (isMissing(v) ? cats.length : (pos.get(String(v)) as number));
  } else {
    const ref = (Array.from(e as ArrayLike<unknown>) as unknown[]).filter((v) => !isMissing(v)) as number[];
    if (ref.length === 0) throw new ValueError(`${where}: the reference column has no values, only missing ones`);
    const cuts = edges(ref, o.bins ?? 10, o.strategy ?? 'quantile');
    const fmt = (v: number): string => String(+v.toPrecision(6));
    labels = [...Array.from({ length: cuts.length + 1 }, (_, b) => `[${b === 0 ? '-inf' : fmt(cuts[b - 1] as number)}, ${b === cuts.length ? 'inf' : fmt(cuts[b] as number)})`), 'missing'];
    keyOf = (v) => (isMissing(v) ? cuts.length + 1 : binIndex(cuts, v as number));
  }
  const count = (col: ColumnValues): number[] => {
    const c = new Array<number>(labels.length).fill(0);
    for (let i = 0; i < col.length; i++) { const k = keyOf(col[i]); c[k] = (c[k] as number) + 1; }
    return c;
  };
  const ce = count(e);
  const ca = count(a);
  const bins: StabilityBin[] = [];
  let psi = 0;
  labels.forEach((label, b) => {
    const es = (ce[b] as number) / e.length;
    const as = (ca[b] as number) / a.length;
    if (label === 'missing' && es === 0 && as === 0) return;
    const fe = Math.max(es, eps);
    const fa = Math.max(as, eps);
    const term = (fa - fe) * Math.log(fa / fe);
    psi += term;
    bins.push({ label, expectedShare: es, actualShare: as, psi: term });
  });
  return { psi, flag: stabilityFlag(psi), bins };
}
