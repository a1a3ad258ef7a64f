// Logistic regression with scikit-learn's objective and hyper-parameters, solved to the optimum:
// L-BFGS (OWL-QN for L1) on fingrad's bceWithLogits / crossEntropy with autograd gradients,
// polished in float64 (solvers/linear-objective.ts).
import { CheckpointError } from '../errors.js';
import { add, div, neg, sub } from '../ops/binary.js';
import { concat } from '../ops/concat.js';
import { sum } from '../ops/reduce.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import { log, sigmoid, softplus } from '../ops/unary.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { type ClassWeight, balancedWeights, classWeightOption, combineWeights, resolveClassWeights, rowWeights } from './solvers/class-weight.js';
import { type FittedRecord, SAMPLE_WEIGHT_OPTION, fieldChecks, fittedField, readConfig } from './estimator.js';
import type { FeatureInput, LabelInput } from './input.js';
import { hostProbabilities, hostResult, hostSigmoid } from './small-batch.js';
import { LinearClassifier, type LinearClassifierFit, stackRows } from './solvers/linear-classifier.js';
import type { LinearModelConfig } from './solvers/linear-model.js';
import { type LinearSolution, type Standardized, solveLinear } from './solvers/linear-objective.js';
import { is, readOptions } from '../validate.js';


export interface LogisticRegressionOptions {
  /** 'l2' (default), 'l1', or 'none' (no penalty; separable data then has no finite optimum). */
  penalty?: 'l2' | 'l1' | 'none';
  /** Inverse regularisation strength (> 0): the penalty is ‖w‖²/(2C) or ‖w‖₁/C. Default 1. */
  C?: number;
  /** Fit an (unpenalised) intercept. Default true. */
  fitIntercept?: boolean;
  /** Most iterations of each solver stage. Default 1000. */
  maxIter?: number;
  /**
   * Stop when the largest entry of the objective's (pseudo-)gradient divided by the number of
   * rows (the sum of the row weights with classWeight) is ≤ tol — sklearn's lbfgs criterion — checked in float64, with the gradient taken
   * with respect to the coefficients of the standardized columns (the solver's variables) and
   * the intercept, so that tol does not depend on the units of x. Default 1e-6 (sklearn: 1e-4).
   */
  tol?: number;
  /**
   * 'auto' (default): binary for two classes, multinomial for more; 'multinomial': softmax
   * over the classes (also for two); 'ovr': one binary model per class.
   */
  multiClass?: 'auto' | 'multinomial' | 'ovr';
  /**
   * sklearn's class_weight: row i's loss is multiplied by the weight of its label. null (default):
   * all 1. 'balanced': n / (k · count(class)). An object {label: weight}: positive finite weights
   * naming every class of y (a missing class or an unknown label is an error; sklearn would give a
   * missing class weight 1). One-vs-rest (k > 2) follows sklearn's LogisticRegression: an object
   * weighs the rows by their original labels in every binary problem, while 'balanced' is
   * recomputed per binary problem on its two groups: n / (2·count(c)) for class c, n / (2·(n −
   * count(c))) for the rest.
   */
  classWeight?: ClassWeight;
}

const OPTIONS = {
  penalty: is.oneOf(['l2', 'l1', 'none'] as const),
  C: is.number({ min: 0, minOpen: true }),
  fitIntercept: is.boolean,
  maxIter: is.int({ min: 1 }),
  tol: is.number({ min: 0, minOpen: true }),
  multiClass: is.oneOf(['auto', 'multinomial', 'ovr'] as const),
  classWeight: classWeightOption,
} satisfies Record<keyof LogisticRegressionOptions, unknown>;

type Scheme = 'binary' | 'multinomial' | 'ovr';

/** LogisticRegression's fitted state: the linear map and labels, the scheme, the solver's report. */
export interface LogisticRegressionFit extends LinearClassifierFit {
  scheme: Scheme;
  nIter: number[];
  converged: boolean;
}

/** LogisticRegression's checkpoint config (`config()`, `LogisticRegression.fromConfig`). */
export type LogisticRegressionConfig = LinearModelConfig<'LogisticRegression', Required<LogisticRegressionOptions>, LogisticRegressionFit>;

/**
 * Logistic regression (sklearn.linear_model.LogisticRegression). With s = x·Wᵀ + b it minimises
 * the summed (weighted) log loss plus the penalty, the intercept unpenalised — exactly sklearn's objective:
 *
 *   binary:       Σᵢ vᵢ·log(1 + exp(−ỹᵢ·sᵢ)) + R(w)/C        (ỹ = ±1, one row of W)
 *   multinomial:  Σᵢ vᵢ·[log Σ_c exp(s_ic) − s_i,yᵢ] + R(W)/C (one row of W per class)
 *
 * with R = ½‖·‖² ('l2'), ‖·‖₁ ('l1') or 0 ('none'), and vᵢ the weight of row i's class
 * (`classWeight`; 1 without). 'ovr' fits the binary problem of each class
 * against the rest. Fitted `coef` is number[][] [1, d] (binary, positive class classes[1]) or
 * [k, d], `intercept` number[] [1] or [k]; `weight`/`bias` hold the same values as float32
 * parameters. Multinomial on two classes reports, as sklearn does, the class-1 row of the
 * symmetric solution, and its probabilities are softmax([−s, s]).
 *
 * x: a tensor [n, d] or rows of numbers; y: integer class labels (tensor [n], number[],
 * Float32Array, …), at least two distinct.
 */
