// Statistics one reaches for while inspecting tensors, with PyTorch's signatures, semantics and
// gradients: var, std, norm, quantile, sort, topk. All are built from existing ops (no kernel
// of their own: none of them is on a training hot path). var, std and norm record one node
// each, so graphs and anomaly reports name them; their backward rules are PyTorch's, including
// the zero gradient where std or the norm is 0 (sqrt's rule would give Infinity·0 = NaN there).
// sort/topk return (values, indices) like max/min along a dim (./argmax.ts): the values are one
// node named for the op whose rule is gather's (dy scattered back to the picked elements);
// quantile reads the sorted values with `indexSelect`. Reference twin:
// test/ops/statistics.test.ts (float64 loops) and the PyTorch fixture
// test/fixtures/torch-statistics.json.
import { composed, isGradEnabled, noGrad, record } from '../autograd/graph.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import { normalizeAxis } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { is, readArgs } from '../validate.js';
import { add, div, mul, sub } from './binary.js';
import { eq, gt, lt, ne } from './compare.js';
import { stack } from './concat.js';
import { ValuesIndices, pick } from './argmax.js';
import { indexSelect } from './gather.js';
import { amax, amin, mean, sum } from './reduce.js';
import { resolveAxes } from '../tensor/shape.js';
import { reshape, squeeze } from './reshape.js';
import { abs, pow, sqrt, square } from './unary.js';
import { where } from './where.js';

/** A dimension, a list of them, or null/undefined for all. */
export type Dim = number | readonly number[] | null;

const dimCheck = is.nullable(is.anyOf<number | number[]>('an integer or a list of integers', is.int(), is.list(is.int())));

const VAR_SPEC = { dim: dimCheck, unbiased: is.boolean, keepdim: is.boolean, correction: is.number({ min: 0 }) };

export interface VarOptions {
  /** Dimensions to reduce (all when omitted or null). */
  dim?: Dim;
  /** Bessel's correction (divide by N − 1); the older spelling of `correction: 1 | 0`. */
  unbiased?: boolean;
  /** Keep reduced dimensions with size 1. Default false. */
  keepdim?: boolean;
  /** Divide by N − correction. Default 1. */
  correction?: number;
}

interface Reduction {
  ax: number[];
  keepdim: boolean;
  /** The input's shape with reduced dimensions kept as 1 (how dy is broadcast back). */
  kept: number[];
  out: number[];
}

function reduction(op: string, x: Tensor, dim: Dim | undefined, keepdim: boolean): Reduction {
  const ax = resolveAxes(op, dim === null ? undefined : dim, x.rank);
  const kept = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  return { ax, keepdim, kept, out: keepdim ? kept : x.shape.filter((_, i) => !ax.includes(i)) };
}

// torch.var(x, unbiased) passes a boolean where the dimension would go.
function readVarArgs(op: string, x: Tensor, rest: unknown[]): { r: Reduction; divisor: number } {
  x.assertLive(op);
  const args = typeof rest[0] === 'boolean' ? [undefined, ...rest] : rest;
  const o = readArgs(op, args, ['dim', 'unbiased', 'keepdim'], VAR_SPEC);
  if (o.unbiased !== undefined && o.correction !== undefined) {
    throw new ValueError(`${op}: give either unbiased or correction, not both (unbiased: true is correction: 1)`);
  }
  const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
  const r = reduction(op, x, o.dim, o.keepdim ?? false);
  const n = r.ax.reduce((p, a) => p * (x.shape[a] as number), 1);
  // N ≤ correction divides by 0 (NaN or Infinity), as PyTorch does.
  return { r, divisor: Math.max(0, n - correction) };
}

// Σ(x − mean)² / divisor, and x − mean for the backward. Recording (createGraph), the mean
// stays alive: the graph of x − mean reads it.
function centred(x: Tensor, ax: number[]): Tensor {
  const run = (): Tensor => sub(x, mean(x, ax, { keepdim: true }));
  return isGradEnabled() ? run() : tidy(run);
}

