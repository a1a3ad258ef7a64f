import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

const leaf = (v: number[]): fg.Tensor => fg.tensor(v, undefined, { requiresGrad: true });

describe('backward', () => {
  it('differentiates a diamond graph (gradients from two paths add up)', () => {
    fg.tidy(() => {
      const x = leaf([1, 2, 3]);
      const y = x.mul(x); // x²
      const z = y.add(x.mul(3)).sum(); // Σ x² + 3x
      z.backward();
      expect(x.grad?.toArray()).toEqual([5, 7, 9]); // 2x + 3
    });
  });

  it('accumulates .grad across calls until zeroGrad', () => {
    fg.tidy(() => {
      const w = leaf([1, -1]);
      w.mul(2).sum().backward();
      w.mul(2).sum().backward();
      expect(w.grad?.toArray()).toEqual([4, 4]);
      w.zeroGrad();
      expect(w.grad).toBeNull();
      w.mul(5).sum().backward();
      expect(w.grad?.toArray()).toEqual([5, 5]);
    });
  });

  it('takes an upstream gradient for non-scalar outputs and refuses to guess one', () => {
    fg.tidy(() => {
      const x = leaf([1, 2]);
      const y = x.mul(x);
      expect(() => y.backward()).toThrow(fg.ShapeError);
      expect(() => y.backward()).toThrow(/backward: the output has shape \[2\], not a scalar/);
      expect(() => y.backward(fg.ones([3]))).toThrow(/upstream gradient of shape \[3\] does not match output shape \[2\]/);
      y.backward(fg.tensor([1, 10]));
      expect(x.grad?.toArray()).toEqual([2, 40]);
    });
  });

  it('frees the graph after backward unless retainGraph is set', () => {
    fg.tidy(() => {
      const x = leaf([3]);
      const y = x.mul(x).sum();
      y.backward(undefined, { retainGraph: true });
      y.backward();
      expect(x.grad?.toArray()).toEqual([12]);
      expect(() => y.backward()).toThrow(/the graph through 'sum' was freed by an earlier backward\(\)/);
    });
  });

  it('refuses backward on a tensor that needs no gradient', () => {
    fg.tidy(() => {
      const c = fg.tensor([1, 2]).sum();
      expect(() => c.backward()).toThrow(/does not require a gradient/);
    });
  });

  it('runs hooks on the gradient and lets them replace it', () => {
    fg.tidy(() => {
      const x = leaf([1, 2]);
      const h = x.mul(3);
      const seen: number[][] = [];
      h.registerHook((g) => {
        seen.push(Array.from(g.toFloat32Array()));
      });
      const remove = h.registerHook((g) => g.mul(10));
      h.sum().backward();
      expect(seen).toEqual([[1, 1]]);
      expect(x.grad?.toArray()).toEqual([30, 30]);
      remove();
      x.zeroGrad();
      x.mul(3).sum().backward();
      expect(x.grad?.toArray()).toEqual([3, 3]);
    });
  });

  it('keeps gradients of non-leaf tensors with retainGrad', () => {
    fg.tidy(() => {
      const x = leaf([1, 2]);
      const h = x.mul(2).retainGrad();
      const other = x.mul(2);
      h.mul(h).sum().backward();
      expect(h.grad?.toArray()).toEqual([4, 8]); // 2h
      expect(other.grad).toBeNull();
      expect(x.grad?.toArray()).toEqual([8, 16]);
    });
  });

  it('detach and noGrad cut the graph', () => {
    fg.tidy(() => {
      const x = leaf([2]);
      const d = x.mul(3).detach();
      expect(d.requiresGrad).toBe(false);
      expect(d.isLeaf).toBe(true);
      const y = fg.noGrad(() => x.mul(x));
      expect(y.requiresGrad).toBe(false);
      expect(fg.isGradEnabled()).toBe(true);
      const z = x.mul(d).sum(); // d is a constant: dz/dx = d = 6
      z.backward();
      expect(x.grad?.toArray()).toEqual([6]);
    });
  });

  it('reports which tensor was disposed when backward reaches it', () => {
    const x = leaf([1, 2]);
    const y = x.mul(x);
    x.dispose();
    const s = y.sum();
    expect(() => s.backward()).toThrow(fg.DisposedError);
    y.dispose();
    s.dispose();
  });

  it('leaves no intermediate tensors behind', () => {
    const x = leaf([1, 2, 3]);
    const before = fg.memoryStats().liveTensors;
    fg.tidy(() => {
      x.mul(x).add(x).mean().backward();
    });
    // only x.grad was added
    expect(fg.memoryStats().liveTensors).toBe(before + 1);
    x.dispose();
    expect(fg.memoryStats().liveTensors).toBe(before - 1);
  });
});