export class LogisticRegression extends LinearClassifier {
  readonly penalty: 'l2' | 'l1' | 'none';
  readonly C: number;
  readonly fitIntercept: boolean;
  readonly maxIter: number;
  readonly tol: number;
  readonly multiClass: 'auto' | 'multinomial' | 'ovr';
  /** 'balanced', the per-class weights (a fresh plain object keyed by label), or null. */
  readonly classWeight: ClassWeight;
  /** Iterations (float32 + float64 stages) per fitted problem: one, or one per class for 'ovr'. */
  nIter: number[] = [];
  /** Whether every solve met `tol` (or stopped at float64 resolution) within `maxIter`; false leaves the best point found. */
  converged = false;
  /** How the classes were modelled: 'binary', 'multinomial' or 'ovr'. */
  scheme: Scheme | null = null;

  constructor(options?: LogisticRegressionOptions) {
    super();
    const o = readOptions('LogisticRegression', options, OPTIONS);
    this.penalty = o.penalty ?? 'l2';
    this.C = o.C ?? 1;
    this.fitIntercept = o.fitIntercept ?? true;
    this.maxIter = o.maxIter ?? 1000;
    this.tol = o.tol ?? 1e-6;
    this.multiClass = o.multiClass ?? 'auto';
    this.classWeight = o.classWeight ?? null;
  }

  protected get modelName(): string {
    return 'LogisticRegression';
  }

  /**
   * Fits the model to x [n, d] and integer labels y [n]; `sampleWeight` (one weight ≥ 0 per row)
   * multiplies each row's loss term, together with the class weights. Returns this.
   */
  fit(x: FeatureInput, y: LabelInput, options?: { sampleWeight?: ArrayLike<number> | Tensor }): this {
    const where = 'LogisticRegression.fit';
    const { sampleWeight } = readOptions(where, options, SAMPLE_WEIGHT_OPTION);
    const { scheme, solutions } = this.fitClasses(where, x, y, true, ({ design, scaled, classes, index }) => {
      const k = classes.length;
      const { d } = design;
      const scheme: Scheme = this.multiClass === 'multinomial' || (this.multiClass === 'auto' && k > 2) ? 'multinomial' : k === 2 ? 'binary' : 'ovr';
      const perClass = resolveClassWeights(where, this.classWeight, classes, index);
      const byLabel = combineWeights(where, perClass === null ? null : rowWeights(perClass, index), sampleWeight, index.length);
      // sklearn's OvR 'balanced': the two groups of each binary problem balanced against each other.
      const ovrWeights = (positive: number): Float64Array | null => {
        if (scheme !== 'ovr' || this.classWeight !== 'balanced') return byLabel;
        const groups = balancedWeights(Int32Array.from(index, (c) => (c === positive ? 1 : 0)), 2);
        return combineWeights(where, Float64Array.from(index, (c) => groups[c === positive ? 1 : 0] as number), sampleWeight, index.length);
      };
      const base = {
        design: scaled as Standardized,
        fitIntercept: this.fitIntercept,
        l2: this.penalty === 'l2' ? 1 / this.C : 0,
        l1: this.penalty === 'l1' ? 1 / this.C : 0,
      };
      const options = { maxIter: this.maxIter, tol: this.tol };
      if (scheme !== 'multinomial') {
        const binary = (positive: number): LinearSolution =>
          solveLinear(
            { ...base, loss: 'logistic', target: Float64Array.from(index, (c) => (c === positive ? 1 : 0)), outputs: 1, sampleWeight: ovrWeights(positive) },
            options,
          );
        const solutions = scheme === 'binary' ? [binary(1)] : classes.map((_, c) => binary(c));
        return { ...stackRows(solutions.map((s) => ({ coef: s.coef, intercept: s.intercept[0] as number })), d), scheme, solutions };
      }
      const s = solveLinear({ ...base, loss: 'multinomial', target: Float64Array.from(index), outputs: k, sampleWeight: byLabel }, options);
      if (k > 2) return { coef: s.coef, intercept: s.intercept, rows: k, scheme, solutions: [s] };
      // softmax([s₀, s₁]) depends on s₁ − s₀ only; report half of it, sklearn's class-1 row.
      const coef = Float64Array.from({ length: d }, (_, j) => ((s.coef[d + j] as number) - (s.coef[j] as number)) / 2);
      const intercept = Float64Array.of(((s.intercept[1] as number) - (s.intercept[0] as number)) / 2);
      return { coef, intercept, rows: 1, scheme, solutions: [s] };
    });
    this.scheme = scheme;
    this.nIter = solutions.map((s) => s.iterations[0] + s.iterations[1]);
    this.converged = solutions.every((s) => s.converged);
    return this;
  }

