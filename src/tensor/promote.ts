// Promotion of arguments to tensors where PyTorch would accept them: a number becomes a scalar
// tensor, nested arrays of numbers a tensor; anything else is an ArgumentError naming the
// function and the parameter (never a raw TypeError from deep inside a kernel call).
import { ArgumentError, FingradError } from '../errors.js';
import { describe, readArgs } from '../validate.js';
import { tensor } from './creation.js';
import { type NestedArray, Tensor } from './tensor.js';

/** What a tensor parameter accepts: a Tensor, a number (a scalar tensor) or nested arrays. */
export type TensorInput = Tensor | NestedArray;

const WANT = 'a Tensor, a number or nested arrays of numbers';

/**
 * `v` as a live tensor: a Tensor as it is, a number as a scalar tensor (±Infinity and NaN too,
 * as PyTorch's scalars), nested arrays of finite numbers as a new tensor (created in the
 * current scope). `where` names the function, `name` the parameter.
 */
export function toTensor(where: string, name: string, v: unknown): Tensor {
  if (v instanceof Tensor) {
    v.assertLive(where);
    return v;
  }
  if (typeof v === 'number') return tensor(v, undefined, { allowNonFinite: true });
  if (Array.isArray(v)) {
    try {
      return tensor(v);
    } catch (e) {
      if (!(e instanceof FingradError)) throw e;
      throw new ArgumentError(`${where}: ${name} must be ${WANT}; the array given is not (${e.message})`, where, name);
    }
  }
  throw new ArgumentError(`${where}: ${name} must be ${WANT}, got ${describe(v)}`, where, name);
}

/** Like `toTensor`, but a number stays a number (ops with a scalar fast path take it as is). */
export function toTensorOrNumber(where: string, name: string, v: unknown): Tensor | number {
  if (typeof v === 'number') return v;
  return toTensor(where, name, v);
}

/** An op that takes nothing after its tensors: an extra argument (`mul(x, y, {alpha: 2})`) is an error, not ignored. */
export function noMoreArgs(where: string, rest: readonly unknown[]): void {
  if (rest.length > 0) readArgs(where, rest, [], {});
}

/**
 * Disposes the tensors an op promoted from numbers or arrays (`used[i]` not the caller's
 * `given[i]`) once the op is done, unless the result is one of them or its graph holds them:
 * `add(1, x)` in a loop leaves nothing behind.
 */
export function releasePromoted<T extends Tensor>(out: T, given: readonly unknown[], used: ReadonlyArray<Tensor | number>): T {
  used.forEach((t, i) => {
    if (t instanceof Tensor && t !== given[i] && t !== out && !(out.node?.inputs.includes(t) ?? false)) t.dispose();
  });
  return out;
}

/**
 * Promotes the operands of a binary op or comparison as PyTorch does (`input` a tensor, a
 * number or nested arrays; `other` the same, a number kept as a scalar operand), runs `fn` and
 * frees what was promoted. A number `input` becomes a scalar tensor (`sub(1, x)` is 1 − x).
 */
export function withOperands(op: string, a: unknown, b: unknown, fn: (a: Tensor, b: Tensor | number) => Tensor, rest: readonly unknown[] = []): Tensor {
  noMoreArgs(op, rest);
  const at = toTensor(op, 'input', a);
  const bt = toTensorOrNumber(op, 'other', b);
  return releasePromoted(fn(at, bt), [a, b], [at, bt]);
}
