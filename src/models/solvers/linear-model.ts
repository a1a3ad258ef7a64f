// What the convex models share: a fitted linear map s = x·Wᵀ + b kept twice — as float64
// `coef`/`intercept` arrays (the solvers' answer, sklearn's shapes) and as the parameters
// `weight` [k, d] and `bias` [k] of a Module (float32, what batch predictions run on, what
// stateDict saves). A few rows are scored on the host from the float64 solution (`hostScores`).
//
// Checkpoints (saveModel/loadModel): the state dict holds the float32 parameters; the config's
// `fitted` holds what the weights do not — shapes, labels, and the float64 coef/intercept (JSON
// numbers are float64 exactly), so that a loaded model reports the solver's values bitwise. The
// state dict stays authoritative: after loading, the float64 copies are kept only if they round
// to the loaded float32 values, and are replaced by those values otherwise (see `adoptLoaded`).
import { noGrad } from '../../autograd/graph.js';
import { ShapeError, fmtShape } from '../../errors.js';
import { CheckpointError } from '../../errors.js';
import { type LoadStateDictOptions, type StateValue } from '../../nn/module.js';
import { linear } from '../../ops/linear.js';
import { tensor } from '../../tensor/creation.js';
import { toTensor } from '../../tensor/promote.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type EstimatorConfig, Estimator, type FittedRecord, describeValue, fieldChecks, fittedField, isNumbers } from '../estimator.js';
import { hostLinear } from '../small-batch.js';
import { type ArrayInput, type FeatureInput, featureSpec, readInput } from '../input.js';

/** A convex model's checkpoint config: its constructor options and its fitted state. */
export type LinearModelConfig<K extends string, O, F extends LinearFit> = EstimatorConfig<K, O, F>;

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
export abstract class LinearModel extends Estimator {
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

  /** Constructor options and fitted state, JSON-able, with the registered `kind` (saveModel writes it next to the weights). */
  abstract override config(): LinearModelConfig<string, object, LinearFit>;

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
    this.requireFitted(what);
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
   * Scores [n, k] of a few rows (at most SMALL_BATCH) in float64 on the host, from the solver's
   * float64 solution; null for larger batches, which take the tensor path (`scores`).
   */
  protected hostScores(method: string, x: FeatureInput): { z: Float64Array; n: number; k: number } | null {
    this.fitted(method);
    const rows = this.smallRows(method, x, this.features);
    if (rows === null) return null;
    const k = this.outputs;
    return { z: hostLinear(rows.host, rows.n, this.coefHost as Float64Array, this.interceptHost, k), n: rows.n, k };
  }

  /** Validated scores [n, k] without a graph; `method` names the caller in errors. */
  protected scores(method: string, x: FeatureInput): Tensor {
    this.fitted(method);
    // A tensor goes to the GEMM as it is (checked, not copied); rows become one tensor.
    const xt = readInput(`${this.modelName}.${method}`, x as ArrayInput, featureSpec(this.features));
    try {
      return noGrad(() => linear(xt, this.weight as Tensor, this.bias));
    } finally {
      if (xt !== x) xt.dispose();
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

