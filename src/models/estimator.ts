// The one base of every ready-made model — the networks (MLP, CNN, recurrent forecaster, VAE)
// and the convex models (LinearModel: linear/logistic regression, linear SVM): a Module with a
// name for errors, a fitted state, a checkpoint config of one shape {kind, options, fitted},
// sklearn's `score`, and the few-row prediction path (./small-batch.ts: `smallRows`,
// `hostParameters`). Adding a model subclasses Estimator (or LinearModel, which
// does) and adds its kind to ./kinds.ts, the table loadModel rebuilds models from.
import { CheckpointError, NotFittedError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { accuracy } from '../metrics/classification.js';
import { r2Score as r2 } from '../metrics/regression.js';
import { Module } from '../nn/module.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import type { Callback, History } from '../train/fit.js';
import { is, readOptions } from '../validate.js';
import { type ArrayInput, type FeatureInput, type HostRows, type InputSpec, type LabelInput, type TargetInput, featureSpec, readColumn, readInput, readRows, readTargetValues } from './input.js';
import { SMALL_BATCH } from './small-batch.js';
import { FIT_OPTIONS, type FitCallOptions, type TrainPlan, trainNetwork } from './training.js';

export type { ArrayInput, FeatureInput, LabelInput, TargetInput } from './input.js';

/** Every model's checkpoint config: the registered kind, the constructor options, the fitted state (null before fit). */
export interface EstimatorConfig<K extends string = string, O = object, F = object> {
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
/** `length` finite numbers. */
export const isNumbers = (v: unknown, length: number): v is number[] => Array.isArray(v) && v.length === length && v.every(isFiniteNumber);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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

/** How an error prints a bad config value: arrays by their shape, the rest as (short) JSON. */
export function describeValue(v: unknown): string {
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

/**
 * Checks a config's outline (kind, options object, fitted object or null) before a model is
 * built from it. Checkpoints saved before the one config shape wrote the networks' options
 * beside `kind` and `fitted` ({kind, ...options, fitted}); those are read as the options.
 */
export function readConfig<O>(where: string, config: unknown, kind: string): { options: O; fitted: FittedRecord | null } {
  if (!isPlainObject(config)) throw new CheckpointError(`${where}: config must be an object, got ${describeValue(config)}`);
  if (config.kind !== kind) throw new CheckpointError(`${where}: config 'kind' must be '${kind}', got ${describeValue(config.kind)}`);
  const { kind: _kind, fitted = null, options, ...flat } = config;
  const stray = Object.keys(flat);
  if (options !== undefined && stray.length > 0) {
    throw new CheckpointError(`${where}: config has '${stray[0]}' beside 'options'; a config is {kind, options, fitted}`);
  }
  if (options !== undefined && !isPlainObject(options)) {
    throw new CheckpointError(`${where}: config 'options' must be an object of constructor options, got ${describeValue(options)}`);
  }
  if (fitted !== null && !isPlainObject(fitted)) {
    throw new CheckpointError(`${where}: config 'fitted' must be null (unfitted) or an object, got ${describeValue(fitted)}`);
  }
  return { options: (options ?? flat) as O, fitted: fitted as FittedRecord | null };
}

/**
 * `fit`'s per-row weights, the same option in every model that takes them (checked in full by
 * `combineWeights`: one finite weight ≥ 0 per row).
 */
export const SAMPLE_WEIGHT_OPTION = { sampleWeight: is.any };

/** What `score` reports (sklearn's estimator types): accuracy, R², or the mean log-likelihood bound. */
export type EstimatorType = 'classifier' | 'regressor' | 'density';

/** Float64 copies of some parameters, valid while each is the same live tensor at the same storage version. */
interface HostCopy {
  tensors: readonly Tensor[];
  versions: number[];
  values: Float64Array[];
}

export abstract class Estimator extends Module {
  /** Loss and metrics per epoch of the last network `fit` (null before it, and for the convex models). */
  history: History | null = null;
  private hostCopy: HostCopy | null = null;

  /** Constructor options and fitted state, JSON-able, with the registered `kind` (saveModel writes it next to the weights). */
  abstract config(): EstimatorConfig;

  /** Whether the model is fitted (after `fit`, or after `loadModel` of a fitted model). */
  abstract get isFitted(): boolean;

  /** The class name as errors print it (explicit, so that minified bundles keep it). */
  protected abstract get modelName(): string;

  /** What `score` reports. */
  protected abstract get estimatorType(): EstimatorType;

  /**
   * What `score` compares with y, without a graph: predicted labels [n] (classifiers), values
   * [n] or [n, outputs] (regressors), per-row negative log-likelihood bounds [n] (density models).
   */
  protected abstract predictFor(method: string, x: ArrayInput | FeatureInput): Tensor;

  /** The labels seen in fit (classifiers override); `score` rejects any other. */
  protected fittedClasses(): readonly number[] {
    return [];
  }

  /** Throws the "not fitted" error for `method`. */
  protected requireFitted(method: string): void {
    if (!this.isFitted) throw new NotFittedError(`${this.modelName}.${method}: the model is not fitted yet; call fit() first`);
  }

  /**
   * scikit-learn's score: mean accuracy of `predict(x)` against the labels y (classifiers), the
   * coefficient of determination R² averaged over outputs (regressors), or the mean ELBO, a
   * lower bound of the log-likelihood, of the rows of x (density models; y is not used).
   */
  score(x: ArrayInput | FeatureInput, y?: TargetInput): number {
    const where = `${this.modelName}.score`;
    this.requireFitted('score');
    return tidy(() => {
      const pred = this.predictFor('score', x);
      const n = pred.shape[0] as number;
      const p = pred.toFloat32Array();
      if (this.estimatorType === 'density') return -p.reduce((a, b) => a + b, 0) / n;
      if (y === undefined) throw new ValueError(`${where}: y is required (labels or targets, one per row of x)`);
      if (this.estimatorType === 'regressor') {
        const { values, t } = readTargetValues(where, y, n, true);
        if (values.length !== p.length) throw new ShapeError(`${where}: the model predicts ${p.length / n} target(s) per row but y has ${t}`);
        const rows = (v: ArrayLike<number>): number[][] => Array.from({ length: n }, (_, i) => Array.from(v).slice(i * t, (i + 1) * t));
        return r2(rows(values), rows(p));
      }
      const classes = this.fittedClasses();
      const truth = readColumn(where, y as LabelInput, n);
      const known = new Set(classes);
      truth.forEach((v, i) => {
        if (!known.has(v)) throw new ValueError(`${where}: label ${v} at row ${i} was not seen in fit (classes ${classes.join(', ')})`);
      });
      return accuracy(truth, p);
    });
  }

  /**
   * A small 2-D batch (at most SMALL_BATCH rows) read on the host, checked as the batch path
   * checks it (the same errors): a one-applicant request then costs a validation and a few dot
   * products, not a tensor and a kernel call per op. Null for larger batches and other inputs,
   * which take the tensor path.
   */
  protected smallRows(method: string, x: ArrayInput | FeatureInput, nFeatures: number): HostRows | null {
    const rows = Array.isArray(x) ? x.length : x instanceof Tensor && x.rank === 2 ? (x.shape[0] as number) : Infinity;
    if (rows > SMALL_BATCH) return null;
    return readRows(`${this.modelName}.${method}`, x as FeatureInput, featureSpec(nFeatures));
  }

  /**
   * Float64 copies of `tensors` (the parameters the host path computes from), made again
   * whenever one of them is replaced (fit, a rebuild) or written in place (an optimizer step,
   * loadStateDict, any in-place op: each bumps its storage `version`).
   */
  protected hostParameters(tensors: readonly Tensor[]): Float64Array[] {
    const c = this.hostCopy;
    const fresh =
      c !== null &&
      c.tensors.length === tensors.length &&
      tensors.every((t, i) => t === c.tensors[i] && !t.isDisposed && t.version === c.versions[i]);
    if (fresh) return c.values;
    this.hostCopy = { tensors: [...tensors], versions: tensors.map((t) => t.version), values: tensors.map((t) => Float64Array.from(t.data)) };
    return this.hostCopy.values;
  }

  /**
   * The body of every network `fit`: checks the call's options, reads x as `input` (finite; errors name `where`,
   * 'MLPClassifier.fit'), lets `prepare` read y, build the layers for the data's shape and say
   * how to train, then trains with `trainNetwork` and keeps the history. Temporaries are freed.
   */
  protected trainOn(where: string, x: ArrayInput, input: InputSpec, options: FitCallOptions | undefined, prepare: (x: Tensor) => TrainPlan): this {
    const { callbacks = [] } = readOptions(where, options, FIT_OPTIONS);
    tidy(() => {
      const xt = readInput(where, x, input);
      const plan = prepare(xt);
      this.history = trainNetwork({ ...plan, where, model: this, x: xt, callbacks: [...(plan.callbacks ?? []), ...(callbacks as Callback[])] });
    });
    return this;
  }

  /**
   * Runs `build`, which passes every module with parameters it creates through `made`; if
   * building fails (an input too small for the pooling, a layer too large for memory), those
   * modules are freed and rethrown past, so the model keeps its previous layers and no tensors.
   */
  protected buildLayers<T>(build: (made: <M extends Module>(m: M) => M) => T): T {
    const created: Module[] = [];
    try {
      return build((m) => {
        created.push(m);
        return m;
      });
    } catch (e) {
      for (const m of created) m.dispose();
      throw e;
    }
  }

  /** Registers `next` under `name`, freeing the module it replaces. */
  protected replaceChild<M extends Module>(name: string, next: M, previous: Module | null): M {
    if (previous !== null && previous !== next) previous.dispose();
    return this.registerModule(name, next);
  }

  override dispose(): void {
    super.dispose();
    this.hostCopy = null;
  }
}
