// The training loop: mini-batches, validation, metrics, callbacks, early stopping. Works on any
// Module; every batch runs in its own scope so memory stays flat across epochs.
import { noGrad } from '../autograd/graph.js';
import type { Dataset } from '../data/loader.js';
import { dataRng, permutation } from '../data/rng.js';
import { ArgumentError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { Module } from '../nn/module.js';
import { concat } from '../ops/concat.js';
import { indexSelect } from '../ops/gather.js';
import { slice } from '../ops/slice.js';
import { clipGradNorm } from '../optim/clip.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedulers.js';
import { manualSeed } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { type Check, describe, is, isPlainObject, readOptions } from '../validate.js';
import { type LossFn, lossTakesLogits, readLossFn } from './losses.js';
import { type MetricSpec, type UndefinedMetricHandler, computeMetrics } from './metrics.js';
import { NonFiniteError, diagnoseRows, firstNonFiniteGrad } from './non-finite.js';

export { NonFiniteError } from './non-finite.js';

/** Numbers reported after a batch or an epoch: `loss`, `valLoss`, metrics, `lr`, … */
export type Logs = Record<string, number>;

/** Hooks into training; return 'stop' from onEpochEnd to end training after that epoch. */
export interface Callback {
  onTrainBegin?(): void;
  onEpochBegin?(epoch: number): void;
  onBatchEnd?(batch: number, logs: Logs): void;
  onEpochEnd?(epoch: number, logs: Logs): void | 'stop';
  onTrainEnd?(history: History): void;
}

export interface EarlyStopping {
  /** What to watch (default 'valLoss' when there is validation data, else 'loss'). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as improvement (default 0). */
  minDelta?: number;
  /**
   * Smallest change that counts, as a fraction of the best value so far (scale-free: a loss of
   * 1e-4, as daily returns give, improves by 1e-8 per 1e-4 as readily as a loss of 1 by 1e-4).
   * Used instead of `minDelta` when given.
   */
  minDeltaRelative?: number;
  /** 'min' or 'max'; default 'max' for accuracy/auc, else 'min'. */
  mode?: 'min' | 'max';
  /** Put back the weights of the best epoch at the end (default false). */
  restoreBestWeights?: boolean;
}

export type { Dataset };

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  lossFn: LossFn;
  optimizer: Optimizer;
  metrics?: MetricSpec[];
  /**
   * Fraction of rows held out for validation: the last ones, before shuffling, as Keras does. On
   * data sorted by label these may hold one class only; metrics undefined there (AUC) are then
   * NaN, with a warning, rather than an error at the end of the epoch.
   */
  validationSplit?: number;
  validationData?: Dataset;
  shuffle?: boolean;
  /** Seeds shuffling and the default generator (dropout): same seed, same data → same weights. */
  seed?: number;
  callbacks?: Callback[];
  earlyStopping?: EarlyStopping;
  scheduler?: LRScheduler;
  /** Clip the global gradient norm to this before each step. */
  clipNorm?: number;
}

/** Per-epoch logs, and the same numbers by name. */
export interface History {
  epochs: Logs[];
  history: Record<string, number[]>;
  /** Epoch (1-based) at which early stopping ended training, or null. */
  stoppedEpoch: number | null;
}

const EARLY_STOPPING = {
  monitor: is.string,
  patience: is.int({ min: 1 }),
  minDelta: is.number({ min: 0 }),
  minDeltaRelative: is.number({ min: 0 }),
  mode: is.oneOf(['min', 'max'] as const),
  restoreBestWeights: is.boolean,
};
const DATASET = { x: is.instance(Tensor, 'a Tensor'), y: is.instance(Tensor, 'a Tensor') };
const FIT_OPTIONS = {
  epochs: is.int({ min: 1 }),
  batchSize: is.int({ min: 1 }),
  lossFn: is.any,
  optimizer: is.any,
  metrics: is.list(is.any),
  validationSplit: is.number({ min: 0, max: 1, maxOpen: true }),
  validationData: is.options(DATASET),
  shuffle: is.boolean,
  seed: is.int(),
  callbacks: is.list(is.any),
  earlyStopping: is.options(EARLY_STOPPING),
  scheduler: is.any,
  clipNorm: is.number({ min: 0 }),
} satisfies Record<keyof FitOptions, Check<unknown>>;