  /** Class probabilities [n, k], columns in the order of `classes`. */
  predictProba(x: FeatureInput): Tensor {
    // One applicant at a time (a scoring service): the float64 host path, no kernels.
    const small = this.hostScores('predictProba', x);
    if (small !== null) {
      const { z, n, k } = small;
      if (this.scheme === 'binary') {
        // σ(z) and 1 − σ(z) = σ(−z), each from the side where exp cannot overflow.
        const t = Tensor.empty([n, 2]);
        for (let i = 0; i < n; i++) {
          t.data[2 * i] = hostSigmoid(-(z[i] as number));
          t.data[2 * i + 1] = hostSigmoid(z[i] as number);
        }
        return t;
      }
      let p: Float64Array;
      if (this.scheme === 'multinomial') {
        p = k === 1 ? hostProbabilities(z.map((v) => 2 * v), n, 1) : hostProbabilities(z, n, k);
      } else {
        // One-vs-rest: each class's own probability, normalised over the classes (as sklearn).
        p = z.map(hostSigmoid);
        for (let i = 0; i < n; i++) {
          const row = p.subarray(i * k, (i + 1) * k);
          const total = row.reduce((acc, v) => acc + v, 0);
          row.forEach((v, c) => (row[c] = v / total));
        }
      }
      return hostResult(p, [n, Math.max(2, k)]);
    }
    return tidy(() => {
      const s = this.scores('predictProba', x);
      if (this.scheme === 'multinomial') {
        return s.shape[1] === 1 ? softmax(concat([neg(s), s], 1), 1) : softmax(s, 1);
      }
      const p = sigmoid(s);
      if (this.scheme === 'binary') return concat([add(neg(p), 1), p], 1);
      // One-vs-rest: each class's own probability, normalised over the classes (as sklearn).
      return div(p, sum(p, 1, { keepdim: true }));
    });
  }

  /** Log-probabilities [n, k], computed stably from the scores (finite for any score). */
  predictLogProba(x: FeatureInput): Tensor {
    return tidy(() => {
      const s = this.scores('predictLogProba', x);
      if (this.scheme === 'multinomial') {
        return s.shape[1] === 1 ? logSoftmax(concat([neg(s), s], 1), 1) : logSoftmax(s, 1);
      }
      if (this.scheme === 'binary') return concat([neg(softplus(s)), neg(softplus(neg(s)))], 1);
      // log σ(s_c) − log Σ σ(s_c')
      const logP = neg(softplus(neg(s)));
      return sub(logP, log(sum(sigmoid(s), 1, { keepdim: true })));
    });
  }

  /** Options and fitted state, JSON-able (saveModel writes it next to the weights). */
  config(): LogisticRegressionConfig {
    const base = this.fittedState();
    const fitted = base === null ? null : { ...base, scheme: this.scheme as Scheme, nIter: [...this.nIter], converged: this.converged };
    const options = {
      penalty: this.penalty,
      C: this.C,
      fitIntercept: this.fitIntercept,
      maxIter: this.maxIter,
      tol: this.tol,
      multiClass: this.multiClass,
      classWeight: classWeightOption(this.classWeight, 'LogisticRegression: classWeight'),
    };
    return { kind: 'LogisticRegression', options, fitted };
  }

  /** Rebuilds a model from `config()`: fitted (parameters shaped for its weights) when the config was. */
  static fromConfig(config: LogisticRegressionConfig): LogisticRegression {
    const where = 'LogisticRegression.fromConfig';
    const { options, fitted } = readConfig<LogisticRegressionOptions>(where, config, 'LogisticRegression');
    return new LogisticRegression(options).restore(where, fitted);
  }

  protected override restoreFitted(where: string, fitted: FittedRecord): LogisticRegressionFit {
    const base = super.restoreFitted(where, fitted);
    const k = base.classes.length;
    const scheme = fittedField<Scheme>(where, fitted, 'scheme', fieldChecks.oneOf(['binary', 'multinomial', 'ovr']));
    if ((scheme === 'binary' && k !== 2) || (scheme === 'ovr' && k === 2)) {
      throw new CheckpointError(`${where}: config 'fitted.scheme' is '${scheme}' but 'fitted.classes' has ${k} labels ('binary' needs 2, 'ovr' more)`);
    }
    const solves = scheme === 'ovr' ? k : 1;
    this.scheme = scheme;
    this.nIter = [...fittedField<number[]>(where, fitted, 'nIter', fieldChecks.counts(solves, `one per solve of scheme '${scheme}'`))];
    this.converged = fittedField<boolean>(where, fitted, 'converged', fieldChecks.flag);
    return { ...base, scheme, nIter: [...this.nIter], converged: this.converged };
  }
}

