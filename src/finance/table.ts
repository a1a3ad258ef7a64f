// A small column-oriented table: what the finance pipeline needs between a CSV (or a DuckDB /
// Polars / Arquero export) and a tensor, and no more. Numeric and boolean columns are
// Float64Array (NaN marks a missing value; booleans are 0/1), categorical columns are strings
// (null marks a missing value). Tables are immutable: every operation returns a new one.
import { ShapeError, ValueError, tensor, type Tensor } from '../index.js';
import { describe as describeValue, is, readOptions } from '../validate.js';

export type ColumnType = 'numeric' | 'categorical' | 'boolean';
export type NumericColumn = Float64Array;
export type CategoricalColumn = ReadonlyArray<string | null>;
export type ColumnValues = NumericColumn | CategoricalColumn;

/** What a column may be given as: numbers (NaN/null/undefined missing), strings, booleans. */
export type ColumnInput = ArrayLike<number> | ReadonlyArray<string | number | boolean | null | undefined>;

/** Per-column summary from `describe()` (sklearn/pandas names). */
export interface ColumnSummary {
  type: ColumnType;
  count: number;
  missing: number;
  mean?: number;
  std?: number;
  min?: number;
  max?: number;
  unique?: number;
  top?: string;
}

const typeCheck = is.oneOf(['numeric', 'categorical', 'boolean'] as const);
const tableOptions = { types: is.any } as const;

function checkTypes(where: string, types: unknown): Record<string, ColumnType> {
  if (types === undefined) return {};
  if (typeof types !== 'object' || types === null || Array.isArray(types)) throw new ValueError(`${where}: types must be an object {column: 'numeric' | 'categorical' | 'boolean'}`);
  const out: Record<string, ColumnType> = {};
  for (const [k, v] of Object.entries(types)) out[k] = typeCheck(v, `${where}: types.${k}`);
  return out;
}

const BOOL_TRUE = new Set(['true', 'True', 'TRUE']);
const BOOL_FALSE = new Set(['false', 'False', 'FALSE']);

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/** The type a column's values suggest: all numbers → numeric, all booleans → boolean, else categorical. */
function inferType(values: ColumnInput): ColumnType {
  if (ArrayBuffer.isView(values)) return 'numeric';
  let sawNumber = false;
  let sawBool = false;
  let sawOther = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    if (typeof v === 'number') sawNumber = true;
    else if (typeof v === 'boolean') sawBool = true;
    else sawOther = true;
  }
  if (sawOther || (sawNumber && sawBool)) return 'categorical';
  if (sawBool) return 'boolean';
  return 'numeric';
}

function toColumn(where: string, name: string, values: ColumnInput, type: ColumnType): ColumnValues {
  if (type === 'categorical') {
    return Array.from(values as ArrayLike<unknown>, (v) => (isMissing(v) ? null : String(v)));
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = (values as ArrayLike<unknown>)[i];
    if (isMissing(v)) out[i] = NaN;
    else if (typeof v === 'number') out[i] = v;
    else if (typeof v === 'boolean') out[i] = v ? 1 : 0;
    else if (type === 'boolean' && typeof v === 'string' && (BOOL_TRUE.has(v) || BOOL_FALSE.has(v))) out[i] = BOOL_TRUE.has(v) ? 1 : 0;
    else throw new ValueError(`${where}: column '${name}' is ${type} but row ${i} holds ${describeValue(v)}`);
    if (type === 'boolean' && !Number.isNaN(out[i] as number) && out[i] !== 0 && out[i] !== 1) {
      throw new ValueError(`${where}: column '${name}' is boolean but row ${i} holds ${out[i]}`);
    }
  }
  return out;
}

/** A named, typed, immutable set of equally long columns. */
export class Table {
  readonly nRows: number;
  private readonly cols: ReadonlyMap<string, ColumnValues>;
  private readonly kinds: ReadonlyMap<string, ColumnType>;

