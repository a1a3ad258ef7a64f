// Elementwise unary ops (exp, log, sqrt, abs, tanh, sigmoid, relu, leakyRelu, softplus, clamp,
// square, rsqrt, pow) with PyTorch semantics. Each op is one kernel call forward and one fused
// gradient kernel call backward (dx = dy·f'(x) in a single pass, no temporaries). When backward
// records (createGraph) each op's `grad` computes dy·f'(x) from recorded ops instead, so the
// gradient can be differentiated again; f' written in terms of the output where that is what
// the kernel reads too.
// Kernels: assembly/unary.ts (+ assembly/simd_math.ts). Reference twin: src/reference/unary.ts.
import { kernels } from '../backend/wasm.js';
import { composed, isGradEnabled, record } from '../autograd/graph.js';
import { ValueError } from '../errors.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, add, div, mul, neg, sub } from './binary.js';
import { broadcastMeta, sumToShape } from './broadcast.js';
import { eq, ge, gt, le, lt } from './compare.js';
import { where } from './where.js';

// Op codes of unary_f32 / unary_grad_f32 (assembly/unary.ts).
const enum UnaryKernel {
  Exp = 0,
  Log = 1,
  Sqrt = 2,
  Abs = 3,
  Tanh = 4,
  Sigmoid = 5,
  Relu = 6,
  LeakyRelu = 7,
  Softplus = 8,
  Clamp = 9,
  Pow = 10,
  Square = 11,
  Rsqrt = 12,
}

interface UnaryDef<A extends unknown[]> {
  /** The op's name, as recorded in the graph and printed in errors. */
  name: string;
  kernel: UnaryKernel;
  /**
   * What the gradient kernel reads besides dy (assembly/unary.ts `bwd`), saved for autograd's
   * in-place check as PyTorch's derivatives.yaml does: the input x, the output y, or both.
   */
  saves: 'input' | 'output' | 'both';
  /** Checks the op's extra arguments and turns them into the kernel's parameters (p1, p2). */
  params?: (...args: A) => readonly [number, number];
  /** dy·f'(x) from recorded ops: the rule when backward records its own graph (createGraph). */
  grad: UnaryGrad;
}

type UnaryGrad = (dy: Tensor, x: Tensor, out: Tensor, p1: number, p2: number) => Tensor;

function applyUnary(name: string, kernel: UnaryKernel, saves: UnaryDef<[]>['saves'], grad: UnaryGrad, x: Tensor, p1: number, p2: number): Tensor {
  x.assertLive(name);
  const out = Tensor.empty(x.shape);
  kernels().unary_f32(kernel, x.ptr, out.ptr, x.size, p1, p2);
  return record(out, name, [x], composed((dy) => [
    () => {
      if (isGradEnabled()) return grad(dy, x, out, p1, p2);
      const dx = Tensor.empty(x.shape);
      kernels().unary_grad_f32(kernel, x.ptr, out.ptr, dy.ptr, dx.ptr, x.size, p1, p2);
      return dx;
    },
  ]), saves === 'input' ? [x] : saves === 'output' ? [out] : [x, out]);
}

// sgn(x) as a float mask: 1, 0 or −1 (a constant: its derivative is 0 almost everywhere).
const sgn = (x: Tensor): Tensor => sub(gt(x, 0), lt(x, 0));

/**
 * Makes an elementwise op from its kernel op code: forward is `unary_f32`, backward the fused
 * `unary_grad_f32` with the same code and parameters.
 */
function unaryOp<A extends unknown[] = []>(def: UnaryDef<A>): (x: Tensor, ...args: A) => Tensor {
  const { name, kernel, saves, params, grad } = def;
  return (x: Tensor, ...args: A): Tensor => {
    const [p1, p2] = params ? params(...args) : [0, 0];
    return applyUnary(name, kernel, saves, grad, x, p1, p2);
  };
}

