// Functional autograd: gradients as return values instead of `.grad` side effects. `grad` and
// `valueAndGrad` are JAX's transforms, `jacobian` and `hessian` torch.func's (reverse mode, one
// vector-Jacobian product per output element; jacobian also of a fn with several outputs),
// `hvp` torch.autograd.functional's (double backward). All rest on `gradOf`
// (torch.autograd.grad), so the inputs' `.grad` is untouched.
//
// Nesting works through requiresGrad: when an argument being differentiated already requires
// a gradient (an outer transform's input, or a tensor of the caller's graph), the gradient is
// computed with createGraph and stays connected to it, so `hessian(f)` is `jacobian(grad(f))`.
// Otherwise the argument is replaced by a fresh leaf over the same storage and the gradient
// carries no graph; every intermediate is freed before returning.
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { full } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { describe, is, readOptions } from '../validate.js';
import { gradOf } from './backward.js';
import { enableGrad } from './graph.js';

/** A function of tensors returning a tensor (a scalar for `grad`, `valueAndGrad`, `hessian`, `hvp`). */
export type TensorFn = (...args: Tensor[]) => Tensor;

export interface GradOptions {
  /** Which positional argument(s) to differentiate with respect to. Default 0. */
  argnums?: number | readonly number[];
}

const GRAD_SPEC = {
  argnums: is.anyOf<number | number[]>('an integer >= 0 or a non-empty list of them', is.int({ min: 0 }), is.list(is.int({ min: 0 }), { minLength: 1 })),
};

interface Prepared {
  args: Tensor[];
  /** The tensors differentiated with respect to, in argnums order. */
  wrt: Tensor[];
  /** The caller's arguments require a gradient: keep the result's graph. */
  nested: boolean;
}

const isNested = (args: readonly unknown[], argnums: readonly number[]): boolean => argnums.some((i) => args[i] instanceof Tensor && (args[i] as Tensor).requiresGrad);

function prepare(where: string, args: readonly unknown[], argnums: readonly number[]): Prepared {
  const nested = isNested(args, argnums);
  const out = args.map((a, i) => {
    if (!argnums.includes(i)) return a as Tensor;
    if (!(a instanceof Tensor)) {
      throw new ArgumentError(`${where}: argument ${i} (in argnums) must be a Tensor, got ${a === undefined ? 'nothing' : typeof a}`, where, `args[${i}]`);
    }
    a.assertLive(where);
    return nested && a.requiresGrad ? a : Tensor.view(a, a.shape).requiresGrad_();
  });
  argnums.forEach((i) => {
    if (i >= args.length) throw new ArgumentError(`${where}: argnums names argument ${i}, but ${args.length} argument(s) were given`, where, 'argnums');
  });
  return { args: out, wrt: argnums.map((i) => out[i] as Tensor), nested };
}

function scalarOutput(where: string, out: unknown): Tensor {
  if (!(out instanceof Tensor)) throw new ArgumentError(`${where}: fn must return a Tensor`, where, 'fn');
  if (out.size !== 1) throw new ShapeError(`${where}: fn must return a scalar, got shape ${fmtShape(out.shape)} (reduce it, e.g. with .sum(), or use jacobian)`);
  return out;
}

// d out / d wrt, zeros for arguments out does not depend on (JAX's convention).
function gradients(out: Tensor, wrt: readonly Tensor[], createGraph: boolean, gradOutputs?: Tensor): Tensor[] {
  if (!out.requiresGrad) return wrt.map((x) => full(x.shape, 0));
  return gradOf(out, wrt, { createGraph, retainGraph: true, ...(gradOutputs && { gradOutputs }) }).map((g, i) => g ?? full((wrt[i] as Tensor).shape, 0));
}

function readArgnums(where: string, options: unknown): { list: number[]; single: boolean } {
  const o = readOptions(where, options, GRAD_SPEC);
  const argnums = o.argnums ?? 0;
  return typeof argnums === 'number' ? { list: [argnums], single: true } : { list: argnums, single: false };
}

/**
 * `valueAndGrad(fn)(...args)` returns `[fn(...args), gradient]` for a scalar-valued fn: the
 * gradient with respect to argument `argnums` (a list of gradients for a list of argnums),
 * zeros for an argument fn does not use. The value carries no graph unless nested (see above).
 * An argument that requires a gradient (a model parameter, say) counts as nested: its gradient
 * is built with createGraph, which every op on the way must support; pass `x.detach()` for a
 * plain gradient.
 */
export function valueAndGrad(fn: TensorFn, options?: GradOptions): (...args: Tensor[]) => [Tensor, Tensor | Tensor[]] {
  return valueAndGradAs('valueAndGrad', fn, options);
}

function valueAndGradAs(where: string, fn: TensorFn, options: GradOptions | undefined): (...args: Tensor[]) => [Tensor, Tensor | Tensor[]] {
  is.function(fn, `${where}: fn`);
  const { list, single } = readArgnums(where, options);
  return (...args: Tensor[]) => {
    const run = (p: Prepared): [Tensor, Tensor | Tensor[]] => {
      const out = scalarOutput(where, enableGrad(() => fn(...p.args)));
      const gs = gradients(out, p.wrt, p.nested);
      return [p.nested ? out : Tensor.view(out, out.shape), single ? (gs[0] as Tensor) : gs];
    };
    // Nested, the gradient's graph reads fn's intermediates: they stay in the caller's scope.
    return isNested(args, list) ? run(prepare(where, args, list)) : tidy(() => run(prepare(where, args, list)));
  };
}

