import type { GradNode, Tensor } from '../tensor/tensor.js';
import { is, readArgs } from '../validate.js';

let gradEnabled = true;

/** Whether ops record the graph now (false inside `noGrad`). */
export function isGradEnabled(...rest: []): boolean {
  if (rest.length > 0) readArgs('isGradEnabled', rest, [], {});
  return gradEnabled;
}

/** Runs `fn` without recording the graph: results do not require a gradient. */
export function noGrad<T>(fn: () => T, ...rest: []): T {
  is.function(fn, 'noGrad: fn');
  if (rest.length > 0) readArgs('noGrad', rest, [], {});
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with graph recording on (inside a `noGrad`, for example). */
export function enableGrad<T>(fn: () => T, ...rest: []): T {
  is.function(fn, 'enableGrad: fn');
  if (rest.length > 0) readArgs('enableGrad', rest, [], {});
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Records how `out` was made so that `backward()` can reach `inputs`: an op calls this right
 * after its kernel, with its backward rule. Nothing is recorded when no input needs a
 * gradient or recording is off. Returns `out`.
 */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: GradNode['backward']): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return out;
  out.node = { op, inputs, backward };
  out.requiresGrad = true;
  return out;
}
