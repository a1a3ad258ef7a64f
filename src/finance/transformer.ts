// What every preprocessing step shares (sklearn's TransformerMixin): fit on training data,
// transform new data with the fitted state, name its output columns (getFeatureNamesOut), and
// write that state as JSON so that a pipeline saves and loads as one artifact. Steps register
// their kind once, at import (the finance toolkit is its own entry point, loaded whole).
import { NotFittedError, ValueError } from '../index.js';
import { type TabularInput, Table, asTable } from './table.js';

/** A step's saved form: its kind, constructor options and fitted state (plain JSON). */
export interface TransformerJSON {
  kind: string;
  params: Record<string, unknown>;
  fitted: Record<string, unknown> | null;
}

/** Class labels or targets as the pipeline hands them to steps that look at y (WoEEncoder). */
export type TargetValues = ArrayLike<number>;

export abstract class Transformer {
  /** The registered kind ('StandardScaler', …). */
  abstract readonly kind: string;
  /** Column names seen by fit (sklearn's feature_names_in_); null before fit. */
  featureNamesIn: string[] | null = null;

  /** Constructor options, as given (sklearn's get_params). */
  abstract getParams(): Record<string, unknown>;

  /** True between partialFit calls: the next one adds to the statistics instead of starting over. */
  private streaming = false;

  /** Learns from the training table only; `y` is read by supervised steps and ignored by the others. */
  fit(x: TabularInput, y?: TargetValues): this {
    const t = asTable(`${this.kind}.fit`, x);
    if (t.nRows === 0) throw new ValueError(`${this.kind}.fit: the table has no rows`);
    this.fitTable(t, y);
    this.featureNamesIn = t.columnNames;
    this.streaming = false;
    return this;
  }

  /**
   * Learns from one chunk of the training rows (sklearn's partial_fit), for data read in chunks
   * (readCsvChunks): after the last chunk the state is that of `fit` on all rows — the same
   * numbers up to rounding for means and variances, exactly for minimum, maximum and
   * categories, within a stated bound where a quantile sketch stands in for a sort (median).
   * A `fit` call discards the chunk statistics; the next partialFit starts over. The step is
   * usable (transform) after every chunk. Steps that need all rows at once throw.
   */
  partialFit(x: TabularInput, y?: TargetValues): this {
    const where = `${this.kind}.partialFit`;
    const t = asTable(where, x);
    if (t.nRows === 0) throw new ValueError(`${where}: the table has no rows`);
    const first = !this.streaming;
    if (!first) {
      const names = this.featureNamesIn as string[];
      if (names.join('\u0000') !== t.columnNames.join('\u0000')) throw new ValueError(`${where}: the chunk has columns ${t.columnNames.join(', ')} but earlier chunks had ${names.join(', ')}`);
    }
    this.partialFitTable(t, y, first, where);
    this.featureNamesIn = t.columnNames;
    this.streaming = true;
    return this;
  }

  /** Adds a chunk to the running statistics (`first`: forget earlier ones); the default refuses. */
  protected partialFitTable(_x: Table, _y: TargetValues | undefined, _first: boolean, where: string): void {
    throw new ValueError(`${where}: ${this.kind} needs all rows at once; fit it on the whole table (or on a sample)${this.kind === 'Pipeline' ? ', or give its steps to partialFitSteps (one pass per step)' : ''}`);
  }

  /** Applies the fitted state; the columns seen by fit must be there (extra columns are ignored). */
  transform(x: TabularInput): Table {
    const where = `${this.kind}.transform`;
    const names = this.fittedNames(where);
    const t = asTable(where, x);
    const absent = names.filter((n) => !t.has(n));
    if (absent.length > 0) throw new ValueError(`${where}: column${absent.length > 1 ? 's' : ''} ${absent.map((n) => `'${n}'`).join(', ')} seen in fit ${absent.length > 1 ? 'are' : 'is'} missing`);
    return this.transformTable(t.select(names));
  }

  fitTransform(x: TabularInput, y?: TargetValues): Table {
    return this.fit(x, y).transform(x);
  }