function varianceValue(x: Tensor, r: Reduction, divisor: number): Tensor {
  return noGrad(() => tidy(() => div(reshape(sum(square(centred(x, r.ax)), r.ax, { keepdim: true }), r.out), divisor)));
}

/**
 * Variance over `dim` (all elements when omitted), divided by N − correction (torch.var):
 * `variance(x)`, `variance(x, 1)`, `variance(x, [0, 1], false, true)` (dim, unbiased, keepdim),
 * `variance(x, 1, { correction: 0, keepdim: true })`. Exported as `var` too (PyTorch's name,
 * a reserved word in a JavaScript binding). Gradient: dy·2(x − mean)/(N − correction).
 */
export function variance(x: Tensor, options?: VarOptions): Tensor;
export function variance(x: Tensor, unbiased: boolean, options?: VarOptions): Tensor;
export function variance(x: Tensor, dim: Dim, unbiased?: boolean, keepdim?: boolean, options?: VarOptions): Tensor;
export function variance(x: Tensor, dim: Dim, options?: VarOptions): Tensor;
export function variance(x: Tensor, ...rest: unknown[]): Tensor {
  const { r, divisor } = readVarArgs('var', x, rest);
  const out = varianceValue(x, r, divisor);
  return record(out, 'var', [x], composed((dy) => [() => mul(reshape(dy, r.kept), mul(centred(x, r.ax), 2 / divisor))]));
}

export { variance as var };

/**
 * Standard deviation √var (torch.std), with the arguments of `variance`. Gradient:
 * dy·(x − mean)/((N − correction)·std), and 0 where std = 0 (PyTorch's rule).
 */
export function std(x: Tensor, options?: VarOptions): Tensor;
export function std(x: Tensor, unbiased: boolean, options?: VarOptions): Tensor;
export function std(x: Tensor, dim: Dim, unbiased?: boolean, keepdim?: boolean, options?: VarOptions): Tensor;
export function std(x: Tensor, dim: Dim, options?: VarOptions): Tensor;
export function std(x: Tensor, ...rest: unknown[]): Tensor {
  const { r, divisor } = readVarArgs('std', x, rest);
  const out = noGrad(() => tidy(() => sqrt(varianceValue(x, r, divisor))));
  return record(out, 'std', [x], composed((dy) => [
    () => {
      const kept = reshape(out, r.kept);
      const scale = where(eq(kept, 0), 0, div(reshape(dy, r.kept), kept));
      return mul(scale, div(centred(x, r.ax), divisor));
    },
  ]));
}

const NORM_SPEC = {
  p: is.anyOf<number | 'fro'>("a number > 0, 0, Infinity, -Infinity or 'fro'", is.oneOf(['fro'] as const), is.number({ finite: false })),
  dim: dimCheck,
  keepdim: is.boolean,
};

export interface NormOptions {
  /** The order: 'fro' (= 2, the default), 1, 2, any p > 0, Infinity (max |x|), -Infinity (min |x|), 0 (count of nonzeros). */
  p?: number | 'fro';
  dim?: Dim;
  keepdim?: boolean;
}

// sgn(x) as a float: 1, 0 or −1.
const sgn = (x: Tensor): Tensor => sub(gt(x, 0), lt(x, 0));

/**
 * The vector p-norm over `dim` (all elements when omitted), as torch.norm(x, p, dim, keepdim)
 * and torch.linalg.vector_norm: `norm(x)`, `norm(x, 1)`, `norm(x, 2, 1, true)`,
 * `norm(x, Infinity, { dim: 0 })`. Gradients are PyTorch's: for finite p ≥ 1,
 * dy·sgn(x)|x|^(p−1)/‖x‖^(p−1) and 0 where the norm is 0; for ±Infinity, dy·sgn(x) split
 * evenly among the elements reaching the max (min); for p = 0, zero.
 */
