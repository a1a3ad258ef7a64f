import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { noGrad, record } from '../../src/autograd/graph.js';

// x² with a backward rule off by `factor` (1: correct).
function square(factor: number) {
  return (x: fg.Tensor): fg.Tensor => {
    const out = noGrad(() => fg.mul(x, x));
    return record(out, 'square', [x], (dy) => [() => fg.mul(dy, fg.mul(x, 2 * factor))]);
  };
}

const gen = (seed: number): fg.Generator => new fg.Generator(seed);

describe('gradcheck', () => {
  it('passes on correct composite functions, scalar and not', () => {
    fg.tidy(() => {
      const a = fg.randn([4, 3], { generator: gen(1), requiresGrad: true });
      const b = fg.randn([4, 3], { generator: gen(2), requiresGrad: true });
      const c = fg.randn([3], { generator: gen(3), requiresGrad: true });
      const elementwise = fg.gradcheck((a, b, c) => fg.div(fg.mul(a, b), fg.add(fg.mul(c, c), 1)), [a, b, c]);
      expect(elementwise.ok, JSON.stringify(elementwise)).toBe(true);
      expect(elementwise.maxRelError.every((e) => e < 1e-2)).toBe(true);

      const x = fg.randn([8, 5], { generator: gen(4) });
      const w = fg.randn([5, 4], { generator: gen(5), requiresGrad: true });
      const bias = fg.randn([4], { generator: gen(6), requiresGrad: true });
      const labels = [0, 1, 2, 3, 0, 1, 2, 3];
      const ce = fg.gradcheck((w, bias) => fg.crossEntropy(fg.matmul(x, w).add(bias), labels, { labelSmoothing: 0.1 }), [w, bias]);
      expect(ce.ok, JSON.stringify(ce)).toBe(true);

      const t = fg.rand([8, 4], { generator: gen(7) });
      const losses = fg.gradcheck(
        (w, bias) => {
          const z = fg.matmul(x, w).add(bias);
          return fg.add(fg.add(fg.bceWithLogits(z, t), fg.huberLoss(z, t, { delta: 0.5 })), fg.klNormal(z, t));
        },
        [w, bias],
      );
      expect(losses.ok, JSON.stringify(losses)).toBe(true);
      expect(square(1)).toBeDefined();
      expect(fg.gradcheck(square(1), [a]).ok).toBe(true);
    });
  });

  it('fails on a backward rule that is 2× or 10% off, and reports the worst element', () => {
    fg.tidy(() => {
      const x = fg.uniform([3, 4], 0.5, 2, { generator: gen(8), requiresGrad: true });
      const twice = fg.gradcheck(square(2), [x]);
      expect(twice.ok).toBe(false);
      expect(twice.maxRelError[0]).toBeCloseTo(0.5, 2);
      const w = twice.worst[0] as fg.GradcheckWorst;
      expect(w.input).toBe(0);
      expect(w.coords).toHaveLength(2);
      expect(w.analytic / w.numeric).toBeCloseTo(2, 2);
      expect(fg.gradcheck(square(1.1), [x]).ok).toBe(false);
      expect(() => fg.gradcheck(square(2), [x], { raise: true })).toThrow(/gradcheck: .*input 0 \[3, 4\] at \[\d, \d\]: analytic/);
      expect(() => fg.gradcheck(square(2), [x], { raise: true })).toThrow(fg.FingradError);
    });
  });

  it('allows for float32 rounding in large reductions but still catches a gradient 5% off', () => {
    fg.tidy(() => {
      const x = fg.randn([32, 16], { generator: gen(20) });
      const w = fg.randn([16, 10], { generator: gen(21), requiresGrad: true });
      const t = fg.rand([32, 10], { generator: gen(22) });
      // identity forward, backward scaled by `factor`
      const scaled = (factor: number) => (z: fg.Tensor): fg.Tensor => record(noGrad(() => fg.mul(z, 1)), 'scaled', [z], (dy) => [() => fg.mul(dy, factor)]);
      // a sum of ~6,000 in float32 rounds at ~5e-4: at eps = 1e-3 that is noise of ~0.1 in the gradient
      const loss = (factor: number) => (w: fg.Tensor) => fg.mseLoss(scaled(factor)(fg.matmul(x, w)), t, { reduction: 'sum' });
      const good = fg.gradcheck(loss(1), [w]);
      expect(good.ok, JSON.stringify(good)).toBe(true);
      expect(good.noise[0]).toBeGreaterThan(1e-3);
      const off = fg.gradcheck(loss(1.05), [w]);
      expect(off.ok).toBe(false);
      expect(off.maxRelError[0]).toBeGreaterThan(0.03);
    });
  });

  it('fails when an op records no gradient at all', () => {
    fg.tidy(() => {
      const x = fg.randn([5], { generator: gen(9), requiresGrad: true });
      const r = fg.gradcheck((x) => noGrad(() => fg.mul(x, 3)), [x]);
      expect(r.ok).toBe(false);
      expect(r.maxAbsError[0]).toBeGreaterThan(0.5);
    });
  });

  it('skips inputs that take no gradient (NaN, null) and leaves inputs untouched', () => {
    fg.tidy(() => {
      const a = fg.randn([2, 3], { generator: gen(10), requiresGrad: true });
      const b = fg.randn([2, 3], { generator: gen(11) });
      const before = a.toFloat32Array();
      const r = fg.gradcheck((a, b) => fg.mul(a, b).sum(), [a, b]);
      expect(r.ok).toBe(true);
      expect(r.maxRelError[1]).toBeNaN();
      expect(r.maxAbsError[1]).toBeNaN();
      expect(r.noise[1]).toBeNaN();
      expect(r.worst[1]).toBeNull();
      expect(a.grad).toBeNull();
      expect(a.toFloat32Array()).toEqual(before);
    });
  });

  it('stops at a non-leaf input without touching its graph', () => {
    fg.tidy(() => {
      const leaf = fg.randn([4], { generator: gen(12), requiresGrad: true });
      const mid = fg.mul(leaf, 2);
      expect(fg.gradcheck((m) => fg.mul(m, m), [mid]).ok).toBe(true);
      expect(leaf.grad).toBeNull();
    });
  });

  it('disposes everything it creates', () => {
    const a = fg.randn([3, 3], { requiresGrad: true });
    const b = fg.randn([3]);
    const before = fg.memoryStats();
    fg.gradcheck((a, b) => fg.mseLoss(fg.mul(a, b), fg.mul(b, a)).add(fg.mul(a, a).sum()), [a, b]);
    fg.gradcheck(square(2), [a]);
    expect(() => fg.gradcheck(square(2), [a], { raise: true })).toThrow();
    const after = fg.memoryStats();
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.liveTensors).toBe(before.liveTensors);
    a.dispose();
    b.dispose();
  });

  it('rejects a non-positive eps', () => {
    fg.tidy(() => {
      const x = fg.randn([2], { requiresGrad: true });
      expect(() => fg.gradcheck((x) => x, [x], { eps: 0 })).toThrow(/gradcheck: eps must be a finite number > 0, got number 0/);
    });
  });
});
