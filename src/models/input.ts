// Reading what the ready-made models are given: inputs x (tensors or nested arrays) checked
// against the shape a model expects, regression targets and class labels; and the one check
// every model's fit, predict, predictProba, decisionFunction, transform and score runs on its
// input: no NaN or ±Infinity, the first one named by row and column.
import { ArgumentError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { reshape } from '../ops/reshape.js';
import { fromValues, tensor } from '../tensor/creation.js';
import { Tensor, type NestedArray } from '../tensor/tensor.js';
import { describe } from '../validate.js';

/** Model inputs: a tensor, or nested arrays of numbers of the same shape. */
export type ArrayInput = Tensor | NestedArray;
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

function wanted(spec: InputSpec): string {
  return `[${spec.names.map((name, d) => spec.sizes?.[d] ?? name).join(', ')}]`;
}

/**
 * x as a tensor (nested arrays are copied into a new tensor in the current scope), checked
 * against `spec` and for finite values; `where` ('MLPClassifier.predict') names the model and
 * method in errors.
 */
export function readInput(where: string, x: ArrayInput, spec: InputSpec): Tensor {
  let t: Tensor;
  if (x instanceof Tensor) {
    x.assertLive(where);
    t = x;
  } else if (Array.isArray(x)) {
    try {
      t = tensor(x, undefined, { allowNonFinite: true });
    } catch (e) {
      throw new ShapeError(`${where}: x is not a regular array of numbers (${(e as Error).message})`);
    }
  } else {
    throw new ArgumentError(`${where}: x must be a tensor or nested arrays of numbers, got ${describe(x)}`, where, 'x');
  }
  const legend = `(${spec.names.join(', ')})`;
  if (t.rank !== spec.names.length || spec.sizes?.some((s, d) => s !== undefined && t.shape[d] !== s)) {
    if (t !== x) t.dispose();
    throw new ShapeError(`${where}: expected x of shape ${wanted(spec)} ${legend}, got ${fmtShape(t.shape)}`);
  }
  if (t.shape.some((s) => s === 0)) {
    if (t !== x) t.dispose();
    throw new ShapeError(`${where}: x of shape ${fmtShape(t.shape)} is empty ${legend}`);
  }
  try {
    checkFinite(where, t.data, t.shape, { names: spec.names.slice(1) });
  } catch (e) {
    if (t !== x) t.dispose();
    throw e;
  }
  return t;
}

function numbersOf(where: string, what: string, y: ArrayLike<number>): Float64Array {
  checkFinite(where, y, [y.length], { what });
  return Float64Array.from(y);
}

/** One value per row from a tensor [n] / [n, 1] or an array. */
export function readColumn(where: string, y: LabelInput, n: number, what = 'y'): Float64Array {
  if (y instanceof Tensor) {
    y.assertLive(where);
    if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1)) || y.shape[0] !== n) {
      throw new ShapeError(`${where}: expected ${what} of shape [${n}] (one label per row of x), got ${fmtShape(y.shape)}`);
    }
    return numbersOf(where, what, y.data);
  }
  if (y === null || typeof y !== 'object' || typeof y.length !== 'number') {
    throw new ArgumentError(`${where}: ${what} must be a tensor or an array of numbers, got ${describe(y)}`, where, what);
  }
  if (y.length !== n) throw new ShapeError(`${where}: x has ${n} rows but ${what} has ${y.length} values`);
  return numbersOf(where, what, y);
}

/** Regression targets as [n, outputs]; `flat` when given as one value per row. */
export function readTargets(where: string, y: TargetInput, n: number): { y: Tensor; flat: boolean } {
  if (y instanceof Tensor) {
    y.assertLive(where);
    if (y.rank < 1 || y.rank > 2 || y.shape[0] !== n || y.shape[1] === 0) {
      throw new ShapeError(`${where}: expected y of shape [${n}] or [${n}, outputs] (rows of x first), got ${fmtShape(y.shape)}`);
    }
    checkFinite(where, y.data, y.shape, { what: 'y' });
    return y.rank === 1 ? { y: reshape(y, [n, 1]), flat: true } : { y, flat: false };
  }
  if (Array.isArray(y) && y.length > 0 && typeof y[0] === 'object') {
    if (y.length !== n) throw new ShapeError(`${where}: x has ${n} rows but y has ${y.length}`);
    const rows = y as ReadonlyArray<ArrayLike<number>>;
    const k = (rows[0] as ArrayLike<number>).length;
    if (k === 0) throw new ShapeError(`${where}: y rows have no values`);
    const values = new Float32Array(n * k);
    rows.forEach((row, i) => {
      if (row === null || typeof row !== 'object' || row.length !== k) throw new ShapeError(`${where}: y row ${i} has ${row?.length ?? 'no'} values but row 0 has ${k}`);
      checkFinite(where, row, [n, k], { what: 'y', offset: i * k });
      values.set(Float64Array.from(row), i * k);
    });
    return { y: fromValues(where, values, [n, k]), flat: false };
  }
  const col = readColumn(where, y as LabelInput, n);
  return { y: fromValues(where, Float32Array.from(col), [n, 1]), flat: true };
}
