// What `fit` reports when a batch's loss or a gradient is not finite: the NonFiniteError and the
// cheap diagnosis that names the row (or says the inputs are finite and the overflow is inside).
import { countNonFinite } from '../kernels/memory.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * A NaN or Infinity in a batch's loss or in a gradient. `fit` checks both before the optimizer
 * step and skips the step, so the weights, the buffers (running statistics) and the optimizer
 * state are those from before the batch, and no gradient is left behind.
 */
export class NonFiniteError extends ValueError {
  constructor(
    message: string,
    /** 1-based epoch. */
    readonly epoch: number,
    /** 1-based batch within the epoch. */
    readonly batch: number,
    /** The first row of the training data (0-based, before any shuffle) found with a non-finite value, or null. */
    readonly row: number | null,
    /** The first parameter (dotted name) whose gradient is not finite, or null. */
    readonly parameter: string | null,
  ) {
    super(message);
  }
}

function firstNonFiniteRow(t: Tensor): number {
  const v = t.data;
  const width = t.rank === 0 ? 1 : t.size / (t.shape[0] as number);
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i] as number)) return Math.floor(i / width);
  return -1;
}

// The cheap diagnosis of a non-finite batch, for the error message: the first input row with a
// NaN/Infinity in x or y, else the first row where the model's output is not finite.
export function diagnoseRows(xb: Tensor, yb: Tensor, pred: Tensor, rowOf: (r: number) => number): { row: number | null; text: string } {
  for (const [t, what] of [[xb, 'x'], [yb, 'the target y']] as const) {
    const r = firstNonFiniteRow(t);
    if (r >= 0) return { row: rowOf(r), text: `row ${rowOf(r)} of the training data has a NaN or Infinity in ${what}` };
  }
  const r = firstNonFiniteRow(pred);
  if (r >= 0) return { row: rowOf(r), text: `the inputs are finite but the model's output is not for row ${rowOf(r)} (overflow: lower the learning rate or scale the features)` };
  return { row: null, text: 'the inputs and outputs are finite (overflow in the loss or its gradient: lower the learning rate or scale the features)' };
}

export function firstNonFiniteGrad(params: readonly Tensor[]): Tensor | null {
  for (const p of params) if (p.grad !== null && countNonFinite(p.grad) > 0) return p;
  return null;
}

