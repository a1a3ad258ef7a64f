// OneHotEncoder and OrdinalEncoder (sklearn.preprocessing) for categorical columns (strings) and
// numeric columns treated as codes. Categories are sorted as sklearn sorts them (strings by code
// point, numbers ascending) with a missing value as a category of its own, last, named 'None' ('nan' in numeric columns).
// Rare categories are grouped into one `<column>_infrequent_sklearn` output with sklearn's rule
// (minFrequency, maxCategories; ties broken by category order, as its stable argsort does).
import { ValueError } from '../index.js';
import { is, readOptions } from '../validate.js';
import type { Table } from './table.js';
import { type TargetValues, Transformer, numericTable, registerTransformer, stateList } from './transformer.js';

/** A category: a string, a number (numeric columns), or null for missing. */
export type Category = string | number | null;

function keyAt(v: Float64Array | ReadonlyArray<string | null>, i: number): Category {
  const a = v[i] as number | string | null;
  return typeof a === 'number' && Number.isNaN(a) ? null : a;
}

function compare(a: Category, b: Category): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// sklearn names a missing category 'None' in an object (string) column and 'nan' in a float one.
function label(c: Category, numeric: boolean): string {
  return c === null ? (numeric ? 'nan' : 'None') : String(c);
}

/** Categories of column `name` in sorted order with their counts. */
const isCategory = (c: unknown): boolean => c === null || typeof c === 'string' || typeof c === 'number';
const isCategoryList = (v: unknown): boolean => Array.isArray(v) && v.every(isCategory);

/**
 * Categories of column `name` with their counts: sorted as seen in fit, or the user's list in its
 * order (`given`), where a value outside the list is an error naming the row (sklearn's
 * "Found unknown categories during fit").
 */
function countCategories(where: string, x: Table, name: string, given?: readonly Category[]): { categories: Category[]; counts: number[] } {
  const v = x.column(name);
  const counts = new Map<Category, number>(given?.map((c) => [c, 0]));
  for (let i = 0; i < x.nRows; i++) {
    const k = keyAt(v, i);
    if (given !== undefined && !counts.has(k)) throw new ValueError(`${where}: column '${name}' has ${JSON.stringify(k)} at row ${i}, which is not among the given categories (${given.map((c) => JSON.stringify(c)).join(', ')})`);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const categories = given !== undefined ? [...given] : [...counts.keys()].sort(compare);
  return { categories, counts: categories.map((c) => counts.get(c) as number) };
}

/** The `categories` option: column name → its categories, in the order wanted. */
const categoriesCheck = (v: unknown, where: string): Record<string, Category[]> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every(isCategoryList)) {
    throw new ValueError(`${where} must be an object {column: [categories…]} of strings or numbers`);
  }
  return v as Record<string, Category[]>;
};

function checkGivenColumns(where: string, x: Table, given: Record<string, Category[]> | undefined): void {
  for (const k of Object.keys(given ?? {})) if (!x.has(k)) throw new ValueError(`${where}: categories names column '${k}', which is not in the data`);
}


export interface OneHotEncoderOptions {
  /** A category not seen in fit: 'error' (default), 'ignore' (all zeros), 'infrequentIfExist' (the infrequent column if there is one, else zeros). */
  handleUnknown?: 'error' | 'ignore' | 'infrequentIfExist';
  /** Categories seen fewer times are infrequent: a count (≥ 1) or a share of the rows (< 1). */
  minFrequency?: number;
  /** At most this many output columns per feature, the infrequent one included. */
  maxCategories?: number;
  /** Drop one column per feature (for unpenalised linear models): 'first', or 'ifBinary' (only features with two columns). Default: none. */
  drop?: 'first' | 'ifBinary';
  /** Categories of some columns, in output order (default: those seen in fit, sorted); null stands for missing. */
  categories?: Record<string, Category[]>;
}

