// Allocation budgets: a bound on the tensor storage a piece of code may allocate, checked before
// each allocation. `loadModel` builds a model from a file's config under a budget set by the
// weights the file actually holds, so a tiny file claiming a huge architecture fails at its
// first oversized tensor instead of growing WebAssembly memory (which never shrinks) first.
import { FingradError } from '../errors.js';
import type { Tensor } from './tensor.js';

/** Code run under `withAllocationBudget` asked for more tensor storage than it was allowed. */
export class AllocationBudgetError extends FingradError {
  constructor(
    message: string,
    /** Bytes of the allocation that did not fit. */
    readonly requested: number,
    /** The budget, in bytes. */
    readonly limit: number,
  ) {
    super(message);
  }
}

interface Budget {
  readonly limit: number;
  left: number;
  readonly made: Tensor[];
}

const budgets: Budget[] = [];

/** @internal Called by `Tensor.empty` before it allocates `bytes`; throws when a budget is exceeded. */
export function chargeAllocation(bytes: number): void {
  for (const b of budgets) {
    if (bytes > b.left) {
      throw new AllocationBudgetError(
        `allocation of ${bytes} bytes exceeds the budget (${b.limit - b.left} of ${b.limit} bytes used)`,
        bytes,
        b.limit,
      );
    }
  }
  for (const b of budgets) b.left -= bytes;
}

/** @internal Called by `Tensor.empty` with the tensor it allocated. */
export function noteAllocation(t: Tensor): void {
  for (const b of budgets) b.made.push(t);
}

/**
 * Runs `fn`, letting it allocate at most `limitBytes` of tensor storage in total (freed blocks
 * are not credited back). If `fn` throws, including the AllocationBudgetError for going over,
 * every tensor it allocated is disposed, even those it kept, so a failure leaves no tensors.
 */
export function withAllocationBudget<T>(limitBytes: number, fn: () => T): T {
  const budget: Budget = { limit: limitBytes, left: limitBytes, made: [] };
  budgets.push(budget);
  try {
    return fn();
  } catch (e) {
    for (const t of budget.made) t.dispose();
    throw e;
  } finally {
    budgets.splice(budgets.indexOf(budget), 1);
  }
}
