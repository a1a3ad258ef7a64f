// Least squares and ridge regression, solved exactly from the normal equations: the Gram
// matrix by a fingrad matmul, float64 iterative refinement on the host
// (solvers/normal-equations.ts).
import { noGrad } from '../autograd/graph.js';
import { CheckpointError } from '../errors.js';
import { mul, sub } from '../ops/binary.js';
import { reshape } from '../ops/reshape.js';
import { tensor } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { type EstimatorType, type FittedRecord, SAMPLE_WEIGHT_OPTION, fieldChecks, fittedField, readConfig } from './estimator.js';
import { type FeatureInput, type TargetInput, readTargetValues } from './input.js';
import { readFeatures, releaseFeatures } from './solvers/design.js';
import { type LinearFit, LinearModel, type LinearModelConfig } from './solvers/linear-model.js';
import { hostResult } from './small-batch.js';
import { solveRidge } from './solvers/normal-equations.js';
import { combineWeights } from './solvers/class-weight.js';
import { is, readOptions } from '../validate.js';

export interface LinearRegressionOptions {
  /** L2 penalty α ≥ 0 on the weights (sklearn Ridge's alpha); 0 (default) is ordinary least squares. */
  alpha?: number;
  /** Fit an (unpenalised) intercept. Default true. */
  fitIntercept?: boolean;
}

const OPTIONS = { alpha: is.number({ min: 0 }), fitIntercept: is.boolean } satisfies Record<keyof LinearRegressionOptions, unknown>;

type SolveMethod = 'refined' | 'cholesky' | 'eigen';

/** LinearRegression's fitted state: the linear map, whether y was [n] (flat), the solve method. */
export interface LinearRegressionFit extends LinearFit {
  flatTargets: boolean;
  method: SolveMethod;
}

/** LinearRegression's checkpoint config (`config()`, `LinearRegression.fromConfig`). */
export type LinearRegressionConfig = LinearModelConfig<'LinearRegression', Required<LinearRegressionOptions>, LinearRegressionFit>;

/**
 * Linear regression (sklearn.linear_model.LinearRegression, and Ridge for alpha > 0). Minimises
 *
 *   ‖y − X·wᵀ − b‖² + α·‖w‖²
 *
 * exactly, the intercept b unpenalised (the columns and targets are centred first, as sklearn
 * does). With α = 0 and collinear columns (or fewer rows than columns) the minimum-norm
 * solution is returned, as lstsq gives. y may be [n] or [n, t] (t targets fitted at once).
 * `coef` is number[][] [t, d] (one row per target, t = 1 for y [n]) and `intercept` number[]
 * [t]; predict returns [n] or [n, t] like the y given to fit.
 */
export class LinearRegression extends LinearModel {
  readonly alpha: number;
  readonly fitIntercept: boolean;
  /** How the normal equations were solved: 'refined', 'cholesky' or 'eigen' (see solvers/normal-equations.ts). */
  method: SolveMethod | null = null;
  private flatTargets = true;

  constructor(options?: LinearRegressionOptions) {
    super();
    const o = readOptions('LinearRegression', options, OPTIONS);
    this.alpha = o.alpha ?? 0;
    this.fitIntercept = o.fitIntercept ?? true;
  }

  protected get modelName(): string {
    return 'LinearRegression';
  }

  protected get estimatorType(): EstimatorType {
    return 'regressor';
  }

