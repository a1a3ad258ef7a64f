// Permutation importance (Breiman; scikit-learn's permutation_importance): how much a score
// drops when one feature's column is shuffled, breaking its link to the target while keeping
// its distribution. Columns of a group are shuffled with one permutation, so a one-hot encoded
// field counts as the one feature it was.
import { ArgumentError, ShapeError, accuracy, dataRng, permutation, rocAuc } from '../../index.js';
import { describe, is, readOptions } from '../../validate.js';
import { type ColumnData, type DataLike, type FeatureGroup, type ModelOutput, readFrame, readGroups, toScorer } from './predictor.js';

/** Higher is better: (labels or targets, model scores) → a number. */
export type ScoringFn = (yTrue: Float64Array, yScore: Float64Array) => number;

const SCORERS: Record<string, ScoringFn> = {
  rocAuc: (y, s) => rocAuc(y, s),
  accuracy: (y, s) => accuracy(y, s),
  r2: (y, s) => {
    let mean = 0;
    for (const v of y) mean += v / y.length;
    let ssRes = 0;
    let ssTot = 0;
    y.forEach((v, i) => {
      ssRes += (v - (s[i] as number)) ** 2;
      ssTot += (v - mean) ** 2;
    });
    return 1 - ssRes / ssTot;
  },
  negMeanSquaredError: (y, s) => -y.reduce((acc, v, i) => acc + (v - (s[i] as number)) ** 2, 0) / y.length,
};

export interface PermutationImportanceOptions {
  /** A scorer name ('rocAuc' default, 'accuracy', 'r2', 'negMeanSquaredError') or a function. */
  scoring?: string | ScoringFn;
  /** Shuffles per feature (default 5). */
  nRepeats?: number;
  seed?: number;
  /** Which model output is scored (default 'proba'; 'predict' for regressors). */
  output?: ModelOutput;
  featureNames?: string[];
  /** Columns explained together (one-hot columns of one field). */
  groups?: FeatureGroup[];
}

export interface PermutationImportance {
  featureNames: string[];
  /** Score drop per feature, mean over repeats. */
  importancesMean: Float64Array;
  /** Its standard deviation over repeats (population, as scikit-learn). */
  importancesStd: Float64Array;
  /** Every repeat's drop: [feature][repeat]. */
  importances: Float64Array[];
  /** The score with no column shuffled. */
  baselineScore: number;
}

// A column reordered by `perm`, of the same kind.
function permuted(c: ColumnData, perm: Int32Array): ColumnData {
  return c instanceof Float64Array ? Float64Array.from(perm, (i) => c[i] as number) : Array.from(perm, (i) => c[i] as string | null);
}

const spec = {
  scoring: is.any,
  nRepeats: is.int({ min: 1 }),
  seed: is.int(),
  output: is.oneOf(['proba', 'decision', 'predict'] as const),
  featureNames: is.list(is.string),
  groups: is.list(is.any as never),
};

/** Permutation importance of every feature (or group) of `model` on (x, y). */
export function permutationImportance(model: unknown, x: DataLike, y: ArrayLike<number>, options?: PermutationImportanceOptions): PermutationImportance {
  const where = 'permutationImportance';
  const o = readOptions(where, options, spec);
  const frame = readFrame(where, 'x', x, o.featureNames);
  const n = frame.rows;
  const yv = Float64Array.from(y as ArrayLike<number>);
  if (yv.length !== n) throw new ShapeError(`${where}: ${n} rows but ${yv.length} targets`);
  let scoring: ScoringFn;
  const s = o.scoring ?? 'rocAuc';
  if (typeof s === 'function') scoring = s as ScoringFn;
  else if (typeof s === 'string' && SCORERS[s] !== undefined) scoring = SCORERS[s] as ScoringFn;
  else throw new ArgumentError(`${where}: scoring must be a function or one of ${Object.keys(SCORERS).join(', ')}, got ${describe(s)}`, where, 'scoring');
  const groups = readGroups(where, frame, o.groups as FeatureGroup[] | undefined);
  const score = toScorer(where, model, frame, o.output ?? 'proba');
  const baseline = scoring(yv, score(frame.columns, n));
  const rand = dataRng(o.seed ?? 0);
  const repeats = o.nRepeats ?? 5;
  const importances = groups.map((g) => {
    const drops = new Float64Array(repeats);
    for (let r = 0; r < repeats; r++) {
      const perm = permutation(n, rand);
      const columns: ColumnData[] = frame.columns.map((c, j) => (g.columns.includes(j) ? permuted(c, perm) : c));
      drops[r] = baseline - scoring(yv, score(columns, n));
    }
    return drops;
  });
  const mean = Float64Array.from(importances, (d) => d.reduce((a, v) => a + v, 0) / repeats);
  const std = Float64Array.from(importances, (d, j) => Math.sqrt(d.reduce((a, v) => a + (v - (mean[j] as number)) ** 2, 0) / repeats));
  return { featureNames: groups.map((g) => g.name), importancesMean: mean, importancesStd: std, importances, baselineScore: baseline };
}
