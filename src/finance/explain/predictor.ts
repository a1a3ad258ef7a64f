// What the explanation methods need: the data as columns (so that a feature can be shuffled or
// swapped for background values whatever its type) and a model that scores rows built from
// such columns. Data are a numeric matrix or a Table; models are fitted fingrad models (their
// predictProba, decisionFunction or predict), Pipelines (explained on their raw input columns,
// so one-hot encoded fields count as the one feature they were) or plain functions. The
// tensors made on the way are freed at once.
import { ArgumentError, ShapeError, Tensor, ValueError, tensor, tidy } from '../../index.js';
import { readMatrix as readNumbers } from '../../metrics/input.js';
import { describe } from '../../validate.js';
import { Pipeline } from '../pipeline.js';
import { type ColumnType, Table } from '../table.js';

/** Rows of numbers (nested arrays, typed-array rows or a tensor [n, d]), or a Table. */
export type MatrixLike = Tensor | ArrayLike<ArrayLike<number>>;
export type DataLike = MatrixLike | Table;

/** A column: numbers (NaN for missing) or categories (null for missing). */
export type ColumnData = Float64Array | ReadonlyArray<string | null>;

/** Data as named, typed columns. */
export interface Frame {
  names: string[];
  types: ColumnType[];
  columns: ColumnData[];
  rows: number;
  /** Whether it came from a Table (models then receive Tables). */
  tabular: boolean;
}

/** A row-major float64 matrix. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Reads a numeric matrix [rows, features] (metrics' reader: arrays, typed-array rows or a tensor), every value finite. */
export function readMatrix(where: string, name: string, x: unknown): Matrix {
  const m = readNumbers(where, name, x);
  if (m.vector || m.rows === 0) throw new ShapeError(`${where}: ${name} must be a non-empty matrix [rows, features] (a Table, rows of numbers or a 2-D tensor), got ${describe(x)}`);
  return { data: m.data, rows: m.rows, cols: m.cols };
}

/** Data as a frame: a Table's columns as they are, a matrix's columns as Float64Arrays. */
export function readFrame(where: string, name: string, x: unknown, featureNames?: readonly string[]): Frame {
  if (x instanceof Table) {
    if (x.nRows === 0) throw new ValueError(`${where}: ${name} has no rows`);
    const names = x.columnNames;
    return { names, types: names.map((c) => x.typeOf(c)), columns: names.map((c) => x.column(c)), rows: x.nRows, tabular: true };
  }
  const m = readMatrix(where, name, x);
  if (featureNames !== undefined && featureNames.length !== m.cols) throw new ShapeError(`${where}: ${featureNames.length} feature names for ${m.cols} columns`);
  const columns = Array.from({ length: m.cols }, (_, j) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j] as number));
  return { names: featureNames ? [...featureNames] : columns.map((_, j) => `x${j}`), types: columns.map(() => 'numeric' as const), columns, rows: m.rows, tabular: false };
}

/** Throws unless two frames have the same columns. */
export function checkSameColumns(where: string, a: Frame, b: Frame, names: [string, string]): void {
  if (a.columns.length !== b.columns.length || a.tabular !== b.tabular || (a.tabular && a.names.some((n, j) => b.names[j] !== n))) {
    throw new ShapeError(`${where}: ${names[0]} has columns [${a.names.join(', ')}] but ${names[1]} has [${b.names.join(', ')}]`);
  }
}

/** A new column of `rows` values of the same kind as `like`. */
export function emptyColumn(like: ColumnData, rows: number): Float64Array | Array<string | null> {
  return like instanceof Float64Array ? new Float64Array(rows) : new Array<string | null>(rows).fill(null);
}

/** One score per row of the rows made of `columns`. */
export type Scorer = (columns: ColumnData[], rows: number) => Float64Array;

/** Which output of a fitted model to explain. */
export type ModelOutput = 'proba' | 'decision' | 'predict';

interface ModelLike {
  predictProba?: (x: unknown) => unknown;
  decisionFunction?: (x: unknown) => unknown;
  predict?: (x: unknown) => unknown;
}

/**
 * A scoring function over frames shaped like `frame`: a plain function (given rows of numbers,
 * or a Table for tabular data), a Pipeline (given a Table), or a fingrad model (given a tensor).
 * For probabilities, `classIndex` picks the column (default 1: the positive class).
 */