// The model and the dataset {x, y} as fit / evaluate take them, checked.
function readModelAndData(op: string, model: unknown, data: unknown): void {
  if (!(model instanceof Module)) throw new ArgumentError(`${op}: model must be an nn.Module (a layer, Sequential or a ready-made model), got ${describe(model)}`, op, 'model');
  readOptions(op, data, DATASET);
  if (!isPlainObject(data) || !('x' in data) || !('y' in data)) throw new ArgumentError(`${op}: data must be {x: Tensor, y: Tensor}, got ${describe(data)}`, op, 'data');
}

function checkRows(op: string, x: Tensor, y: Tensor): void {
  if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`${op}: x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)} must have the same number of rows (first dimension)`);
  }
}

function rows(t: Tensor, start: number, end: number): Tensor {
  return slice(t, 0, start, end);
}

// Writes saved values back into a tensor: an in-place write, so its version moves on.
function copyValues(t: Tensor, values: Float32Array, op: string): void {
  t.data.set(values);
  t.bumpVersion(op);
}

function snapshot(model: Module): Map<Tensor, Float32Array> {
  const m = new Map<Tensor, Float32Array>();
  for (const t of Object.values(model.stateDict())) m.set(t, t.toFloat32Array());
  return m;
}

/** Runs the model over `x` in batches without recording gradients, in eval mode. */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  if (!(model instanceof Module)) throw new ArgumentError(`predict: model must be an nn.Module, got ${describe(model)}`, 'predict', 'model');
  if (!(x instanceof Tensor)) throw new ArgumentError(`predict: x must be a Tensor, got ${describe(x)}`, 'predict', 'x');
  const batchSize = readOptions('predict', options, { batchSize: is.int({ min: 1 }) }).batchSize ?? 256;
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() =>
      tidy(() => {
        const n = x.shape[0] ?? 1;
        if (x.rank === 0 || n <= batchSize) return model.forward(x);
        const parts: Tensor[] = [];
        for (let s = 0; s < n; s += batchSize) parts.push(model.forward(rows(x, s, Math.min(n, s + batchSize))));
        return concat(parts, 0);
      }),
    );
  } finally {
    model.train(wasTraining);
  }
}

/** Loss (and metrics) of the model on a dataset, in eval mode, batched, without gradients. */
export function evaluate(model: Module, data: Dataset, options: { lossFn: LossFn; metrics?: MetricSpec[]; batchSize?: number }): Logs {
  readModelAndData('evaluate', model, data);
  readOptions('evaluate', options, { lossFn: is.any, metrics: is.list(is.any), batchSize: is.int({ min: 1 }) });
  return evaluateOn(model, data, options);
}

function evaluateOn(model: Module, data: Dataset, options: { lossFn: LossFn; metrics?: MetricSpec[]; batchSize?: number }, onUndefined?: UndefinedMetricHandler): Logs {
  checkRows('evaluate', data.x, data.y);
  const loss = readLossFn('evaluate', options.lossFn);
  return tidy(() => {
    const pred = predict(model, data.x, options.batchSize === undefined ? {} : { batchSize: options.batchSize });
    const logs: Logs = { loss: noGrad(() => loss(pred, data.y)).item() };
    Object.assign(logs, computeMetrics(options.metrics ?? [], pred, data.y, lossTakesLogits(options.lossFn), onUndefined));
    return logs;
  });
}

// Warns once per fit and data split about a metric that came out NaN (see computeMetrics).
function undefinedMetricWarner(split: 'training' | 'validation', fromSplit: boolean): UndefinedMetricHandler {
  const warned = new Set<string>();
  return (metric, reason) => {
    if (warned.has(metric)) return;
    warned.add(metric);
    const hint = fromSplit ? ' validationSplit holds out the last rows before shuffling (as Keras does): shuffle data sorted by label first, or pass validationData.' : '';
    console.warn(`fit: metric '${metric}' on the ${split} rows is reported as NaN: ${reason}.${hint}`);
  };
}

/**
 * Finishes an epoch: adds the validation figures (as valLoss, valAccuracy, …), the learning rate
 * and the seconds since `started` to the logs, steps the scheduler, records the logs, runs
 * onEpochEnd and early stopping; `end` says whether to stop. Used by fit and fitStream.
 */
