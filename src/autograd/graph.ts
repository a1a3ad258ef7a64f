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
 * after its kernel, with its backward rule. `saved` lists the tensors that rule reads (PyTorch's
 * `save_for_backward`); their storage versions are noted now and checked by `backward()`, so an
 * in-place write in between is an error instead of a wrong gradient. It defaults to every input
 * and the output, which is safe for any rule; ops whose rule reads none of them (add, reshape,
 * sum, …) pass `[]`. Nothing is recorded when no input needs a gradient or recording is off.
 * Returns `out`.
 */
export function record(
  out: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: GradNode['backward'],
  saved?: readonly Tensor[],
): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return out;
  const versions = (saved ?? [...inputs, out]).map((tensor) => ({ tensor, version: tensor.version }));
  out.node = { op, inputs, backward, saved: versions };
  out.requiresGrad = true;
  return out;
}