export function norm(x: Tensor, options?: NormOptions): Tensor;
export function norm(x: Tensor, p: number | 'fro', dim?: Dim, keepdim?: boolean, options?: NormOptions): Tensor;
export function norm(x: Tensor, p: number | 'fro', options?: NormOptions): Tensor;
export function norm(x: Tensor, p: number | 'fro', dim: Dim, options?: NormOptions): Tensor;
export function norm(x: Tensor, ...rest: unknown[]): Tensor {
  x.assertLive('norm');
  const o = readArgs('norm', rest, ['p', 'dim', 'keepdim'], NORM_SPEC);
  const p = o.p === 'fro' || o.p === undefined ? 2 : o.p;
  if (!(p >= 0) && p !== -Infinity) throw new ValueError(`norm: p must be > 0, 0, Infinity, -Infinity or 'fro', got ${p}`);
  const r = reduction('norm', x, o.dim, o.keepdim ?? false);
  if (p === Infinity) return amax(abs(x), r.ax, { keepdim: r.keepdim });
  if (p === -Infinity) return amin(abs(x), r.ax, { keepdim: r.keepdim });
  const out = noGrad(() =>
    tidy(() => {
      const a = abs(x);
      const s = (t: Tensor): Tensor => reshape(sum(t, r.ax, { keepdim: true }), r.out);
      if (p === 0) return s(ne(x, 0));
      if (p === 1) return s(a);
      if (p === 2) return sqrt(s(square(a)));
      return pow(s(pow(a, p)), 1 / p);
    }),
  );
  return record(out, 'norm', [x], composed((dy) => [
    () => {
      if (p === 0) return mul(x, 0);
      const kept = reshape(out, r.kept);
      const denominator = p === 1 ? null : p === 2 ? kept : pow(kept, p - 1);
      const upstream = reshape(dy, r.kept);
      const scale = denominator === null ? upstream : where(eq(kept, 0), 0, div(upstream, denominator));
      const scaled = p === 1 ? sgn(x) : p === 2 ? x : mul(sgn(x), pow(abs(x), p - 1));
      return mul(scaled, scale);
    },
  ]));
}

/** Sorted values and the float32 indices (into the input, along `dim`) they came from. */
export type SortResult = ValuesIndices;

const SORT_SPEC = { dim: is.int(), descending: is.boolean, stable: is.boolean };

export interface SortOptions {
  /** Default −1. */
  dim?: number;
  descending?: boolean;
  /** Accepted for PyTorch's signature; the sort is always stable. */
  stable?: boolean;
}

// NaN counts as larger than every number (PyTorch's order); ties keep input order (stable).
function compareAsc(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// The order of every lane of x along `axis`, as float32 indices; `keep` of them per lane.
function orderIndices(x: Tensor, axis: number, descending: boolean, keep: number): Tensor {
  const len = x.shape[axis] as number;
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const values = x.toFloat32Array();
  const idx = new Float32Array(outer * keep * inner);
  const lane = Array.from({ length: len }, (_, i) => i);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (l: number): number => values[(o * len + l) * inner + i] as number;
      for (let l = 0; l < len; l++) lane[l] = l;
      lane.sort((a, b) => (descending ? compareAsc(at(b), at(a)) : compareAsc(at(a), at(b))));
      for (let l = 0; l < keep; l++) idx[(o * keep + l) * inner + i] = lane[l] as number;
    }
  }
  return tensor(idx, [...x.shape.slice(0, axis), keep, ...x.shape.slice(axis + 1)]);
}

