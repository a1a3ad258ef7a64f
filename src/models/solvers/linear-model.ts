// What the convex models share: a fitted linear map s = x·Wᵀ + b kept twice — as float64
// `coef`/`intercept` arrays (the solvers' answer, sklearn's shapes) and as the parameters
// `weight` [k, d] and `bias` [k] of a Module (float32, what predictions run on, what stateDict
// saves) — and, for classifiers, the class labels and the decision rule.
//
// Checkpoints (saveModel/loadModel): the state dict holds the float32 parameters; the config's
// `fitted` holds what the weights do not — shapes, labels, and the float64 coef/intercept (JSON
// numbers are float64 exactly), so that a loaded model reports the solver's values bitwise. The
// state dict stays authoritative: after loading, the float64 copies are kept only if they round
// to the loaded float32 values, and are replaced by those values otherwise (see `adoptLoaded`).
import { noGrad } from '../../autograd/graph.js';
import { NotFittedError, ShapeError, fmtShape } from '../../errors.js';
import { CheckpointError } from '../../io/checkpoint.js';
import { type LoadStateDictOptions, Module, type StateValue } from '../../nn/module.js';
import { argmax } from '../../ops/argmax.js';
import { gt } from '../../ops/compare.js';
import { indexSelect } from '../../ops/gather.js';
import { linear } from '../../ops/linear.js';
import { reshape } from '../../ops/reshape.js';
import { tensor } from '../../tensor/creation.js';
import { toTensor } from '../../tensor/promote.js';
import { tidy } from '../../tensor/scope.js';
import { Tensor } from '../../tensor/tensor.js';
import { type Design, type FeatureInput, type LabelInput, encodeClasses, readFeatures, readRows, releaseFeatures } from './design.js';

/** Rows up to which predictions are computed on the host (see smallBatchScores). */
const SMALL_BATCH = 16;
import { type Standardized, standardize } from './linear-objective.js';
import { accuracyScore } from '../score.js';

/** The fitted state every linear model saves in its config (besides its weights). */
export interface LinearFit {
  nFeatures: number;
  nOutputs: number;
  /** Whether `bias` is a parameter (the model was fitted with an intercept). */
  bias: boolean;
  /** Float64 solution [nOutputs][nFeatures]. */
  coef: number[][];
  /** Float64 intercepts [nOutputs] (zeros without a bias). */
  intercept: number[];
}

/** A classifier's fitted state: the linear map and its class labels, ascending. */
export interface LinearClassifierFit extends LinearFit {
  classes: number[];
}

/** A classification problem as `LinearClassifier.fitClasses` hands it to a model's solver. */
export interface ClassProblem {
  design: Design;
  /** The standardised design (null unless `fitClasses` was asked to standardise). */
  scaled: Standardized | null;
  /** The distinct labels, ascending. */
  classes: number[];
  /** Each row's position in `classes`. */
  index: Int32Array;
}

/** A solver's answer: coef [rows, d] and intercept [rows], row-major float64. */
export interface ClassSolution {
  coef: Float64Array;
  intercept: Float64Array;
  rows: number;
}

/** One row per binary problem: row c holds fits[c]'s coef [d] and intercept. */
export function stackRows(fits: ReadonlyArray<{ coef: Float64Array; intercept: number }>, d: number): ClassSolution {
  const coef = new Float64Array(fits.length * d);
  const intercept = new Float64Array(fits.length);
  fits.forEach((f, c) => {
    coef.set(f.coef, c * d);
    intercept[c] = f.intercept;
  });
  return { coef, intercept, rows: fits.length };
}

/** A convex model's checkpoint config: its constructor options and its fitted state. */
export interface LinearModelConfig<K extends string, O, F extends LinearFit> {
  kind: K;
  options: O;
  fitted: F | null;
}

/** A fitted state as read back from a config: untrusted JSON, checked field by field. */
export type FittedRecord = Readonly<Record<string, unknown>>;