// A first gradient nobody else holds becomes .grad itself (no copy); any shared one is copied,
// so that no two gradients, and no gradient and a caller's tensor, share storage.
describe('gradients handed to .grad', () => {
  it('stores an unshared first gradient as it is', () => {
    fg.tidy(() => {
      const x = leaf([1, 2, 3]);
      let seen: fg.Tensor | null = null;
      x.registerHook((g) => {
        seen = g;
      });
      x.mul(x).sum().backward();
      expect(x.grad).toBe(seen);
      expect(x.grad?.toArray()).toEqual([2, 4, 6]);
    });
  });

  it('copies a gradient handed to two tensors (add passes dy to both)', () => {
    fg.tidy(() => {
      const a = leaf([1, 2]);
      const b = leaf([3, 4]);
      a.add(b).mul(2).sum().backward();
      expect(a.grad).not.toBe(b.grad);
      a.grad?.mulScalar_(10);
      expect(a.grad?.toArray()).toEqual([20, 20]);
      expect(b.grad?.toArray()).toEqual([2, 2]);
    });
  });

  it("copies the caller's upstream gradient and a view of a gradient", () => {
    fg.tidy(() => {
      const x = leaf([1, 2, 3, 4]);
      const seed = fg.tensor([1, 1, 1, 1]);
      x.backward(seed);
      expect(x.grad).not.toBe(seed);
      seed.mulScalar_(5);
      expect(x.grad?.toArray()).toEqual([1, 1, 1, 1]);
      const y = leaf([1, 2, 3, 4]);
      const r = y.reshape([2, 2]);
      r.retainGrad();
      r.mul(3).sum().backward();
      // y's gradient is a view of r's: both are stored, apart.
      expect(y.grad).not.toBe(r.grad);
      r.grad?.mulScalar_(0);
      expect(y.grad?.toArray()).toEqual([3, 3, 3, 3]);
    });
  });

  it('copies a gradient that a hook kept', () => {
    fg.tidy(() => {
      const x = leaf([1, 2]);
      let kept: fg.Tensor | null = null;
      x.registerHook((g) => {
        kept = fg.keep(g);
      });
      x.mul(4).sum().backward();
      expect(x.grad).not.toBe(kept);
      x.grad?.mulScalar_(0);
      expect((kept as fg.Tensor | null)?.toArray()).toEqual([4, 4]);
      (kept as fg.Tensor | null)?.dispose();
    });
  });

  it('grad() hands out one tensor per input, also for an input named twice', () => {
    fg.tidy(() => {
      const x = leaf([1, 2]);
      const [g1, g2] = fg.gradOf(x.mul(x).sum(), [x, x]);
      expect(g1).not.toBe(g2);
      g1?.mulScalar_(0);
      expect(g2?.toArray()).toEqual([2, 4]);
    });
  });

  it('leaves the same number of live tensors as copying did', () => {
    const x = leaf([1, 2, 3]);
    const w = leaf([0.5, 0.5, 0.5]);
    const before = fg.memoryStats();
    fg.tidy(() => x.mul(w).sum().backward());
    expect(fg.memoryStats().liveTensors).toBe(before.liveTensors + 2);
    x.zeroGrad();
    w.zeroGrad();
    expect(fg.memoryStats().liveTensors).toBe(before.liveTensors);
    expect(fg.memoryStats().bytesInUse).toBe(before.bytesInUse);
    x.dispose();
    w.dispose();
  });
});