// A 0-D tensor is sorted as a one-element vector (as PyTorch does). One node, named `label`,
// on the values; the indices are not differentiable (as in PyTorch).
function pickAlong(op: string, label: string, x: Tensor, dim: number, descending: boolean, keep: (len: number) => number): SortResult {
  const axis = Math.max(0, normalizeAxis(op, dim, x.rank));
  const flat = x.rank === 0 ? reshape(x, [1]) : x;
  const k = keep(flat.shape[axis] as number);
  const kept = orderIndices(flat, axis, descending, k);
  const shape = x.rank === 0 && k === 1 ? [] : kept.shape;
  const values = pick(label, x, flat, axis, kept, shape);
  const indices = shape === kept.shape ? kept : Tensor.view(kept, shape);
  if (indices !== kept) kept.dispose();
  if (flat !== x) flat.dispose();
  return new ValuesIndices(values, indices);
}

/**
 * Sorts along `dim` (default −1), ascending unless `descending` (torch.sort): `sort(x)`,
 * `sort(x, 0, true)`, `sort(x, { dim: 0, descending: true })`. NaN sorts as the largest value;
 * equal values keep their input order (so `stable` is accepted and always holds). Returns
 * `{ values, indices }`, indices as float32 integers (like `argmax`). Gradient of values:
 * dy scattered back to where each value came from.
 */
export function sort(x: Tensor, options?: SortOptions): SortResult;
export function sort(x: Tensor, dim: number, descending?: boolean, options?: SortOptions): SortResult;
export function sort(x: Tensor, dim: number, options?: SortOptions): SortResult;
export function sort(x: Tensor, ...rest: unknown[]): SortResult {
  x.assertLive('sort');
  const o = readArgs('sort', rest, ['dim', 'descending'], SORT_SPEC);
  return pickAlong('sort', 'sort', x, o.dim ?? -1, o.descending ?? false, (len) => len);
}

const TOPK_SPEC = { dim: is.int(), largest: is.boolean, sorted: is.boolean };

export interface TopkOptions {
  /** Default −1. */
  dim?: number;
  /** The largest (default) or the smallest k. */
  largest?: boolean;
  /** Accepted for PyTorch's signature; the result is always sorted. */
  sorted?: boolean;
}

/**
 * The k largest (or, with `largest: false`, smallest) elements along `dim` (default −1), as
 * torch.topk(x, k, dim, largest, sorted): `topk(x, 3)`, `topk(x, 3, 0, false)`. Returned in
 * sorted order (also when `sorted: false`, for which PyTorch promises no order); ties go to the
 * lower index; NaN counts as the largest value. Gradient of values: dy scattered back.
 */
export function topk(x: Tensor, k: number, options?: TopkOptions): SortResult;
export function topk(x: Tensor, k: number, dim: number, largest?: boolean, sorted?: boolean, options?: TopkOptions): SortResult;
export function topk(x: Tensor, k: number, dim: number, options?: TopkOptions): SortResult;
export function topk(x: Tensor, k: number, ...rest: unknown[]): SortResult {
  x.assertLive('topk');
  const kk = is.int({ min: 0 })(k, 'topk: k');
  const o = readArgs('topk', rest, ['dim', 'largest', 'sorted'], TOPK_SPEC);
  return pickAlong('topk', 'topk', x, o.dim ?? -1, o.largest ?? true, (len) => {
    if (kk > len) throw new ShapeError(`topk: k = ${kk} is larger than dimension ${o.dim ?? -1} of size ${len} (input shape ${fmtShape(x.shape)})`);
    return kk;
  });
}

const INTERPOLATIONS = ['linear', 'lower', 'higher', 'nearest', 'midpoint'] as const;
const QUANTILE_SPEC = { dim: is.nullable(is.int()), keepdim: is.boolean, interpolation: is.oneOf(INTERPOLATIONS) };

export interface QuantileOptions {
  dim?: number | null;
  keepdim?: boolean;
  /** Between the two nearest order statistics: 'linear' (default), 'lower', 'higher', 'nearest', 'midpoint'. */
  interpolation?: (typeof INTERPOLATIONS)[number];
}