/** `grad(fn)(...args)`: the gradient of a scalar-valued fn (see `valueAndGrad`). */
export function grad(fn: TensorFn, options?: GradOptions): (...args: Tensor[]) => Tensor | Tensor[] {
  const vg = valueAndGradAs('grad', fn, options);
  return (...args: Tensor[]) => {
    const [value, g] = vg(...args);
    // A plain value is a detached view, needed by nothing; a nested one may be read by the
    // gradient's graph (fn = exp of a scalar: the gradient is the value itself).
    if (!value.requiresGrad) value.dispose();
    return g;
  };
}

/**
 * `jacobian(fn)(...args)`: d fn(...args) / d args[argnums], of shape [...output shape,
 * ...argument shape], by one backward pass per output element (torch.func.jacrev); so keep the
 * output small. The result carries no graph. A fn that returns an array of tensors gets an
 * array back, one entry per output (each a tensor, or a list of them for a list of argnums), as
 * jacrev does for a tuple.
 */
export function jacobian(fn: TensorFn, options?: GradOptions): (...args: Tensor[]) => Tensor | Tensor[];
export function jacobian(fn: (...args: Tensor[]) => Tensor[], options?: GradOptions): (...args: Tensor[]) => Array<Tensor | Tensor[]>;
export function jacobian(fn: (...args: Tensor[]) => Tensor | Tensor[], options?: GradOptions): (...args: Tensor[]) => Tensor | Tensor[] | Array<Tensor | Tensor[]> {
  is.function(fn, 'jacobian: fn');
  const { list, single } = readArgnums('jacobian', options);
  return (...args: Tensor[]) =>
    tidy(() => {
      const detached = args.map((a, i) => (list.includes(i) && a instanceof Tensor ? Tensor.view(a, a.shape) : a));
      const p = prepare('jacobian', detached, list);
      const result = enableGrad(() => fn(...p.args));
      const outs = Array.isArray(result) ? result : [result];
      outs.forEach((out, k) => {
        if (!(out instanceof Tensor)) {
          const what = Array.isArray(result) ? `output ${k} is ${describe(out)}` : `got ${describe(out)}`;
          throw new ArgumentError(`jacobian: fn must return a Tensor or an array of Tensors; ${what}`, 'jacobian', 'fn');
        }
      });
      if (Array.isArray(result) && outs.length === 0) throw new ArgumentError('jacobian: fn returned an empty array', 'jacobian', 'fn');
      const perOutput = outs.map((out) => {
        const blocks = p.wrt.map((x) => Tensor.empty([...out.shape, ...x.shape]));
        const seed = full(out.shape, 0);
        for (let i = 0; i < out.size; i++) {
          seed.data[i] = 1;
          const rows = gradients(out, p.wrt, false, seed);
          seed.data[i] = 0;
          rows.forEach((row, k) => {
            const block = blocks[k] as Tensor;
            block.data.set(row.data, i * row.size);
            row.dispose();
          });
        }
        return single ? (blocks[0] as Tensor) : blocks;
      });
      return Array.isArray(result) ? perOutput : (perOutput[0] as Tensor | Tensor[]);
    });
}

/**
 * `hessian(fn)(...args)`: the matrix of second derivatives of a scalar-valued fn with respect
 * to argument `argnums` (one index), of shape [...x.shape, ...x.shape] — `jacobian(grad(fn))`,
 * as torch.func.hessian. Dense: for small x. Every op on the way needs a differentiable
 * backward (NotDifferentiableError names the first that has none).
 */
export function hessian(fn: TensorFn, options?: { argnums?: number }): (...args: Tensor[]) => Tensor {
  is.function(fn, 'hessian: fn');
  const o = readOptions('hessian', options, { argnums: is.int({ min: 0 }) });
  const argnums = o.argnums ?? 0;
  const inner = grad(fn, { argnums }) as TensorFn;
  return jacobian(inner, { argnums }) as (...args: Tensor[]) => Tensor;
}

/**
 * Hessian-vector product of a scalar-valued fn at x (torch.autograd.functional.hvp): returns
 * `[fn(x), H·v]` with v of x's shape, by differentiating the gradient (double backward)
 * without forming H. Neither carries a graph.
 */
export function hvp(fn: (x: Tensor) => Tensor, x: Tensor, v: Tensor): [Tensor, Tensor] {
  is.function(fn, 'hvp: fn');
  is.instance(Tensor, 'a Tensor')(x, 'hvp: x');
  is.instance(Tensor, 'a Tensor')(v, 'hvp: v');
  x.assertLive('hvp');
  v.assertLive('hvp');
  if (fmtShape(v.shape) !== fmtShape(x.shape)) throw new ShapeError(`hvp: v of shape ${fmtShape(v.shape)} does not match x of shape ${fmtShape(x.shape)}`);
  return tidy(() => {
    const leaf = Tensor.view(x, x.shape).requiresGrad_();
    const out = scalarOutput('hvp', enableGrad(() => fn(leaf)));
    const [g] = gradients(out, [leaf], true) as [Tensor];
    if (!g.requiresGrad) return [Tensor.view(out, out.shape), full(x.shape, 0)] as [Tensor, Tensor];
    const [hv] = gradOf(g, [leaf], { gradOutputs: v });
    return [Tensor.view(out, out.shape), hv ?? full(x.shape, 0)] as [Tensor, Tensor];
  });
}
