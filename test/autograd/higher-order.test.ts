// Higher-order autograd: backward with createGraph, the functional API (grad, valueAndGrad,
// jacobian, hessian, hvp), gradgradcheck per op, the named error for a backward that is not
// differentiable, and memory. Oracles: analytic derivatives, finite differences of the
// gradient (gradgradcheck) and PyTorch (scripts/fixtures/torch_higher_order.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { expectClose } from '../support/opcheck.js';
import { expectNoMemoryGrowth } from '../support/memory-check.js';

type T = fg.Tensor;
const leaf = (v: number[] | number[][], shape?: number[]): T => fg.tensor(v as number[], shape, { requiresGrad: true });
const values = (t: T | null): number[] => Array.from((t as T).toFloat32Array());

describe('backward with createGraph', () => {
  it('gives .grad a graph: the second backward differentiates the gradient (d²/dx² x³ = 6x)', () => {
    fg.tidy(() => {
      const x = leaf([1, 2, -3]);
      x.pow(3).sum().backward({ createGraph: true });
      const g = x.grad as T;
      expect(values(g)).toEqual([3, 12, 27]);
      expect(g.requiresGrad).toBe(true);
      x.grad = null;
      g.sum().backward();
      expect(values(x.grad)).toEqual([6, 12, -18]);
    });
  });

  it('retains the graph, and accumulates out of place into an existing .grad', () => {
    fg.tidy(() => {
      const x = leaf([2]);
      const y = x.square().sum();
      y.backward({ createGraph: true });
      const first = x.grad as T;
      y.backward({ createGraph: true }); // graph kept by createGraph
      const both = x.grad as T;
      expect(both).not.toBe(first);
      expect(values(both)).toEqual([8]);
      x.grad = null;
      both.backward(); // d(2·2x)/dx
      expect(values(x.grad)).toEqual([4]);
    });
  });

  it('takes PyTorch positional forms and checks its options', () => {
    fg.tidy(() => {
      const x = leaf([3]);
      const y = x.mul(x);
      fg.backward(y, fg.tensor([2]), true, true);
      expect(values(x.grad)).toEqual([12]);
      expect((x.grad as T).requiresGrad).toBe(true);
      expect(() => y.backward({ creatGraph: true } as never)).toThrow(fg.UnknownOptionError);
      expect(() => y.backward({ creatGraph: true } as never)).toThrow(/did you mean 'createGraph'/);
      expect(() => y.backward({ retainGraph: 1 } as never)).toThrow(/backward: retainGraph must be a boolean/);
    });
  });

  it('accumulates only into `inputs`, non-leaf ones included', () => {
    fg.tidy(() => {
      const a = leaf([1, 2]);
      const b = leaf([3, 4]);
      const h = a.mul(b);
      h.square().sum().backward({ inputs: [a, h] });
      expect(values(a.grad)).toEqual([2 * 3 * 3, 2 * 8 * 4]); // 2h·b
      expect(values(h.grad)).toEqual([6, 16]);
      expect(b.grad).toBeNull();
      expect(() => a.sum().backward({ inputs: [fg.tensor([1])] })).toThrow(/backward: inputs\[0\] .* does not require a gradient/);
    });
  });
});

describe('functional API', () => {
  it('grad returns the gradient and leaves .grad alone; valueAndGrad with several argnums', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, 2]);
      const w = leaf([0.5, -1]);
      const f = (a: T, b: T): T => a.mul(b).exp().sum();
      const gx = fg.grad(f)(x, w) as T;
      expectClose(values(gx), [0.5 * Math.exp(0.5), -1 * Math.exp(-2)], 1e-6, 1e-7, 'd/dx');
      expect(w.grad).toBeNull();
      const [value, [ga, gb]] = fg.valueAndGrad(f, { argnums: [0, 1] })(x, w) as [T, T[]];
      expectClose(values(value), [Math.exp(0.5) + Math.exp(-2)], 1e-6, 0, 'value');
      expectClose(values(ga as T), values(gx), 0, 0, 'same d/dx');
      expectClose(values(gb as T), [Math.exp(0.5), 2 * Math.exp(-2)], 1e-6, 1e-7, 'd/dw');
      expect(w.grad).toBeNull();
      expect(values(fg.grad((a: T, _b: T) => a.sum(), { argnums: 1 })(x, w) as T)).toEqual([0, 0]); // unused: zeros
    });
  });

  it('nests: grad of grad, jacobian of a vector function', () => {
    fg.tidy(() => {
      const cube = (t: T): T => t.pow(3).sum();
      const second = fg.grad((t: T) => (fg.grad(cube)(t) as T).sum());
      expect(values(second(fg.tensor([2, -1])) as T)).toEqual([12, -6]);
      const j = fg.jacobian((t: T) => fg.matmul(fg.tensor([[1, 2], [3, 4], [5, 6]]), t.square()))(fg.tensor([1, -2])) as T;
      expect(j.shape).toEqual([3, 2]);
      expect(values(j)).toEqual([2, -8, 6, -16, 10, -24]);
    });
  });

  it('names bad calls', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, 2]);
      expect(() => fg.grad((t: T) => t.square())(x)).toThrow(/grad: fn must return a scalar, got shape \[2\]/);
      expect(() => fg.grad((t: T) => t.sum(), { argnums: 2 })(x)).toThrow(/grad: argnums names argument 2, but 1 argument\(s\) were given/);
      expect(() => fg.grad((t: T) => t.sum(), { argnum: 0 } as never)).toThrow(fg.UnknownOptionError);
      expect(() => fg.hvp((t: T) => t.sum(), x, fg.tensor([1]))).toThrow(/hvp: v of shape \[1\] does not match x of shape \[2\]/);
    });
  });
});