/** Quantile levels in [0, 1]: one number, a list, or a 0-D / 1-D tensor. */
export type Quantiles = number | readonly number[] | Tensor;

function readQuantiles(q: unknown): { list: number[]; scalar: boolean } {
  let list: number[];
  let scalar = false;
  if (typeof q === 'number') [list, scalar] = [[q], true];
  else if (q instanceof Tensor) {
    q.assertLive('quantile');
    if (q.rank > 1) throw new ShapeError(`quantile: q must be a number or 0-D/1-D, got a tensor of shape ${fmtShape(q.shape)}`);
    [list, scalar] = [Array.from(q.data), q.rank === 0];
  } else if (Array.isArray(q)) list = q as number[];
  else throw new ValueError(`quantile: q must be a number, a list of numbers or a 1-D tensor, got ${typeof q}`);
  if (list.length === 0) throw new ValueError('quantile: q is empty; give at least one quantile');
  list.forEach((v, i) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new ValueError(`quantile: q${scalar ? '' : `[${i}]`} must be in [0, 1], got ${String(v)}`);
  });
  return { list, scalar };
}

// Round half to even, as torch.round (used by 'nearest').
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/**
 * The q-th quantiles along `dim` (of all elements when omitted or null), as
 * torch.quantile(x, q, dim, keepdim, interpolation): q is a number in [0, 1] (result: the
 * reduced shape) or a list / 1-D tensor (result: [q.length, ...reduced shape]). A lane holding
 * NaN gives NaN. Gradient: to the two order statistics q falls between, weighted as the
 * interpolation weighs them.
 */
export function quantile(x: Tensor, q: Quantiles, options?: QuantileOptions): Tensor;
export function quantile(x: Tensor, q: Quantiles, dim: number | null, keepdim?: boolean, options?: QuantileOptions): Tensor;
export function quantile(x: Tensor, q: Quantiles, dim: number | null, options?: QuantileOptions): Tensor;
export function quantile(x: Tensor, q: Quantiles, ...rest: unknown[]): Tensor {
  x.assertLive('quantile');
  const { list, scalar } = readQuantiles(q);
  const o = readArgs('quantile', rest, ['dim', 'keepdim'], QUANTILE_SPEC);
  const all = o.dim === undefined || o.dim === null;
  const xs = all ? reshape(x, [x.size]) : x;
  const axis = all ? 0 : normalizeAxis('quantile', o.dim as number, x.rank);
  const n = xs.shape[axis] as number;
  if (n === 0) throw new ShapeError(`quantile: cannot take a quantile over an empty dimension (input shape ${fmtShape(x.shape)})`);
  const keepdim = o.keepdim ?? false;
  const interpolation = o.interpolation ?? 'linear';
  const sorted = pickAlong('quantile', 'sort', xs, axis, false, (len) => len).values;
  // NaN is sorted last: a lane whose last order statistic is NaN has a NaN quantile.
  const nanMask = noGrad(() => {
    const last = indexSelect(sorted, axis, [n - 1]);
    return where(ne(last, last), NaN, 0);
  });
  const one = (qv: number): Tensor => {
    const pos = qv * (n - 1);
    let lo = Math.floor(pos);
    let hi = Math.ceil(pos);
    let w = pos - lo;
    if (interpolation === 'lower') hi = lo;
    else if (interpolation === 'higher') lo = hi;
    else if (interpolation === 'nearest') lo = hi = roundHalfEven(pos);
    else if (interpolation === 'midpoint') w = 0.5;
    const a = indexSelect(sorted, axis, [lo]);
    const v = lo === hi ? a : add(a, mul(sub(indexSelect(sorted, axis, [hi]), a), w));
    const r = add(v, nanMask);
    if (all) return reshape(r, keepdim ? x.shape.map(() => 1) : []);
    return keepdim ? r : squeeze(r, axis);
  };
  const results = list.map(one);
  return scalar ? (results[0] as Tensor) : stack(results, 0);
}
