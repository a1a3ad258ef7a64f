import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { optim } from '../../src/index.js';

// PyTorch's update rules written out in float64, term by term (torch/optim/*.py, single tensor).
type Rule = (p: number[], g: number[], t: number, s: Record<string, number[]>) => number[];

const sgdRule = (lr: number, momentum = 0, dampening = 0, wd = 0, nesterov = false): Rule => (p, g, t, s) =>
  p.map((pv, i) => {
    let d = (g[i] as number) + wd * pv;
    if (momentum !== 0) {
      const buf = (s.buf ??= new Array(p.length).fill(0));
      buf[i] = t === 1 ? d : momentum * (buf[i] as number) + (1 - dampening) * d;
      d = nesterov ? d + momentum * (buf[i] as number) : (buf[i] as number);
    }
    return pv - lr * d;
  });

const adamRule = (lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean): Rule => (p, g, t, s) =>
  p.map((pv0, i) => {
    const m = (s.m ??= new Array(p.length).fill(0));
    const v = (s.v ??= new Array(p.length).fill(0));
    const pv = decoupled ? pv0 * (1 - lr * wd) : pv0;
    const d = (g[i] as number) + (decoupled ? 0 : wd * pv);
    m[i] = b1 * (m[i] as number) + (1 - b1) * d;
    v[i] = b2 * (v[i] as number) + (1 - b2) * d * d;
    const mhat = (m[i] as number) / (1 - b1 ** t);
    const vhat = (v[i] as number) / (1 - b2 ** t);
    return pv - (lr * mhat) / (Math.sqrt(vhat) + eps);
  });

const rmspropRule = (lr: number, alpha: number, eps: number, wd: number, momentum: number, centered: boolean): Rule => (p, g, _t, s) =>
  p.map((pv, i) => {
    const sq = (s.sq ??= new Array(p.length).fill(0));
    const ga = (s.ga ??= new Array(p.length).fill(0));
    const buf = (s.buf ??= new Array(p.length).fill(0));
    const d = (g[i] as number) + wd * pv;
    sq[i] = alpha * (sq[i] as number) + (1 - alpha) * d * d;
    let avg: number;
    if (centered) {
      ga[i] = alpha * (ga[i] as number) + (1 - alpha) * d;
      avg = Math.sqrt((sq[i] as number) - (ga[i] as number) ** 2) + eps;
    } else avg = Math.sqrt(sq[i] as number) + eps;
    if (momentum > 0) {
      buf[i] = momentum * (buf[i] as number) + d / avg;
      return pv - lr * (buf[i] as number);
    }
    return pv - (lr * d) / avg;
  });

const P0 = [1, -2, 3, 0.5, -0.25, 4, -3]; // 7 elements: a SIMD body and a scalar tail
const GRADS = [
  [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7],
  [-0.3, 0.1, 0.2, 0.4, -0.5, 0.05, 1.5],
  [0.2, 0.2, -0.1, 0.0, 0.3, -0.2, -0.9],
  [1.0, -1.0, 0.5, 0.25, -0.125, 2, 0],
];

function run(make: (ps: fg.Tensor[]) => optim.Optimizer, rule: Rule): void {
  const p = fg.keep(fg.tensor(P0, undefined, { requiresGrad: true }));
  const opt = make([p]);
  let expected = [...P0];
  const state: Record<string, number[]> = {};
  GRADS.forEach((g, k) => {
    p.grad = fg.keep(fg.tensor(g));
    opt.step();
    expected = rule(expected, g, k + 1, state);
    const got = Array.from(p.toFloat32Array());
    got.forEach((v, i) => expect(v, `step ${k + 1}, element ${i}`).toBeCloseTo(expected[i] as number, 5));
    p.zeroGrad();
  });
  opt.dispose();
  p.dispose();
}

