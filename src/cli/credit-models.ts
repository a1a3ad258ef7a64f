// The pipelines the command line trains: every column typed as read, numeric and boolean
// columns imputed by their median (with a missing-indicator column where training had gaps),
// categorical ones one-hot encoded (rare categories grouped, unseen ones ignored), everything
// standardized, then logistic regression, a linear SVM or an MLP. Also what "the score" is:
// the probability of the positive class (the event: default, fraud…).
import * as fg from '../index.js';
import { ColumnTransformer } from '../finance/compose.js';
import { OneHotEncoder } from '../finance/encode.js';
import { SimpleImputer } from '../finance/impute.js';
import { type Labels, Pipeline, type PipelineModel } from '../finance/pipeline.js';
import { StandardScaler } from '../finance/scale.js';
import type { Table } from '../finance/table.js';
import { UsageError, numberOption, intOption } from './command.js';

export const MODEL_NAMES = ['logistic', 'svm', 'mlp'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Model options as the command line spells them (strings, before parsing). */
export interface ModelFlags {
  C?: string;
  hidden?: string;
  epochs?: string;
  learningRate?: string;
  batchSize?: string;
  classWeight?: string;
  seed?: string;
}

/** The model's options, parsed and checked, as the estimator takes them. */
export function modelOptions(name: ModelName, flags: ModelFlags): Record<string, unknown> {
  const seed = intOption('seed', flags.seed, 0, 0);
  const classWeight = flags.classWeight === undefined ? undefined : flags.classWeight === 'balanced' ? 'balanced' : (() => {
    throw new UsageError(`--class-weight takes 'balanced', got '${flags.classWeight}'`);
  })();
  if (name === 'mlp') {
    const hidden = (flags.hidden ?? '32,16').split(',').map((s) => {
      const v = Number(s.trim());
      if (!Number.isInteger(v) || v < 1) throw new UsageError(`--hidden takes layer sizes like 32,16, got '${flags.hidden}'`);
      return v;
    });
    return {
      hiddenLayerSizes: hidden,
      maxIter: intOption('epochs', flags.epochs, 30),
      learningRate: numberOption('learning-rate', flags.learningRate, 1e-3, 1e-8, 10),
      batchSize: intOption('batch-size', flags.batchSize, 64),
      seed,
      ...(classWeight && { classWeight }),
    };
  }
  const C = numberOption('C', flags.C, 1, 1e-8, 1e8);
  return name === 'svm' ? { C, loss: 'squaredHinge', ...(classWeight && { classWeight }) } : { C, ...(classWeight && { classWeight }) };
}

export function makeModel(name: ModelName, options: Record<string, unknown>): PipelineModel {
  if (name === 'mlp') return new fg.MLPClassifier(options);
  if (name === 'svm') return new fg.LinearSVM(options);
  return new fg.LogisticRegression(options);
}

/** The preprocessing + model pipeline (see the file header). */
export function creditPipeline(model: PipelineModel): Pipeline {
  return new Pipeline([
    ['prepare', new ColumnTransformer([
      ['num', new SimpleImputer({ strategy: 'median', addIndicator: true }), { types: ['numeric', 'boolean'] }],
      ['cat', new OneHotEncoder({ handleUnknown: 'infrequentIfExist', minFrequency: 0.01 }), { types: ['categorical'] }],
    ])],
    ['scale', new StandardScaler()],
    ['model', model],
  ]);
}

/** The positive class: the one named, else 1 among 0/1 labels, else the rarer class. */
export function positiveClass(classes: ReadonlyArray<string | number>, y: Labels, named: string | undefined): string | number {
  if (named !== undefined) {
    const found = classes.find((c) => String(c) === named);
    if (found === undefined) throw new UsageError(`--positive '${named}' is not a class of the target (classes: ${classes.join(', ')})`);
    return found;
  }
  if (classes.length === 2 && classes[0] === 0 && classes[1] === 1) return 1;
  const counts = new Map<string | number, number>();
  for (const v of Array.from(y as ArrayLike<string | number>)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...classes].sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0))[0] as string | number;
}

/** Probability of `positive` for each row, and the rows' labels as 1 (positive) / 0. */
export function scoresOf(p: Pipeline, x: Table, positive: string | number): Float64Array {
  const k = (p.classes ?? []).indexOf(positive);
  return Float64Array.from(p.predictProba(x), (row) => row[k] as number);
}

export function binaryLabels(y: Labels, positive: string | number): number[] {
  return Array.from(y as ArrayLike<string | number>, (v) => (v === positive ? 1 : 0));
}
