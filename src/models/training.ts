// How the ready-made networks (MLP, CNN, recurrent forecaster, VAE) train: the training options
// table every such model's own table extends, the classification head (sigmoid for two classes,
// softmax for more), and training a network through `fit()` with sklearn-style options
// (`trainNetwork`, run by `Estimator.trainOn`).
import { dataRng } from '../data/rng.js';
import { ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { argmax } from '../ops/argmax.js';
import { concat } from '../ops/concat.js';
import { indexSelect } from '../ops/gather.js';
import { bceWithLogits, crossEntropy } from '../ops/losses.js';
import { softmax } from '../ops/softmax.js';
import { sigmoid } from '../ops/unary.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { fromValues } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { sum } from '../ops/reduce.js';
import { select, slice } from '../ops/slice.js';
import { type Callback, type EarlyStopping, type History, fit as trainLoop } from '../train/fit.js';
import type { LossFn } from '../train/losses.js';
import { type Checked, is } from '../validate.js';

/** Options every model's `fit` accepts besides its data. */
export interface FitCallOptions {
  /** Progress hooks (`onEpochEnd(epoch, logs)` …), passed to `fit()`; return 'stop' to end early. */
  callbacks?: Callback[];
}

export const FIT_OPTIONS = { callbacks: is.list(is.instance(Object, 'a callback object {onEpochEnd, …}')) };

// ---------------------------------------------------------------------------------------------
// Classification.

/** Network outputs for `classes` classes: one logit for two (sigmoid), else one per class (softmax). */
export function logitCount(classes: number): number {
  return classes === 2 ? 1 : classes;
}

/** Training targets: [n, 1] of 0/1 for two classes, else [n] class indices. */
export function classTargets(where: string, index: Int32Array, classes: number): Tensor {
  const values = Float32Array.from(index);
  return fromValues(where, values, classes === 2 ? [index.length, 1] : [index.length]);
}

/** Mean binary cross entropy on the logit (two classes) or mean cross entropy on softmax logits. */
export function classificationLoss(classes: number): LossFn {
  return classes === 2 ? (logits, target) => bceWithLogits(logits, target) : (logits, target) => crossEntropy(logits, target);
}

/** Class probabilities [n, classes] from the network's logits. */
export function probabilities(logits: Tensor, classes: number): Tensor {
  if (classes !== 2) return softmax(logits, -1);
  const p = sigmoid(logits);
  return concat([p.neg().add(1), p], 1);
}

/** The most probable class of each row, as labels [n]. */
export function labelsOf(proba: Tensor, classes: readonly number[]): Tensor {
  const idx = argmax(proba, 1).toFloat32Array();
  return fromValues('labelsOf', idx.map((k) => classes[k] as number), [idx.length]);
}

// ---------------------------------------------------------------------------------------------
// Training.

/** How every model trains (sklearn's names): optimizer, schedule of passes, early stopping. */
export interface TrainingOptions {
  /** Step size of the optimizer (sklearn's `learning_rate_init`). */
  learningRate?: number;
  /** Passes over the training data (sklearn's `max_iter`). */
  maxIter?: number;
  /** Rows per gradient step; 'auto' is min(200, rows) as in sklearn. */
  batchSize?: number | 'auto';
  /** 'adam' (default) or 'sgd' (with `momentum`). */
  solver?: 'adam' | 'sgd';
  /** Momentum of the 'sgd' solver. Default 0.9. */
  momentum?: number;
  /** Hold out `validationFraction` of the rows and stop when their loss stops improving (best weights restored). */
  earlyStopping?: boolean;
  /** Share of rows held out when `earlyStopping`. Default 0.1. */
  validationFraction?: number;
  /** Epochs without an improvement of at least `tol` before stopping. Default 10. */
  nIterNoChange?: number;
  /**
   * Smallest loss improvement that counts, relative to the best loss so far (so the rule does not
   * depend on the scale of the targets: returns-scale data has losses near 1e-4). Default 1e-4.
   */
  tol?: number;
  /** Reshuffle the rows every epoch. Default true. */
  shuffle?: boolean;
  /** Clip the global gradient norm to this before each step (0: no clipping). */
  clipNorm?: number;
  /** Seeds the initial weights, shuffling, dropout and noise: same seed + same data → same weights. Default 0. */
  seed?: number;
}

/** The checks of the training options; each model's table spreads this one. */
export const TRAINING_OPTIONS = {
  learningRate: is.number({ min: 0, minOpen: true }),
  maxIter: is.int({ min: 1 }),
  batchSize: is.anyOf<number | 'auto'>("an integer >= 1 or 'auto'", is.int({ min: 1 }), is.oneOf(['auto'] as const)),
  solver: is.oneOf(['adam', 'sgd'] as const),
  momentum: is.number({ min: 0, max: 1, maxOpen: true }),
  earlyStopping: is.boolean,
  validationFraction: is.number({ min: 0, max: 1, minOpen: true, maxOpen: true }),
  nIterNoChange: is.int({ min: 1 }),
  tol: is.number({ min: 0 }),
  shuffle: is.boolean,
  clipNorm: is.number({ min: 0 }),
  seed: is.number(),
} satisfies Record<keyof TrainingOptions, unknown>;

export interface ResolvedTraining {
  learningRate: number;
  maxIter: number;
  batchSize: number | 'auto';
  solver: 'adam' | 'sgd';
  momentum: number;
  earlyStopping: boolean;
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
  shuffle: boolean;
  clipNorm: number;
  seed: number;
}

/** Fills in the model's defaults (and sklearn's) for the training options a table has checked. */
export function resolveTraining(o: Checked<typeof TRAINING_OPTIONS>, defaults: Partial<ResolvedTraining> = {}): ResolvedTraining {
  return {
    learningRate: o.learningRate ?? defaults.learningRate ?? 1e-3,
    maxIter: o.maxIter ?? defaults.maxIter ?? 200,
    batchSize: o.batchSize ?? defaults.batchSize ?? 'auto',
    solver: o.solver ?? defaults.solver ?? 'adam',
    momentum: o.momentum ?? defaults.momentum ?? 0.9,
    earlyStopping: o.earlyStopping ?? defaults.earlyStopping ?? false,
    validationFraction: o.validationFraction ?? defaults.validationFraction ?? 0.1,
    nIterNoChange: o.nIterNoChange ?? defaults.nIterNoChange ?? 10,
    tol: o.tol ?? defaults.tol ?? 1e-4,
    shuffle: o.shuffle ?? defaults.shuffle ?? true,
    clipNorm: o.clipNorm ?? defaults.clipNorm ?? 0,
    seed: o.seed ?? defaults.seed ?? 0,
  };
}

/** What `trainNetwork` needs besides the options. */
export interface TrainSpec {
  /** 'MLPClassifier.fit', for errors. */
  where: string;
  /** The model (its `forward` maps a batch of x to what `loss` takes). */
  model: Module;
  x: Tensor;
  y: Tensor;
  loss: LossFn;
  training: ResolvedTraining;
  /** How validation rows are held out: 'random' (seeded; stratified by `strata`) or 'last' (the latest rows, for time series). */
  split: 'random' | 'last';
  /** Class index of each row, to keep class shares in the validation rows. */
  strata?: Int32Array;
  /** Without early stopping, stop when the training loss plateaus (sklearn's MLP rule). */
  stopOnPlateau: boolean;
  callbacks?: Callback[];
}

/** What a model's `fit` decides; `callbacks` here run before the caller's own. */
export type TrainPlan = Omit<TrainSpec, 'where' | 'model' | 'x'>;

// Validation rows: a seeded share of every stratum (all rows are one stratum without strata).
function randomSplit(n: number, fraction: number, seed: number, strata?: Int32Array): { train: Int32Array; val: Int32Array } {
  const rand = dataRng(seed ^ 0x5bd1e995);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = strata?.[i] ?? 0;
    let list = groups.get(g);
    if (list === undefined) groups.set(g, (list = []));
    list.push(i);
  }
  const train: number[] = [];
  const val: number[] = [];
  for (const list of groups.values()) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [list[i], list[j]] = [list[j] as number, list[i] as number];
    }
    const k = Math.min(list.length - 1, Math.round(list.length * fraction));
    val.push(...list.slice(0, k));
    train.push(...list.slice(k));
  }
  const sorted = (a: number[]): Int32Array => Int32Array.from(a).sort();
  return { train: sorted(train), val: sorted(val) };
}

