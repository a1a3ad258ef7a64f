// Elementwise unary ops (exp, log, sqrt, abs, tanh, sigmoid, relu, leakyRelu, softplus, clamp,
// square, rsqrt, pow) with PyTorch semantics. Each op is one kernel call forward and one fused
// gradient kernel call backward (dx = dy·f'(x) in a single pass, no temporaries). When backward
// records (createGraph) each op's `grad` computes dy·f'(x) from recorded ops instead, so the
// gradient can be differentiated again; f' written in terms of the output where that is what
// the kernel reads too.
// Kernels: assembly/unary.ts (through src/kernels/unary.ts). Reference twin: src/reference/unary.ts.
import { UnaryOp } from '../backend/generated/opcodes.js';
import { composed, isGradEnabled, record } from '../autograd/graph.js';
import { ValueError } from '../errors.js';
import { powBackward, powForward, unaryBackward, unaryForward } from '../kernels/unary.js';
import { type TensorInput, noMoreArgs, releasePromoted, toTensor, toTensorOrNumber } from '../tensor/promote.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, type Checked, type OptionSpec, is, readArgs } from '../validate.js';
import { add, div, mul, neg, sub } from './binary.js';
import { sumToShape } from './broadcast.js';
import { eq, ge, gt, le, lt } from './compare.js';
import { where } from './where.js';

interface UnaryDef<S extends OptionSpec> {
  /** The op's name, as recorded in the graph and printed in errors. */
  name: string;
  kernel: UnaryOp;
  /**
   * What the gradient kernel reads besides dy (assembly/unary.ts `bwd`), saved for autograd's
   * in-place check as PyTorch's derivatives.yaml does: the input x, the output y, or both.
   */
  saves: 'input' | 'output' | 'both';
  /** PyTorch's positional parameters after the input, in order (also accepted as options). */
  names?: readonly (keyof S & string)[];
  /** Checks of those parameters. */
  spec?: S;
  /** Turns the checked parameters into the kernel's (p1, p2). */
  params?: (o: Checked<S>) => readonly [number, number];
  /** dy·f'(x) from recorded ops: the rule when backward records its own graph (createGraph). */
  grad: UnaryGrad;
}

type UnaryGrad = (dy: Tensor, x: Tensor, out: Tensor, p1: number, p2: number) => Tensor;

function applyUnary(name: string, kernel: UnaryOp, saves: UnaryDef<OptionSpec>['saves'], grad: UnaryGrad, x: Tensor, p1: number, p2: number): Tensor {
  x.assertLive(name);
  const out = Tensor.empty(x.shape);
  unaryForward(kernel, x, out, p1, p2);
  return record(out, name, [x], composed((dy) => [
    () => {
      if (isGradEnabled()) return grad(dy, x, out, p1, p2);
      const dx = Tensor.empty(x.shape);
      unaryBackward(kernel, x, out, dy, dx, p1, p2);
      return dx;
    },
  ]), saves === 'input' ? [x] : saves === 'output' ? [out] : [x, out]);
}

// sgn(x) as a float mask: 1, 0 or −1 (a constant: its derivative is 0 almost everywhere).
const sgn = (x: Tensor): Tensor => sub(gt(x, 0), lt(x, 0));

/**
 * Makes an elementwise op from its kernel op code: forward is `unary_f32`, backward the fused
 * `unary_grad_f32` with the same code and parameters. `A` is the TypeScript face of the
 * arguments after the input; at run time they are read by `readArgs` (so an extra argument is
 * an error, not ignored).
 */
function unaryOp<A extends unknown[] = [], S extends OptionSpec = OptionSpec>(def: UnaryDef<S>): (x: TensorInput, ...args: A) => Tensor {
  const { name, kernel, saves, params, grad, names = [], spec = {} as S } = def;
  return (x: TensorInput, ...args: A): Tensor => {
    const xt = toTensor(name, 'input', x);
    const o = readArgs(name, args, names, spec);
    const [p1, p2] = params ? params(o) : [0, 0];
    return releasePromoted(applyUnary(name, kernel, saves, grad, xt, p1, p2), [x], [xt]);
  };
}

const LEAKY = { negativeSlope: is.number() };
const SOFTPLUS = { beta: is.number(), threshold: is.number({ finite: false }) };
const CLAMP = { min: is.nullable(is.number({ finite: false, nan: true })), max: is.nullable(is.number({ finite: false, nan: true })) };
const POW = { exponent: is.number({ finite: false, nan: true }) };

