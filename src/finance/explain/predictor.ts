// What the explanation methods need from a model: a matrix of feature rows in, one score per
// row out. Fitted fingrad models (their predictProba, decisionFunction or predict) and plain
// functions both become that; the tensors made on the way are freed at once.
import { ArgumentError, ShapeError, Tensor, ValueError, tensor, tidy } from '../../index.js';
import { describe } from '../../validate.js';

/** Rows of numbers: nested arrays, typed-array rows or a tensor [n, d]. */
export type MatrixLike = Tensor | ArrayLike<ArrayLike<number>>;

/** A row-major float64 matrix. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Reads a matrix, every value finite; errors name `where`, the row and the column. */
export function readMatrix(where: string, name: string, x: unknown): Matrix {
  if (x instanceof Tensor) {
    if (x.rank !== 2) throw new ShapeError(`${where}: ${name} must be a matrix [rows, features], got shape [${x.shape.join(', ')}]`);
    const m = { data: Float64Array.from(x.toFloat32Array()), rows: x.shape[0] as number, cols: x.shape[1] as number };
    checkFinite(where, name, m);
    return m;
  }
  if (!Array.isArray(x) || x.length === 0) throw new ArgumentError(`${where}: ${name} must be a non-empty array of rows or a tensor [rows, features], got ${describe(x)}`, where, name);
  const first = x[0] as unknown;
  if (!Array.isArray(first) && !ArrayBuffer.isView(first)) throw new ArgumentError(`${where}: ${name}[0] must be a row (an array of numbers), got ${describe(first)}`, where, name);
  const cols = (first as ArrayLike<number>).length;
  const data = new Float64Array(x.length * cols);
  x.forEach((row: unknown, i) => {
    const r = row as ArrayLike<unknown>;
    if ((!Array.isArray(r) && !ArrayBuffer.isView(r)) || r.length !== cols) throw new ShapeError(`${where}: ${name} row ${i} has ${describe(row)}; every row needs ${cols} numbers`);
    for (let j = 0; j < cols; j++) {
      const v = r[j];
      if (typeof v !== 'number') throw new ArgumentError(`${where}: ${name}[${i}][${j}] must be a number, got ${describe(v)}`, where, name);
      data[i * cols + j] = v;
    }
  });
  const m = { data, rows: x.length, cols };
  checkFinite(where, name, m);
  return m;
}

function checkFinite(where: string, name: string, m: Matrix): void {
  const bad = m.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ValueError(`${where}: ${name} has ${m.data[bad]} at row ${Math.floor(bad / m.cols)}, column ${bad % m.cols}; values must be finite`);
}

/** One score per row of a row-major matrix. */
export type Scorer = (x: Float64Array, rows: number, cols: number) => Float64Array;

/** Which output of a fitted model to explain. */
export type ModelOutput = 'proba' | 'decision' | 'predict';

interface ModelLike {
  predictProba?: (x: Tensor) => Tensor;
  decisionFunction?: (x: Tensor) => Tensor;
  predict?: (x: Tensor) => Tensor;
}

/** A scoring function for a plain function of rows, or a fitted model's chosen output. */
export function toScorer(where: string, model: unknown, output: ModelOutput = 'proba', classIndex = 1): Scorer {
  if (typeof model === 'function') {
    return (x, rows, cols) => {
      const rowsOf = Array.from({ length: rows }, (_, i) => Array.from(x.subarray(i * cols, (i + 1) * cols)));
      const out = (model as (rows: number[][]) => unknown)(rowsOf);
      return readScores(where, out, rows, classIndex);
    };
  }
  const m = model as ModelLike | null;
  const method = output === 'proba' ? 'predictProba' : output === 'decision' ? 'decisionFunction' : 'predict';
  const fn = m?.[method];
  if (typeof fn !== 'function') throw new ArgumentError(`${where}: model must be a function of rows or a fitted model with ${method}(), got ${describe(model)}`, where, 'model');
  return (x, rows, cols) => tidy(() => readScores(where, fn.call(m, tensor(Float32Array.from(x), [rows, cols])), rows, classIndex));
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
  } else if (Array.isArray(out) || ArrayBuffer.isView(out)) {
    v = Float64Array.from(out as ArrayLike<number>);
  } else {
    throw new ArgumentError(`${where}: the model must return an array of scores or a tensor, got ${describe(out)}`, where, 'model');
  }
  if (v.length !== rows) throw new ShapeError(`${where}: the model returned ${v.length} scores for ${rows} rows`);
  return v;
}

/** Features explained together (one-hot columns of one original field, say). */
export interface FeatureGroup {
  name: string;
  /** Column indices in the model's input. */
  columns: number[];
}

/** Groups from options, or one group per column named by `featureNames` (or x0, x1, …). */
export function readGroups(where: string, cols: number, groups: readonly FeatureGroup[] | undefined, names: readonly string[] | undefined): FeatureGroup[] {
  if (groups === undefined) {
    if (names !== undefined && names.length !== cols) throw new ShapeError(`${where}: ${names.length} feature names for ${cols} columns`);
    return Array.from({ length: cols }, (_, j) => ({ name: names?.[j] ?? `x${j}`, columns: [j] }));
  }
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
