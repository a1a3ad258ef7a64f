import type { Tensor } from './tensor.js';
import { ArgumentError } from '../errors.js';
import { describe, is } from '../validate.js';

// A stack of scopes; each remembers the tensors created while it was the innermost one.
const scopes: Set<Tensor>[] = [];

// Tensors owned by no scope and not kept: made outside every tidy(), or returned from the
// outermost one. A loop that forgets tidy() piles them up: the garbage collector would free
// them, but finalizers never run inside a synchronous loop, so memory runs out first (an LSTM
// loop did after ~1,000 steps). Counting them lets fingrad say so long before. keep() marks
// the tensors meant to outlive scopes (parameters, buffers, optimizer state, gradients).
const untracked = new WeakSet<Tensor>();
let untrackedCount = 0;
const collected =
  typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<0>(() => untrackedCount--);

/** Live untracked tensors at which fingrad warns; see setScopeWarningThreshold. */
export const DEFAULT_SCOPE_WARNING_THRESHOLD = 10_000;
let threshold = DEFAULT_SCOPE_WARNING_THRESHOLD;
let warned = false;

/**
 * Sets how many live tensors outside every `tidy()` scope (not disposed, not `keep()`-ed) make
 * fingrad warn (once, with `console.warn`); `Infinity` turns the warning off. Default 10,000:
 * far more than a model's parameters, far fewer than a leaking training loop makes before
 * memory runs out. Setting it re-arms the warning. Returns the previous threshold.
 */
export function setScopeWarningThreshold(n: number): number {
  const where = 'setScopeWarningThreshold: n';
  const next = n === Infinity ? n : is.int({ min: 1 })(n, where);
  const previous = threshold;
  threshold = next;
  warned = false;
  return previous;
}

/** Live tensors owned by no scope and not kept (memoryStats().untrackedTensors). */
export function untrackedTensorCount(): number {
  return untrackedCount;
}

function markUntracked(t: Tensor): void {
  untracked.add(t);
  collected?.register(t, 0, t);
  if (++untrackedCount >= threshold && !warned) {
    warned = true;
    console.warn(
      `fingrad: ${untrackedCount} tensors are alive outside any tidy() scope. A loop that creates tensors ` +
        'without tidy() keeps every intermediate until garbage collection, which does not run inside a ' +
        'synchronous loop, and runs out of memory. Wrap each step in tidy(() => { ... }), dispose() what ' +
        'you no longer need, or keep() what is meant to live (memoryStats().untrackedTensors counts them; ' +
        'setScopeWarningThreshold() changes this limit).',
    );
  }
}

function unmarkUntracked(t: Tensor): boolean {
  if (!untracked.delete(t)) return false;
  collected?.unregister(t);
  untrackedCount--;
  return true;
}

/** @internal Called by the Tensor constructor. */
export function trackInScope(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (scope !== undefined) scope.add(t);
  else markUntracked(t);
}

/** @internal Called by dispose(). */
export function untrackFromScope(t: Tensor): void {
  if (unmarkUntracked(t)) return;
  for (let i = scopes.length - 1; i >= 0; i--) if ((scopes[i] as Set<Tensor>).delete(t)) return;
}

/** @internal Whether `t` was made in the innermost open scope (and is still owned by it). */
export function ownedByInnermostScope(t: Tensor): boolean {
  return scopes[scopes.length - 1]?.has(t) === true;
}

/**
 * Removes a tensor from every scope so that no `tidy` disposes it; it lives until `dispose()`
 * (or garbage collection). Returns the tensor.
 */
export function keep<T extends Tensor>(t: T): T {
  if (t === null || typeof t !== 'object' || !isTensor(t)) throw new ArgumentError(`keep: t must be a Tensor, got ${describe(t)}`, 'keep', 't');
  unmarkUntracked(t);
  for (const s of scopes) s.delete(t);
  return t;
}

/** Anything a `tidy` callback may return: its tensors survive the scope. */
export type TensorContainer = Tensor | number | string | boolean | null | undefined | void | readonly TensorContainer[] | { readonly [k: string]: TensorContainer };

function collect(value: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  for (const v of Object.values(value as Record<string, unknown>)) collect(v, out, seen);
}

function isTensor(v: object): v is Tensor {
  return 'shape' in v && 'dispose' in v && 'node' in v;
}

/**
 * Runs `fn` and disposes every tensor created during it, except those it returns (found in
 * arrays and plain objects too), which move to the enclosing scope. Scopes nest.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new ArgumentError(`tidy: fn must be a function, got ${describe(fn)}`, 'tidy', 'fn');
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new ArgumentError('tidy: the callback must be synchronous (it returned a Promise)', 'tidy', 'fn');
  }
  const kept = new Set<Tensor>();
  collect(result, kept, new Set());
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (!kept.has(t)) t.dispose();
    else if (parent !== undefined) parent.add(t);
    else markUntracked(t);
  }
  return result;
}
