// crossValScore and GridSearchCV (sklearn.model_selection): every candidate is a fresh clone
// fitted on the training folds only, scored on its test fold by a named scorer (greater is
// better, so losses are negated as in sklearn: 'negLogLoss'), and the best one is refitted on
// all rows.
import { ValueError, logLoss, rocAuc } from '../index.js';
import { is, readOptions } from '../validate.js';
import type { Labels, Pipeline } from './pipeline.js';
import { type Fold, KFold, type Splitter, StratifiedKFold } from './split.js';
import { type TabularInput, Table, asTable } from './table.js';

/** Scores a fitted pipeline on rows and their labels; greater is better. */
export type Scorer = (p: Pipeline, x: Table, y: Labels) => number;
export type ScoringName = 'accuracy' | 'rocAuc' | 'negLogLoss' | 'r2';

/** The positive-class column as 0/1 labels and scores, for binary metrics. */
function binary(where: string, p: Pipeline, y: Labels): { truth: number[]; classes: (string | number)[] } {
  const classes = p.classes;
  if (classes === null || classes.length !== 2) throw new ValueError(`${where}: needs a binary classifier, the pipeline has ${classes === null ? 'no classes (a regressor)' : `${classes.length} classes`}`);
  return { truth: Array.from(y as ArrayLike<string | number>, (v) => (v === classes[1] ? 1 : 0)), classes };
}

/** Probability of classes[1] (or the decision value when the model has no predictProba). */
function positiveScore(p: Pipeline, x: Table): number[] {
  if (typeof p.model.predictProba === 'function') return p.predictProba(x).map((r) => r[1] as number);
  return p.decisionFunction(x) as number[];
}

// Metrics come from fingrad's src/metrics; multi-class AUC / log loss and R² belong there too
// once they exist (r2 is Pipeline.score's).
const SCORERS: { [K in ScoringName]: Scorer } = {
  accuracy: (p, x, y) => {
    if (p.classes === null) throw new ValueError("scoring 'accuracy': needs a classifier");
    return p.score(x, y);
  },
  rocAuc: (p, x, y) => rocAuc(binary("scoring 'rocAuc'", p, y).truth, positiveScore(p, x)),
  negLogLoss: (p, x, y) => {
    const { truth } = binary("scoring 'negLogLoss'", p, y);
    return -logLoss(truth, p.predictProba(x).map((r) => r[1] as number));
  },
  r2: (p, x, y) => {
    if (p.classes !== null) throw new ValueError("scoring 'r2': needs a regressor");
    return p.score(x, y);
  },
};

/** A named scorer or a function. */
export function getScorer(scoring: ScoringName | Scorer): Scorer {
  if (typeof scoring === 'function') return scoring;
  return SCORERS[is.oneOf(Object.keys(SCORERS) as ScoringName[])(scoring, 'getScorer: scoring')];
}

/** An estimator to clone per fold: a Pipeline (cloned with `clone(params)`), or a factory. */
export type EstimatorSource = Pipeline | ((params: Record<string, unknown>) => Pipeline);

function fresh(source: EstimatorSource, params: Record<string, unknown>): Pipeline {
  return typeof source === 'function' ? source(params) : source.clone(params);
}

export interface CrossValOptions {
  /** Folds: a number (StratifiedKFold for classifiers, KFold otherwise, unshuffled, as sklearn) or a splitter. Default 5. */
  cv?: number | Splitter;
  /** 'accuracy' (classifiers' default), 'rocAuc', 'negLogLoss', 'r2' (regressors' default) or a function. */
  scoring?: ScoringName | Scorer;
}

const cvSpec = {
  cv: is.anyOf<number | Splitter>('a number of folds or a splitter', is.int({ min: 2 }), (v, w) => (typeof (v as Splitter)?.split === 'function' ? (v as Splitter) : is.oneOf([] as const)(v, w))),
  scoring: is.any,
} as const;

function pick(y: Labels, idx: Int32Array): (string | number)[] {
  return Array.from(idx, (i) => (y as ArrayLike<string | number>)[i] as string | number);
}

function foldsFor(where: string, cv: number | Splitter | undefined, probe: Pipeline, x: Table, y: Labels): Fold[] {
  if (typeof cv === 'object') return cv.split(x, y as ArrayLike<string | number>);
  const k = cv ?? 5;
  const folds = probe.isClassifier ? new StratifiedKFold(k).split(x, y as ArrayLike<string | number>) : new KFold(k).split(x);
  if (folds.length === 0) throw new ValueError(`${where}: no folds`);
  return folds;
}

function scoreFolds(source: EstimatorSource, params: Record<string, unknown>, x: Table, y: Labels, folds: Fold[], scorer: Scorer): number[] {
  return folds.map((f) => {
    const p = fresh(source, params);
    p.fit(x.take(f.train), pick(y, f.train));
    const s = scorer(p, x.take(f.test), pick(y, f.test));
    (p.model as { dispose?: () => void }).dispose?.();
    return s;
  });
}