export class OneHotEncoder extends Transformer {
  readonly kind = 'OneHotEncoder';
  readonly handleUnknown: 'error' | 'ignore' | 'infrequentIfExist';
  readonly minFrequency: number | undefined;
  readonly maxCategories: number | undefined;
  readonly drop: 'first' | 'ifBinary' | undefined;
  readonly givenCategories: Record<string, Category[]> | undefined;
  /** Per column: every category seen in fit, sorted (sklearn's categories_). */
  categories: Category[][] = [];
  /** Per column: the categories grouped as infrequent (sklearn's infrequent_categories_), empty when none. */
  infrequentCategories: Category[][] = [];
  /** Per column: rows of the last `transform` whose category was unknown (encoded per handleUnknown). */
  unknownCounts: Record<string, number> = {};

  constructor(options?: OneHotEncoderOptions) {
    super();
    const o = readOptions('OneHotEncoder', options, {
      handleUnknown: is.oneOf(['error', 'ignore', 'infrequentIfExist'] as const),
      minFrequency: is.number({ min: 0, minOpen: true }),
      maxCategories: is.int({ min: 1 }),
      drop: is.oneOf(['first', 'ifBinary'] as const),
      categories: categoriesCheck,
    });
    this.drop = o.drop;
    this.givenCategories = o.categories;
    this.handleUnknown = o.handleUnknown ?? 'error';
    this.minFrequency = o.minFrequency;
    this.maxCategories = o.maxCategories;
  }

  getParams(): Record<string, unknown> {
    return { handleUnknown: this.handleUnknown, ...(this.minFrequency === undefined ? {} : { minFrequency: this.minFrequency }), ...(this.maxCategories === undefined ? {} : { maxCategories: this.maxCategories }), ...(this.drop === undefined ? {} : { drop: this.drop }), ...(this.givenCategories === undefined ? {} : { categories: this.givenCategories }) };
  }

  protected fitTable(x: Table, _y: TargetValues | undefined): void {
    this.categories = [];
    this.infrequentCategories = [];
    checkGivenColumns('OneHotEncoder.fit', x, this.givenCategories);
    for (const name of x.columnNames) this.settle(countCategories('OneHotEncoder.fit', x, name, this.givenCategories?.[name]), x.nRows);
  }

  private seen: { counts: Map<Category, number>[]; rows: number } = { counts: [], rows: 0 };

  // Category counts add up over chunks, so categories and the infrequent grouping (which needs
  // the counts and the total rows) come out as fit's on all rows.
  protected override partialFitTable(x: Table, _y: TargetValues | undefined, first: boolean, where: string): void {
    checkGivenColumns(where, x, this.givenCategories);
    const chunk = x.columnNames.map((name) => countCategories(where, x, name, this.givenCategories?.[name]));
    const counts = x.columnNames.map((_, j) => new Map(first ? [] : this.seen.counts[j]));
    chunk.forEach((c, j) => c.categories.forEach((k, i) => (counts[j] as Map<Category, number>).set(k, ((counts[j] as Map<Category, number>).get(k) ?? 0) + (c.counts[i] as number))));
    this.seen = { counts, rows: (first ? 0 : this.seen.rows) + x.nRows };
    this.categories = [];
    this.infrequentCategories = [];
    x.columnNames.forEach((name, j) => {
      const m = counts[j] as Map<Category, number>;
      const categories = this.givenCategories?.[name] !== undefined ? [...(chunk[j] as { categories: Category[] }).categories] : [...m.keys()].sort(compare);
      this.settle({ categories, counts: categories.map((c) => m.get(c) ?? 0) }, this.seen.rows);
    });
  }

  /** Appends one column's categories and infrequent ones (sklearn's rule) from its counts over `rows` rows. */
  private settle({ categories, counts }: { categories: Category[]; counts: number[] }, rows: number): void {
    const infrequent = counts.map((c) => this.minFrequency !== undefined && c < (this.minFrequency >= 1 ? this.minFrequency : this.minFrequency * rows));
    const outputs = counts.length - infrequent.filter(Boolean).length + 1;
    if (this.maxCategories !== undefined && this.maxCategories < outputs) {
      const keep = this.maxCategories - 1;
      const byCount = counts.map((_, i) => i).sort((a, b) => (counts[a] as number) - (counts[b] as number) || a - b);
      for (const i of byCount.slice(0, byCount.length - keep)) infrequent[i] = true;
    }
    this.categories.push(categories);
    this.infrequentCategories.push(categories.filter((_, i) => infrequent[i]));
  }

