// SimpleImputer (sklearn.impute.SimpleImputer): fills missing values (NaN in numeric columns,
// null in categorical ones) with a per-column statistic of the training data, optionally adding
// a 0/1 indicator column for every column that had missing values in fit (sklearn's
// MissingIndicator with features='missing-only'). Unlike sklearn, a column with no observed
// value in fit is an error naming it rather than a column dropped with a warning.
import { ValueError } from '../index.js';
import { is, readOptions } from '../validate.js';
import { type ColumnValues, Table } from './table.js';
import { ReservoirQuantiles } from './quantile-sketch.js';
import { type TargetValues, Transformer, registerTransformer, stateList } from './transformer.js';

export type ImputeStrategy = 'mean' | 'median' | 'mostFrequent' | 'constant';

export interface SimpleImputerOptions {
  /** 'mean' (default) and 'median' for numeric columns; 'mostFrequent' and 'constant' for any. */
  strategy?: ImputeStrategy;
  /** The value for 'constant' (default 0 for numeric columns, 'missing_value' for categorical). */
  fillValue?: number | string;
  /** Append `missingindicator_<column>` 0/1 columns for the columns with missing values in fit. */
  addIndicator?: boolean;
}

const spec = {
  strategy: is.oneOf(['mean', 'median', 'mostFrequent', 'constant'] as const),
  fillValue: is.anyOf<number | string>('a number or a string', is.number(), is.string),
  addIndicator: is.boolean,
} as const;

interface ChunkStats {
  sum: number;
  observed: number;
  missing: number;
  counts: Map<number | string, number>;
  sketch: ReservoirQuantiles | null;
}

/** The most frequent value (of `values`, or among `known` counts); ties go to the smallest (sklearn's rule). */
function mostFrequent<T extends number | string>(values: Iterable<T>, known?: Map<T, number>): T | undefined {
  const counts = known ?? new Map<T, number>();
  if (known === undefined) for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount || (c === bestCount && best !== undefined && v < best)) (best = v), (bestCount = c);
  return best;
}

function median(sorted: Float64Array): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}

export class SimpleImputer extends Transformer {
  readonly kind = 'SimpleImputer';
  readonly strategy: ImputeStrategy;
  readonly fillValue: number | string | undefined;
  readonly addIndicator: boolean;
  /** Per column seen in fit: the fill value (sklearn's statistics_). */
  statistics: (number | string)[] = [];
  /** Columns that get an indicator (had missing values in fit). */
  indicatorColumns: string[] = [];
  /** Per column: values filled by the last `transform` (nothing is imputed without being counted). */
  imputedCounts: Record<string, number> = {};

  constructor(options?: SimpleImputerOptions) {
    super();
    const o = readOptions('SimpleImputer', options, spec);
    this.strategy = o.strategy ?? 'mean';
    this.fillValue = o.fillValue;
    this.addIndicator = o.addIndicator ?? false;
  }

  getParams(): Record<string, unknown> {
    return { strategy: this.strategy, ...(this.fillValue === undefined ? {} : { fillValue: this.fillValue }), addIndicator: this.addIndicator };
  }

  protected fitTable(x: Table, _y: TargetValues | undefined): void {
    const where = 'SimpleImputer.fit';
    const missing = x.missingCounts();
    this.statistics = x.columnNames.map((name) => {
      const v = x.column(name);
      const numeric = v instanceof Float64Array;
      if (this.strategy === 'constant') {
        const fill = this.fillValue ?? (numeric ? 0 : 'missing_value');
        if (numeric && typeof fill !== 'number') throw new ValueError(`${where}: fillValue ${JSON.stringify(fill)} is a string but column '${name}' is ${x.typeOf(name)}`);
        return numeric ? fill : String(fill);
      }
      if (missing[name] === x.nRows) throw new ValueError(`${where}: column '${name}' has no observed value (all ${x.nRows} missing); strategy '${this.strategy}' has nothing to learn from — drop it or use 'constant'`);
      if (!numeric) {
        if (this.strategy !== 'mostFrequent') throw new ValueError(`${where}: strategy '${this.strategy}' needs numbers but column '${name}' is categorical; use 'mostFrequent' or 'constant'`);
        return mostFrequent((v as (string | null)[]).filter((s): s is string => s !== null)) as string;
      }
      const seen = (v as Float64Array).filter((a) => !Number.isNaN(a));
      if (this.strategy === 'mean') return seen.reduce((s, a) => s + a, 0) / seen.length;
      if (this.strategy === 'median') return median(seen.sort());
      return mostFrequent(seen) as number;
    });
    this.indicatorColumns = this.addIndicator ? x.columnNames.filter((n) => (missing[n] as number) > 0) : [];
  }

  private chunks: ChunkStats[] = [];

