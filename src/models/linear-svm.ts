// Linear support vector machine with scikit-learn's C and loss names. Squared hinge: L-BFGS on
// fingrad ops with autograd gradients, polished in float64 (solvers/linear-objective.ts). Hinge:
// not differentiable, solved exactly in float64 (solvers/hinge.ts). Probabilities by Platt
// scaling (solvers/platt.ts).
import { add, div, mul, neg } from '../ops/binary.js';
import { concat } from '../ops/concat.js';
import { sum } from '../ops/reduce.js';
import { sigmoid } from '../ops/unary.js';
import { tensor } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { type ClassWeight, combineWeights, classWeightOption, resolveClassWeights } from './solvers/class-weight.js';
import { type FittedRecord, SAMPLE_WEIGHT_OPTION, fieldChecks, fittedField, readConfig } from './estimator.js';
import type { FeatureInput, LabelInput } from './input.js';
import { hostSigmoid } from './small-batch.js';
import type { Design } from './solvers/design.js';
import { solveHinge } from './solvers/hinge.js';
import { LinearClassifier, type LinearClassifierFit, stackRows } from './solvers/linear-classifier.js';
import { type LinearModelConfig, refineHost } from './solvers/linear-model.js';
import { type Standardized, solveLinear } from './solvers/linear-objective.js';
import { type PlattParams, fitPlatt } from './solvers/platt.js';
import { is, readOptions } from '../validate.js';


export interface LinearSVMOptions {
  /** 'squaredHinge' (default, as sklearn's LinearSVC) or 'hinge'. */
  loss?: 'hinge' | 'squaredHinge';
  /** Weight of the summed loss against ½‖w‖² (> 0). Default 1. */
  C?: number;
  /** Fit an (unpenalised) intercept. Default true. */
  fitIntercept?: boolean;
  /** Most iterations: L-BFGS iterations per stage (squared hinge), Newton steps (hinge). Default 1000. */
  maxIter?: number;
  /**
   * Squared hinge: stop when the largest gradient entry of the objective divided by C·n (C·Σ vᵢ with classWeight) is ≤ tol
   * (checked in float64, with respect to the coefficients of the standardized columns and the
   * intercept). Hinge: the exact optimum is normally found and confirmed by its KKT
   * conditions; failing that (degenerate data with many rows exactly on the margin), the
   * smoothing narrows until the objective is provably within tol (relative) of the optimum.
   * Default 1e-6.
   */
  tol?: number;
  /**
   * sklearn's class_weight: row i's loss is multiplied by the weight of its label (its C becomes
   * C·weight). null (default): all 1. 'balanced': n / (k · count(class)) over the original
   * classes. An object {label: weight}: positive finite weights naming every class of y (a
   * missing class or an unknown label is an error; sklearn would give a missing class weight 1).
   * One-vs-rest (k > 2) follows LinearSVC (liblinear): in the problem of class c the rows of c
   * weigh weight(c) and the rest weigh 1. Platt scaling stays unweighted.
   */
  classWeight?: ClassWeight;
}

const OPTIONS = {
  loss: is.oneOf(['hinge', 'squaredHinge'] as const),
  C: is.number({ min: 0, minOpen: true }),
  fitIntercept: is.boolean,
  maxIter: is.int({ min: 1 }),
  tol: is.number({ min: 0, minOpen: true }),
  classWeight: classWeightOption,
} satisfies Record<keyof LinearSVMOptions, unknown>;

/** One binary problem: its ±1 labels, the answer, and the Platt fit of its decision values. */
interface BinaryFit {
  coef: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
  platt: PlattParams;
}

/**
 * LinearSVM's fitted state: the linear map and labels, the solver's report, and Platt's A and B
 * per binary problem in float64 (the `probA`/`probB` buffers hold them as float32).
 */
export interface LinearSVMFit extends LinearClassifierFit {
  nIter: number[];
  converged: boolean;
  probA: number[];
  probB: number[];
}

/** LinearSVM's checkpoint config (`config()`, `LinearSVM.fromConfig`). */
export type LinearSVMConfig = LinearModelConfig<'LinearSVM', Required<LinearSVMOptions>, LinearSVMFit>;

/**
 * Linear SVM (sklearn.svm.LinearSVC, with the textbook unpenalised intercept). It minimises
 *
 *   ½‖w‖² + C·Σᵢ vᵢ·loss(ỹᵢ·(w·xᵢ + b)),   loss(m) = max(0, 1 − m) ('hinge') or max(0, 1 − m)²
 *
 * with ỹ = ±1 and vᵢ the row's class weight (`classWeight`; 1 without). The intercept b is not penalised (LinearSVC's liblinear penalises it through
 * intercept_scaling; this is the objective of SVC(kernel='linear')). More than two classes:
 * one-vs-rest, one binary SVM per class. `coef` is number[][] [1, d] (positive class classes[1])
 * or [k, d], `intercept` number[] [1] or [k].
 *
 * predictProba applies Platt scaling per binary problem: P = 1/(1 + exp(A·f + B)) fitted by
 * maximum likelihood on the training decision values f with Platt's targets; one-vs-rest
 * probabilities are normalised over the classes. `probA`/`probB` hold A and B.
 */
