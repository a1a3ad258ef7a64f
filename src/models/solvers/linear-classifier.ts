// A linear classifier: class labels, decision values and the arg-max decision rule over a
// LinearModel's scores, and the scaffolding every classifier's `fit` shares (`fitClasses`).
import { noGrad } from '../../autograd/graph.js';
import { CheckpointError } from '../../errors.js';
import { argmax } from '../../ops/argmax.js';
import { gt } from '../../ops/compare.js';
import { indexSelect } from '../../ops/gather.js';
import { reshape } from '../../ops/reshape.js';
import { tensor } from '../../tensor/creation.js';
import { tidy } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type EstimatorType, type FittedRecord, describeValue } from '../estimator.js';
import { type FeatureInput, type LabelInput, encodeLabels } from '../input.js';
import { hostResult } from '../small-batch.js';
import { type Design, readFeatures, releaseFeatures } from './design.js';
import { type LinearFit, LinearModel } from './linear-model.js';
import { type Standardized, standardize } from './linear-objective.js';

/** A classifier's fitted state: the linear map and its class labels, ascending. */
export interface LinearClassifierFit extends LinearFit {
  classes: number[];
}

/** A classification problem as `LinearClassifier.fitClasses` hands it to a model's solver. */
export interface ClassProblem {
  design: Design;
  /** The standardized design (null unless `fitClasses` was asked to standardize). */
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
   * `where`), standardizes the design when `scale`, lets `solve` fit the problem, installs its
   * solution and the classes, and frees the copies whatever happens. Returns `solve`'s answer,
   * for the model to keep its own report.
   */
  protected fitClasses<S extends ClassSolution>(where: string, x: FeatureInput, y: LabelInput, scale: boolean, solve: (problem: ClassProblem) => S): S {
    const design = readFeatures(where, x);
    let scaled: Standardized | null = null;
    try {
      const { classes, index } = encodeLabels(where, y, design.n);
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

  protected get estimatorType(): EstimatorType {
    return 'classifier';
  }

  protected override fittedClasses(): readonly number[] {
    return this.labels ?? [];
  }

  /**
   * Signed distances to the decision boundary (up to ‖w‖): [n] for two classes (positive means
   * classes[1]), [n, k] with one column per class otherwise.
   */
  decisionFunction(x: FeatureInput): Tensor {
    const small = this.hostScores('decisionFunction', x);
    if (small !== null) return hostResult(small.z, small.k === 1 ? [small.n] : [small.n, small.k]);
    return tidy(() => {
      const s = this.scores('decisionFunction', x);
      return s.shape[1] === 1 ? reshape(s, [s.shape[0] as number]) : s;
    });
  }

  /** Predicted class labels [n]: classes[1] where the decision value is > 0 (binary), else the arg-max. */
  predict(x: FeatureInput): Tensor {
    return this.predictFor('predict', x);
  }

  protected predictFor(method: string, x: FeatureInput): Tensor {
    const labels = this.labels as number[];
    const small = this.hostScores(method, x);
    if (small !== null) {
      const { z, n, k } = small;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        // The float32 score decides, as on the batch path, so both give the same label at a tie.
        if (k === 1) best = Math.fround(z[i] as number) > 0 ? 1 : 0;
        else for (let c = 1; c < k; c++) if (Math.fround(z[i * k + c] as number) > Math.fround(z[i * k + best] as number)) best = c;
        out[i] = labels[best] as number;
      }
      return hostResult(out, [n]);
    }
    return noGrad(() =>
      tidy(() => {
        const s = this.scores(method, x);
        const n = s.shape[0] as number;
        const index = s.shape[1] === 1 ? reshape(gt(s, 0), [n]) : argmax(s, 1);
        return indexSelect(tensor(labels), 0, index);
      }),
    );
  }

  override dispose(): void {
    super.dispose();
    this.labels = null;
  }
}
