// What the ready-made deep models (MLP, CNN, recurrent forecaster, VAE) share: the training
// options table every model's own table extends, the classification head (sigmoid for two
// classes, softmax for more), and training a network through `fit()` with sklearn-style
// options. Inputs are read by ./input.ts. Each model is a Module, so `saveModel`/`loadModel`
// and `fit()` work on it directly.
import { dataRng } from '../data/rng.js';
import { NotFittedError, ValueError } from '../errors.js';
import { Module } from '../nn/module.js';
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
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Callback, type EarlyStopping, type History, fit as trainLoop } from '../train/fit.js';
import type { LossFn } from '../train/losses.js';
import { type Checked, is, readOptions } from '../validate.js';
import { type ArrayInput, type InputSpec, type LabelInput, readColumn, readInput } from './input.js';

export type { ArrayInput, LabelInput, TargetInput } from './input.js';

/** Options every model's `fit` accepts besides its data. */
export interface FitCallOptions {
  /** Progress hooks (`onEpochEnd(epoch, logs)` …), passed to `fit()`; return 'stop' to end early. */
  callbacks?: Callback[];
}

const FIT_OPTIONS = { callbacks: is.list(is.instance(Object, 'a callback object {onEpochEnd, …}')) };

// ---------------------------------------------------------------------------------------------
// Classification.

/** Distinct labels (ascending) and each row's position among them. */
export interface LabelEncoding {
  classes: number[];
  index: Int32Array;
}

/** Integer class labels → class indices; at least two classes. */
export function encodeLabels(where: string, y: LabelInput, n: number): LabelEncoding {
  const values = readColumn(where, y, n);
  values.forEach((v, i) => {
    if (!Number.isInteger(v)) throw new ValueError(`${where}: label at row ${i} is ${v}; class labels must be integers`);
  });
  const classes = [...new Set(values)].sort((a, b) => a - b);
  if (classes.length < 2) throw new ValueError(`${where}: y has a single class (${classes[0]}); a classifier needs at least two`);
  const pos = new Map(classes.map((c, i) => [c, i]));
  return { classes, index: Int32Array.from(values, (v) => pos.get(v) as number) };
}

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
  /** The same as `maxIter` (Keras' name); `maxIter` wins when both are given. */
  epochs?: number;
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
  epochs: is.int({ min: 1 }),
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
    maxIter: o.maxIter ?? o.epochs ?? defaults.maxIter ?? 200,
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

/** A saved config as constructor options: without its `kind` and `fitted` state. */
export function optionsOf<C extends { kind: string; fitted: unknown }>(config: C): Omit<C, 'kind' | 'fitted'> {
  const { kind: _kind, fitted: _fitted, ...options } = config;
  return options;
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

/** What a model's `fit` decides once it has read x (`Estimator.trainOn` fills in the rest of the TrainSpec). */
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

// ---------------------------------------------------------------------------------------------

/**
 * Base of the ready-made models: a Module whose layers are built when the data's shape is known
 * (in `fit`, or from a saved config), with the last training history.
 */
export abstract class Estimator extends Module {
  /** Loss and metrics per epoch of the last `fit`, or null before it. */
  history: History | null = null;

  /** The architecture and training options, JSON-able, with the registered `kind`. */
  abstract config(): { kind: string };

  /** Whether the layers exist (after `fit`, or after `loadModel` of a fitted model). */
  abstract get isFitted(): boolean;

  /** The class name as errors print it (explicit, so that minified bundles keep it). */
  protected abstract get modelName(): string;

  /** Throws the "not fitted" error for `method`. */
  protected requireFitted(method: string): void {
    if (!this.isFitted) throw new NotFittedError(`${this.modelName}.${method}: the model is not fitted yet; call fit() first`);
  }

  /**
   * The body of every `fit`: checks the call's options, reads x as `input` (finite; errors name `where`,
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
}