export class LinearSVM extends LinearClassifier {
  readonly loss: 'hinge' | 'squaredHinge';
  readonly C: number;
  readonly fitIntercept: boolean;
  readonly maxIter: number;
  readonly tol: number;
  /** 'balanced', the per-class weights (a fresh plain object keyed by label), or null. */
  readonly classWeight: ClassWeight;
  /** Iterations per binary problem. */
  nIter: number[] = [];
  /** Whether every binary problem met `tol` within `maxIter`. */
  converged = false;
  /** Platt's A per binary problem. */
  probA: number[] = [];
  /** Platt's B per binary problem. */
  probB: number[] = [];

  constructor(options?: LinearSVMOptions) {
    super();
    const o = readOptions('LinearSVM', options, OPTIONS);
    this.loss = o.loss ?? 'squaredHinge';
    this.C = o.C ?? 1;
    this.fitIntercept = o.fitIntercept ?? true;
    this.maxIter = o.maxIter ?? 1000;
    this.tol = o.tol ?? 1e-6;
    this.classWeight = o.classWeight ?? null;
  }

  protected get modelName(): string {
    return 'LinearSVM';
  }

  /**
   * Fits the model to x [n, d] and integer labels y [n]; `sampleWeight` (one weight ≥ 0 per row)
   * multiplies each row's loss term, together with the class weights. Returns this.
   */
  fit(x: FeatureInput, y: LabelInput, options?: { sampleWeight?: ArrayLike<number> | Tensor }): this {
    const where = 'LinearSVM.fit';
    const { sampleWeight } = readOptions(where, options, SAMPLE_WEIGHT_OPTION);
    const { fits } = this.fitClasses(where, x, y, this.loss === 'squaredHinge', ({ design, scaled, classes, index }) => {
      const perClass = resolveClassWeights(where, this.classWeight, classes, index);
      // liblinear: both classes weighted when binary; one-vs-rest weighs only the positive class.
      const byClass = (c: number): Float64Array | null => {
        if (perClass === null) return null;
        if (classes.length === 2) return Float64Array.from(index, (l) => perClass[l] as number);
        return Float64Array.from(index, (l) => (l === c ? (perClass[c] as number) : 1));
      };
      const weights = (c: number): Float64Array | null => combineWeights(where, byClass(c), sampleWeight, index.length);
      const fit = (c: number): BinaryFit => this.fitBinary(design, scaled, index, c, weights(c));
      const fits = classes.length === 2 ? [fit(1)] : classes.map((_, c) => fit(c));
      return { ...stackRows(fits, design.d), fits };
    });
    this.nIter = fits.map((f) => f.iterations);
    this.converged = fits.every((f) => f.converged);
    this.setPlatt(
      fits.map((f) => f.platt.a),
      fits.map((f) => f.platt.b),
    );
    return this;
  }

  /** Keeps Platt's A and B (float64) and their float32 buffers `probA`/`probB` (saved in the state dict). */
  private setPlatt(a: number[], b: number[]): void {
    this.probA = [...a];
    this.probB = [...b];
    this.setBuffer('probA', tensor(this.probA));
    this.setBuffer('probB', tensor(this.probB));
  }

