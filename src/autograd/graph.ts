import type { GradNode, MultiOutputNode, Tensor } from '../tensor/tensor.js';
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

// Backward rules built only from recorded ops: run with recording on (backward's createGraph),
// they make the graph of the gradient itself, so it can be differentiated again. A rule that
// calls kernels directly is not in here, and createGraph through it is a NotDifferentiableError
// instead of a silently wrong second derivative.
const composedRules = new WeakSet<GradNode['backward'] | MultiOutputNode['backward']>();

/**
 * Marks a backward rule as built from recorded ops when recording is on (as it is under
 * `backward(…, {createGraph: true})`), so that its gradients are differentiable. Returns `rule`.
 */
export function composed<R extends GradNode['backward'] | MultiOutputNode['backward']>(rule: R): R {
  composedRules.add(rule);
  return rule;
}

/**
 * Called with every tensor `record` gives a node, right after (detectAnomaly checks each op's
 * output as it is made this way). Watchers add themselves and remove themselves when done.
 */
export const recordWatchers: Array<(out: Tensor) => void> = [];

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
  out.node = { op, inputs, backward, saved: versions, differentiable: composedRules.has(backward) };
  out.requiresGrad = true;
  for (const watch of recordWatchers) watch(out);
  return out;
}

/**
 * `record` for an op with several outputs: one node for all of them (each output's `node`),
 * whose rule gets the gradient of every output (null for those that got none) and runs once.
 * `saved` defaults to the inputs and the outputs. Returns `outputs`.
 */
export function recordMulti<T extends readonly Tensor[]>(
  outputs: T,
  op: string,
  inputs: readonly Tensor[],
  backward: MultiOutputNode['backward'],
  saved?: readonly Tensor[],
): T {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return outputs;
  const versions = (saved ?? [...inputs, ...outputs]).map((tensor) => ({ tensor, version: tensor.version }));
  const node: MultiOutputNode = { op, inputs, outputs, backward, saved: versions, differentiable: composedRules.has(backward) };
  for (const out of outputs) {
    out.node = node;
    out.requiresGrad = true;
  }
  for (const out of outputs) for (const watch of recordWatchers) watch(out);
  return outputs;
}