/** The score of each fold (sklearn's cross_val_score). */
export function crossValScore(estimator: EstimatorSource, x: TabularInput, y: Labels, options?: CrossValOptions): number[] {
  const where = 'crossValScore';
  const o = readOptions(where, options, cvSpec);
  const t = asTable(where, x);
  const probe = fresh(estimator, {});
  const scorer = getScorer((o.scoring as ScoringName | Scorer | undefined) ?? (probe.isClassifier ? 'accuracy' : 'r2'));
  return scoreFolds(estimator, {}, t, y, foldsFor(where, o.cv, probe, t, y), scorer);
}

/** Parameter names (`step__option`) to the values to try; a list of such grids tries each. */
export type ParamGrid = Record<string, readonly unknown[]>;

/** Every combination, keys sorted and the last key varying fastest (sklearn's ParameterGrid order). */
export function parameterGrid(grid: ParamGrid | readonly ParamGrid[]): Record<string, unknown>[] {
  const grids = Array.isArray(grid) ? grid : [grid];
  return grids.flatMap((g: ParamGrid) => {
    const keys = Object.keys(g).sort();
    let out: Record<string, unknown>[] = [{}];
    for (const k of keys) {
      const values = g[k];
      if (!Array.isArray(values) || values.length === 0) throw new ValueError(`parameterGrid: '${k}' must be a non-empty list of values`);
      out = out.flatMap((p) => values.map((v) => ({ ...p, [k]: v })));
    }
    return out;
  });
}

export interface GridSearchCVOptions extends CrossValOptions {
  /** Refit the best candidate on all rows (default true). */
  refit?: boolean;
}

export interface CvResults {
  params: Record<string, unknown>[];
  meanTestScore: number[];
  stdTestScore: number[];
  /** 1 for the best; ties share a rank (sklearn's 'min' ranking). */
  rankTestScore: number[];
  /** splitScores[i][f]: candidate i on fold f. */
  splitScores: number[][];
}

/** Exhaustive search over a parameter grid with cross-validation (sklearn's GridSearchCV). */
export class GridSearchCV {
  readonly estimator: EstimatorSource;
  readonly paramGrid: ParamGrid | readonly ParamGrid[];
  readonly cv: number | Splitter;
  readonly scoring: ScoringName | Scorer | undefined;
  readonly refit: boolean;
  cvResults: CvResults | null = null;
  bestParams: Record<string, unknown> | null = null;
  bestScore = NaN;
  bestIndex = -1;
  bestEstimator: Pipeline | null = null;

  constructor(estimator: EstimatorSource, paramGrid: ParamGrid | readonly ParamGrid[], options?: GridSearchCVOptions) {
    const o = readOptions('GridSearchCV', options, { ...cvSpec, refit: is.boolean });
    this.estimator = estimator;
    this.paramGrid = paramGrid;
    this.cv = o.cv ?? 5;
    this.scoring = o.scoring as ScoringName | Scorer | undefined;
    this.refit = o.refit ?? true;
    if (this.scoring !== undefined) getScorer(this.scoring);
    parameterGrid(paramGrid);
  }

  fit(x: TabularInput, y: Labels): this {
    const where = 'GridSearchCV.fit';
    const t = asTable(where, x);
    const candidates = parameterGrid(this.paramGrid);
    const probe = fresh(this.estimator, candidates[0] ?? {});
    const scorer = getScorer(this.scoring ?? (probe.isClassifier ? 'accuracy' : 'r2'));
    const folds = foldsFor(where, this.cv, probe, t, y);
    const splitScores = candidates.map((params) => scoreFolds(this.estimator, params, t, y, folds, scorer));
    const mean = splitScores.map((s) => s.reduce((a, b) => a + b, 0) / s.length);
    const std = splitScores.map((s, i) => Math.sqrt(s.reduce((a, b) => a + (b - (mean[i] as number)) ** 2, 0) / s.length));
    const rank = mean.map((m) => 1 + mean.filter((o) => o > m).length);
    this.cvResults = { params: candidates, meanTestScore: mean, stdTestScore: std, rankTestScore: rank, splitScores };
    // The first of the best, as sklearn (rank 1 at the lowest index).
    this.bestIndex = rank.indexOf(1);
    this.bestParams = candidates[this.bestIndex] as Record<string, unknown>;
    this.bestScore = mean[this.bestIndex] as number;
    if (this.refit) this.bestEstimator = fresh(this.estimator, this.bestParams).fit(t, y);
    return this;
  }

  private best(what: string): Pipeline {
    if (this.bestEstimator === null) throw new ValueError(`GridSearchCV.${what}: ${this.cvResults === null ? 'call fit(x, y) first' : 'refit was false; there is no refitted estimator'}`);
    return this.bestEstimator;
  }

  predict(x: TabularInput): (string | number)[] {
    return this.best('predict').predict(x);
  }

  predictProba(x: TabularInput): number[][] {
    return this.best('predictProba').predictProba(x);
  }

  decisionFunction(x: TabularInput): number[] | number[][] {
    return this.best('decisionFunction').decisionFunction(x);
  }

  /** The chosen scorer on the refitted best estimator. */
  score(x: TabularInput, y: Labels): number {
    const p = this.best('score');
    return getScorer(this.scoring ?? (p.isClassifier ? 'accuracy' : 'r2'))(p, asTable('GridSearchCV.score', x), y);
  }
}