/** Trains `spec.model` with `fit()`: builds the optimizer, the validation split and the stopping rule. */
export function trainNetwork(spec: TrainSpec): History {
  const { where, model, x, y, training: t } = spec;
  const n = x.shape[0] as number;
  const batchSize = t.batchSize === 'auto' ? Math.min(200, n) : t.batchSize;
  let data = { x, y };
  let validationData: { x: Tensor; y: Tensor } | undefined;
  let validationSplit = 0;
  let earlyStopping: EarlyStopping | undefined;
  if (t.earlyStopping) {
    const nVal = Math.round(n * t.validationFraction);
    if (nVal < 1 || n - nVal < 1) {
      throw new ValueError(`${where}: earlyStopping needs at least one training and one validation row; ${n} rows with validationFraction ${t.validationFraction} leave ${n - nVal} and ${nVal}`);
    }
    if (spec.split === 'last') {
      validationSplit = nVal / n;
    } else {
      const { train, val } = randomSplit(n, t.validationFraction, t.seed, spec.strata);
      data = { x: indexSelect(x, 0, train), y: indexSelect(y, 0, train) };
      validationData = { x: indexSelect(x, 0, val), y: indexSelect(y, 0, val) };
    }
    earlyStopping = { monitor: 'valLoss', patience: t.nIterNoChange, minDeltaRelative: t.tol, restoreBestWeights: true };
  } else if (spec.stopOnPlateau) {
    earlyStopping = { monitor: 'loss', patience: t.nIterNoChange, minDeltaRelative: t.tol };
  }
  const params = model.parameters();
  const optimizer: Optimizer = t.solver === 'sgd' ? new SGD(params, { lr: t.learningRate, momentum: t.momentum }) : new Adam(params, { lr: t.learningRate });
  try {
    return trainLoop(model, data, {
      epochs: t.maxIter,
      batchSize,
      lossFn: spec.loss,
      optimizer,
      ...(validationData ? { validationData } : {}),
      ...(validationSplit > 0 ? { validationSplit } : {}),
      shuffle: t.shuffle,
      seed: t.seed,
      callbacks: spec.callbacks ?? [],
      ...(earlyStopping ? { earlyStopping } : {}),
      ...(t.clipNorm > 0 ? { clipNorm: t.clipNorm } : {}),
    });
  } finally {
    optimizer.dispose();
  }
}


// Per-row weights travel with the targets as one more column, so shuffled batches and the
// validation split keep each weight with its row; the loss splits the column off again and
// averages the weighted per-row losses over the batch.
export function withWeights(target: Tensor, w: Float64Array): Tensor {
  const n = target.shape[0] as number;
  const cols = target.rank === 1 ? 1 : (target.shape[1] as number);
  const t = target.toFloat32Array();
  const out = new Float32Array(n * (cols + 1));
  for (let i = 0; i < n; i++) {
    out.set(t.subarray(i * cols, (i + 1) * cols), i * (cols + 1));
    out[i * (cols + 1) + cols] = w[i] as number;
  }
  target.dispose();
  return fromValues('MLP.fit', out, [n, cols + 1]);
}

export function weightedLoss(perRow: (pred: Tensor, target: Tensor) => Tensor, flatTarget: boolean): LossFn {
  return (pred, t) => {
    const cols = (t.shape[1] as number) - 1;
    const target = flatTarget ? select(t, 1, 0) : slice(t, 1, 0, cols);
    const w = select(t, 1, cols);
    return sum(perRow(pred, target).reshape([-1]).mul(w)).div(t.shape[0] as number);
  };
}