interface Fixture {
  hessians: Array<{ name: string; x: number[]; shape: number[]; value: number; hessian: number[] }>;
  hvps: Array<{ name: string; x: number[]; v: number[]; value: number; hvp: number[] }>;
  data: { X: number[]; Y01: number[]; Yreg: number[]; W2: number[]; T: number[] };
  gradientPenalty: {
    real: number[]; fake: number[]; eps: number[];
    params: Record<'w1' | 'b1' | 'w2' | 'b2', { shape: number[]; values: number[] }>;
    inputGradient: number[]; penalty: number;
    grads: Record<'w1' | 'b1' | 'w2' | 'b2', number[] | null>;
  };
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-higher-order.json', import.meta.url), 'utf8')) as Fixture;

// The functions of the fixture script, from fingrad ops.
function fixtureFunctions(): Record<string, (x: T) => T> {
  const d = fixture.data;
  const X = fg.tensor(d.X, [5, 3]);
  const y01 = fg.tensor(d.Y01);
  const yreg = fg.tensor(d.Yreg);
  const w2 = fg.tensor(d.W2);
  const target = fg.tensor(d.T);
  return {
    smooth: (x) => x.tanh().mul(x).sum().add(x.sigmoid().pow(2).sum()).add(x.mul(x).neg().exp().sum()).add(x.mul(x).add(1).log().sum().div(x.sum().add(10))),
    softmaxes: (x) => fg.logSoftmax(x, -1).mul(target).sum().add(fg.softmax(x, -1).pow(2).sum()),
    logistic: (w) => fg.bceWithLogits(fg.matmul(X, w), y01),
    mlp: (w1) => fg.mseLoss(fg.matmul(fg.matmul(X, w1.reshape([3, 4])).tanh(), w2), yreg),
    reluNet: (w) => fg.matmul(X, w).relu().pow(2).mean(),
  };
}

describe('against PyTorch', () => {
  it('Hessians and Hessian-vector products of smooth, softmax, logistic, MLP and ReLU losses', () => {
    fg.tidy(() => {
      const fns = fixtureFunctions();
      for (const c of fixture.hessians) {
        const fn = fns[c.name] as (x: T) => T;
        const x = fg.tensor(c.x, c.shape);
        const h = fg.hessian(fn)(x);
        expect(h.shape, c.name).toEqual([...c.shape, ...c.shape]);
        const scale = Math.max(...c.hessian.map(Math.abs));
        expectClose(values(h), c.hessian, 1e-3, 1e-4 * scale, `hessian of ${c.name}`);
      }
      for (const c of fixture.hvps) {
        const x = fg.tensor(c.x);
        const [value, hv] = fg.hvp((t) => (fns[c.name] as (x: T) => T)(t.reshape(x.shape)), x, fg.tensor(c.v));
        expectClose(values(value), [c.value], 1e-5, 1e-6, `value of ${c.name}`);
        const scale = Math.max(...c.hvp.map(Math.abs));
        expectClose(values(hv), c.hvp, 1e-3, 1e-4 * scale, `hvp of ${c.name}`);
      }
    });
  });

  it('a WGAN-GP gradient penalty: gradient of ‖∂D/∂x̂‖ through backward({createGraph, inputs})', () => {
    const gp = fixture.gradientPenalty;
    fg.tidy(() => {
      const p = Object.fromEntries(Object.entries(gp.params).map(([k, v]) => [k, leaf(v.values, v.shape)])) as Record<'w1' | 'b1' | 'w2' | 'b2', T>;
      const eps = fg.tensor(gp.eps, [6, 1]);
      const xhat = eps.mul(fg.tensor(gp.real, [6, 3])).add(eps.neg().add(1).mul(fg.tensor(gp.fake, [6, 3]))).requiresGrad_();
      const critic = fg.linear(fg.linear(xhat, p.w1, p.b1, { activation: 'tanh' }), p.w2, p.b2);
      critic.sum().backward({ createGraph: true, inputs: [xhat] });
      const g = xhat.grad as T;
      expect(Object.values(p).every((t) => t.grad === null)).toBe(true);
      expectClose(values(g), gp.inputGradient, 1e-5, 1e-6, 'input gradient');
      const penalty = g.square().sum(1).sqrt().sub(1).square().mean();
      expectClose(values(penalty), [gp.penalty], 1e-5, 1e-7, 'penalty');
      penalty.backward();
      for (const k of ['w1', 'b1', 'w2', 'b2'] as const) {
        const want = gp.grads[k];
        if (want === null) expect(p[k].grad, `${k} takes no part`).toBeNull();
        else expectClose(values(p[k].grad), want, 1e-4, 1e-6, `gradient of ${k}`);
      }
    });
  });
});
