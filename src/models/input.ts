// The one reader of what every estimator is given (ready-made networks and convex models
// alike): inputs x checked against the shape the model expects — as a tensor (`readInput`) or,
// for a few 2-D rows, as a float64 host copy with no tensor made (`readRows`) — regression
// targets, class labels and their encoding; and the one check every fit, predict, predictProba,
// decisionFunction, transform and score runs on its input: no NaN or ±Infinity, the first one
// named by row and column.
import { ArgumentError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { countNonFinite } from '../kernels/memory.js';
import { fromValues, tensor } from '../tensor/creation.js';
import { Tensor, type NestedArray } from '../tensor/tensor.js';
import { describe } from '../validate.js';

/** Model inputs: a tensor, or nested arrays of numbers of the same shape. */
export type ArrayInput = Tensor | NestedArray;
/** 2-D features: a tensor [n, d] or rows of numbers (arrays or typed arrays). */
export type FeatureInput = Tensor | ReadonlyArray<ArrayLike<number>>;
/** Class labels: a tensor [n] (or [n, 1]) or one number per row. */
export type LabelInput = Tensor | ArrayLike<number>;
/** Regression targets: a tensor [n] or [n, outputs], one number per row, or rows of numbers. */
export type TargetInput = Tensor | ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;

export interface FiniteCheckOptions {
  /** The input's name in the message. Default 'x'. */
  what?: string;
  /** Dimension names after the first (rows): ['channels', 'time'] prints 'channels 1, time 4'. */
  names?: readonly string[];
  /** Flat index of values[0] in the whole input (when checking one row at a time). */
  offset?: number;
}

/**
 * Throws a ValueError naming `where`, the row and the column (the position within the row, and
 * each further dimension by name for inputs of rank > 2) of the first value of `values` (row-major,
 * of `shape`) that is not a finite number. Float32 tensors only ever hold float32 values; host
 * arrays are also checked against the float32 range, since predictions run in float32.
 */
export function checkFinite(where: string, values: ArrayLike<unknown>, shape: readonly number[], options: FiniteCheckOptions = {}): void {
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (typeof v === 'number' && Number.isFinite(Math.fround(v))) continue;
    const i = k + (options.offset ?? 0);
    const rowSize = shape.slice(1).reduce((a, b) => a * b, 1);
    const row = Math.floor(i / Math.max(1, rowSize));
    let at = `row ${row}`;
    if (shape.length > 1) {
      const column = i % rowSize;
      at += `, column ${column}`;
      if (shape.length > 2) {
        const index: number[] = [];
        let rest = column;
        for (let d = shape.length - 1; d >= 1; d--) {
          index.unshift(rest % (shape[d] as number));
          rest = Math.floor(rest / (shape[d] as number));
        }
        at += ` (${index.map((j, d) => `${options.names?.[d] ?? `dim ${d + 1}`} ${j}`).join(', ')})`;
      }
    }
    const shown = typeof v === 'number' ? String(v) : describe(v);
    const range = typeof v === 'number' && Number.isFinite(v) ? ', beyond the float32 range' : '';
    throw new ValueError(`${where}: ${options.what ?? 'x'} has ${shown} at ${at}${range}; inputs must be finite numbers`);
  }
}

/** The expected shape of an input: a name per dimension and the sizes that are fixed. */
export interface InputSpec {
  /** Dimension names, e.g. ['samples', 'channels', 'time']. */
  names: readonly string[];
  /** Required sizes (undefined where any size goes), e.g. [undefined, 3, 32]. */
  sizes?: ReadonlyArray<number | undefined>;
}

/** 2-D features with the number of columns the model was fitted on (undefined before fit). */
export function featureSpec(nFeatures?: number): InputSpec {
  return { names: ['samples', 'features'], sizes: [undefined, nFeatures] };
}