  /**
   * Fits the model to x [n, d] and targets y [n] or [n, t]; with `sampleWeight` (one weight ≥ 0
   * per row) each row's squared error counts that many times (scikit-learn's weighted least
   * squares: weighted centring, then rows scaled by √w). Returns this.
   */
  fit(x: FeatureInput, y: TargetInput, options?: { sampleWeight?: ArrayLike<number> | Tensor }): this {
    const where = 'LinearRegression.fit';
    const { sampleWeight } = readOptions(where, options, SAMPLE_WEIGHT_OPTION);
    const design = readFeatures(where, x);
    try {
      const { n, d } = design;
      const targets = readTargetValues(where, y, n, true);
      const t = targets.t;
      const w = combineWeights(where, null, sampleWeight, n);
      const total = w === null ? n : w.reduce((a, v) => a + v, 0);
      const muX = new Float64Array(d);
      const muY = new Float64Array(t);
      let host = design.host;
      let yv = targets.values;
      if (this.fitIntercept) {
        for (let i = 0; i < n; i++) {
          const wi = (w === null ? 1 : (w[i] as number)) / total;
          for (let j = 0; j < d; j++) muX[j] = (muX[j] as number) + wi * (host[i * d + j] as number);
          for (let c = 0; c < t; c++) muY[c] = (muY[c] as number) + wi * (yv[i * t + c] as number);
        }
        host = Float64Array.from(host, (v, k) => v - (muX[k % d] as number));
        yv = Float64Array.from(yv, (v, k) => v - (muY[k % t] as number));
      }
      const root = w === null ? null : w.map(Math.sqrt);
      if (root !== null) {
        host = host.map((v, k) => v * (root[Math.floor(k / d)] as number));
        yv = yv.map((v, k) => v * (root[Math.floor(k / t)] as number));
      }
      const solution = tidy(() => {
        let centred = this.fitIntercept ? noGrad(() => sub(design.x, tensor(Float32Array.from(muX)))) : design.x;
        if (root !== null) centred = noGrad(() => mul(centred, tensor(Float32Array.from(root), [n, 1])));
        return solveRidge(centred, host, yv, n, d, t, this.alpha);
      });
      // w is [d, t]; coef is [t, d].
      const coef = new Float64Array(t * d);
      const intercept = new Float64Array(t);
      for (let c = 0; c < t; c++) {
        let b = muY[c] as number;
        for (let j = 0; j < d; j++) {
          const w = solution.w[j * t + c] as number;
          coef[c * d + j] = w;
          b -= w * (muX[j] as number);
        }
        intercept[c] = this.fitIntercept ? b : 0;
      }
      this.setSolution(coef, intercept, t, d);
      this.method = solution.method;
      this.flatTargets = targets.flat;
      return this;
    } finally {
      releaseFeatures(design);
    }
  }

  /** Predictions [n] (or [n, t] when fitted on y [n, t]). */
  predict(x: FeatureInput): Tensor {
    return this.predictFor('predict', x);
  }

  protected predictFor(method: string, x: FeatureInput): Tensor {
    const small = this.hostScores(method, x);
    if (small !== null) return hostResult(small.z, this.flatTargets ? [small.n] : [small.n, small.k]);
    return tidy(() => {
      const s = this.scores(method, x);
      return this.flatTargets ? reshape(s, [s.shape[0] as number]) : s;
    });
  }

  /** Options and fitted state, JSON-able (saveModel writes it next to the weights). */
  config(): LinearRegressionConfig {
    const base = this.fittedState();
    const fitted = base === null ? null : { ...base, flatTargets: this.flatTargets, method: this.method as SolveMethod };
    return { kind: 'LinearRegression', options: { alpha: this.alpha, fitIntercept: this.fitIntercept }, fitted };
  }

  /** Rebuilds a model from `config()`: fitted (parameters shaped for its weights) when the config was. */
  static fromConfig(config: LinearRegressionConfig): LinearRegression {
    const where = 'LinearRegression.fromConfig';
    const { options, fitted } = readConfig<LinearRegressionOptions>(where, config, 'LinearRegression');
    return new LinearRegression(options).restore(where, fitted);
  }

  protected override restoreFitted(where: string, fitted: FittedRecord): LinearRegressionFit {
    const base = super.restoreFitted(where, fitted);
    const flatTargets = fittedField<boolean>(where, fitted, 'flatTargets', fieldChecks.flag);
    if (flatTargets && base.nOutputs !== 1) {
      throw new CheckpointError(`${where}: config 'fitted.flatTargets' is true (y was [n]) but 'fitted.nOutputs' is ${base.nOutputs}, not 1`);
    }
    this.flatTargets = flatTargets;
    this.method = fittedField<SolveMethod>(where, fitted, 'method', fieldChecks.oneOf(['refined', 'cholesky', 'eigen']));
    return { ...base, flatTargets, method: this.method };
  }
}