/** F.leaky_relu's order: `leakyRelu(x, 0.2)`, or `leakyRelu(x, {negativeSlope: 0.2})`. */
export type LeakyReluArgs = Args<[negativeSlope: number | undefined], { negativeSlope?: number }>;
/** F.softplus's order: `softplus(x, beta, threshold)`, or `softplus(x, {beta, threshold})`. */
export type SoftplusArgs = Args<[beta: number | undefined, threshold: number | undefined], { beta?: number; threshold?: number }>;
/** torch.clamp's order: `clamp(x, min, max)` (null or undefined for no bound), or `clamp(x, {min, max})`. */
export type ClampArgs = Args<[min: number | null | undefined, max: number | null | undefined], { min?: number | null; max?: number | null }>;

/**
 * eˣ. Overflows to +Infinity for x > 88.72 (ln of the largest float32), is subnormal between
 * −103.97 and −87.34 and 0 below; exp(NaN) = NaN. Within 1 ulp elsewhere.
 * Gradient: dy·eˣ (so +Infinity where the output overflowed).
 */
export const exp = unaryOp({ name: 'exp', kernel: UnaryOp.Exp, saves: 'output', grad: (dy, _x, y) => mul(dy, y) });

/**
 * Natural logarithm. log(0) = −Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity; subnormal
 * inputs are handled exactly. Within 1 ulp.
 * Gradient: dy/x, exactly as PyTorch: at x = 0 it is +Infinity for dy > 0, −Infinity for dy < 0
 * and NaN for dy = 0; for x < 0 it is the finite dy/x although the output is NaN.
 */
export const log = unaryOp({ name: 'log', kernel: UnaryOp.Log, saves: 'input', grad: (dy, x) => div(dy, x) });

/**
 * √x (IEEE, correctly rounded). sqrt(x < 0) = NaN, sqrt(−0) = −0.
 * Gradient: dy / (2√x): +Infinity at x = 0 (for dy > 0), as in PyTorch.
 */
export const sqrt = unaryOp({ name: 'sqrt', kernel: UnaryOp.Sqrt, saves: 'output', grad: (dy, _x, y) => div(dy, mul(y, 2)) });

/**
 * 1/√x. rsqrt(0) = +Infinity, rsqrt(x < 0) = NaN.
 * Gradient: −½·dy·rsqrt(x)³ (−Infinity at 0 for dy > 0).
 */
export const rsqrt = unaryOp({ name: 'rsqrt', kernel: UnaryOp.Rsqrt, saves: 'output', grad: (dy, _x, y) => mul(dy, mul(powScalar(y, 3), -0.5)) });

/**
 * |x|. Gradient: dy·sign(x), with sign(0) = 0 (PyTorch's subgradient at the kink) and 0 at NaN.
 */
export const abs = unaryOp({ name: 'abs', kernel: UnaryOp.Abs, saves: 'input', grad: (dy, x) => mul(dy, sgn(x)) });

/** x². Gradient: 2x·dy. */
export const square = unaryOp({ name: 'square', kernel: UnaryOp.Square, saves: 'input', grad: (dy, x) => mul(dy, mul(x, 2)) });

/**
 * Hyperbolic tangent. Exactly ±1 once |x| ≥ 9.02 (and for ±Infinity), never NaN for finite x;
 * full relative precision near 0. Gradient: dy·(1 − tanh²x), exactly 0 where saturated.
 */
export const tanh = unaryOp({ name: 'tanh', kernel: UnaryOp.Tanh, saves: 'output', grad: (dy, _x, y) => mul(dy, add(neg(square(y)), 1)) });

/**
 * Logistic function 1/(1 + e⁻ˣ), computed without overflow: exactly 1 for x ≥ 17.4 (and +Infinity),
 * tiny but positive down to x ≈ −103 (subnormal below −87.3), exactly 0 below and at −Infinity.
 * Gradient: dy·σ(x)·(1 − σ(x)): exactly 0, never NaN, where the output saturates.
 */
export const sigmoid = unaryOp({ name: 'sigmoid', kernel: UnaryOp.Sigmoid, saves: 'output', grad: (dy, _x, y) => mul(dy, sub(y, square(y))) });

/**
 * max(x, 0); relu(NaN) = NaN, relu(−0) = 0. Gradient: dy where the output is > 0, 0 where it is
 * ≤ 0 (0 at x = 0, as PyTorch); a NaN input passes dy through, like PyTorch's threshold_backward.
 */
export const relu = unaryOp({ name: 'relu', kernel: UnaryOp.Relu, saves: 'output', grad: (dy, _x, y) => mul(dy, gt(y, 0)) });