export function epochEnd(
  model: Module,
  options: Pick<FitOptions, 'earlyStopping' | 'optimizer' | 'scheduler'>,
  hasValidation: boolean,
  callbacks: Callback[],
): { end(epoch: number, logs: Logs, valLogs: Logs | null, started: number, history: History): boolean; restore(): void } {
  const early = options.earlyStopping;
  const monitor = early?.monitor ?? (hasValidation ? 'valLoss' : 'loss');
  const mode = early?.mode ?? (/acc|auc/i.test(monitor) ? 'max' : 'min');
  let best = mode === 'min' ? Infinity : -Infinity;
  let bestWeights: Map<Tensor, Float32Array> | null = null;
  let waited = 0;
  return {
    end(epoch, logs, valLogs, started, history) {
      if (valLogs) for (const [k, value] of Object.entries(valLogs)) logs[`val${k[0]?.toUpperCase()}${k.slice(1)}`] = value;
      logs.lr = options.optimizer.lr;
      options.scheduler?.step();
      logs.seconds = (performance.now() - started) / 1000;
      history.epochs.push(logs);
      for (const [k, value] of Object.entries(logs)) (history.history[k] ??= []).push(value);

      let stop = false;
      for (const c of callbacks) if (c.onEpochEnd?.(epoch, logs) === 'stop') stop = true;
      if (early) {
        const value = logs[monitor];
        if (value === undefined) throw new ValueError(`fit: earlyStopping monitors '${monitor}', which is not logged (have ${Object.keys(logs).join(', ')})`);
        const delta = early.minDeltaRelative !== undefined && Number.isFinite(best) ? early.minDeltaRelative * Math.abs(best) : (early.minDelta ?? 0);
        const improved = mode === 'min' ? value < best - delta : value > best + delta;
        if (improved) {
          best = value;
          waited = 0;
          if (early.restoreBestWeights) bestWeights = snapshot(model);
        } else if (++waited >= (early.patience ?? 5)) {
          history.stoppedEpoch = epoch;
          stop = true;
        }
      }
      return stop;
    },
    restore() {
      if (bestWeights !== null) {
        noGrad(() => {
          for (const [t, values] of (bestWeights as Map<Tensor, Float32Array>)) copyValues(t, values, 'fit (restoreBestWeights)');
        });
      }
    },
  };
}

/** A batch's output, loss, gradient and optimizer step as one transaction (see fit); returns the loss. Used by fit and fitStream. */
export type TrainStep = (xb: Tensor, yb: Tensor, epoch: number, batch: number, rowOf: (r: number) => number) => number;

export function trainStep(model: Module, optimizer: Optimizer, lossFn: LossFn, clipNorm: number | undefined): TrainStep {
  const names = new Map(model.namedParameters().map(([name, p]) => [p, name]));
  const buffers = model.namedBuffers().map(([, b]) => b);
  // One optimizer step, all or nothing: the loss and then every gradient are checked before the
  // step; on any failure the buffers the forward pass updated (running statistics) are put back
  // and the batch's gradients dropped, so the model is as it was before the batch.
  return (xb: Tensor, yb: Tensor, epoch: number, batch: number, rowOf: (r: number) => number): number => {
    const before = buffers.map((b) => b.toFloat32Array());
    try {
      const pred = model.forward(xb);
      const loss = lossFn(pred, yb);
      const value = loss.item();
      const where = `at epoch ${epoch}, batch ${batch}`;
      if (!Number.isFinite(value)) {
        const d = diagnoseRows(xb, yb, pred, rowOf);
        throw new NonFiniteError(`fit: the loss became ${value} ${where} (learning rate ${optimizer.lr}): ${d.text}; the step was skipped and the weights are those from before this batch`, epoch, batch, d.row, null);
      }
      loss.backward();
      const bad = firstNonFiniteGrad(optimizer.params);
      if (bad !== null) {
        const name = names.get(bad) ?? `#${optimizer.params.indexOf(bad)} of the optimizer`;
        const d = diagnoseRows(xb, yb, pred, rowOf);
        throw new NonFiniteError(`fit: the gradient of parameter '${name}' ${fmtShape(bad.shape)} holds NaN or Infinity ${where} (learning rate ${optimizer.lr}): ${d.text}; the step was skipped and the weights are those from before this batch`, epoch, batch, d.row, name);
      }
      if (clipNorm !== undefined) clipGradNorm(optimizer.params, clipNorm);
      optimizer.step();
      return value;
    } catch (err) {
      noGrad(() => buffers.forEach((b, i) => copyValues(b, before[i] as Float32Array, 'fit (undo)')));
      model.zeroGrad();
      throw err;
    } finally {
      optimizer.zeroGrad();
    }
  };
}

