// How every metric reads its arguments: plain arrays, typed arrays and fingrad Tensors become
// float64 copies (the Tensor's float32 values widened exactly), checked for length, NaN and
// label sets, with errors that name the metric and the argument.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { describe } from '../validate.js';

/** A 1-D series of numbers: a plain or typed array, or a Tensor of shape [n] or [n, 1]. */
export type Values = ArrayLike<number> | Tensor;

/**
 * Where a score or probability is expected: `Values`, or an [n, 2] Tensor or nested array of
 * class probabilities (as `predictProba` returns), of which column 1 is the positive class.
 */
export type Scores = Values | readonly (readonly number[])[];

/** A matrix of rows: nested arrays or a 2-D Tensor. */
export type Rows = readonly (readonly number[])[] | Tensor;

/** A 2-D input as float64 rows; `cols` is 1 and `vector` true for a 1-D input. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
  vector: boolean;
}

function bad(where: string, name: string, want: string, v: unknown): never {
  throw new ValueError(`${where}: ${name} must be ${want}, got ${describe(v)}`);
}

function checkFinite(where: string, name: string, data: Float64Array, cols = 1): Float64Array {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i] as number)) {
      const at = cols === 1 ? `row ${i}` : `row ${Math.floor(i / cols)}, column ${i % cols}`;
      throw new ValueError(`${where}: ${name} has ${data[i]} at ${at}; metrics need finite numbers`);
    }
  }
  return data;
}

/** Any numeric input as float64 rows (1-D inputs as one column). */
export function readMatrix(where: string, name: string, v: unknown): Matrix {
  if (v instanceof Tensor) {
    v.assertLive(where);
    if (v.rank > 2) throw new ShapeError(`${where}: ${name} must be 1-D or 2-D, got a Tensor of shape ${fmtShape(v.shape)}`);
    const data = checkFinite(where, name, Float64Array.from(v.toFloat32Array()), v.rank === 2 ? (v.shape[1] as number) : 1);
    const rows = v.rank === 0 ? 1 : (v.shape[0] as number);
    return { data, rows, cols: v.rank === 2 ? (v.shape[1] as number) : 1, vector: v.rank < 2 };
  }
  if (Array.isArray(v) && v.length > 0 && (Array.isArray(v[0]) || ArrayBuffer.isView(v[0]))) {
    const cols = (v[0] as unknown[]).length;
    const data = new Float64Array(v.length * cols);
    v.forEach((r: unknown, i) => {
      // Rows may be plain arrays or typed arrays (Float64Array rows, as data pipelines make them).
      if (!Array.isArray(r) && !(ArrayBuffer.isView(r) && !(r instanceof DataView))) bad(where, `${name}[${i}]`, 'a row (a list of numbers) like row 0', r);
      const row = Array.from(r as ArrayLike<unknown>);
      if (row.length !== cols) throw new ShapeError(`${where}: ${name} row ${i} has ${row.length} values, row 0 has ${cols}`);
      row.forEach((x: unknown, j) => {
        if (typeof x !== 'number') bad(where, `${name}[${i}][${j}]`, 'a number', x);
        data[i * cols + j] = x;
      });
    });
    return { data: checkFinite(where, name, data, cols), rows: v.length, cols, vector: false };
  }
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const a = v as ArrayLike<unknown>;
    const data = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x !== 'number') bad(where, `${name}[${i}]`, 'a number', x);
      data[i] = x;
    }
    return { data: checkFinite(where, name, data), rows: a.length, cols: 1, vector: true };
  }
  return bad(where, name, 'an array, a typed array or a Tensor', v);
}

/** A 1-D input ([n] or [n, 1]) as float64. */
export function readValues(where: string, name: string, v: unknown): Float64Array {
  const m = readMatrix(where, name, v);
  if (m.cols !== 1) throw new ShapeError(`${where}: ${name} must be 1-D ([n] or [n, 1]), got ${m.rows} rows of ${m.cols} columns`);
  return m.data;
}