/**
 * x for x > 0, negativeSlope·x otherwise (default slope 0.01, as torch.nn.functional.leaky_relu).
 * Gradient: dy for x > 0, negativeSlope·dy for x ≤ 0 (the slope at 0, as PyTorch).
 */
export const leakyRelu = unaryOp<LeakyReluArgs, typeof LEAKY>({
  name: 'leakyRelu',
  kernel: UnaryOp.LeakyRelu,
  saves: 'input',
  names: ['negativeSlope'],
  spec: LEAKY,
  params: (o) => [o.negativeSlope ?? 0.01, 0],
  grad: (dy, x, _y, slope) => mul(dy, where(gt(x, 0), 1, slope)),
});

/**
 * (1/β)·log(1 + e^(βx)), and x itself where βx > threshold (PyTorch's defaults β = 1,
 * threshold = 20). Computed as (max(βx, 0) + log1p(e^−|βx|))/β: no overflow for any x, and
 * full precision for very negative x (softplus(−100) ≈ 3.8e-44, a subnormal, not 0).
 * softplus(NaN) = NaN. Gradient: dy·σ(βx), and dy where βx > threshold.
 */
export const softplus = unaryOp<SoftplusArgs, typeof SOFTPLUS>({
  name: 'softplus',
  kernel: UnaryOp.Softplus,
  saves: 'input',
  names: ['beta', 'threshold'],
  spec: SOFTPLUS,
  params: ({ beta = 1, threshold = 20 }) => {
    if (beta === 0) throw new ValueError('softplus: beta must be nonzero, got 0');
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
export const clamp = unaryOp<ClampArgs, typeof CLAMP>({
  name: 'clamp',
  kernel: UnaryOp.Clamp,
  saves: 'input',
  names: ['min', 'max'],
  spec: CLAMP,
  params: ({ min, max }) => {
    if ((min ?? null) === null && (max ?? null) === null) throw new ValueError('clamp: at least one of min and max must be given');
    return [min ?? -Infinity, max ?? Infinity];
  },
  grad: (dy, x, _y, min, max) => mul(dy, mul(ge(x, min), le(x, max))),
});

const powScalar: (x: TensorInput, exponent: number) => Tensor = unaryOp<[exponent: number], typeof POW>({
  name: 'pow',
  kernel: UnaryOp.Pow,
  saves: 'both', // x^-2's gradient reads both
  names: ['exponent'],
  spec: POW,
  params: (o) => [o.exponent ?? 1, 0],
  // e·x^(e−1), and 0 where e = 0 (PyTorch's rule)
  grad: (dy, x, _y, e): Tensor => (e === 0 ? mul(dy, 0) : mul(dy, mul(powScalar(x, e - 1), e))),
});

function powGrad(wrt: 0 | 1, x: Tensor, e: Tensor, out: Tensor, dy: Tensor): Tensor {
  const g = Tensor.empty(out.shape);
  powBackward(wrt, x, e, out, dy, g);
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
export function pow(input: TensorInput, exponent: TensorInput, ...rest: []): Tensor {
  noMoreArgs('pow', rest);
  const x = toTensor('pow', 'input', input);
  const e = toTensorOrNumber('pow', 'exponent', exponent);
  if (typeof e === 'number') return releasePromoted(powScalar(x, e), [input], [x]);
  return releasePromoted(powTensor(x, e), [input, exponent], [x, e]);
}

function powTensor(x: Tensor, exponent: Tensor): Tensor {
  const shape = broadcastShapes('pow', x.shape, exponent.shape);
  const out = Tensor.empty(shape);
  powForward(x, exponent, out);
  return record(out, 'pow', [x, exponent], composed((dy) => [
    () => (isGradEnabled() ? powRecordedGrad(0, x, exponent, out, dy) : powGrad(0, x, exponent, out, dy)),
    () => (isGradEnabled() ? powRecordedGrad(1, x, exponent, out, dy) : powGrad(1, x, exponent, out, dy)),
  ]));
}

/**
 * @internal The op of every unary_f32 code (assembly/opcodes.ts UnaryOp): a code added there
 * without its op here fails to compile.
 */
export const unaryOps = {
  Exp: exp, Log: log, Sqrt: sqrt, Abs: abs, Tanh: tanh, Sigmoid: sigmoid, Relu: relu, LeakyRelu: leakyRelu,
  Softplus: softplus, Clamp: clamp, Pow: powScalar, Square: square, Rsqrt: rsqrt,
} satisfies { [K in keyof typeof UnaryOp]: (x: TensorInput, ...args: never) => Tensor };