/** What a config field must be: a test and its description for the error. */
export interface FieldCheck {
  ok(v: unknown): boolean;
  want: string;
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumbers = (v: unknown, length: number): v is number[] => Array.isArray(v) && v.length === length && v.every(isFiniteNumber);

/** Field checks for `fittedField`. */
export const fieldChecks = {
  count: { ok: (v: unknown) => Number.isInteger(v) && (v as number) > 0, want: 'a positive integer' },
  flag: { ok: (v: unknown) => typeof v === 'boolean', want: 'a boolean' },
  /** `length` finite numbers (`what` says where the length comes from). */
  numbers: (length: number, what: string): FieldCheck => ({ ok: (v) => isNumbers(v, length), want: `${length} finite numbers (${what})` }),
  /** `length` integers ≥ 0 (iteration counts). */
  counts: (length: number, what: string): FieldCheck => ({
    ok: (v) => isNumbers(v, length) && v.every((x) => Number.isInteger(x) && x >= 0),
    want: `${length} integers ≥ 0 (${what})`,
  }),
  oneOf: (choices: readonly string[]): FieldCheck => ({ ok: (v) => choices.includes(v as string), want: `one of ${choices.map((c) => `'${c}'`).join(', ')}` }),
};

// How an error prints a bad value: arrays by their shape, the rest as (short) JSON.
function describeValue(v: unknown): string {
  if (Array.isArray(v)) {
    const rows = v.every(Array.isArray) && v.length > 0 ? (v as unknown[][]).map((r) => r.length) : null;
    if (rows !== null) return rows.every((r) => r === rows[0]) ? `shape ${fmtShape([v.length, rows[0] as number])}` : `${v.length} rows of lengths ${fmtShape(rows)}`;
    return `${v.length} values${v.every(isFiniteNumber) ? '' : ` (${v.length <= 8 ? JSON.stringify(v) : 'not all finite numbers'})`}`;
  }
  const json = JSON.stringify(v);
  if (json === undefined) return String(v);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}

/** Reads `fitted[key]`, or throws a CheckpointError naming `fitted.key`, what it must be, and what it is. */
export function fittedField<T>(where: string, fitted: FittedRecord, key: string, check: FieldCheck): T {
  const v = fitted[key];
  if (!check.ok(v)) throw new CheckpointError(`${where}: config 'fitted.${key}' must be ${check.want}, got ${describeValue(v)}`);
  return v as T;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a config's outline (kind, options object, fitted object or null) before a model is built from it. */
export function readConfig<O>(where: string, config: { kind: string; options: O; fitted: object | null }, kind: string): { options: O; fitted: FittedRecord | null } {
  if (!isPlainObject(config)) throw new CheckpointError(`${where}: config must be an object, got ${describeValue(config)}`);
  if (config.kind !== kind) throw new CheckpointError(`${where}: config 'kind' must be '${kind}', got ${describeValue(config.kind)}`);
  if (config.options !== undefined && !isPlainObject(config.options)) {
    throw new CheckpointError(`${where}: config 'options' must be an object of constructor options, got ${describeValue(config.options)}`);
  }
  if (config.fitted !== null && !isPlainObject(config.fitted)) {
    throw new CheckpointError(`${where}: config 'fitted' must be null (unfitted) or an object, got ${describeValue(config.fitted)}`);
  }
  return { options: (config.options ?? {}) as O, fitted: config.fitted as FittedRecord | null };
}

/**
 * The float64 values to keep for float32 `stored` (a loaded parameter or buffer): `host` if
 * every entry rounds to the stored one, else the stored values. Zeros take the stored sign
 * (JSON writes −0 as 0; the float32 copy keeps it).
 */
export function refineHost(host: Float64Array, stored: Float32Array): Float64Array {
  const agrees = host.length === stored.length && host.every((h, i) => Math.fround(h) === stored[i]);
  if (!agrees) return Float64Array.from(stored);
  return host.map((h, i) => (h === 0 ? (stored[i] as number) : h));
}

/** A linear map fitted by a convex solver; subclasses provide `fit`. */
export abstract class LinearModel extends Module {
  /** Whether `fit` adds an intercept (a `bias` parameter). */
  abstract readonly fitIntercept: boolean;
  /** The fitted weights as a parameter [k, d] (null before `fit`). */
  weight: Tensor | null = null;
  /** The fitted intercepts as a parameter [k] (null before `fit`, or without an intercept). */
  bias: Tensor | null = null;
  private coefHost: Float64Array | null = null;
  private interceptHost: Float64Array | null = null;
  private outputs = 0;
  private features = 0;

  /** The model's name in messages: 'LogisticRegression', …. */
  protected abstract get modelName(): string;

  /** Constructor options and fitted state, JSON-able, with the registered `kind` (saveModel writes it next to the weights). */
  abstract config(): LinearModelConfig<string, object, LinearFit>;

  get isFitted(): boolean {
    return this.coefHost !== null;
  }

  /** Fitted weights, one row per output: [k, d] (float64 values of the solver's solution). */
  get coef(): number[][] {
    const c = this.fitted('coef').coefHost as Float64Array;
    const d = this.features;
    return Array.from({ length: this.outputs }, (_, r) => Array.from(c.subarray(r * d, (r + 1) * d)));
  }

  /** Fitted intercepts, one per output: [k] (zeros when fitIntercept is false). */
  get intercept(): number[] {
    return Array.from(this.fitted('intercept').interceptHost as Float64Array);
  }

  /** Number of features (columns of x) seen by `fit`. */
  get nFeatures(): number {
    return this.fitted('nFeatures').features;
  }

  /** Throws NotFittedError naming `what` unless fitted; returns this. */
  protected fitted(what: string): this {
    if (this.coefHost === null) throw new NotFittedError(`${this.modelName}.${what}: the model is not fitted; call fit(x, y) first`);
    return this;
  }

  /** Installs a solution: coef [k, d] and intercept [k] (a bias parameter when `fitIntercept`). */
  protected setSolution(coef: Float64Array, intercept: Float64Array, k: number, d: number): void {
    this.releaseParameters();
    this.coefHost = coef;
    this.interceptHost = intercept;
    this.outputs = k;
    this.features = d;
    this.weight = this.registerParameter('weight', tensor(Float32Array.from(coef), [k, d]));
    this.bias = this.registerParameter('bias', this.fitIntercept ? tensor(Float32Array.from(intercept), [k]) : null);
  }

  /** The fitted state for `config()` (null before fit); subclasses add their fields. */
  protected fittedState(): LinearFit | null {
    if (this.coefHost === null) return null;
    return { nFeatures: this.features, nOutputs: this.outputs, bias: this.bias !== null, coef: this.coef, intercept: this.intercept };
  }

  /**
   * Makes this fresh model fitted from a config's `fitted` (parameters with the right names and
   * shapes, ready for loadStateDict); an invalid state throws a CheckpointError naming the field
   * and frees the model.
   */
  protected restore(where: string, fitted: FittedRecord | null): this {
    if (fitted === null) return this;
    try {
      this.restoreFitted(where, fitted);
    } catch (e) {
      this.dispose();
      throw e;
    }
    return this;
  }

  /** Checks and installs the shared fields; overrides add theirs (after calling this). */
  protected restoreFitted(where: string, fitted: FittedRecord): LinearFit {
    const nFeatures = fittedField<number>(where, fitted, 'nFeatures', fieldChecks.count);
    const nOutputs = fittedField<number>(where, fitted, 'nOutputs', fieldChecks.count);
    const bias = fittedField<boolean>(where, fitted, 'bias', fieldChecks.flag);
    if (bias !== this.fitIntercept) {
      throw new CheckpointError(`${where}: config 'fitted.bias' is ${bias} but 'options.fitIntercept' is ${this.fitIntercept}; they must agree`);
    }
    const shape = fmtShape([nOutputs, nFeatures]);
    const coef = fitted['coef'];
    if (!Array.isArray(coef) || coef.length !== nOutputs || !coef.every((row) => isNumbers(row, nFeatures))) {
      throw new CheckpointError(
        `${where}: config 'fitted.coef' must be ${shape} finite numbers ('fitted.nOutputs' × 'fitted.nFeatures', the shape of 'weight'), got ${describeValue(coef)}`,
      );
    }
    const intercept = fittedField<number[]>(where, fitted, 'intercept', fieldChecks.numbers(nOutputs, "'fitted.nOutputs'"));
    this.setSolution(Float64Array.from((coef as number[][]).flat()), Float64Array.from(intercept), nOutputs, nFeatures);
    return { nFeatures, nOutputs, bias, coef: coef as number[][], intercept };
  }

  /**
   * Loads parameters and buffers (see Module.loadStateDict), then keeps the float64 copies
   * consistent with them (`adoptLoaded`): predictions run on what was loaded, and `coef` /
   * `intercept` report it.
   */
  override loadStateDict(state: Record<string, StateValue>, options: LoadStateDictOptions = {}): void {
    super.loadStateDict(state, options);
    this.adoptLoaded();
  }

  /** After a load: the float64 coef/intercept where they round to the loaded weights, else the loaded values. */
  protected adoptLoaded(): void {
    if (this.coefHost === null || this.weight === null) return;
    this.coefHost = refineHost(this.coefHost, this.weight.toFloat32Array());
    if (this.bias !== null) this.interceptHost = refineHost(this.interceptHost as Float64Array, this.bias.toFloat32Array());
  }

  private releaseParameters(): void {
    this.weight?.dispose();
    this.bias?.dispose();
    this.weight = null;
    this.bias = null;
  }

  /** Scores x·Wᵀ + b: [n, k] (records a graph when x or the parameters require one). */
  forward(x: Tensor): Tensor {
    this.fitted('forward');
    x = toTensor(`${this.modelName}.forward`, 'x', x);
    if (x.rank !== 2 || x.shape[1] !== this.features) {
      throw new ShapeError(`${this.modelName}.forward: expected x of shape [n, ${this.features}], got ${fmtShape(x.shape)}`);
    }
    return linear(x, this.weight as Tensor, this.bias);
  }

  /**
   * Scores of a few rows (at most SMALL_BATCH) in float64 on the host, from the solver's float64
   * solution: a one-applicant request then costs a validation and a dot product, not a tensor
   * and a kernel call per op. Null for larger batches, which take the tensor path.
   */
  protected smallBatchScores(method: string, x: FeatureInput): { z: Float64Array; n: number; k: number } | null {
    const rows = Array.isArray(x) ? x.length : x instanceof Tensor && x.rank === 2 ? (x.shape[0] as number) : Infinity;
    if (rows > SMALL_BATCH) return null;
    const c = this.fitted(method).coefHost as Float64Array;
    const b = this.interceptHost as Float64Array;
    const { host, n, d } = readRows(`${this.modelName}.${method}`, x, this.features);
    const k = this.outputs;
    const z = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < k; r++) {
        let s = b[r] as number;
        for (let j = 0; j < d; j++) s += (c[r * d + j] as number) * (host[i * d + j] as number);
        z[i * k + r] = s;
      }
    }
    return { z, n, k };
  }

