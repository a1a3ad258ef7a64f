// The data the convex models fit on: the feature matrix as a fingrad tensor (for the float32
// stage, evaluated by ops and autograd) and as a float64 host copy (for the polishing stage and
// the exact solvers), the targets, and the class encoding. Every check happens here, once, with
// messages that name the model, the method, and the row and column at fault (finiteness by the
// check every model shares, ../input.ts).
import { ArgumentError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { describe } from '../../validate.js';
import { checkFinite } from '../input.js';

/** Features: a tensor [n, d] or rows of numbers. */
export type FeatureInput = Tensor | ReadonlyArray<ArrayLike<number>>;
/** Targets or labels: a tensor [n] (or [n, 1]), or one number per row. */
export type LabelInput = Tensor | ArrayLike<number>;
/** Regression targets: also [n, t] for several outputs at once. */
export type TargetInput = LabelInput | ReadonlyArray<ArrayLike<number>>;

export interface Design {
  /** [n, d] float32; `owned` says whether it was made here (and must be disposed). */
  x: Tensor;
  owned: boolean;
  /** Row-major float64 copy. */
  host: Float64Array;
  n: number;
  d: number;
}

/** Validates x (2-D, finite, `expectD` columns when given) and makes its two copies. */
export function readFeatures(where: string, x: FeatureInput, expectD?: number): Design {
  const rows = readRows(where, x, expectD);
  if (x instanceof Tensor) return { x, owned: false, ...rows };
  const t = Tensor.empty([rows.n, rows.d]);
  t.data.set(rows.host);
  return { x: t, owned: true, ...rows };
}

/** Validates x as `readFeatures` does, keeping only the float64 copy (no tensor is made). */
export function readRows(where: string, x: FeatureInput, expectD?: number): { host: Float64Array; n: number; d: number } {
  if (x instanceof Tensor) {
    x.assertLive(where);
    if (x.rank !== 2) {
      throw new ShapeError(`${where}: x must be 2-D [samples, features], got shape ${fmtShape(x.shape)}${x.rank === 1 ? ' (a single feature is [n, 1])' : ''}`);
    }
    const [n, d] = x.shape as [number, number];
    checkSize(where, n, d, expectD);
    checkFinite(where, x.data, x.shape);
    return { host: Float64Array.from(x.data), n, d };
  }
  if (!Array.isArray(x)) throw new ArgumentError(`${where}: x must be a tensor [n, d] or an array of rows, got ${describe(x)}`, where, 'x');
  const n = x.length;
  const first = x[0] as unknown;
  if (first !== undefined && (first === null || typeof first !== 'object' || typeof (first as ArrayLike<number>).length !== 'number')) {
    throw new ShapeError(`${where}: x must be 2-D, rows of numbers [samples, features]; row 0 is ${describe(first)}${typeof first === 'number' ? ' (a single feature is [[v0], [v1], …])' : ''}`);
  }
  const d = first === undefined ? 0 : (first as ArrayLike<number>).length;
  checkSize(where, n, d, expectD);
  const host = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = x[i] as ArrayLike<number> | null | undefined;
    if (row === undefined || row === null || typeof row !== 'object' || row.length !== d) {
      throw new ShapeError(`${where}: x row ${i} has ${row !== undefined && row !== null && typeof row === 'object' ? row.length : 'no'} values but row 0 has ${d}`);
    }
    checkFinite(where, row, [n, d], { offset: i * d });
    host.set(row, i * d);
  }
  return { host, n, d };
}

function checkSize(where: string, n: number, d: number, expectD: number | undefined): void {
  if (n === 0) throw new ShapeError(`${where}: x has no rows`);
  if (expectD !== undefined && d !== expectD) {
    throw new ShapeError(`${where}: x has ${d} columns but the model was fitted on ${expectD} features`);
  }
  if (d === 0) throw new ShapeError(`${where}: x has no columns (features)`);
}