// The shape checks every reader runs, with one wording.
function checkShape(where: string, shape: readonly number[], spec: InputSpec): void {
  const legend = `(${spec.names.join(', ')})`;
  if (shape.length !== spec.names.length || spec.sizes?.some((s, d) => s !== undefined && shape[d] !== s)) {
    const wanted = `[${spec.names.map((name, d) => spec.sizes?.[d] ?? name).join(', ')}]`;
    throw new ShapeError(`${where}: expected x of shape ${wanted} ${legend}, got ${fmtShape(shape)}`);
  }
  if (shape.some((s) => s === 0)) throw new ShapeError(`${where}: x of shape ${fmtShape(shape)} is empty ${legend}`);
}

function notInput(where: string, x: unknown): never {
  throw new ArgumentError(`${where}: x must be a tensor or nested arrays of numbers, got ${describe(x)}`, where, 'x');
}

/** Rows as a float64 host copy: what the solvers and the few-row prediction path compute on. */
export interface HostRows {
  /** Row-major [n, d]. */
  host: Float64Array;
  n: number;
  d: number;
}

/**
 * 2-D x checked as `readInput` checks it (same errors), copied into float64 without making a
 * tensor: the few-row path of predictions and the solvers' design read x through this.
 */
export function readRows(where: string, x: FeatureInput, spec: InputSpec = featureSpec()): HostRows {
  if (x instanceof Tensor) {
    x.assertLive(where);
    checkShape(where, x.shape, spec);
    checkFinite(where, x.data, x.shape, { names: spec.names.slice(1) });
    return { host: Float64Array.from(x.data), n: x.shape[0] as number, d: x.shape[1] as number };
  }
  if (!Array.isArray(x)) notInput(where, x);
  const n = x.length;
  const first = x[0] as unknown;
  const isRow = (r: unknown): r is ArrayLike<number> => typeof r === 'object' && r !== null && typeof (r as ArrayLike<number>).length === 'number';
  if (n > 0 && !isRow(first)) checkShape(where, [n], spec);
  const d = n === 0 ? 0 : (first as ArrayLike<number>).length;
  checkShape(where, [n, d], spec);
  const host = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = x[i] as unknown;
    if (!isRow(row) || row.length !== d) {
      throw new ShapeError(`${where}: x is not a regular array of numbers (row ${i} has ${isRow(row) ? row.length : 'no'} values but row 0 has ${d})`);
    }
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = row[j];
      // The common case inline; checkFinite words the error.
      if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) checkFinite(where, row, [n, d], { offset: o });
      host[o + j] = v as number;
    }
  }
  return { host, n, d };
}

/**
 * x as a tensor (nested arrays are copied into a new tensor in the current scope), checked
 * against `spec` and for finite values; `where` ('MLPClassifier.predict') names the model and
 * method in errors. A tensor is checked in place, not copied: batches go straight to the kernels.
 */
export function readInput(where: string, x: ArrayInput, spec: InputSpec): Tensor {
  if (x instanceof Tensor) {
    x.assertLive(where);
    checkShape(where, x.shape, spec);
    // A batch is scanned by one SIMD kernel pass (a JS loop over a 1024-row batch cost a quarter
    // of an MLP's forward); only a batch that has a NaN or ±Infinity is walked again, by
    // checkFinite, to word the error.
    if (countNonFinite(x) > 0) checkFinite(where, x.data, x.shape, { names: spec.names.slice(1) });
    return x;
  }
  if (!Array.isArray(x)) notInput(where, x);
  if (spec.names.length === 2) {
    const { host, n, d } = readRows(where, x as FeatureInput, spec);
    return fromValues(where, Float32Array.from(host), [n, d]);
  }
  let t: Tensor;
  try {
    t = tensor(x, undefined, { allowNonFinite: true });
  } catch (e) {
    throw new ShapeError(`${where}: x is not a regular array of numbers (${(e as Error).message})`);
  }
  try {
    checkShape(where, t.shape, spec);
    checkFinite(where, t.data, t.shape, { names: spec.names.slice(1) });
  } catch (e) {
    t.dispose();
    throw e;
  }
  return t;
}

/** Targets as row-major float64 [n, t]; `flat` when given as one value per row. */
export interface Targets {
  values: Float64Array;
  /** Outputs per row. */
  t: number;
  flat: boolean;
}