function finiteParam(op: string, what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: ${what} must be a finite number, got ${String(v)}`);
  return v;
}

/**
 * eˣ. Overflows to +Infinity for x > 88.72 (ln of the largest float32), is subnormal between
 * −103.97 and −87.34 and 0 below; exp(NaN) = NaN. Within 1 ulp elsewhere.
 * Gradient: dy·eˣ (so +Infinity where the output overflowed).
 */
export const exp = unaryOp({ name: 'exp', kernel: UnaryKernel.Exp, saves: 'output', grad: (dy, _x, y) => mul(dy, y) });

/**
 * Natural logarithm. log(0) = −Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity; subnormal
 * inputs are handled exactly. Within 1 ulp.
 * Gradient: dy/x, exactly as PyTorch: at x = 0 it is +Infinity for dy > 0, −Infinity for dy < 0
 * and NaN for dy = 0; for x < 0 it is the finite dy/x although the output is NaN.
 */
export const log = unaryOp({ name: 'log', kernel: UnaryKernel.Log, saves: 'input', grad: (dy, x) => div(dy, x) });

/**
 * √x (IEEE, correctly rounded). sqrt(x < 0) = NaN, sqrt(−0) = −0.
 * Gradient: dy / (2√x): +Infinity at x = 0 (for dy > 0), as in PyTorch.
 */
export const sqrt = unaryOp({ name: 'sqrt', kernel: UnaryKernel.Sqrt, saves: 'output', grad: (dy, _x, y) => div(dy, mul(y, 2)) });

/**
 * 1/√x. rsqrt(0) = +Infinity, rsqrt(x < 0) = NaN.
 * Gradient: −½·dy·rsqrt(x)³ (−Infinity at 0 for dy > 0).
 */
export const rsqrt = unaryOp({ name: 'rsqrt', kernel: UnaryKernel.Rsqrt, saves: 'output', grad: (dy, _x, y) => mul(dy, mul(powScalar(y, 3), -0.5)) });

/**
 * |x|. Gradient: dy·sign(x), with sign(0) = 0 (PyTorch's subgradient at the kink) and 0 at NaN.
 */
export const abs = unaryOp({ name: 'abs', kernel: UnaryKernel.Abs, saves: 'input', grad: (dy, x) => mul(dy, sgn(x)) });

/** x². Gradient: 2x·dy. */
export const square = unaryOp({ name: 'square', kernel: UnaryKernel.Square, saves: 'input', grad: (dy, x) => mul(dy, mul(x, 2)) });

/**
 * Hyperbolic tangent. Exactly ±1 once |x| ≥ 9.02 (and for ±Infinity), never NaN for finite x;
 * full relative precision near 0. Gradient: dy·(1 − tanh²x), exactly 0 where saturated.
 */
export const tanh = unaryOp({ name: 'tanh', kernel: UnaryKernel.Tanh, saves: 'output', grad: (dy, _x, y) => mul(dy, add(neg(square(y)), 1)) });

/**
 * Logistic function 1/(1 + e⁻ˣ), computed without overflow: exactly 1 for x ≥ 17.4 (and +Infinity),
 * tiny but positive down to x ≈ −103 (subnormal below −87.3), exactly 0 below and at −Infinity.
 * Gradient: dy·σ(x)·(1 − σ(x)): exactly 0, never NaN, where the output saturates.
 */
export const sigmoid = unaryOp({ name: 'sigmoid', kernel: UnaryKernel.Sigmoid, saves: 'output', grad: (dy, _x, y) => mul(dy, sub(y, square(y))) });

/**
 * max(x, 0); relu(NaN) = NaN, relu(−0) = 0. Gradient: dy where the output is > 0, 0 where it is
 * ≤ 0 (0 at x = 0, as PyTorch); a NaN input passes dy through, like PyTorch's threshold_backward.
 */
export const relu = unaryOp({ name: 'relu', kernel: UnaryKernel.Relu, saves: 'output', grad: (dy, _x, y) => mul(dy, gt(y, 0)) });

/**
 * x for x > 0, negativeSlope·x otherwise (default slope 0.01, as torch.nn.functional.leaky_relu).
 * Gradient: dy for x > 0, negativeSlope·dy for x ≤ 0 (the slope at 0, as PyTorch).
 */
export const leakyRelu = unaryOp({
  name: 'leakyRelu',
  kernel: UnaryKernel.LeakyRelu,
  saves: 'input',
  params: (negativeSlope: number = 0.01) => [finiteParam('leakyRelu', 'negativeSlope', negativeSlope), 0],
  grad: (dy, x, _y, slope) => mul(dy, where(gt(x, 0), 1, slope)),
});

/**
 * (1/β)·log(1 + e^(βx)), and x itself where βx > threshold (PyTorch's defaults β = 1,
 * threshold = 20). Computed as (max(βx, 0) + log1p(e^−|βx|))/β: no overflow for any x, and
 * full precision for very negative x (softplus(−100) ≈ 3.8e-44, a subnormal, not 0).
 * softplus(NaN) = NaN. Gradient: dy·σ(βx), and dy where βx > threshold.
 */
export const softplus = unaryOp({
  name: 'softplus',
  kernel: UnaryKernel.Softplus,
  saves: 'input',
  params: (beta: number = 1, threshold: number = 20) => {
    if (finiteParam('softplus', 'beta', beta) === 0) throw new ValueError('softplus: beta must be nonzero, got 0');
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new ValueError(`softplus: threshold must be a number, got ${String(threshold)}`);
    return [beta, threshold];
  },
  grad: (dy, x, _y, beta, threshold) => {
    const bx = mul(x, beta);
    return mul(dy, where(gt(bx, threshold), 1, sigmoid(bx)));
  },
});

/**
 * Limits x to [min, max]; either bound may be omitted (not both), as torch.clamp. When
 * min > max every element becomes max (PyTorch's rule); NaN elements and NaN bounds give NaN.
 * Gradient: dy where min ≤ x ≤ max (bounds included, as PyTorch), 0 elsewhere and at NaN.
 */
export const clamp = unaryOp({
  name: 'clamp',
  kernel: UnaryKernel.Clamp,
  saves: 'input',
  params: (min?: number, max?: number) => {
    if (min === undefined && max === undefined) throw new ValueError('clamp: at least one of min and max must be given');
    for (const [what, v] of [['min', min], ['max', max]] as const) {
      if (v !== undefined && typeof v !== 'number') throw new ValueError(`clamp: ${what} must be a number, got ${String(v)}`);
    }
    return [min ?? -Infinity, max ?? Infinity];
  },
  grad: (dy, x, _y, min, max) => mul(dy, mul(ge(x, min), le(x, max))),
});

const powScalar: (x: Tensor, exponent: number) => Tensor = unaryOp({
  name: 'pow',
  kernel: UnaryKernel.Pow,
  saves: 'both', // x^-2's gradient reads both
  params: (exponent: number) => {
    if (typeof exponent !== 'number') throw new ValueError(`pow: exponent must be a number or a tensor, got ${String(exponent)}`);
    return [exponent, 0];
  },
  // e·x^(e−1), and 0 where e = 0 (PyTorch's rule)
  grad: (dy, x, _y, e): Tensor => (e === 0 ? mul(dy, 0) : mul(dy, mul(powScalar(x, e - 1), e))),
});

function powGrad(wrt: 0 | 1, x: Tensor, e: Tensor, out: Tensor, dy: Tensor): Tensor {
  const g = Tensor.empty(out.shape);
  const { meta, rank } = broadcastMeta(out.shape, [x.shape, e.shape]);
  kernels().pow_grad_f32(wrt, x.ptr, e.ptr, out.ptr, dy.ptr, g.ptr, meta, rank);
  const summed = sumToShape(g, (wrt === 0 ? x : e).shape);
  if (summed !== g) g.dispose();
  return summed;
}

// pow_grad_f32's rules from recorded ops (createGraph): dy·e·x^(e−1), 0 where e = 0; dy·xᵉ·log x,
// 0 where x = 0 and e ≥ 0.
function powRecordedGrad(wrt: 0 | 1, x: Tensor, e: Tensor, out: Tensor, dy: Tensor): Tensor {
  const g =
    wrt === 0
      ? where(eq(e, 0), 0, mul(e, pow(x, sub(e, 1))))
      : where(mul(eq(x, 0), ge(e, 0)), 0, mul(out, log(x)));
  return sumToShape(mul(dy, g), (wrt === 0 ? x : e).shape);
}

/**
 * xᵉ elementwise, with C / PyTorch semantics: x⁰ = 1 and 1ᵉ = 1 (even for NaN), a negative base
 * with an integer exponent keeps its sign rule ((−2)² = 4, (−2)³ = −8), a negative base with a
 * non-integer exponent gives NaN ((−2)^0.5 = NaN), 0^(e<0) = +Infinity (−Infinity for −0 and an
 * odd e), overflow gives ±Infinity. `exponent` is a number or a tensor broadcast against x.
 * Number exponents 2, 0.5, 1, 0, −1, 3, −2 take PyTorch's short forms (x·x, √x, 1/x, …; so
 * x^0.5 of −Infinity is NaN as torch.sqrt); others are computed through float64 (≈ 0.5 ulp).
 *
 * Gradients (PyTorch's): d/dx = dy·e·x^(e−1), and 0 where e = 0; d/de = dy·xᵉ·log x, and 0
 * where x = 0 and e ≥ 0 (NaN for negative bases, where log is NaN).
 */
export function pow(x: Tensor, exponent: TensorLike): Tensor {
  if (typeof exponent === 'number') return powScalar(x, exponent);
  x.assertLive('pow');
  exponent.assertLive('pow');
  const shape = broadcastShapes('pow', x.shape, exponent.shape);
  const out = Tensor.empty(shape);
  const { meta, rank } = broadcastMeta(shape, [x.shape, exponent.shape]);
  kernels().pow_f32(x.ptr, exponent.ptr, out.ptr, meta, rank);
  return record(out, 'pow', [x, exponent], composed((dy) => [
    () => (isGradEnabled() ? powRecordedGrad(0, x, exponent, out, dy) : powGrad(0, x, exponent, out, dy)),
    () => (isGradEnabled() ? powRecordedGrad(1, x, exponent, out, dy) : powGrad(1, x, exponent, out, dy)),
  ]));
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    softplus(beta?: number, threshold?: number): Tensor;
    clamp(min?: number, max?: number): Tensor;
    pow(exponent: TensorLike): Tensor;
  }
}

Tensor.prototype.exp = function (this: Tensor) { return exp(this); };
Tensor.prototype.log = function (this: Tensor) { return log(this); };
Tensor.prototype.sqrt = function (this: Tensor) { return sqrt(this); };
Tensor.prototype.rsqrt = function (this: Tensor) { return rsqrt(this); };
Tensor.prototype.abs = function (this: Tensor) { return abs(this); };
Tensor.prototype.square = function (this: Tensor) { return square(this); };
Tensor.prototype.tanh = function (this: Tensor) { return tanh(this); };
Tensor.prototype.sigmoid = function (this: Tensor) { return sigmoid(this); };
Tensor.prototype.relu = function (this: Tensor) { return relu(this); };
Tensor.prototype.leakyRelu = function (this: Tensor, negativeSlope?: number) { return leakyRelu(this, negativeSlope); };
Tensor.prototype.softplus = function (this: Tensor, beta?: number, threshold?: number) { return softplus(this, beta, threshold); };
Tensor.prototype.clamp = function (this: Tensor, min?: number, max?: number) { return clamp(this, min, max); };
Tensor.prototype.pow = function (this: Tensor, exponent: TensorLike) { return pow(this, exponent); };
