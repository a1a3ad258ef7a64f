// Higher-order autograd: backward with createGraph, the functional API (grad, valueAndGrad,
// jacobian, hessian, hvp), gradgradcheck per op, the named error for a backward that is not
// differentiable, and memory. Oracles: analytic derivatives, finite differences of the
// gradient (gradgradcheck) and PyTorch (scripts/fixtures/torch_higher_order.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { expectClose } from '../support/opcheck.js';
import { expectNoMemoryGrowth } from '../support/memory-check.js';
import { composed, record } from '../../src/autograd/graph.js';

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
      // The upstream gradient may be a plain list (promoted as every op's operands are).
      const z = leaf([1, 2]);
      z.square().backward([1, 3], { createGraph: true });
      expect(values(z.grad)).toEqual([2, 12]);
      expect((z.grad as T).requiresGrad).toBe(true);
      expect(() => z.square().backward([[1], 'a'] as never, { createGraph: true })).toThrow(fg.FingradError);
    });
  });

  it('checks saved versions first: a tensor written in place since fails with nothing changed', () => {
    fg.tidy(() => {
      const p = leaf([2, 3]);
      const c = fg.tensor([3, 4]);
      const r = p.mul(c).sum();
      c.fill_(1);
      expect(() => r.backward({ createGraph: true })).toThrow(fg.InplaceModificationError);
      expect(() => fg.gradOf(r, [p], { createGraph: true })).toThrow(/backward of 'mul'.*modified by an in-place operation/);
      expect(p.grad).toBeNull();
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

// Inputs away from kinks (abs, relu, clamp, max) and from poles (log, sqrt, rsqrt, div).
const positive = (shape: number[], seed: number): T => fg.rand(shape, { generator: new fg.Generator(seed) }).add(0.5).requiresGrad_();
const signed = (shape: number[], seed: number): T => {
  const u = fg.rand(shape, { generator: new fg.Generator(seed) });
  return fg.where(fg.gt(u, 0.5), u.add(0.2), u.sub(1.2)).detach().requiresGrad_(); // |x| ≥ 0.2
};
const plainInput = (shape: number[], seed: number): T => fg.randn(shape, { generator: new fg.Generator(seed) });

const OPS: Array<[string, () => [(...xs: T[]) => T, T[]]]> = [
  ['exp', () => [(x) => fg.exp(x), [signed([3, 2], 1)]]],
  ['log', () => [(x) => fg.log(x), [positive([4], 2)]]],
  ['sqrt', () => [(x) => fg.sqrt(x), [positive([4], 3)]]],
  ['rsqrt', () => [(x) => fg.rsqrt(x), [positive([4], 4)]]],
  ['abs', () => [(x) => fg.abs(x).mul(x), [signed([5], 5)]]],
  ['square', () => [(x) => fg.square(x).mul(x), [signed([5], 6)]]],
  ['tanh', () => [(x) => fg.tanh(x), [signed([5], 7)]]],
  ['sigmoid', () => [(x) => fg.sigmoid(x), [signed([5], 8)]]],
  ['relu', () => [(x) => fg.relu(x).mul(x), [signed([6], 9)]]],
  ['leakyRelu', () => [(x) => fg.leakyRelu(x, 0.1).mul(x), [signed([6], 10)]]],
  ['softplus', () => [(x) => fg.softplus(x, 2), [signed([5], 11)]]],
  ['clamp', () => [(x) => fg.clamp(x, -0.5, 0.5).mul(x), [signed([6], 12)]]],
  ['pow', () => [(x) => fg.pow(x, 2.5), [positive([4], 13)]]],
  ['add/sub (broadcast)', () => [(a, b) => fg.add(a, b).mul(fg.sub(a, b)), [signed([2, 3], 14), signed([3], 15)]]],
  ['mul/div (broadcast)', () => [(a, b) => fg.div(fg.mul(a, b), b.add(2)), [signed([2, 3], 16), positive([2, 1], 17)]]],
  ['maximum/minimum', () => [(a, b) => fg.maximum(a, b).mul(fg.minimum(a, b)), [signed([4], 18), signed([4], 19)]]],
  ['matmul', () => [(a, b) => fg.matmul(a, b).square(), [signed([2, 3], 20), signed([3, 2], 21)]]],
  ['matmul (batched, vector)', () => [(a, b, v) => fg.matmul(fg.matmul(a, b).tanh(), v), [signed([2, 2, 3], 22), signed([3, 2], 23), signed([2], 24)]]],
  ['linear+tanh', () => [(x, w, b) => fg.linear(x, w, b, { activation: 'tanh' }), [signed([3, 2], 25), signed([2, 2], 26), signed([2], 27)]]],
  ['linear+sigmoid', () => [(x, w) => fg.linear(x, w, null, { activation: 'sigmoid' }).square(), [signed([3, 2], 28), signed([2, 2], 29)]]],
  ['sum/mean (axes)', () => [(x) => fg.sum(x, 1, { keepdim: true }).square().add(fg.mean(x, 0).square().sum()), [signed([2, 3], 30)]]],
  ['amax/amin', () => [(x) => fg.amax(x.square(), 1).add(fg.amin(x.mul(x).mul(x), 0).sum()), [signed([2, 3], 31)]]],
  ['max/min with indices', () => [(x) => fg.max(x.square(), 1).values.add(fg.min(x.mul(x).mul(x), 0).values.sum()), [signed([2, 3], 131)]]],
  ['reshape/transpose/expand', () => [(x) => x.reshape([3, 2]).transpose(0, 1).expand([2, 2, 3]).square(), [signed([6], 32)]]],
  ['concat/stack', () => [(a, b) => fg.stack([fg.concat([a, b], 0).square(), fg.concat([b, a], 0).tanh()], 1), [signed([2, 2], 33), signed([1, 2], 34)]]],
  ['where', () => [(a, b) => fg.where(fg.gt(a, 0), a.square(), b.mul(a)), [signed([5], 35), signed([5], 36)]]],
  ['softmax', () => [(x) => fg.softmax(x, 1), [signed([2, 4], 37)]]],
  ['logSoftmax', () => [(x) => fg.logSoftmax(x, 0).square(), [signed([3, 2], 38)]]],
  ['mseLoss', () => [(a, b) => fg.mseLoss(a.tanh(), b), [signed([3, 2], 39), signed([3, 2], 40)]]],
  ['mseLoss (none)', () => [(a, b) => fg.mseLoss(a.square(), b, { reduction: 'none' }), [signed([4], 41), signed([4], 42)]]],
  ['bceWithLogits', () => [(x, y) => fg.bceWithLogits(x, y), [signed([2, 3], 43), positive([2, 3], 44).mul(0.5).detach().requiresGrad_()]]],
  ['bceWithLogits (weight, posWeight, sum)', () => [(x, y) => fg.bceWithLogits(x, y, { weight: fg.tensor([1, 0.5, 2]), posWeight: fg.tensor([3, 1, 0.5]), reduction: 'sum' }), [signed([2, 3], 45), fg.tensor([[1, 0, 1], [0, 1, 0]])]]],
  ['slice/select', () => [(x) => fg.slice(x, [[0, 2], [1, null, 2]]).square().add(fg.select(x, 1, 0).sum().square()), [signed([3, 4], 51)]]],
  ['indexSelect', () => [(x) => fg.indexSelect(x, 0, [2, 0, 2]).tanh(), [signed([3, 2], 52)]]],
  ['dropout', () => [(x) => fg.dropout(x.square(), 0.4, { generator: new fg.Generator(9) }).mul(x), [signed([8], 53)]]],
  ['var/std', () => [(x) => fg.variance(x, 1).add(fg.std(x, 0).sum()), [signed([3, 4], 54)]]],
  ['norm (p = 2, 3)', () => [(x) => fg.norm(x, 2, 1).add(fg.norm(x, 3)), [signed([2, 3], 55)]]],
  ['pow (tensor exponent, broadcast)', () => [(x, e) => fg.pow(x, e), [positive([2, 3], 56), signed([3], 57)]]],
  ['gather', () => [(x) => fg.gather(x, 1, fg.tensor([[0, 0], [2, 1]])).square(), [signed([2, 3], 58)]]],
  ['crossEntropy', () => [(x) => fg.crossEntropy(x.tanh(), [2, 0, 1]), [signed([3, 4], 59)]]],
  ['crossEntropy (weight, labelSmoothing, ignoreIndex)', () => [(x) => fg.crossEntropy(x, [2, -1, 1], { weight: fg.tensor([1, 0.5, 2, 1]), labelSmoothing: 0.2, ignoreIndex: -1 }), [signed([3, 4], 60)]]],
  ['crossEntropy ([N, C, d], none)', () => [(x) => fg.crossEntropy(x, fg.tensor([[0, 2], [1, 1]]), { reduction: 'none' }), [signed([2, 3, 2], 61)]]],
  ['crossEntropy ([C])', () => [(x) => fg.crossEntropy(x.square(), 1), [signed([3], 62)]]],
  ['sigmoidFocalLoss (composed of ops)', () => [(x) => fg.sigmoidFocalLoss(x, fg.tensor([[1, 0, 1], [0, 1, 0]]), 0.25, 2, 'mean'), [signed([2, 3], 63)]]],
  ['operands promoted from lists and numbers', () => [(x) => fg.mul(fg.add(x, [[0.5, -1, 2]]), x).sum(1).div(2), [signed([2, 3], 64)]]],
  ['mseLoss with a fixed target', () => [(a) => fg.mseLoss(fg.matmul(a, a).sigmoid(), plainInput([2, 2], 46)), [signed([2, 2], 47)]]],
];

describe('gradgradcheck per op (finite differences of the gradient)', () => {
  it.each(OPS)('%s', (_name, make) => {
    fg.tidy(() => {
      const [fn, inputs] = make();
      // The recorded rules give the same gradient as the kernels (gradgradcheck checks them
      // against their own finite differences only).
      const wrt = inputs.filter((t) => t.requiresGrad);
      const out = fn(...inputs);
      const u = fg.randn(out.shape, { generator: new fg.Generator(99) });
      const kernel = fg.gradOf(out, wrt, { gradOutputs: u, retainGraph: true });
      const recorded = fg.gradOf(out, wrt, { gradOutputs: u, createGraph: true });
      kernel.forEach((g, i) => expectClose(values(recorded[i] as T), values(g), 1e-5, 1e-6, `recorded gradient of input ${i}`));
      const result = fg.gradgradcheck(fn, inputs);
      expect(result.checks.some((c) => c !== null)).toBe(true);
      expect(result.ok, JSON.stringify(result.checks.map((c) => c && { rel: c.maxRelError, worst: c.worst }))).toBe(true);
    });
  });

  it('fails for a backward that is right to first order but cuts its own graph', () => {
    fg.tidy(() => {
      // x³ whose rule reads x detached: 3x²·dy is right, but its derivative in x comes out 0.
      const cube = (x: T): T => {
        const out = fg.noGrad(() => x.pow(3));
        return record(out, 'cube', [x], composed((dy) => [() => fg.mul(dy, x.detach().square().mul(3))]));
      };
      const x = signed([4], 50);
      expect(fg.gradcheck(cube, [x]).ok).toBe(true);
      expect(fg.gradgradcheck((t) => fg.pow(t, 3), [x]).ok).toBe(true);
      const wrong = fg.gradgradcheck(cube, [x]);
      expect(wrong.ok).toBe(false);
      expect(wrong.checks[0]?.worst[0]?.analytic).toBe(0);
      expect(() => fg.gradgradcheck(cube, [x], { raise: true })).toThrow(/gradgradcheck: second derivatives differ from finite differences of the gradient/);
    });
  });
});

describe('ops whose backward is not differentiable yet', () => {
  it('name themselves in a NotDifferentiableError before any .grad changes', () => {
    fg.tidy(() => {
      const logits = leaf([[1, 2, 0.5]]);
      const loss = fg.hingeLoss(logits.tanh(), fg.tensor([[1, -1, 1]]));
      const e = (() => {
        try {
          loss.backward({ createGraph: true });
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(fg.NotDifferentiableError);
      expect((e as fg.NotDifferentiableError).op).toBe('hingeLoss');
      expect(String(e)).toMatch(/createGraph needs the backward of 'hingeLoss' \(output #\d+ \[\]\) to be differentiable/);
      expect(logits.grad).toBeNull();
      loss.backward(); // first order is fine
      expect(logits.grad).not.toBeNull();
      const img = leaf(Array.from({ length: 16 }, (_, i) => i / 16), [1, 1, 4, 4]);
      expect(() => fg.hessian((t: T) => fg.conv2d(t.reshape([1, 1, 4, 4]), fg.ones([1, 1, 2, 2])).square().sum())(img.detach().reshape([16]))).toThrow(/backward of 'conv2d'/);
      expect(() => fg.gradgradcheck((t) => fg.huberLoss(t, fg.zeros([3])), [leaf([1, 2, 4])])).toThrow(/backward of 'huberLoss'/);
    });
  });
});

describe('memory', () => {
  it('double backward, grad, hessian, hvp and jacobian leave nothing behind', () => {
    const x = leaf([0.3, -0.7, 1.1]);
    const w = fg.keep(fg.tensor([[0.5, -1, 2], [1, 0.25, -0.5]]));
    const f = (t: T): T => fg.matmul(w, t.tanh()).softmax().log().sum().add(t.square().sum());
    expectNoMemoryGrowth(() => {
      fg.tidy(() => {
        f(x).backward({ createGraph: true });
        const g = x.grad as T;
        x.grad = null;
        g.square().sum().backward();
        g.dispose(); // a .grad is outside every scope, like any .grad
        x.zeroGrad();
      });
      fg.tidy(() => {
        fg.grad(f)(x);
        fg.hessian(f)(x.detach());
        fg.hvp(f, x, fg.ones([3]));
        fg.jacobian((t: T) => fg.matmul(w, t.sigmoid()))(x);
      });
    });
    expect(x.grad).toBeNull();
    // Outside any scope, a plain grad() leaves exactly its result.
    const plain = x.detach();
    const before = fg.memoryStats().liveTensors;
    const g = fg.grad(f)(plain) as T;
    expect(fg.memoryStats().liveTensors).toBe(before + 1);
    const h = fg.hessian(f)(plain);
    const [value, hv] = fg.hvp(f, plain, plain);
    expect(fg.memoryStats().liveTensors).toBe(before + 4);
    for (const t of [g, h, value, hv]) t.dispose();
    plain.dispose();
    x.dispose();
    w.dispose();
  });
});