  /** Class `positive` against the rest (`scaled`: the standardized design, for the squared hinge). */
  private fitBinary(design: Design, scaled: Standardized | null, index: Int32Array, positive: number, sampleWeight: Float64Array | null): BinaryFit {
    const { host, n, d } = design;
    const y = Float64Array.from(index, (c) => (c === positive ? 1 : -1));
    let coef: Float64Array;
    let intercept: number;
    let iterations: number;
    let converged: boolean;
    if (this.loss === 'hinge') {
      const s = solveHinge(design, y, { C: this.C, sampleWeight, fitIntercept: this.fitIntercept, tol: this.tol, maxIter: this.maxIter });
      ({ coef, intercept, iterations, converged } = s);
    } else {
      // (1/m)·(Σ vᵢ·loss + ½‖w‖²/C), m = Σ vᵢ, has the minimiser of C·Σ vᵢ·loss + ½‖w‖², at a
      // scale that makes tol comparable across n and C.
      const s = solveLinear(
        { design: scaled as Standardized, loss: 'squaredHinge', target: y, outputs: 1, fitIntercept: this.fitIntercept, l2: 1 / this.C, l1: 0, sampleWeight },
        { maxIter: this.maxIter, tol: this.tol },
      );
      coef = s.coef;
      intercept = s.intercept[0] as number;
      iterations = s.iterations[0] + s.iterations[1];
      converged = s.converged;
    }
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = intercept;
      for (let j = 0; j < d; j++) z += (coef[j] as number) * (host[i * d + j] as number);
      f[i] = z;
    }
    const platt = fitPlatt(f, Uint8Array.from(y, (v) => (v > 0 ? 1 : 0)));
    return { coef, intercept, iterations, converged, platt };
  }

  /** Class probabilities [n, k] by Platt scaling, columns in the order of `classes`. */
  predictProba(x: FeatureInput): Tensor {
    const small = this.hostScores('predictProba', x);
    if (small !== null) {
      const { z, n, k } = small;
      const t = Tensor.empty([n, Math.max(2, k)]);
      const out = t.data;
      if (k === 1) {
        for (let i = 0; i < n; i++) {
          const p = hostSigmoid(-((this.probA[0] as number) * (z[i] as number) + (this.probB[0] as number)));
          out[2 * i] = 1 - p;
          out[2 * i + 1] = p;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const p = Array.from({ length: k }, (_, c) => hostSigmoid(-((this.probA[c] as number) * (z[i * k + c] as number) + (this.probB[c] as number))));
          const total = p.reduce((a, b) => a + b, 0);
          p.forEach((v, c) => (out[i * k + c] = v / total));
        }
      }
      return t;
    }
    return tidy(() => {
      const s = this.scores('predictProba', x);
      // P(class) = σ(−(A·f + B)) per column.
      const p = sigmoid(neg(add(mul(s, tensor(this.probA)), tensor(this.probB))));
      if (s.shape[1] === 1) return concat([add(neg(p), 1), p], 1);
      return div(p, sum(p, 1, { keepdim: true }));
    });
  }

  /** Options and fitted state, JSON-able (saveModel writes it next to the weights). */
  config(): LinearSVMConfig {
    const base = this.fittedState();
    const fitted = base === null ? null : { ...base, nIter: [...this.nIter], converged: this.converged, probA: [...this.probA], probB: [...this.probB] };
    const options = {
      loss: this.loss,
      C: this.C,
      fitIntercept: this.fitIntercept,
      maxIter: this.maxIter,
      tol: this.tol,
      classWeight: classWeightOption(this.classWeight, 'LinearSVM: classWeight'),
    };
    return { kind: 'LinearSVM', options, fitted };
  }

  /** Rebuilds a model from `config()`: fitted (parameters and buffers shaped for its weights) when the config was. */
  static fromConfig(config: LinearSVMConfig): LinearSVM {
    const where = 'LinearSVM.fromConfig';
    const { options, fitted } = readConfig<LinearSVMOptions>(where, config, 'LinearSVM');
    // Checkpoints saved before the loss value took the camelCase spelling wrote 'squared_hinge'.
    const loss = (options as { loss?: string }).loss === 'squared_hinge' ? 'squaredHinge' : options.loss;
    return new LinearSVM({ ...options, ...(loss !== undefined && { loss }) }).restore(where, fitted);
  }

  protected override restoreFitted(where: string, fitted: FittedRecord): LinearSVMFit {
    const base = super.restoreFitted(where, fitted);
    const problems = `one per binary problem: 'fitted.nOutputs' = ${base.nOutputs}`;
    const nIter = fittedField<number[]>(where, fitted, 'nIter', fieldChecks.counts(base.nOutputs, problems));
    const converged = fittedField<boolean>(where, fitted, 'converged', fieldChecks.flag);
    const probA = fittedField<number[]>(where, fitted, 'probA', fieldChecks.numbers(base.nOutputs, problems));
    const probB = fittedField<number[]>(where, fitted, 'probB', fieldChecks.numbers(base.nOutputs, problems));
    this.nIter = [...nIter];
    this.converged = converged;
    this.setPlatt(probA, probB);
    return { ...base, nIter: [...nIter], converged, probA: [...probA], probB: [...probB] };
  }

  /** Also Platt's A and B: the float64 values where they round to the loaded buffers, else the buffers'. */
  protected override adoptLoaded(): void {
    super.adoptLoaded();
    if (!this.isFitted) return;
    const state = this.stateDict();
    this.probA = Array.from(refineHost(Float64Array.from(this.probA), (state['probA'] as Tensor).toFloat32Array()));
    this.probB = Array.from(refineHost(Float64Array.from(this.probB), (state['probB'] as Tensor).toFloat32Array()));
  }
}