/** Trains `model` on `data`; returns the history of loss and metrics per epoch. */
export function fit(model: Module, data: Dataset, options: FitOptions): History {
  readModelAndData('fit', model, data);
  readOptions('fit', options, FIT_OPTIONS);
  if (!isPlainObject(options) || options.optimizer === undefined || options.lossFn === undefined) {
    throw new ArgumentError('fit: options must give at least {lossFn, optimizer}', 'fit', 'options');
  }
  checkRows('fit', data.x, data.y);
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ValueError(`fit: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`fit: batchSize must be a positive integer, got ${batchSize}`);
  const split = options.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) throw new ValueError(`fit: validationSplit must be in [0, 1), got ${split}`);
  if (options.validationData) checkRows('fit (validationData)', options.validationData.x, options.validationData.y);
  const lossFn = readLossFn('fit', options.lossFn);
  const logits = lossTakesLogits(lossFn);
  const metrics = options.metrics ?? [];
  const callbacks = options.callbacks ?? [];
  const seed = options.seed ?? 0;
  if (options.seed !== undefined) manualSeed(options.seed);
  const rand = dataRng(seed ^ 0x9e3779b9);

  const total = data.x.shape[0] as number;
  const nVal = options.validationData ? 0 : Math.floor(total * split);
  const nTrain = total - nVal;
  if (nTrain < 1) throw new ValueError(`fit: no training rows left after holding out ${nVal} of ${total} for validation`);
  const owned: Tensor[] = [];
  let train: Dataset = data;
  let val: Dataset | undefined = options.validationData;
  if (nVal > 0) {
    train = { x: rows(data.x, 0, nTrain), y: rows(data.y, 0, nTrain) };
    val = { x: rows(data.x, nTrain, total), y: rows(data.y, nTrain, total) };
    owned.push(train.x, train.y, val.x, val.y);
  }

  const stopper = epochEnd(model, options, val !== undefined, callbacks);

  const warnTrain = undefinedMetricWarner('training', false);
  const warnVal = undefinedMetricWarner('validation', nVal > 0);
  const optimizer = options.optimizer;
  const step = trainStep(model, optimizer, lossFn, options.clipNorm);

  const history: History = { epochs: [], history: {}, stoppedEpoch: null };
  // Gradients left by earlier code (a backward outside fit, a failed run) must not be stepped with.
  model.zeroGrad();
  optimizer.zeroGrad();
  model.train();
  callbacks.forEach((c) => c.onTrainBegin?.());
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      callbacks.forEach((c) => c.onEpochBegin?.(epoch));
      const started = performance.now();
      const order = options.shuffle === false ? null : permutation(nTrain, rand);
      let lossSum = 0;
      let batch = 0;
      for (let s = 0; s < nTrain; s += batchSize, batch++) {
        const e = Math.min(nTrain, s + batchSize);
        const rowOf = (r: number): number => (order ? (order[s + r] as number) : s + r);
        const batchLoss = tidy(() => {
          const xb = order ? indexSelect(train.x, 0, order.subarray(s, e)) : rows(train.x, s, e);
          const yb = order ? indexSelect(train.y, 0, order.subarray(s, e)) : rows(train.y, s, e);
          return step(xb, yb, epoch, batch + 1, rowOf);
        });
        lossSum += batchLoss * (e - s);
        callbacks.forEach((c) => c.onBatchEnd?.(batch, { loss: batchLoss, size: e - s }));
      }
      const logs: Logs = { epoch, loss: lossSum / nTrain };
      if (metrics.length > 0) {
        Object.assign(logs, tidy(() => computeMetrics(metrics, predict(model, train.x), train.y, logits, warnTrain)));
      }
      const valLogs = val ? evaluateOn(model, val, { lossFn, metrics }, warnVal) : null;
      if (stopper.end(epoch, logs, valLogs, started, history)) break;
    }
    stopper.restore();
  } finally {
    owned.forEach((t) => t.dispose());
  }
  callbacks.forEach((c) => c.onTrainEnd?.(history));
  return history;
}