export function toScorer(where: string, model: unknown, frame: Frame, output: ModelOutput = 'proba', classIndex = 1): Scorer {
  const asTable = (columns: ColumnData[]): Table => new Table(columns.map((values, j) => ({ name: frame.names[j] as string, type: frame.types[j] as ColumnType, values })));
  const asRows = (columns: ColumnData[], rows: number): number[][] => Array.from({ length: rows }, (_, i) => columns.map((c) => (c as Float64Array)[i] as number));
  if (typeof model === 'function') {
    return (columns, rows) => readScores(where, (model as (x: unknown) => unknown)(frame.tabular ? asTable(columns) : asRows(columns, rows)), rows, classIndex);
  }
  const m = model as ModelLike | null;
  const method = output === 'proba' ? 'predictProba' : output === 'decision' ? 'decisionFunction' : 'predict';
  const fn = m?.[method];
  if (typeof fn !== 'function') throw new ArgumentError(`${where}: model must be a function of rows, a Pipeline or a fitted model with ${method}(), got ${describe(model)}`, where, 'model');
  if (model instanceof Pipeline) {
    if (!frame.tabular) throw new ArgumentError(`${where}: a Pipeline is explained on a Table of its raw columns, not on a matrix`, where, 'x');
    return (columns, rows) => readScores(where, fn.call(m, asTable(columns)), rows, classIndex);
  }
  if (frame.tabular && frame.types.some((t) => t === 'categorical')) throw new ArgumentError(`${where}: the Table has categorical columns, which a bare model cannot take; explain the Pipeline that encodes them`, where, 'x');
  return (columns, rows) =>
    tidy(() => {
      const flat = new Float32Array(rows * columns.length);
      columns.forEach((c, j) => {
        for (let i = 0; i < rows; i++) flat[i * columns.length + j] = (c as Float64Array)[i] as number;
      });
      return readScores(where, fn.call(m, tensor(flat, [rows, columns.length])), rows, classIndex);
    });
}

function readScores(where: string, out: unknown, rows: number, classIndex: number): Float64Array {
  let v: Float64Array;
  if (out instanceof Tensor) {
    const flat = out.toFloat32Array();
    if (out.rank === 2 && out.shape[1] !== 1) {
      const k = out.shape[1] as number;
      if (classIndex >= k) throw new ShapeError(`${where}: the model gives ${k} outputs per row; class index ${classIndex} is out of range`);
      v = Float64Array.from({ length: rows }, (_, i) => flat[i * k + classIndex] as number);
    } else v = Float64Array.from(flat);
  } else if (Array.isArray(out) && out.length > 0 && Array.isArray(out[0])) {
    v = Float64Array.from(out as number[][], (row) => {
      if (classIndex >= row.length) throw new ShapeError(`${where}: the model gives ${row.length} outputs per row; class index ${classIndex} is out of range`);
      return row[classIndex] as number;
    });
  } else if (Array.isArray(out) || ArrayBuffer.isView(out)) {
    v = Float64Array.from(out as ArrayLike<number>);
  } else {
    throw new ArgumentError(`${where}: the model must return scores (an array, rows of class probabilities or a tensor), got ${describe(out)}`, where, 'model');
  }
  if (v.length !== rows) throw new ShapeError(`${where}: the model returned ${v.length} scores for ${rows} rows`);
  return v;
}

/** Features explained together (one-hot columns of one field, say). */
export interface FeatureGroup {
  name: string;
  /** Column indices in the data. */
  columns: number[];
}

/** Groups from options, or one group per column named after it. */
export function readGroups(where: string, frame: Frame, groups: readonly FeatureGroup[] | undefined): FeatureGroup[] {
  const cols = frame.columns.length;
  if (groups === undefined) return frame.names.map((name, j) => ({ name, columns: [j] }));
  const seen = new Set<number>();
  for (const g of groups) {
    for (const c of g.columns) {
      if (!Number.isInteger(c) || c < 0 || c >= cols) throw new ArgumentError(`${where}: group '${g.name}' names column ${c}; there are ${cols}`, where, 'groups');
      if (seen.has(c)) throw new ArgumentError(`${where}: column ${c} is in two groups`, where, 'groups');
      seen.add(c);
    }
  }
  return groups.map((g) => ({ name: g.name, columns: [...g.columns] }));
}