  private frequent(j: number): Category[] {
    const rare = this.infrequentCategories[j] as Category[];
    return (this.categories[j] as Category[]).filter((c) => !rare.includes(c));
  }

  protected transformTable(x: Table): Table {
    const where = 'OneHotEncoder.transform';
    const names: string[] = [];
    const cols: Float64Array[] = [];
    this.unknownCounts = {};
    x.columnNames.forEach((name, j) => {
      const frequent = this.frequent(j);
      const rare = this.infrequentCategories[j] as Category[];
      const pos = new Map<Category, number>(frequent.map((c, k) => [c, k]));
      const rareCol = rare.length > 0 ? frequent.length : -1;
      for (const c of rare) pos.set(c, rareCol);
      const out = Array.from({ length: frequent.length + (rare.length > 0 ? 1 : 0) }, () => new Float64Array(x.nRows));
      const v = x.column(name);
      let unknown = 0;
      for (let i = 0; i < x.nRows; i++) {
        const c = keyAt(v, i);
        let k = pos.get(c);
        if (k === undefined) {
          if (this.handleUnknown === 'error') {
            throw new ValueError(`${where}: column '${name}' has category ${JSON.stringify(c)} at row ${i}, not seen in fit (known: ${(this.categories[j] as Category[]).map((c) => label(c, false)).join(', ')}); use handleUnknown: 'ignore' or 'infrequentIfExist'`);
          }
          unknown++;
          k = this.handleUnknown === 'infrequentIfExist' ? rareCol : -1;
        }
        if (k >= 0) (out[k] as Float64Array)[i] = 1;
      }
      this.unknownCounts[name] = unknown;
      const dropped = this.dropIndex(j);
      names.push(...this.columnNames(name, j, v instanceof Float64Array));
      cols.push(...out.filter((_, k) => k !== dropped));
    });
    return numericTable(names, cols);
  }

  /**
   * The output column `drop` removes (−1: none). As sklearn (≥ 1.2), the index is taken after
   * rare categories are grouped: the first output column (the first frequent category, or the
   * infrequent column when none is frequent); 'ifBinary' only where there are two columns.
   */
  private dropIndex(j: number): number {
    if (this.drop === undefined) return -1;
    const columns = this.frequent(j).length + ((this.infrequentCategories[j] as Category[]).length > 0 ? 1 : 0);
    return this.drop === 'ifBinary' && columns !== 2 ? -1 : 0;
  }

  private columnNames(name: string, j: number, numeric: boolean): string[] {
    const out = this.frequent(j).map((c) => `${name}_${label(c, numeric)}`);
    if ((this.infrequentCategories[j] as Category[]).length > 0) out.push(`${name}_infrequent_sklearn`);
    const dropped = this.dropIndex(j);
    return out.filter((_, k) => k !== dropped);
  }

  protected namesOut(namesIn: string[]): string[] {
    return namesIn.flatMap((name, j) => this.columnNames(name, j, (this.categories[j] as Category[]).some((c) => typeof c === 'number')));
  }

  protected fittedState(): Record<string, unknown> {
    return { categories: this.categories, infrequentCategories: this.infrequentCategories };
  }

  restoreState(state: Record<string, unknown>): void {
    const d = Array.isArray(state['categories']) ? state['categories'].length : -1;
    this.categories = stateList(this.kind, state, 'categories', d, isCategoryList);
    this.infrequentCategories = stateList(this.kind, state, 'infrequentCategories', d, isCategoryList);
  }
}

export interface OrdinalEncoderOptions {
  /** A category not seen in fit: 'error' (default) or 'useEncodedValue' (then `unknownValue`). */
  handleUnknown?: 'error' | 'useEncodedValue';
  /** The code of unknown categories with 'useEncodedValue' (a number; NaN allowed, as sklearn's np.nan). */
  unknownValue?: number;
  /** The code of missing values (default NaN, as sklearn). */
  encodedMissingValue?: number;
  /** Categories of some columns, in code order (default: those seen in fit, sorted). */
  categories?: Record<string, Category[]>;
}

