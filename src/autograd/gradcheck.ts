// gradcheck: compares the gradients autograd computes for a function with central finite
// differences, in float32, the way a test or a user with a custom op checks a backward rule.
import { heap } from '../backend/wasm.js';
import { ArgumentError, FingradError, ValueError, fmtShape } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import { stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { describe, is, readOptions } from '../validate.js';
import { backward, gradOf } from './backward.js';
import { composed, enableGrad, noGrad, record } from './graph.js';

export interface GradcheckOptions {
  /** Finite-difference step (on the float32 input). Default 1e-3. */
  eps?: number;
  /** Absolute tolerance on |analytic − numeric|, on top of the noise allowance. Default 0. */
  atol?: number;
  /** Relative tolerance (see `GradcheckResult.maxRelError`). Default 1e-2. */
  rtol?: number;
  /** Throw a FingradError describing the worst elements when the check fails. Default false. */
  raise?: boolean;
  /** Seed of the random upstream gradient. Default 0. */
  seed?: number;
}

/** The element of one input where analytic and numeric gradients disagree the most. */
export interface GradcheckWorst {
  /** Position of the input in `inputs`. */
  input: number;
  /** Flat (row-major) index of the element. */
  index: number;
  /** The same element as a multi-index. */
  coords: number[];
  analytic: number;
  numeric: number;
}

/**
 * Per input, in order. Inputs that do not require a gradient are skipped: NaN in the number
 * arrays and null in `worst`.
 */
export interface GradcheckResult {
  /** True when every element of every checked input is within tolerance. */
  ok: boolean;
  /**
   * max over elements of (|a − n| − allowance) / max(|a|, |n|, 1e-2·scale), floored at 0:
   * the error beyond the finite-difference noise allowance, relative to the element's gradient
   * or, for near-zero gradients, to 1% of the input's largest gradient magnitude `scale`.
   * The check passes when it is at most rtol (with atol = 0).
   */
  maxRelError: number[];
  /** max over elements of |a − n|, noise included. */
  maxAbsError: number[];
  /**
   * The float32 noise level of the numeric gradient: 90th percentile over elements of
   * |D(eps) − D(2·eps)|. An element's allowance is 3·max(this, its own |D(eps) − D(2·eps)|).
   */
  noise: number[];
  worst: Array<GradcheckWorst | null>;
}

// mulberry32: the upstream is made on the host so that no generator state is allocated.
function upstreamValues(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1;
  }
  return out;
}

/** What `fn` may return: a tensor, or several (a list, or a pair such as max's (values, indices)). */
export type CheckedOutput = Tensor | Iterable<Tensor>;

/** fn's outputs as a list (as torch.autograd.gradcheck takes a tuple of outputs). */
function outputsOf(where: string, out: unknown): Tensor[] {
  if (out instanceof Tensor) return [out];
  const list = out !== null && typeof out === 'object' && Symbol.iterator in out ? [...(out as Iterable<unknown>)] : [];
  if (list.length === 0 || !list.every((t) => t instanceof Tensor)) throw new ValueError(`${where}: fn must return a Tensor or a list of tensors`);
  return list as Tensor[];
}

function dot(outs: readonly Tensor[], u: Float32Array): number {
  let s = 0;
  let at = 0;
  for (const out of outs) {
    const v = out.data;
    for (let i = 0; i < v.length; i++) s += (v[i] as number) * (u[at + i] as number);
    at += v.length;
  }
  return s;
}

// Σ_j ⟨out_j, u_j⟩ as one recorded scalar whose gradient with respect to out_j is u_j: one
// backward from it gives every output its gradient at once, so an op with several outputs
// runs its rule once with all of them, as in a real loss.
function objective(outs: readonly Tensor[], u: Float32Array): Tensor {
  if (outs.length === 1) return outs[0] as Tensor;
  const starts = outs.map((_, j) => outs.slice(0, j).reduce((n, o) => n + o.size, 0));
  const value = tensor(noGrad(() => dot(outs, u)));
  const rule = composed(() => outs.map((o, j) => () => tensor(u.slice(starts[j], (starts[j] as number) + o.size), o.shape)));
  return record(value, 'gradcheck.objective', outs, rule, []);
}

// The upstream gradient backward takes for `root` (none for the combined scalar).
const upstreamFor = (outs: readonly Tensor[], u: Float32Array): Tensor | undefined => (outs.length === 1 ? tensor(u, (outs[0] as Tensor).shape) : undefined);

function coordsOf(flat: number, shape: readonly number[]): number[] {
  return stridesOf(shape).map((s, d) => Math.floor(flat / s) % (shape[d] as number));
}

