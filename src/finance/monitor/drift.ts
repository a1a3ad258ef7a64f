// A drift report per feature between the reference (training) data and a recent batch:
// population stability of each characteristic, the shift of its mean (in reference standard
// deviations), its missing rates, and categories the model never saw in training.
import { ArgumentError, ShapeError } from '../../index.js';
import { describe, is, readOptions } from '../../validate.js';
import { type ColumnValues, type StabilityFlag, isCategorical, populationStabilityIndex, stabilityFlag } from './stability.js';

/** Named columns: a plain object of columns, or a table with `columnNames` and `column(name)`. */
export type Columns = Readonly<Record<string, ColumnValues>> | { columnNames: readonly string[]; column(name: string): ColumnValues };

/** The columns of `data` by name. */
export function readColumns(where: string, name: string, data: unknown): Map<string, ColumnValues> {
  const t = data as { columnNames?: unknown; column?: unknown } | null;
  if (t !== null && typeof t === 'object' && Array.isArray(t.columnNames) && typeof t.column === 'function') {
    return new Map((t.columnNames as string[]).map((c) => [c, (t.column as (n: string) => ColumnValues).call(t, c)]));
  }
  if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new ArgumentError(`${where}: ${name} must be a table or an object of columns, got ${describe(data)}`, where, name);
  return new Map(Object.entries(t as Record<string, ColumnValues>));
}

export interface FeatureDrift {
  feature: string;
  kind: 'numeric' | 'categorical';
  psi: number;
  flag: StabilityFlag;
  missingRateReference: number;
  missingRateRecent: number;
  /** Numeric: the means and the shift (recent − reference) in reference standard deviations. */
  meanReference?: number;
  meanRecent?: number;
  meanShift?: number;
  /** Categorical: categories seen in the recent data only. */
  newCategories?: string[];
}

export interface DriftReport {
  features: FeatureDrift[];
  /** Features flagged moderate or significant, worst first. */
  flagged: string[];
  worst: StabilityFlag;
}

const isMissing = (v: unknown): boolean => v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));

function moments(col: ColumnValues): { mean: number; std: number; missing: number } {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let missing = 0;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (isMissing(v)) {
      missing++;
      continue;
    }
    n++;
    const d = (v as number) - mean;
    mean += d / n;
    m2 += d * ((v as number) - mean);
  }
  return { mean: n > 0 ? mean : NaN, std: n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN, missing: missing / col.length };
}

/** Drift of every feature present in the reference (or the listed `features`). */
export function driftReport(reference: Columns, recent: Columns, options?: { features?: string[]; bins?: number }): DriftReport {
  const where = 'driftReport';
  const o = readOptions(where, options, { features: is.list(is.string), bins: is.int({ min: 2, max: 1000 }) });
  const ref = readColumns(where, 'reference', reference);
  const now = readColumns(where, 'recent', recent);
  const names = o.features ?? [...ref.keys()];
  const features = names.map((f): FeatureDrift => {
    const a = ref.get(f);
    const b = now.get(f);
    if (a === undefined) throw new ShapeError(`${where}: feature '${f}' is not in the reference data`);
    if (b === undefined) throw new ShapeError(`${where}: feature '${f}' is missing from the recent data`);
    const { psi, flag } = populationStabilityIndex(a, b, o.bins === undefined ? undefined : { bins: o.bins });
    const categorical = isCategorical(where, `reference column '${f}'`, a) || isCategorical(where, `recent column '${f}'`, b);
    const missingRate = (c: ColumnValues): number => Array.from(c as ArrayLike<unknown>).filter(isMissing).length / c.length;
    if (categorical) {
      const seen = new Set(Array.from(a as ArrayLike<unknown>).filter((v) => !isMissing(v)).map(String));
      const fresh = [...new Set(Array.from(b as ArrayLike<unknown>).filter((v) => !isMissing(v)).map(String))].filter((c) => !seen.has(c)).sort();
      return { feature: f, kind: 'categorical', psi, flag, missingRateReference: missingRate(a), missingRateRecent: missingRate(b), newCategories: fresh };
    }
    const ma = moments(a);
    const mb = moments(b);
    return {
      feature: f,
      kind: 'numeric',
      psi,
      flag,
      missingRateReference: ma.missing,
      missingRateRecent: mb.missing,
      meanReference: ma.mean,
      meanRecent: mb.mean,
      meanShift: ma.std > 0 ? (mb.mean - ma.mean) / ma.std : 0,
    };
  });
  const flagged = features.filter((d) => d.flag !== 'stable').sort((x, y) => y.psi - x.psi).map((d) => d.feature);
  const worstPsi = Math.max(0, ...features.map((d) => d.psi));
  return { features, flagged, worst: stabilityFlag(worstPsi) };
}