/** Scores: 1-D values, or column 1 (the positive class) of [n, 2] probabilities. */
export function readScores(where: string, name: string, v: unknown): Float64Array {
  const m = readMatrix(where, name, v);
  if (m.cols === 1) return m.data;
  if (m.cols !== 2) throw new ShapeError(`${where}: ${name} must be 1-D scores or [n, 2] probabilities, got ${m.rows} rows of ${m.cols} columns`);
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[2 * i + 1] as number;
  return out;
}

/** Throws unless `b` (named `nameB`) has as many values as `a`, and `a` is not empty. */
export function checkLength(where: string, nameA: string, a: { length: number }, nameB: string, b: { length: number }): void {
  if (a.length !== b.length) throw new ShapeError(`${where}: ${nameA} has ${a.length} values but ${nameB} has ${b.length}`);
  if (a.length === 0) throw new ValueError(`${where}: ${nameA} is empty`);
}

/** Sample weights (finite, >= 0, as many as `n`), or undefined when not given. */
export function readWeights(where: string, v: unknown, n: number): Float64Array | undefined {
  if (v === undefined) return undefined;
  const w = readValues(where, 'sampleWeight', v);
  if (w.length !== n) throw new ShapeError(`${where}: sampleWeight has ${w.length} values but yTrue has ${n}`);
  for (let i = 0; i < w.length; i++) {
    if ((w[i] as number) < 0) throw new ValueError(`${where}: sampleWeight at row ${i} is ${w[i]}; weights must be >= 0`);
  }
  return w;
}

/** Σ w·x / Σ w (the plain mean without weights), as `np.average` sums it. */
export function weightedMean(where: string, x: ArrayLike<number>, w?: ArrayLike<number>): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < x.length; i++) {
    const wi = w === undefined ? 1 : (w[i] as number);
    s += (x[i] as number) * wi;
    sw += wi;
  }
  if (sw === 0) throw new ValueError(`${where}: the weights sum to zero; the weighted mean is undefined`);
  return s / sw;
}

/** The distinct values, ascending. */
export function uniqueSorted(...arrays: ArrayLike<number>[]): number[] {
  const set = new Set<number>();
  for (const a of arrays) for (let i = 0; i < a.length; i++) set.add(a[i] as number);
  return [...set].sort((x, y) => x - y);
}

/**
 * Binary labels as 1 (positive) and 0. With `posLabel` the labels may be any two values (or
 * one, or more where `multiclassOk`: positive against the rest); without it they must be 0/1 or
 * -1/1 and 1 is positive, as in scikit-learn.
 */
export function readBinaryLabels(where: string, v: unknown, posLabel?: number, multiclassOk = false): Uint8Array {
  const y = readValues(where, 'yTrue', v);
  const labels = uniqueSorted(y);
  if (labels.length > 2 && !(multiclassOk && posLabel !== undefined)) {
    throw new ValueError(`${where}: yTrue must hold two classes, got ${labels.length} (${labels.slice(0, 6).join(', ')}${labels.length > 6 ? ', …' : ''})`);
  }
  let pos = posLabel;
  if (pos === undefined) {
    const standard = labels.every((l) => l === 0 || l === 1) || labels.every((l) => l === -1 || l === 1);
    if (!standard) throw new ValueError(`${where}: yTrue labels are ${labels.join(', ')}; binary labels must be 0/1 or -1/1, or give posLabel`);
    pos = 1;
  }
  return Uint8Array.from(y, (l) => (l === pos ? 1 : 0));
}

/** Throws unless both classes are present (counting only rows of positive weight). */
export function requireBothClasses(where: string, y: Uint8Array, w?: Float64Array): void {
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < y.length; i++) {
    if (w !== undefined && w[i] === 0) continue;
    if (y[i] === 1) pos++;
    else neg++;
  }
  if (pos === 0 || neg === 0) throw new ValueError(`${where}: yTrue needs both classes, got ${pos} positive and ${neg} negative labels`);
}
