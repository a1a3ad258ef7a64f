// fitStream: the training loop of `fit` over a DataLoader, for data read in chunks (larger than
// memory). Asynchronous because the batches are (a file being read). Each batch goes through the
// same transactional step as fit (trainStep: a non-finite loss or gradient skips the step and
// leaves the model as before the batch), and its tensors are freed after it, so WASM memory
// stays flat however long the stream. What needs every row at once is left out: metrics on the
// training rows (only the running loss is logged; metrics are computed on validationData) and
// validationSplit (hold rows out when writing the stream, or pass validationData).
// A NonFiniteError's `row` counts rows in the order the loader gave them this epoch (the
// stream's order when it does not shuffle).
import type { Batch, DataLoader } from '../data/loader.js';
import { ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { manualSeed } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import { type FitOptions, type History, type Logs, epochEnd, evaluate, trainStep } from './fit.js';
import { readLossFn } from './losses.js';

/** fit's options without those that need the rows in memory (the DataLoader batches and shuffles). */
export type FitStreamOptions = Omit<FitOptions, 'batchSize' | 'shuffle' | 'validationSplit'>;

/** Trains `model` on the batches of `loader`, one pass over it per epoch; returns the history (loss per epoch, validation loss and metrics when validationData is given). */
export async function fitStream(model: Module, loader: AsyncIterable<Batch> | DataLoader, options: FitStreamOptions): Promise<History> {
  for (const k of ['batchSize', 'shuffle', 'validationSplit'] as const) {
    if (k in (options as object)) throw new ValueError(`fitStream: '${k}' belongs to the DataLoader (or is not possible on a stream: hold validation rows out, pass validationData)`);
  }
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ValueError(`fitStream: epochs must be a positive integer, got ${epochs}`);
  const lossFn = readLossFn('fitStream', options.lossFn);
  const callbacks = options.callbacks ?? [];
  if (options.seed !== undefined) manualSeed(options.seed);
  const val = options.validationData;
  const step = trainStep(model, options.optimizer, lossFn, options.clipNorm);
  const stopper = epochEnd(model, options, val !== undefined, callbacks);
  const history: History = { epochs: [], history: {}, stoppedEpoch: null };
  model.zeroGrad();
  options.optimizer.zeroGrad();
  model.train();
  callbacks.forEach((c) => c.onTrainBegin?.());
  for (let epoch = 1; epoch <= epochs; epoch++) {
    callbacks.forEach((c) => c.onEpochBegin?.(epoch));
    const started = performance.now();
    let lossSum = 0;
    let seen = 0;
    let batch = 0;
    for await (const { x, y } of loader) {
      batch++;
      const n = x.shape[0] ?? 1;
      const first = seen;
      try {
        const batchLoss = tidy(() => step(x, y, epoch, batch, (r) => first + r));
        lossSum += batchLoss * n;
        callbacks.forEach((c) => c.onBatchEnd?.(batch - 1, { loss: batchLoss, size: n }));
      } finally {
        x.dispose();
        y.dispose();
      }
      seen += n;
    }
    if (seen === 0) throw new ValueError(`fitStream: the loader gave no rows in epoch ${epoch}`);
    const logs: Logs = { epoch, loss: lossSum / seen };
    const valLogs = val ? evaluate(model, val, { lossFn, metrics: options.metrics ?? [] }) : null;
    if (stopper.end(epoch, logs, valLogs, started, history)) break;
  }
  stopper.restore();
  callbacks.forEach((c) => c.onTrainEnd?.(history));
  return history;
}