/**
 * Checks autograd's gradient of `fn` at `inputs` against central differences: the objective is
 * sum(fn(...inputs) ⊙ u) for a seeded random upstream u. Each input that requires a gradient is
 * perturbed in place (its storage, element by element, restored exactly) and `fn` re-run under
 * noGrad. The inputs' own `.grad` and graph are untouched; every tensor made here is disposed.
 *
 * Float32 forward passes make the numeric gradient noisy (a reduction of a few hundred terms
 * already rounds at 1e-5, i.e. 1e-2 in the gradient at eps = 1e-3), so the noise is measured,
 * not guessed: each element is differenced at eps and 2·eps, and an element passes when
 * |a − n| <= atol + 3·noise + rtol·max(|a|, |n|, 1e-2·scale) (see GradcheckResult). A correct
 * op passes; a gradient 2× or 10% off fails wherever the gradient stands above the noise.
 * Cost: four forward passes per input element, so keep inputs small.
 */
const OPTIONS = {
  eps: is.number({ min: 0, minOpen: true }),
  atol: is.number({ min: 0 }),
  rtol: is.number({ min: 0 }),
  raise: is.boolean,
  seed: is.int(),
};

// gradcheck's and gradgradcheck's arguments: torch.autograd.gradcheck takes one tensor or a
// tuple of them.
function readCheckArgs(where: string, fn: unknown, inputsArg: unknown, optionsArg: unknown): { inputs: readonly Tensor[]; options: GradcheckOptions } {
  is.function(fn, `${where}: fn`);
  const inputs = inputsArg instanceof Tensor ? [inputsArg] : inputsArg;
  if (!Array.isArray(inputs)) throw new ArgumentError(`${where}: inputs must be a Tensor or a list of tensors, got ${describe(inputsArg)}`, where, 'inputs');
  inputs.forEach((x: unknown, k) => {
    if (!(x instanceof Tensor)) throw new ValueError(`${where}: input ${k} is not a Tensor`);
    x.assertLive(where);
  });
  return { inputs, options: readOptions(where, optionsArg, OPTIONS) };
}

export function gradcheck(fn: (...xs: Tensor[]) => CheckedOutput, inputsArg: readonly Tensor[] | Tensor, optionsArg: GradcheckOptions = {}): GradcheckResult {
  const { inputs, options } = readCheckArgs('gradcheck', fn, inputsArg, optionsArg);
  const eps = options.eps ?? 1e-3;
  const atol = options.atol ?? 0;
  const rtol = options.rtol ?? 1e-2;
  const measured = tidy(() => {
    // Fresh leaves over the same storage: backward stops at them and never reaches the
    // callers' graph or their .grad.
    const leaves = inputs.map((x, k) => {
      if (!(x instanceof Tensor)) throw new ValueError(`gradcheck: input ${k} is not a Tensor`);
      x.assertLive('gradcheck');
      return x.requiresGrad ? Tensor.view(x, x.shape).requiresGrad_() : x;
    });
    const outs = outputsOf('gradcheck', fn(...leaves));
    const u = upstreamValues(outs.reduce((n, o) => n + o.size, 0), options.seed ?? 0);
    const root = objective(outs, u);
    if (root.requiresGrad) backward(root, upstreamFor(outs, u));
    return leaves.map((l, k) => {
      if (!inputs[k]?.requiresGrad) return null;
      const analytic = l.grad === null ? new Float64Array(l.size) : Float64Array.from(l.grad.data);
      return { analytic, ...finiteDifferences(fn, leaves, l, u, eps) };
    });
  });

  const result: GradcheckResult = { ok: true, maxRelError: [], maxAbsError: [], noise: [], worst: [] };
  const failed = measured.map((m, k) => {
    if (m === null) {
      result.maxRelError.push(NaN);
      result.maxAbsError.push(NaN);
      result.noise.push(NaN);
      result.worst.push(null);
      return false;
    }
    const { analytic: a, numeric: n, spread } = m;
    const noise = quantile(spread, 0.9);
    let scale = 0;
    for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i] as number), Math.abs(n[i] as number));
    let rel = 0;
    let abs = 0;
    let worstAt = -1;
    let bad = false;
    for (let i = 0; i < a.length; i++) {
      const ai = a[i] as number;
      const ni = n[i] as number;
      const err = Math.abs(ai - ni);
      const allowance = 3 * Math.max(noise, spread[i] as number);
      const denom = Math.max(Math.abs(ai), Math.abs(ni), 1e-2 * scale);
      const excess = Math.max(0, err - allowance);
      const r = excess === 0 ? 0 : excess / denom;
      if (!(excess <= atol + rtol * denom)) bad = true;
      if (!(r <= rel) || worstAt < 0) {
        rel = r;
        worstAt = i;
      }
      if (!(err <= abs)) abs = err;
      if (Number.isNaN(rel)) break;
    }
    result.maxRelError.push(rel);
    result.maxAbsError.push(abs);
    result.noise.push(noise);
    const shape = (inputs[k] as Tensor).shape;
    result.worst.push(worstAt < 0 ? null : { input: k, index: worstAt, coords: coordsOf(worstAt, shape), analytic: a[worstAt] as number, numeric: n[worstAt] as number });
    return bad;
  });
  result.ok = !failed.includes(true);
  if (!result.ok && options.raise === true) {
    const bad = result.worst
      .filter((w, k): w is GradcheckWorst => w !== null && failed[k] === true)
      .map(
        (w) =>
          `input ${w.input} ${fmtShape((inputs[w.input] as Tensor).shape)} at [${w.coords.join(', ')}]: analytic ${w.analytic}, numeric ${w.numeric} (relative error ${(result.maxRelError[w.input] as number).toExponential(2)})`,
      );
    throw new FingradError(`gradcheck: gradients differ from finite differences (rtol ${rtol}, atol ${atol}, eps ${eps}); worst: ${bad.join('; ')}`);
  }
  return result;
}

