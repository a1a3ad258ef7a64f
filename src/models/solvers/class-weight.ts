// Class weights (scikit-learn's `class_weight`) for the linear classifiers: row i's loss term is
// multiplied by the weight of its label. The option is checked when a model is built (values),
// resolved against the labels when it is fitted (every class named, no unknown label), and turned
// into the per-row weights the solvers take.
import { ArgumentError, ValueError } from '../../errors.js';
import { type Check, isPlainObject } from '../../validate.js';
import { type LabelInput, readColumn } from '../input.js';

/**
 * null: every row weighs 1. 'balanced': class c weighs n / (k · count(c)). An object: the weight
 * of each class label, positive and finite; it must name every class of y and no other label.
 */
export type ClassWeight = 'balanced' | Readonly<Record<number, number>> | null;

const INTEGER_KEY = /^-?\d+$/;

/**
 * The `classWeight` option's check (`where` is 'LogisticRegression: classWeight'): returns the
 * canonical form, 'balanced', null, or a fresh plain object keyed by the labels in canonical
 * integer spelling (JSON-able; reading it back gives the same object). Errors name the model
 * and the class at fault.
 */
export const classWeightOption: Check<ClassWeight> = (value, where) => {
  const colon = where.indexOf(': ');
  const [fn, param] = colon < 0 ? [where, 'classWeight'] : [where.slice(0, colon), where.slice(colon + 2)];
  const fail = (message: string): never => {
    throw new ArgumentError(`${where}${message}`, fn, param);
  };
  if (value === null || value === undefined) return null;
  if (value === 'balanced') return 'balanced';
  if (!isPlainObject(value)) return fail(` must be 'balanced', null, or an object mapping class labels to weights, got ${show(value)}`);
  const out: Record<number, number> = {};
  for (const [key, weight] of Object.entries(value)) {
    const label = Number(key);
    if (!INTEGER_KEY.test(key.trim()) || !Number.isSafeInteger(label)) fail(` key '${key}' is not an integer class label`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || !(weight > 0)) fail(` for class ${label} must be a positive finite number, got ${show(weight)}`);
    if (Object.prototype.hasOwnProperty.call(out, label)) fail(` names class ${label} twice (key '${key}')`);
    out[label] = weight as number;
  }
  if (Object.keys(out).length === 0) fail(' is an empty object; name a weight for every class, or pass null');
  return out;
};

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  const json = JSON.stringify(v);
  return json === undefined ? String(v) : json;
}

/** Rows per class: counts[c] = #{i : index[i] = c}. */
function classCounts(index: Int32Array, k: number): Float64Array {
  const counts = new Float64Array(k);
  for (let i = 0; i < index.length; i++) counts[index[i] as number] = (counts[index[i] as number] as number) + 1;
  return counts;
}

/** sklearn's 'balanced' weights: n / (k · count(c)) per class (every class is present in y). */
export function balancedWeights(index: Int32Array, k: number): Float64Array {
  const n = index.length;
  return Float64Array.from(classCounts(index, k), (count) => n / (k * count));
}

/**
 * The weight of each class of `classes` (ascending labels seen in y) under `option`; null when
 * there is none. An object must name every class and no other label (errors name `where`).
 */
export function resolveClassWeights(where: string, option: ClassWeight, classes: readonly number[], index: Int32Array): Float64Array | null {
  if (option === null) return null;
  if (option === 'balanced') return balancedWeights(index, classes.length);
  const seen = new Set(classes);
  for (const key of Object.keys(option)) {
    const label = Number(key);
    if (!seen.has(label)) {
      throw new ValueError(`${where}: classWeight names class ${label}, which is not a label of y (labels: ${classes.join(', ')})`);
    }
  }
  return Float64Array.from(classes, (label) => {
    const w = option[label];
    if (w === undefined) throw new ValueError(`${where}: classWeight has no weight for class ${label} (labels of y: ${classes.join(', ')}); name every class`);
    return w;
  });
}

/** Per-row weights: perClass[index[i]]. */
export function rowWeights(perClass: Float64Array, index: Int32Array): Float64Array {
  return Float64Array.from(index, (c) => perClass[c] as number);
}

/**
 * Per-row weights from the class weights (or none) and the `sampleWeight` fit option, multiplied
 * as scikit-learn does; null when both are absent. Sample weights are one finite value ≥ 0 per
 * row, not all zero.
 */
export function combineWeights(where: string, byClass: Float64Array | null, sampleWeight: unknown, n: number): Float64Array | null {
  if (sampleWeight === undefined) return byClass;
  const w = readColumn(where, sampleWeight as LabelInput, n, 'sampleWeight');
  const negative = w.findIndex((v) => v < 0);
  if (negative >= 0) throw new ValueError(`${where}: sampleWeight at row ${negative} is ${w[negative]}; weights must be >= 0`);
  if (!w.some((v) => v > 0)) throw new ValueError(`${where}: every sampleWeight is 0; at least one row must count`);
  return byClass === null ? w : Float64Array.from(w, (v, i) => v * (byClass[i] as number));
}