  /** Columns already typed (`fromColumns` / `fromRows` build tables from plain data). */
  constructor(columns: ReadonlyArray<{ name: string; type: ColumnType; values: ColumnValues }>) {
    const where = 'Table';
    const cols = new Map<string, ColumnValues>();
    const kinds = new Map<string, ColumnType>();
    let n: number | undefined;
    for (const c of columns) {
      if (cols.has(c.name)) throw new ValueError(`${where}: column name '${c.name}' appears twice`);
      if ((c.type === 'categorical') === c.values instanceof Float64Array) {
        throw new ValueError(`${where}: column '${c.name}' of type ${c.type} must hold ${c.type === 'categorical' ? 'strings' : 'a Float64Array'}`);
      }
      if (n !== undefined && c.values.length !== n) throw new ShapeError(`${where}: column '${c.name}' has ${c.values.length} rows but the first column has ${n}`);
      n = c.values.length;
      cols.set(c.name, c.values);
      kinds.set(c.name, c.type);
    }
    this.nRows = n ?? 0;
    this.cols = cols;
    this.kinds = kinds;
  }

  /** From column objects `{age: [..], job: [..]}`; types inferred unless given in `types`. */
  static fromColumns(columns: Readonly<Record<string, ColumnInput>>, options?: { types?: Record<string, ColumnType> }): Table {
    const where = 'Table.fromColumns';
    const types = checkTypes(where, readOptions(where, options, tableOptions).types);
    if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) throw new ValueError(`${where}: columns must be an object {name: values}, got ${describeValue(columns)}`);
    for (const k of Object.keys(types)) if (!(k in columns)) throw new ValueError(`${where}: types names column '${k}', which is not in the data`);
    return new Table(
      Object.entries(columns).map(([name, values]) => {
        if (values === null || typeof values !== 'object' || typeof values.length !== 'number') throw new ValueError(`${where}: column '${name}' must be an array, got ${describeValue(values)}`);
        const type = types[name] ?? inferType(values);
        return { name, type, values: toColumn(where, name, values, type) };
      }),
    );
  }

  /** From row objects `[{age: 31, job: 'a'}, …]` (DuckDB, Arquero `objects()`); keys of the first row name the columns. */
  static fromRows(rows: ReadonlyArray<Readonly<Record<string, unknown>>>, options?: { types?: Record<string, ColumnType> }): Table {
    const where = 'Table.fromRows';
    if (!Array.isArray(rows)) throw new ValueError(`${where}: rows must be an array of objects, got ${describeValue(rows)}`);
    const names = rows.length > 0 ? Object.keys(rows[0] as object) : [];
    const columns: Record<string, unknown[]> = Object.fromEntries(names.map((k) => [k, new Array<unknown>(rows.length)]));
    rows.forEach((row, i) => {
      if (row === null || typeof row !== 'object') throw new ValueError(`${where}: row ${i} is ${describeValue(row)}, not an object`);
      const keys = Object.keys(row);
      const extra = keys.find((k) => !(k in columns));
      if (extra !== undefined) throw new ShapeError(`${where}: row ${i} has column '${extra}', which row 0 does not have`);
      for (const k of names) (columns[k] as unknown[])[i] = row[k];
    });
    return Table.fromColumns(columns as Record<string, ColumnInput>, options);
  }

  /**
   * From an Apache Arrow table (apache-arrow's `Table`, DuckDB-Wasm and Polars results): read
   * through its public interface (`schema.fields`, `numRows`, `getChild(name).get(i)`), so no
   * Arrow package is needed here. Int64 (bigint) values become numbers; nulls are missing.
   */
  static fromArrow(arrow: { numRows: number; schema: { fields: ReadonlyArray<{ name: string }> }; getChild(name: string): { get(i: number): unknown } | null }, options?: { types?: Record<string, ColumnType> }): Table {
    const where = 'Table.fromArrow';
    if (arrow === null || typeof arrow !== 'object' || typeof arrow.getChild !== 'function' || !Array.isArray(arrow.schema?.fields)) {
      throw new ValueError(`${where}: expected an Arrow table (schema.fields, numRows, getChild), got ${describeValue(arrow)}`);
    }
    const columns: Record<string, ColumnInput> = {};
    for (const { name } of arrow.schema.fields) {
      const child = arrow.getChild(name);
      if (child === null) throw new ValueError(`${where}: column '${name}' is in the schema but has no data`);
      columns[name] = Array.from({ length: arrow.numRows }, (_, i) => {
        const v = child.get(i);
        return typeof v === 'bigint' ? Number(v) : (v as string | number | boolean | null);
      });
    }
    return Table.fromColumns(columns, options);
  }

  /** From 2-D numbers; columns named x0, x1, … (sklearn's names for arrays) unless `names` given. */
  static fromMatrix(rows: ReadonlyArray<ArrayLike<number>>, names?: readonly string[]): Table {
    const where = 'Table.fromMatrix';
    const d = rows[0]?.length ?? names?.length ?? 0;
    const cols = Array.from({ length: d }, () => new Float64Array(rows.length));
    rows.forEach((row, i) => {
      if (row.length !== d) throw new ShapeError(`${where}: row ${i} has ${row.length} values but row 0 has ${d}`);
      for (let j = 0; j < d; j++) (cols[j] as Float64Array)[i] = typeof row[j] === 'number' ? (row[j] as number) : NaN;
    });
    if (names !== undefined && names.length !== d) throw new ShapeError(`${where}: ${names.length} names for ${d} columns`);
    return new Table(cols.map((values, j) => ({ name: names?.[j] ?? `x${j}`, type: 'numeric' as const, values })));
  }

  get columnNames(): string[] {
    return [...this.cols.keys()];
  }

  get nColumns(): number {
    return this.cols.size;
  }

  /** Column name → type. */
  get types(): Record<string, ColumnType> {
    return Object.fromEntries(this.kinds);
  }

  has(name: string): boolean {
    return this.cols.has(name);
  }

  typeOf(name: string): ColumnType {
    return this.kinds.get(this.need('Table.typeOf', name)) as ColumnType;
  }

  /** A column's values (shared, do not mutate). */
  column(name: string): ColumnValues {
    return this.cols.get(this.need('Table.column', name)) as ColumnValues;
  }

  /** A numeric or boolean column; a categorical one is an error naming it. */
  numeric(name: string, where = 'Table.numeric'): Float64Array {
    const v = this.cols.get(this.need(where, name));
    if (!(v instanceof Float64Array)) throw new ValueError(`${where}: column '${name}' is categorical; encode it first (OneHotEncoder, OrdinalEncoder, WoEEncoder)`);
    return v;
  }

  /** A categorical column; a numeric one is an error naming it. */
  categorical(name: string, where = 'Table.categorical'): CategoricalColumn {
    const v = this.cols.get(this.need(where, name));
    if (v instanceof Float64Array) throw new ValueError(`${where}: column '${name}' is ${this.kinds.get(name)}, not categorical`);
    return v as CategoricalColumn;
  }

  private need(where: string, name: string): string {
    if (!this.cols.has(name)) throw new ValueError(`${where}: no column '${name}' (columns: ${this.columnNames.join(', ')})`);
    return name;
  }

  /** Only the named columns, in that order. */
  select(names: readonly string[]): Table {
    return new Table(names.map((name) => ({ name, type: this.typeOf(name), values: this.column(this.need('Table.select', name)) })));
  }

  /** All columns but the named ones. */
  drop(names: readonly string[]): Table {
    names.forEach((n) => this.need('Table.drop', n));
    return this.select(this.columnNames.filter((n) => !names.includes(n)));
  }

  /** The rows at `indices`, in that order (repeats allowed). */
  take(indices: ArrayLike<number>): Table {
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i] as number;
      if (!Number.isInteger(k) || k < 0 || k >= this.nRows) throw new ValueError(`Table.take: index ${k} at position ${i} is outside 0…${this.nRows - 1}`);
    }
    return new Table(
      this.columnNames.map((name) => {
        const v = this.column(name);
        const values = v instanceof Float64Array ? Float64Array.from(indices, (k) => v[k] as number) : Array.from(indices, (k) => v[k] as string | null);
        return { name, type: this.typeOf(name), values };
      }),
    );
  }

  /** The rows where `mask` is true (or non-zero). */
  filter(mask: ArrayLike<boolean | number>): Table {
    if (mask.length !== this.nRows) throw new ShapeError(`Table.filter: mask has ${mask.length} entries but the table has ${this.nRows} rows`);
    const keep: number[] = [];
    for (let i = 0; i < mask.length; i++) if (mask[i]) keep.push(i);
    return this.take(keep);
  }

  /** The first n rows (5 by default). */
  head(n = 5): Table {
    return this.take(Array.from({ length: Math.min(n, this.nRows) }, (_, i) => i));
  }

  /** A new table with one column added or replaced. */
  withColumn(name: string, values: ColumnInput, type?: ColumnType): Table {
    const t = type ?? inferType(values);
    const cols = this.columnNames.map((n) => ({ name: n, type: this.typeOf(n), values: this.column(n) }));
    const col = { name, type: t, values: toColumn('Table.withColumn', name, values, t) };
    const at = cols.findIndex((c) => c.name === name);
    if (at >= 0) cols[at] = col;
    else cols.push(col);
    return new Table(cols);
  }

  /** Missing values per column. */
  missingCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, v] of this.cols) {
      let m = 0;
      for (let i = 0; i < v.length; i++) if (v instanceof Float64Array ? Number.isNaN(v[i] as number) : v[i] === null) m++;
      out[name] = m;
    }
    return out;
  }

  /** Count, missing, mean / std (ddof 1, as pandas) / min / max of numeric columns; unique and most frequent of categorical ones. */
  describe(): Record<string, ColumnSummary> {
    const out: Record<string, ColumnSummary> = {};
    const missing = this.missingCounts();
    for (const [name, v] of this.cols) {
      const type = this.kinds.get(name) as ColumnType;
      const m = missing[name] as number;
      const count = v.length - m;
      if (v instanceof Float64Array) {
        let s = 0;
        let lo = Infinity;
        let hi = -Infinity;
        for (const x of v) if (!Number.isNaN(x)) (s += x), (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
        const mean = s / count;
        let ss = 0;
        for (const x of v) if (!Number.isNaN(x)) ss += (x - mean) ** 2;
        out[name] = { type, count, missing: m, mean, std: Math.sqrt(ss / (count - 1)), min: lo, max: hi };
      } else {
        const freq = new Map<string, number>();
        for (const x of v) if (x !== null) freq.set(x, (freq.get(x) ?? 0) + 1);
        let top: string | undefined;
        for (const [k, c] of freq) if (top === undefined || c > (freq.get(top) as number)) top = k;
        out[name] = { type, count, missing: m, unique: freq.size, ...(top === undefined ? {} : { top }) };
      }
    }
    return out;
  }

  /** Row-major float64 matrix of the (numeric or boolean) columns. */
  toMatrix(where = 'Table.toMatrix'): Float64Array {
    const names = this.columnNames;
    const cols = names.map((n) => this.numeric(n, where));
    const d = names.length;
    const out = new Float64Array(this.nRows * d);
    cols.forEach((c, j) => {
      for (let i = 0; i < this.nRows; i++) out[i * d + j] = c[i] as number;
    });
    return out;
  }

  /** A float32 tensor [nRows, nColumns]; categorical columns or missing values are errors naming the column and row. */
  toTensor(): Tensor {
    const where = 'Table.toTensor';
    const m = this.toMatrix(where);
    const d = this.nColumns;
    for (let i = 0; i < m.length; i++) {
      if (Number.isNaN(m[i] as number)) {
        throw new ValueError(`${where}: column '${this.columnNames[i % d]}' has a missing value at row ${Math.floor(i / d)}; impute it first (SimpleImputer)`);
      }
    }
    return tensor(Float32Array.from(m), [this.nRows, d]);
  }

  /** Rows as objects (missing as null), for printing and export. */
  toRows(): Record<string, number | string | boolean | null>[] {
    return Array.from({ length: this.nRows }, (_, i) => {
      const row: Record<string, number | string | boolean | null> = {};
      for (const [name, v] of this.cols) {
        const x = v[i] as number | string | null;
        const type = this.kinds.get(name);
        row[name] = typeof x === 'number' ? (Number.isNaN(x) ? null : type === 'boolean' ? x === 1 : x) : x;
      }
      return row;
    });
  }
}

/** Anything the transformers and pipelines take: a Table, rows of numbers (named x0, x1, …), or row objects (types inferred). */
export type TabularInput = Table | ReadonlyArray<ArrayLike<number>> | ReadonlyArray<Readonly<Record<string, unknown>>>;

export function asTable(where: string, x: TabularInput): Table {
  if (x instanceof Table) return x;
  if (Array.isArray(x) && x.length > 0 && !Array.isArray(x[0]) && !ArrayBuffer.isView(x[0])) return Table.fromRows(x as ReadonlyArray<Readonly<Record<string, unknown>>>);
  if (Array.isArray(x)) return Table.fromMatrix(x as ReadonlyArray<ArrayLike<number>>);
  throw new ValueError(`${where}: x must be a Table or an array of rows of numbers, got ${describeValue(x)}`);
}