  // Per column over the chunks: the running sum in row order (so the mean is fit's, bit for
  // bit), the counts of each value (mostFrequent, exact), a reservoir sketch (median, within
  // the rank bound stated in quantile-sketch.ts; exact up to its 65536 values) and the missing count.
  protected override partialFitTable(x: Table, _y: TargetValues | undefined, first: boolean, where: string): void {
    const missing = x.missingCounts();
    const stats = x.columnNames.map((name, j) => {
      const v = x.column(name);
      const numeric = v instanceof Float64Array;
      if (!numeric && (this.strategy === 'mean' || this.strategy === 'median')) throw new ValueError(`${where}: strategy '${this.strategy}' needs numbers but column '${name}' is categorical; use 'mostFrequent' or 'constant'`);
      if (this.strategy === 'constant' && numeric && typeof this.fillValue === 'string') throw new ValueError(`${where}: fillValue ${JSON.stringify(this.fillValue)} is a string but column '${name}' is ${x.typeOf(name)}`);
      const s: ChunkStats = first ? { sum: 0, observed: 0, missing: 0, counts: new Map(), sketch: this.strategy === 'median' ? new ReservoirQuantiles() : null } : (this.chunks[j] as ChunkStats);
      return { s, v, missing: missing[name] as number };
    });
    for (const { s, v, missing: m } of stats) {
      s.missing += m;
      s.observed += v.length - m;
      if (this.strategy === 'mean') for (const a of v as Float64Array) if (!Number.isNaN(a)) s.sum += a;
      if (this.strategy === 'median') s.sketch?.update(v as Float64Array);
      if (this.strategy === 'mostFrequent') for (const a of v) if (a !== null && !Number.isNaN(a as number)) s.counts.set(a as number | string, (s.counts.get(a as number | string) ?? 0) + 1);
    }
    this.chunks = stats.map((c) => c.s);
    this.statistics = stats.map(({ s, v }) => {
      const numeric = v instanceof Float64Array;
      if (this.strategy === 'constant') return numeric ? (this.fillValue ?? 0) : String(this.fillValue ?? 'missing_value');
      if (this.strategy === 'mean') return s.sum / s.observed;
      if (this.strategy === 'median') return (s.sketch as ReservoirQuantiles).quantile(0.5);
      return mostFrequent(s.counts.keys() as Iterable<number | string>, s.counts) ?? NaN;
    });
    this.indicatorColumns = this.addIndicator ? x.columnNames.filter((_, j) => (this.chunks[j] as ChunkStats).missing > 0) : [];
  }

  protected transformTable(x: Table): Table {
    const unseen = x.columnNames.find((_, j) => Number.isNaN(this.statistics[j] as number));
    if (unseen !== undefined) throw new ValueError(`SimpleImputer.transform: column '${unseen}' had no observed value in the chunks given to partialFit; strategy '${this.strategy}' has nothing to fill with`);
    this.imputedCounts = x.missingCounts();
    const cols: { name: string; type: ReturnType<Table['typeOf']>; values: ColumnValues }[] = x.columnNames.map((name, j) => {
      const v = x.column(name);
      const fill = this.statistics[j] as number | string;
      const values = v instanceof Float64Array ? v.map((a) => (Number.isNaN(a) ? (fill as number) : a)) : v.map((s) => s ?? (fill as string));
      // A categorical column filled with a number, or a boolean column with a non-0/1 mean, becomes what its values are.
      const type = x.typeOf(name) === 'boolean' && !values.every((a) => a === 0 || a === 1) ? 'numeric' : x.typeOf(name);
      return { name, type, values };
    });
    for (const name of this.indicatorColumns) {
      const v = x.column(name);
      cols.push({ name: `missingindicator_${name}`, type: 'numeric', values: Float64Array.from({ length: x.nRows }, (_, i) => (v[i] === null || Number.isNaN(v[i] as number) ? 1 : 0)) });
    }
    return new Table(cols);
  }

  protected namesOut(namesIn: string[]): string[] {
    return [...namesIn, ...this.indicatorColumns.map((n) => `missingindicator_${n}`)];
  }

  protected fittedState(): Record<string, unknown> {
    return { statistics: this.statistics, indicatorColumns: this.indicatorColumns };
  }

  restoreState(state: Record<string, unknown>): void {
    const n = Array.isArray(state['statistics']) ? state['statistics'].length : -1;
    this.statistics = stateList(this.kind, state, 'statistics', n, (v) => typeof v === 'number' || typeof v === 'string');
    const ind = state['indicatorColumns'];
    this.indicatorColumns = stateList(this.kind, state, 'indicatorColumns', Array.isArray(ind) ? ind.length : -1, (v) => typeof v === 'string');
  }
}

registerTransformer('SimpleImputer', (p) => new SimpleImputer(p as SimpleImputerOptions));