describe('optimizers follow the PyTorch update rules', () => {
  it.each([
    ['plain', {}, sgdRule(0.1)],
    ['momentum', { momentum: 0.9 }, sgdRule(0.1, 0.9)],
    ['momentum + dampening + weight decay', { momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }, sgdRule(0.1, 0.8, 0.3, 0.01)],
    ['nesterov', { momentum: 0.9, nesterov: true }, sgdRule(0.1, 0.9, 0, 0, true)],
  ] as const)('SGD %s', (_n, options, rule) => {
    run((ps) => new optim.SGD(ps, { lr: 0.1, ...options }), rule);
  });

  it.each([
    ['Adam', (ps: fg.Tensor[]) => new optim.Adam(ps, { lr: 0.01 }), adamRule(0.01, 0.9, 0.999, 1e-8, 0, false)],
    ['Adam + L2', (ps: fg.Tensor[]) => new optim.Adam(ps, { lr: 0.01, weightDecay: 0.1, betas: [0.8, 0.99] }), adamRule(0.01, 0.8, 0.99, 1e-8, 0.1, false)],
    ['AdamW', (ps: fg.Tensor[]) => new optim.AdamW(ps, { lr: 0.01 }), adamRule(0.01, 0.9, 0.999, 1e-8, 0.01, true)],
    ['RMSprop', (ps: fg.Tensor[]) => new optim.RMSprop(ps, { lr: 0.01 }), rmspropRule(0.01, 0.99, 1e-8, 0, 0, false)],
    ['RMSprop centered + momentum + decay', (ps: fg.Tensor[]) => new optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.1 }), rmspropRule(0.01, 0.99, 1e-8, 0.1, 0.5, true)],
  ] as const)('%s', (_n, make, rule) => {
    run(make, rule);
  });

  it('Adam first step moves every weight by lr against the sign of its gradient (hand-computed)', () => {
    const p = fg.keep(fg.tensor([1, 1, 1], undefined, { requiresGrad: true }));
    const opt = new optim.Adam([p], { lr: 0.5 });
    p.grad = fg.keep(fg.tensor([3, -0.001, 100]));
    opt.step();
    // m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps) = ±0.5
    Array.from(p.toFloat32Array()).forEach((v, i) => expect(v).toBeCloseTo([0.5, 1.5, 0.5][i] as number, 4));
    opt.dispose();
    p.dispose();
  });

  it('skips parameters without a gradient and rejects bad settings', () => {
    const a = fg.keep(fg.tensor([1], undefined, { requiresGrad: true }));
    const b = fg.keep(fg.tensor([1], undefined, { requiresGrad: true }));
    const opt = new optim.SGD([a, b], { lr: 1 });
    a.grad = fg.keep(fg.tensor([0.5]));
    opt.step();
    expect(a.item()).toBe(0.5);
    expect(b.item()).toBe(1);
    expect(() => new optim.SGD([], { lr: 1 })).toThrow(/SGD: got an empty parameter list/);
    expect(() => new optim.Adam([a], { lr: -1 })).toThrow(/optim\.Adam: lr must be a finite number >= 0, got number -1/);
    expect(() => new optim.SGD([a], { nesterov: true })).toThrow(/Nesterov/);
    expect(() => new optim.SGD([fg.keep(fg.ones([2]))])).toThrow(/parameter 0 \(shape \[2\]\) does not require a gradient/);
    a.dispose();
    b.dispose();
  });
});

describe('gradient clipping', () => {
  it('scales gradients to the max global norm and returns the norm before', () => {
    const a = fg.keep(fg.ones([3], { requiresGrad: true }));
    const b = fg.keep(fg.ones([1], { requiresGrad: true }));
    a.grad = fg.keep(fg.tensor([3, 0, 0]));
    b.grad = fg.keep(fg.tensor([4]));
    expect(optim.clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect(a.grad.toFloat32Array()[0]).toBeCloseTo(0.6, 5);
    expect(b.grad.toFloat32Array()[0]).toBeCloseTo(0.8, 5);
    expect(optim.clipGradNorm([a, b], 10)).toBeCloseTo(1, 4); // below the limit: unchanged
    expect(b.grad.toFloat32Array()[0]).toBeCloseTo(0.8, 5);
    b.grad.data[0] = NaN;
    expect(() => optim.clipGradNorm([a, b], 1)).toThrow(/total gradient norm is NaN/);
    a.dispose();
    b.dispose();
  });
});

describe('learning-rate schedules', () => {
  const make = (): optim.Optimizer => new optim.SGD([fg.keep(fg.ones([1], { requiresGrad: true }))], { lr: 0.1 });

  it('StepLR, ExponentialLR and CosineAnnealingLR follow their closed forms', () => {
    const s = new optim.StepLR(make(), { stepSize: 2, gamma: 0.5 });
    const e = new optim.ExponentialLR(make(), { gamma: 0.9 });
    const c = new optim.CosineAnnealingLR(make(), { tMax: 4, etaMin: 0.01 });
    const seen: number[][] = [];
    for (let i = 0; i < 4; i++) {
      s.step();
      e.step();
      c.step();
      seen.push([s.lastLr, e.lastLr, c.lastLr]);
    }
    const expected = [
      [0.1, 0.09, 0.01 + 0.09 * (1 + Math.cos(Math.PI / 4)) / 2],
      [0.05, 0.081, 0.055],
      [0.05, 0.0729, 0.01 + 0.09 * (1 + Math.cos((3 * Math.PI) / 4)) / 2],
      [0.025, 0.06561, 0.01],
    ];
    seen.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]?.[j] as number, 10)));
  });
});
