// Gradient attributions for differentiable models, through fingrad's autograd:
//   gradient × input:      a_j = x_j · ∂f/∂x_j
//   integrated gradients:  a_j = (x_j − x'_j) · ∫₀¹ ∂f/∂x_j (x' + α(x − x')) dα   (Sundararajan et al. 2017)
// The integral is the trapezoidal rule over `steps` intervals, and every point of every row is
// one batch: one forward and one backward pass whatever the number of rows. Completeness,
// Σ_j a_j = f(x) − f(x'), holds up to the quadrature error, which is reported per row.
import { ArgumentError, ShapeError, Tensor, select, tensor, tidy } from '../../index.js';
import { describe, is, readOptions } from '../../validate.js';
import { type MatrixLike, readMatrix } from './predictor.js';

/** A differentiable model: a Module (its forward) or a function of a batch [n, d]. */
export type Differentiable = ((x: Tensor) => Tensor) | { forward(x: Tensor): Tensor };

export interface GradientAttributions {
  /** [row][feature]. */
  attributions: Float64Array[];
  /** f(x) per row (the chosen output). */
  outputs: Float64Array;
}

export interface IntegratedGradients extends GradientAttributions {
  /** f(baseline) per row. */
  baselineOutputs: Float64Array;
  /** Σ attributions − (f(x) − f(baseline)) per row: the quadrature error. */
  completenessError: Float64Array;
}

function callable(where: string, model: unknown): (x: Tensor) => Tensor {
  if (typeof model === 'function') return model as (x: Tensor) => Tensor;
  const fwd = (model as { forward?: unknown } | null)?.forward;
  if (typeof fwd === 'function') return (x) => fwd.call(model, x) as Tensor;
  throw new ArgumentError(`${where}: model must be a function of a batch or a module with forward(), got ${describe(model)}`, where, 'model');
}

// The chosen output column as a vector [n].
function pick(where: string, y: unknown, n: number, target: number | undefined): Tensor {
  if (!(y instanceof Tensor)) throw new ArgumentError(`${where}: the model must return a tensor, got ${describe(y)}`, where, 'model');
  if (y.shape[0] !== n || y.rank > 2) throw new ShapeError(`${where}: the model returned shape [${y.shape.join(', ')}] for ${n} rows; expected [${n}] or [${n}, outputs]`);
  if (y.rank === 1) return y;
  const k = y.shape[1] as number;
  const t = target ?? (k === 1 ? 0 : undefined);
  if (t === undefined) throw new ArgumentError(`${where}: the model has ${k} outputs per row; choose one with the target option`, where, 'target');
  if (t >= k) throw new ArgumentError(`${where}: target ${t} is out of range for ${k} outputs`, where, 'target');
  return select(y, 1, t);
}

// Back-propagates into `input` alone: the model's parameters are switched out of the gradient
// for the pass (and back after), so explaining a model leaves no .grad on its weights.
function backwardToInputOnly(root: Tensor, input: Tensor): void {
  const frozen: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.node === null) {
      if (t !== input && t.requiresGrad) frozen.push(t);
    } else stack.push(...t.node.inputs);
  }
  for (const t of frozen) t.requiresGrad = false;
  try {
    root.backward();
  } finally {
    for (const t of frozen) t.requiresGrad = true;
  }
}

// Values and input gradients of the chosen output at every row of `points` [m, d].
function valueAndInputGrad(where: string, f: (x: Tensor) => Tensor, points: Float32Array, m: number, d: number, target: number | undefined): { value: Float32Array; grad: Float32Array } {
  return tidy(() => {
    const x = tensor(points, [m, d], { requiresGrad: true });
    const out = pick(where, f(x), m, target);
    backwardToInputOnly(out.sum(), x);
    const grad = x.grad;
    if (grad === null) throw new ArgumentError(`${where}: the model's output does not depend on its input through fingrad ops (no gradient reached it)`, where, 'model');
    return { value: out.toFloat32Array(), grad: grad.toFloat32Array() };
  });
}

const gxiSpec = { target: is.int({ min: 0 }) };

/** Gradient × input for every row of x. */
export function gradientTimesInput(model: Differentiable, x: MatrixLike, options?: { target?: number }): GradientAttributions {
  const where = 'gradientTimesInput';
  const o = readOptions(where, options, gxiSpec);
  const xs = readMatrix(where, 'x', x);
  const { value, grad } = valueAndInputGrad(where, callable(where, model), Float32Array.from(xs.data), xs.rows, xs.cols, o.target);
  const attributions = Array.from({ length: xs.rows }, (_, r) => Float64Array.from({ length: xs.cols }, (_, c) => (xs.data[r * xs.cols + c] as number) * (grad[r * xs.cols + c] as number)));
  return { attributions, outputs: Float64Array.from(value) };
}

const igSpec = { target: is.int({ min: 0 }), steps: is.int({ min: 1, max: 1000 }), baseline: is.any };

/**
 * Integrated gradients of every row of x from a baseline: one row (a reference applicant,
 * the training mean), one per row of x, or zeros by default.
 */
export function integratedGradients(model: Differentiable, x: MatrixLike, options?: { baseline?: MatrixLike | number[]; target?: number; steps?: number }): IntegratedGradients {
  const where = 'integratedGradients';
  const o = readOptions(where, options, igSpec);
  const xs = readMatrix(where, 'x', x);
  const { rows: n, cols: d } = xs;
  let base: Float64Array = new Float64Array(n * d);
  if (o.baseline !== undefined) {
    const raw = o.baseline as unknown;
    const bm = readMatrix(where, 'baseline', Array.isArray(raw) && typeof raw[0] === 'number' ? [raw] : raw);
    if (bm.cols !== d || (bm.rows !== 1 && bm.rows !== n)) throw new ShapeError(`${where}: baseline must be one row or ${n} rows of ${d} features, got [${bm.rows}, ${bm.cols}]`);
    base = bm.rows === n ? bm.data : Float64Array.from({ length: n * d }, (_, i) => bm.data[i % d] as number);
  }
  const steps = o.steps ?? 50;
  const f = callable(where, model);
  // Points α_k = k/steps, k = 0 … steps, for every row: [(steps + 1)·n, d].
  const m = (steps + 1) * n;
  const points = new Float32Array(m * d);
  for (let k = 0; k <= steps; k++) {
    const a = k / steps;
    for (let i = 0; i < n * d; i++) points[k * n * d + i] = (base[i] as number) + a * ((xs.data[i] as number) - (base[i] as number));
  }
  const { value, grad } = valueAndInputGrad(where, f, points, m, d, o.target);
  const attributions: Float64Array[] = [];
  const outputs = new Float64Array(n);
  const baselineOutputs = new Float64Array(n);
  const completenessError = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const a = new Float64Array(d);
    for (let k = 0; k <= steps; k++) {
      const w = (k === 0 || k === steps ? 0.5 : 1) / steps;
      for (let c = 0; c < d; c++) a[c] = (a[c] as number) + w * (grad[(k * n + r) * d + c] as number);
    }
    for (let c = 0; c < d; c++) a[c] = (a[c] as number) * ((xs.data[r * d + c] as number) - (base[r * d + c] as number));
    attributions.push(a);
    outputs[r] = value[steps * n + r] as number;
    baselineOutputs[r] = value[r] as number;
    completenessError[r] = a.reduce((s, v) => s + v, 0) - ((outputs[r] as number) - (baselineOutputs[r] as number));
  }
  return { attributions, outputs, baselineOutputs, completenessError };
}