  /** Output column names (sklearn's get_feature_names_out). */
  getFeatureNamesOut(): string[] {
    return this.namesOut(this.fittedNames(`${this.kind}.getFeatureNamesOut`));
  }

  get isFitted(): boolean {
    return this.featureNamesIn !== null;
  }

  protected fittedNames(where: string): string[] {
    if (this.featureNamesIn === null) throw new NotFittedError(`${where}: not fitted; call fit(x) first`);
    return this.featureNamesIn;
  }

  protected abstract fitTable(x: Table, y: TargetValues | undefined): void;
  protected abstract transformTable(x: Table): Table;
  protected abstract namesOut(namesIn: string[]): string[];
  /** The fitted state besides featureNamesIn, JSON-able. */
  protected abstract fittedState(): Record<string, unknown>;
  /** Installs a fitted state read back from JSON (used by transformerFromJSON). */
  abstract restoreState(state: Record<string, unknown>): void;

  toJSON(): TransformerJSON {
    const fitted = this.featureNamesIn === null ? null : { featureNamesIn: this.featureNamesIn, ...this.fittedState() };
    return { kind: this.kind, params: this.getParams(), fitted };
  }

  /** A fresh, unfitted step of the same kind with `params` overriding this one's (sklearn's clone + set_params). */
  clone(params: Record<string, unknown> = {}): Transformer {
    return transformerFromJSON({ kind: this.kind, params: { ...this.getParams(), ...params }, fitted: null });
  }
}

type Factory = (params: Record<string, unknown>) => Transformer;
const registry = new Map<string, Factory>();

/** Makes `kind` loadable by transformerFromJSON (each step calls it once, at import). */
export function registerTransformer(kind: string, factory: Factory): void {
  registry.set(kind, factory);
}

/** Rebuilds a step (fitted when the JSON was) from `toJSON()`. */
export function transformerFromJSON(json: TransformerJSON): Transformer {
  const factory = registry.get(json?.kind);
  if (factory === undefined) throw new ValueError(`transformerFromJSON: unknown step kind ${JSON.stringify(json?.kind)} (known: ${[...registry.keys()].sort().join(', ')})`);
  const t = factory(json.params ?? {});
  if (json.fitted !== null && json.fitted !== undefined) {
    const { featureNamesIn, ...state } = json.fitted;
    if (!Array.isArray(featureNamesIn) || !featureNamesIn.every((n) => typeof n === 'string')) {
      throw new ValueError(`transformerFromJSON: ${json.kind}'s 'fitted.featureNamesIn' must be a list of column names`);
    }
    t.restoreState(state);
    t.featureNamesIn = featureNamesIn as string[];
  }
  return t;
}

/** The numeric (or boolean) column `name`, or an error naming the step and the column. */
export function numericColumn(where: string, x: Table, name: string): Float64Array {
  if (x.typeOf(name) === 'categorical') throw new ValueError(`${where}: column '${name}' is categorical; route it to an encoder (ColumnTransformer) instead`);
  return x.column(name) as Float64Array;
}

/** A table of numeric columns. */
export function numericTable(names: readonly string[], values: readonly Float64Array[]): Table {
  return new Table(names.map((name, j) => ({ name, type: 'numeric' as const, values: values[j] as Float64Array })));
}

/** `state[key]` as `length` numbers (null in JSON stands for NaN), or an error naming the step and field. */
export function stateNumbers(kind: string, state: Record<string, unknown>, key: string, length: number): Float64Array {
  const v = state[key];
  if (!Array.isArray(v) || v.length !== length || !v.every((x) => x === null || typeof x === 'number')) {
    throw new ValueError(`${kind}: saved state '${key}' must be ${length} numbers (one per column seen in fit)`);
  }
  return Float64Array.from(v as (number | null)[], (x) => (x === null ? NaN : x));
}

/** `state[key]` as a list of `length` items passing `ok`. */
export function stateList<T>(kind: string, state: Record<string, unknown>, key: string, length: number, ok: (x: unknown) => boolean): T[] {
  const v = state[key];
  if (!Array.isArray(v) || v.length !== length || !v.every(ok)) throw new ValueError(`${kind}: saved state '${key}' must be a list of ${length} entries (one per column seen in fit)`);
  return v as T[];
}