  /** Validated scores [n, k] without a graph; `method` names the caller in errors. */
  protected scores(method: string, x: FeatureInput): Tensor {
    this.fitted(method);
    const design = readFeatures(`${this.modelName}.${method}`, x, this.features);
    try {
      return noGrad(() => linear(design.x, this.weight as Tensor, this.bias));
    } finally {
      releaseFeatures(design);
    }
  }

  /** Frees the parameters; the model is unfitted afterwards (fit may be called again). */
  override dispose(): void {
    super.dispose();
    this.releaseParameters();
    this.coefHost = null;
    this.interceptHost = null;
  }
}

/** A linear classifier: class labels, decision values and the arg-max decision rule. */
export abstract class LinearClassifier extends LinearModel {
  private labels: number[] | null = null;

  /** The class labels seen by `fit`, ascending (predictions are these values). */
  get classes(): number[] {
    return [...(this.fitted('classes').labels as number[])];
  }

  protected setClasses(classes: number[]): void {
    this.labels = [...classes];
  }

  /**
   * The scaffolding of a classifier's `fit`: reads x [n, d] and the labels y [n] (errors name
   * `where`), standardises the design when `scale`, lets `solve` fit the problem, installs its
   * solution and the classes, and frees the copies whatever happens. Returns `solve`'s answer,
   * for the model to keep its own report.
   */
  protected fitClasses<S extends ClassSolution>(where: string, x: FeatureInput, y: LabelInput, scale: boolean, solve: (problem: ClassProblem) => S): S {
    const design = readFeatures(where, x);
    let scaled: Standardized | null = null;
    try {
      const { classes, index } = encodeClasses(where, y, design.n);
      if (scale) scaled = standardize(design, this.fitIntercept);
      const solution = solve({ design, scaled, classes, index });
      this.setSolution(solution.coef, solution.intercept, solution.rows, design.d);
      this.setClasses(classes);
      return solution;
    } finally {
      scaled?.dispose();
      releaseFeatures(design);
    }
  }