/** Frees the tensor copy if readFeatures made it. */
export function releaseFeatures(design: Design): void {
  if (design.owned) design.x.dispose();
}

export interface Targets {
  /** Row-major [n, t] values. */
  values: Float64Array;
  /** Outputs per row. */
  t: number;
  /** Whether y was given as one value per row ([n]) rather than [n, t]. */
  flat: boolean;
}

/** Reads y: [n] (or [n, 1] when `allow2d` is false) or, with `allow2d`, [n, t]. All finite. */
export function readTargets(where: string, y: TargetInput, n: number, allow2d: boolean): Targets {
  let values: Float64Array;
  let t = 1;
  let flat = true;
  if (y instanceof Tensor) {
    y.assertLive(where);
    const ok = y.rank === 1 || (y.rank === 2 && (allow2d || y.shape[1] === 1));
    if (!ok) {
      throw new ShapeError(`${where}: y must have shape [${n}]${allow2d ? ` or [${n}, outputs]` : ''}, got ${fmtShape(y.shape)}`);
    }
    if (y.shape[0] !== n) throw new ShapeError(`${where}: x has ${n} rows but y has ${y.shape[0]} (shape ${fmtShape(y.shape)})`);
    values = Float64Array.from(y.data);
    if (y.rank === 2) {
      t = y.shape[1] as number;
      flat = false;
    }
  } else if (Array.isArray(y) && y.length > 0 && typeof y[0] === 'object' && y[0] !== null) {
    if (!allow2d) throw new ShapeError(`${where}: y must be one label per row, got an array of arrays`);
    const rows = y as ReadonlyArray<ArrayLike<number>>;
    if (rows.length !== n) throw new ShapeError(`${where}: x has ${n} rows but y has ${rows.length}`);
    t = (rows[0] as ArrayLike<number>).length;
    flat = false;
    values = new Float64Array(n * t);
    for (let i = 0; i < n; i++) {
      const row = rows[i] as ArrayLike<number> | null;
      if (row === null || typeof row !== 'object' || row.length !== t) throw new ShapeError(`${where}: y row ${i} has ${row?.length ?? 'no'} values but row 0 has ${t}`);
      checkFinite(where, row, [n, t], { what: 'y', offset: i * t });
      values.set(row, i * t);
    }
  } else {
    const list = y as ArrayLike<number> | null;
    if (list === null || typeof list !== 'object' || typeof list.length !== 'number') throw new ArgumentError(`${where}: y must be a tensor or an array of numbers, got ${describe(list)}`, where, 'y');
    if (list.length !== n) throw new ShapeError(`${where}: x has ${n} rows but y has ${list.length} values`);
    checkFinite(where, list, [n], { what: 'y' });
    values = Float64Array.from(list);
  }
  if (t === 0) throw new ShapeError(`${where}: y has no outputs`);
  checkFinite(where, values, flat ? [n] : [n, t], { what: 'y' });
  return { values, t, flat };
}

export interface ClassEncoding {
  /** The distinct labels, ascending. */
  classes: number[];
  /** Each row's position in `classes`. */
  index: Int32Array;
}

/** Integer class labels → 0-based class indices; at least two classes. */
export function encodeClasses(where: string, y: LabelInput, n: number): ClassEncoding {
  const { values } = readTargets(where, y, n, false);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v)) throw new ValueError(`${where}: label at row ${i} is ${v}; class labels must be integers`);
    // Predictions are float32 tensors of labels: they must survive the conversion.
    if (Math.abs(v) > 16777216) throw new ValueError(`${where}: label at row ${i} is ${v}; class labels must be integers within ±2^24 (exact in float32)`);
  }
  const classes = [...new Set(values)].sort((a, b) => a - b);
  if (classes.length < 2) {
    throw new ValueError(`${where}: y has a single class (${classes[0]}); a classifier needs at least two`);
  }
  const pos = new Map(classes.map((c, i) => [c, i]));
  const index = Int32Array.from(values, (v) => pos.get(v) as number);
  return { classes, index };
}
