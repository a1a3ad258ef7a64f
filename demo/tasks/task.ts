// What every task of the page provides to the worker's instruments (worker.ts): the network
// being trained, a run of its real fit() with the instruments' callbacks, a probe batch and the
// loss on it (for the graph, the dead-unit count and the gradient check), and held-out results.
import type * as fg from '../../src/index.js';
import type { ResultChart, ResultTable, Settings } from '../protocol.js';

export interface TaskRun {
  /** One line about the data, shown above the charts. */
  description: string;
  /** What the loss curve is (axis label). */
  lossName: string;
  /** The network fit() trains: its parameters are instrumented once fit has built them. */
  network(): fg.nn.Module;
  /** Runs the model's own fit (with early stopping on, so a validation loss is logged). */
  fit(callbacks: fg.Callback[]): void;
  /** Rows fed forward to count dead units. */
  probe: fg.Tensor;
  /** The training objective on the probe rows, in evaluation mode; what the graph shows and the gradient check differentiates. */
  objective(): fg.Tensor;
  /** What `objective` is, in words. */
  objectiveName: string;
  /** The held-out score watched after every epoch (current weights, evaluation mode). */
  heldOut: { name: string; score(): number };
  /** Scores on held-out data, after fit. */
  results(seconds: number): { table: ResultTable; chart: ResultChart | null; summary: string };
  dispose(): void;
}

export type TaskFactory = (s: Settings) => TaskRun;

/** Share of the training rows fit holds out for its validation loss. */
export const VALIDATION_FRACTION = 0.2;
/** Rows in the probe batch. */
export const PROBE_ROWS = 64;

/** Early stopping that never stops: a validation loss every epoch, every epoch run, the best weights kept. */
export function validated(s: Settings): { earlyStopping: true; validationFraction: number; nIterNoChange: number; maxIter: number; learningRate: number; batchSize: number; seed: number } {
  return { earlyStopping: true, validationFraction: VALIDATION_FRACTION, nIterNoChange: s.epochs, maxIter: s.epochs, learningRate: s.learningRate, batchSize: s.batchSize, seed: s.seed };
}