/**
 * Reads y: one value per row (a tensor [n] or [n, 1], an array) or, with `allow2d`, [n, t]
 * (a tensor or rows of numbers). All finite; `what` names y in errors ('sampleWeight', …).
 */
export function readTargetValues(where: string, y: TargetInput, n: number, allow2d: boolean, what = 'y'): Targets {
  if (y instanceof Tensor) {
    y.assertLive(where);
    const ok = (y.rank === 1 || (y.rank === 2 && (allow2d || y.shape[1] === 1))) && y.shape[0] === n && y.shape[1] !== 0;
    if (!ok) throw new ShapeError(`${where}: expected ${what} of shape [${n}]${allow2d ? ` or [${n}, outputs]` : ''} (one per row of x), got ${fmtShape(y.shape)}`);
    checkFinite(where, y.data, y.shape, { what });
    return { values: Float64Array.from(y.data), t: y.rank === 2 ? (y.shape[1] as number) : 1, flat: y.rank === 1 };
  }
  if (y === null || typeof y !== 'object' || typeof (y as ArrayLike<unknown>).length !== 'number') {
    throw new ArgumentError(`${where}: ${what} must be a tensor or an array of numbers, got ${describe(y)}`, where, what);
  }
  const list = y as ArrayLike<unknown>;
  if (list.length !== n) throw new ShapeError(`${where}: x has ${n} rows but ${what} has ${list.length} values`);
  if (!(Array.isArray(list) && n > 0 && typeof list[0] === 'object' && list[0] !== null)) {
    checkFinite(where, list, [n], { what });
    return { values: Float64Array.from(list as ArrayLike<number>), t: 1, flat: true };
  }
  if (!allow2d) throw new ShapeError(`${where}: ${what} must be one value per row, got an array of arrays`);
  const rows = list as ReadonlyArray<ArrayLike<number>>;
  const t = (rows[0] as ArrayLike<number>).length;
  if (t === 0) throw new ShapeError(`${where}: ${what} rows have no values`);
  const values = new Float64Array(n * t);
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || row.length !== t) throw new ShapeError(`${where}: ${what} row ${i} has ${row?.length ?? 'no'} values but row 0 has ${t}`);
    checkFinite(where, row, [n, t], { what, offset: i * t });
    values.set(row, i * t);
  });
  return { values, t, flat: false };
}

/** One value per row from a tensor [n] / [n, 1] or an array. */
export function readColumn(where: string, y: LabelInput, n: number, what = 'y'): Float64Array {
  return readTargetValues(where, y, n, false, what).values;
}

/** Regression targets as a tensor [n, outputs]; `flat` when given as one value per row. */
export function readTargets(where: string, y: TargetInput, n: number): { y: Tensor; flat: boolean } {
  const { values, t, flat } = readTargetValues(where, y, n, true);
  return { y: fromValues(where, Float32Array.from(values), [n, t]), flat };
}

/** Distinct labels (ascending) and each row's position among them. */
export interface LabelEncoding {
  classes: number[];
  index: Int32Array;
}

/** Largest label magnitude: predictions return labels as float32 values, exact up to 2^24. */
export const MAX_LABEL = 2 ** 24;

/**
 * Integer class labels → class indices; at least two classes. Labels beyond ±2^24 are an error
 * (every classifier returns its labels in a float32 tensor, which would round them).
 */
export function encodeLabels(where: string, y: LabelInput, n: number): LabelEncoding {
  const values = readColumn(where, y, n);
  values.forEach((v, i) => {
    if (!Number.isInteger(v)) throw new ValueError(`${where}: label at row ${i} is ${v}; class labels must be integers`);
    if (Math.abs(v) > MAX_LABEL) throw new ValueError(`${where}: label at row ${i} is ${v}; class labels must be integers within ±2^24 (exact in float32)`);
  });
  const classes = [...new Set(values)].sort((a, b) => a - b);
  if (classes.length < 2) throw new ValueError(`${where}: y has a single class (${classes[0]}); a classifier needs at least two`);
  const pos = new Map(classes.map((c, i) => [c, i]));
  return { classes, index: Int32Array.from(values, (v) => pos.get(v) as number) };
}