function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

// Central differences of sum(fn(...) ⊙ u) for every element of `leaf`, in float64 from float32
// forward passes (the step taken is the float32 distance between the two points), at eps and
// 2·eps: `numeric` is the first, `spread` how far the second lies from it.
function finiteDifferences(fn: (...xs: Tensor[]) => CheckedOutput, leaves: Tensor[], leaf: Tensor, u: Float32Array, eps: number): { numeric: Float64Array; spread: Float64Array } {
  const numeric = new Float64Array(leaf.size);
  const spread = new Float64Array(leaf.size);
  const value = (): number => tidy(() => dot(outputsOf('gradcheck', fn(...leaves)), u));
  noGrad(() => {
    for (let i = 0; i < leaf.size; i++) {
      const at = (leaf.ptr >>> 2) + i;
      const saved = heap().f32[at] as number;
      const difference = (h: number): number => {
        const hi = Math.fround(saved + h);
        const lo = Math.fround(saved - h);
        heap().f32[at] = hi;
        const up = value();
        heap().f32[at] = lo;
        const down = value();
        return (up - down) / (hi - lo);
      };
      try {
        numeric[i] = difference(eps);
        spread[i] = Math.abs(difference(2 * eps) - (numeric[i] as number));
      } finally {
        heap().f32[at] = saved;
      }
    }
  });
  return { numeric, spread };
}

/** Per input of `gradgradcheck`: the check of the gradient with respect to it (null where it takes none). */
export interface GradgradcheckResult {
  ok: boolean;
  checks: Array<GradcheckResult | null>;
}

/**
 * Checks second derivatives (PyTorch's gradgradcheck): for a seeded random upstream u, the
 * gradient of sum(fn(...inputs) ⊙ u) with respect to each input that requires one is itself
 * differentiated, by backward with createGraph, and compared with central differences of it by
 * `gradcheck` (same options and tolerances). Every op on the way needs a differentiable backward:
 * otherwise a NotDifferentiableError names the first that has none.
 */
export function gradgradcheck(fn: (...xs: Tensor[]) => CheckedOutput, inputsArg: readonly Tensor[] | Tensor, optionsArg: GradcheckOptions = {}): GradgradcheckResult {
  const { inputs, options } = readCheckArgs('gradgradcheck', fn, inputsArg, optionsArg);
  const size = noGrad(() => tidy(() => outputsOf('gradgradcheck', fn(...inputs)).reduce((n, o) => n + o.size, 0)));
  const u = upstreamValues(size, (options.seed ?? 0) + 1);
  const checks = inputs.map((x, k) => {
    if (!x.requiresGrad) return null;
    // The gradient with respect to input k, recorded so that gradcheck can differentiate it;
    // under gradcheck's finite differences (noGrad) it is recomputed with recording on.
    const gradK = (...xs: Tensor[]): Tensor =>
      enableGrad(() => {
        const leaves = xs.map((t, i) => (inputs[i]?.requiresGrad && !t.requiresGrad ? Tensor.view(t, t.shape).requiresGrad_() : t));
        const outs = outputsOf('gradgradcheck', fn(...leaves));
        const root = objective(outs, u);
        const wrt = leaves[k] as Tensor;
        if (!root.requiresGrad) return tensor(new Float32Array(wrt.size), wrt.shape);
        const [g] = gradOf(root, [wrt], { gradOutputs: upstreamFor(outs, u) ?? null, createGraph: true });
        return g ?? tensor(new Float32Array(wrt.size), wrt.shape);
      });
    return gradcheck(gradK, inputs, { ...options, raise: false });
  });
  const ok = checks.every((c) => c === null || c.ok);
  if (!ok && options.raise === true) {
    const bad = checks.map((c, k) => (c !== null && !c.ok ? `gradient of input ${k}: ${JSON.stringify(c.worst.filter((w) => w !== null))}` : null)).filter((m) => m !== null);
    throw new FingradError(`gradgradcheck: second derivatives differ from finite differences of the gradient; ${bad.join('; ')}`);
  }
  return { ok, checks };
}