  protected override fittedState(): LinearClassifierFit | null {
    const base = super.fittedState();
    return base === null ? null : { ...base, classes: this.classes };
  }

  /** Adds the labels: distinct ascending integers, two with one output row, k with k rows. */
  protected override restoreFitted(where: string, fitted: FittedRecord): LinearClassifierFit {
    const base = super.restoreFitted(where, fitted);
    const classes = fitted['classes'];
    const ascending = Array.isArray(classes) && classes.length >= 2 && classes.every((c, i) => Number.isInteger(c) && (i === 0 || c > (classes[i - 1] as number)));
    if (!ascending) {
      throw new CheckpointError(`${where}: config 'fitted.classes' must be at least two distinct integer labels in ascending order, got ${describeValue(classes)}`);
    }
    const rows = classes.length === 2 ? 1 : classes.length;
    if (base.nOutputs !== rows) {
      throw new CheckpointError(
        `${where}: config 'fitted.classes' has ${classes.length} labels, which needs ${rows} output row${rows === 1 ? '' : 's'}, but 'fitted.nOutputs' is ${base.nOutputs}`,
      );
    }
    this.setClasses(classes as number[]);
    return { ...base, classes: classes as number[] };
  }

  /**
   * Signed distances to the decision boundary (up to ‖w‖): [n] for two classes (positive means
   * classes[1]), [n, k] with one column per class otherwise.
   */
  decisionFunction(x: FeatureInput): Tensor {
    return tidy(() => {
      const s = this.scores('decisionFunction', x);
      return s.shape[1] === 1 ? reshape(s, [s.shape[0] as number]) : s;
    });
  }

  /** Predicted class labels [n]: classes[1] where the decision value is > 0 (binary), else the arg-max. */
  predict(x: FeatureInput): Tensor {
    return this.labelsFor('predict', x);
  }

  /** Mean accuracy of `predict(x)` against the labels y (sklearn's ClassifierMixin.score). */
  score(x: FeatureInput, y: LabelInput): number {
    return tidy(() => accuracyScore(`${this.modelName}.score`, this.labelsFor('score', x).data, y, this.classes));
  }

  private labelsFor(method: string, x: FeatureInput): Tensor {
    return noGrad(() =>
      tidy(() => {
        const s = this.scores(method, x);
        const n = s.shape[0] as number;
        const index = s.shape[1] === 1 ? reshape(gt(s, 0), [n]) : argmax(s, 1);
        return indexSelect(tensor(this.labels as number[]), 0, index);
      }),
    );
  }

  override dispose(): void {
    super.dispose();
    this.labels = null;
  }
}