export class OrdinalEncoder extends Transformer {
  readonly kind = 'OrdinalEncoder';
  readonly handleUnknown: 'error' | 'useEncodedValue';
  readonly unknownValue: number | undefined;
  readonly encodedMissingValue: number;
  readonly givenCategories: Record<string, Category[]> | undefined;
  /** Per column: the observed categories, sorted; code k is categories[j][k]. A missing string is the last category (null); numeric NaN is not one. */
  categories: Category[][] = [];

  constructor(options?: OrdinalEncoderOptions) {
    super();
    const o = readOptions('OrdinalEncoder', options, {
      handleUnknown: is.oneOf(['error', 'useEncodedValue'] as const),
      unknownValue: is.number({ finite: false }),
      encodedMissingValue: is.number({ finite: false }),
      categories: categoriesCheck,
    });
    this.givenCategories = o.categories;
    this.handleUnknown = o.handleUnknown ?? 'error';
    this.unknownValue = o.unknownValue;
    this.encodedMissingValue = o.encodedMissingValue ?? NaN;
    if (this.handleUnknown === 'useEncodedValue' && this.unknownValue === undefined) {
      throw new ValueError("OrdinalEncoder: handleUnknown 'useEncodedValue' needs unknownValue (a number such as -1)");
    }
  }

  getParams(): Record<string, unknown> {
    // JSON has no NaN: a NaN code is left out and comes back as the default.
    const p: Record<string, unknown> = { handleUnknown: this.handleUnknown };
    if (this.unknownValue !== undefined && !Number.isNaN(this.unknownValue)) p['unknownValue'] = this.unknownValue;
    if (!Number.isNaN(this.encodedMissingValue)) p['encodedMissingValue'] = this.encodedMissingValue;
    if (this.givenCategories !== undefined) p['categories'] = this.givenCategories;
    return p;
  }

  protected fitTable(x: Table, _y: TargetValues | undefined): void {
    // As sklearn: a missing string (None) is a category, coded last; a numeric NaN gets encodedMissingValue.
    checkGivenColumns('OrdinalEncoder.fit', x, this.givenCategories);
    this.categories = x.columnNames.map((name) => {
      const given = this.givenCategories?.[name];
      // A missing value outside a given list gets encodedMissingValue, as it does for numbers.
      const list = given === undefined || given.includes(null) ? given : [...given, null];
      const { categories } = countCategories('OrdinalEncoder.fit', x, name, list);
      return categories.filter((c) => c !== null || (given === undefined ? x.typeOf(name) === 'categorical' : given.includes(null)));
    });
  }

  protected transformTable(x: Table): Table {
    const names = x.columnNames;
    return numericTable(
      names,
      names.map((name, j) => {
        const pos = new Map<Category, number>((this.categories[j] as Category[]).map((c, k) => [c, k]));
        const v = x.column(name);
        return Float64Array.from({ length: x.nRows }, (_, i) => {
          const c = keyAt(v, i);
          const k = pos.get(c);
          if (c === null && k === undefined) return this.encodedMissingValue;
          if (k !== undefined) return k;
          if (this.handleUnknown === 'error') throw new ValueError(`OrdinalEncoder.transform: column '${name}' has category ${JSON.stringify(c)} at row ${i}, not seen in fit`);
          return this.unknownValue as number;
        });
      }),
    );
  }

  protected namesOut(namesIn: string[]): string[] {
    return namesIn;
  }

  protected fittedState(): Record<string, unknown> {
    return { categories: this.categories };
  }

  restoreState(state: Record<string, unknown>): void {
    const d = Array.isArray(state['categories']) ? state['categories'].length : -1;
    this.categories = stateList(this.kind, state, 'categories', d, isCategoryList);
  }
}

registerTransformer('OneHotEncoder', (p) => new OneHotEncoder(p as OneHotEncoderOptions));
registerTransformer('OrdinalEncoder', (p) => new OrdinalEncoder(p as OrdinalEncoderOptions));
