// Autograd's version counter: an in-place write to a tensor that an op saved for its backward
// makes backward() throw (as PyTorch's "modified by an inplace operation"), and only then.
// Which cases raise, and the gradients of those that do not, come from PyTorch
// (scripts/fixtures/inplace-version.py → test/fixtures/inplace-version.json).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { expectClose } from '../support/opcheck.js';

interface Case {
  case: string;
  raises: boolean;
  grad?: number[];
}
const fixture = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'inplace-version.json'), 'utf8')) as {
  x: number[];
  w: number[];
  cases: Case[];
};

const leaf = (): fg.Tensor => fg.tensor(fixture.x, undefined, { requiresGrad: true });
const constant = (): fg.Tensor => fg.tensor(fixture.w);

// The same graphs as the Python script; each returns the scalar to differentiate.
const BUILD: Record<string, (x: fg.Tensor) => fg.Tensor> = {
  'sigmoid-output': (x) => {
    const y = x.sigmoid();
    fg.noGrad(() => y.fill_(0));
    return y.sum();
  },
  'exp-output': (x) => {
    const y = x.exp();
    fg.noGrad(() => y.fill_(0));
    return y.sum();
  },
  'sigmoid-input': (x) => {
    const y = x.sigmoid();
    fg.noGrad(() => x.fill_(0));
    return y.sum();
  },
  'exp-input': (x) => {
    const y = x.exp();
    fg.noGrad(() => x.fill_(0));
    return y.sum();
  },
  'square-input': (x) => {
    const y = x.square();
    fg.noGrad(() => x.fill_(0));
    return y.sum();
  },
  'add-input': (x) => {
    const y = x.add(1);
    fg.noGrad(() => x.fill_(0));
    return y.sum();
  },
  'mul-other': (x) => {
    const w = constant();
    const y = x.mul(w);
    w.fill_(0);
    return y.sum();
  },
  'mul-other-view': (x) => {
    const w = constant();
    const y = x.mul(w);
    w.reshape([3, 1]).fill_(0);
    return y.sum();
  },
  'mul-scalar-input': (x) => {
    const y = x.mul(3);
    fg.noGrad(() => x.fill_(0));
    return y.sum();
  },
  'reshape-sum-input': (x) => {
    const y = x.reshape([3, 1]).sum();
    fg.noGrad(() => x.fill_(0));
    return y;
  },
  'matmul-weight': (x) => {
    const m = fg.tensor([[1, 2], [3, 4], [5, 6]], undefined, { requiresGrad: true });
    const y = x.reshape([1, 3]).matmul(m);
    fg.noGrad(() => m.addScaled_(fg.onesLike(m)));
    return y.sum();
  },
  'softmax-input': (x) => {
    const y = x.softmax(-1).mul(constant());
    fg.noGrad(() => x.fill_(0));
    return y.sum();
  },
  'copy-into-saved': (x) => {
    const w = constant();
    const y = x.mul(w);
    w.copy_(fg.ones([3]));
    return y.sum();
  },
  'linear-bias': (x) => {
    const w = fg.tensor([[1, 0, -1], [2, 1, 0]], undefined, { requiresGrad: true });
    const b = fg.tensor([0.5, -0.5], undefined, { requiresGrad: true });
    const y = fg.linear(x.reshape([1, 3]), w, b);
    fg.noGrad(() => b.fill_(3));
    return y.sum();
  },
  'linear-weight': (x) => {
    const w = fg.tensor([[1, 0, -1], [2, 1, 0]], undefined, { requiresGrad: true });
    const b = fg.tensor([0.5, -0.5], undefined, { requiresGrad: true });
    const y = fg.linear(x.reshape([1, 3]), w, b);
    fg.noGrad(() => w.mulScalar_(2));
    return y.sum();
  },
};

describe('autograd version counter against PyTorch', () => {
  it('covers every case of the fixture', () => {
    expect(fixture.cases.map((c) => c.case).sort()).toEqual(Object.keys(BUILD).sort());
  });

  for (const c of fixture.cases) {
    it(`${c.case}: ${c.raises ? 'raises' : 'back-propagates'} as PyTorch`, () => {
      fg.tidy(() => {
        const x = leaf();
        const loss = (BUILD[c.case] as (x: fg.Tensor) => fg.Tensor)(x);
        if (c.raises) {
          expect(() => loss.backward()).toThrow(fg.InplaceModificationError);
          expect(x.grad).toBeNull();
        } else {
          loss.backward();
          expectClose(x.grad?.toFloat32Array() ?? [], c.grad as number[], 1e-6, 1e-6, c.case);
        }
        x.dispose();
      });
    });
  }
});

describe('InplaceModificationError', () => {
  it('names the op, the tensor, the in-place op and the versions', () => {
    fg.tidy(() => {
      const x = leaf();
      const y = x.sigmoid();
      y.name = 'gate';
      fg.noGrad(() => y.fill_(0));
      let err: unknown;
      try {
        y.sum().backward();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(fg.InplaceModificationError);
      expect(err).toBeInstanceOf(fg.FingradError);
      const e = err as fg.InplaceModificationError;
      expect(e.op).toBe('sigmoid');
      expect(e.tensor).toBe(y);
      expect(e.message).toContain("backward of 'sigmoid'");
      expect(e.message).toContain(`tensor #${y.id} [3] 'gate' (its output)`);
      expect(e.message).toContain("('fill_')");
      expect(e.message).toContain('version 1, expected version 0');
      x.dispose();
    });
  });

  it('names the input position for a saved input', () => {
    fg.tidy(() => {
      const x = leaf();
      const w = constant();
      const y = x.mul(w);
      w.mulScalar_(2);
      expect(() => y.sum().backward()).toThrow(`tensor #${w.id} [3] (input 1), which 'mul' saved for its gradient, was modified by an in-place operation ('mulScalar_')`);
      x.dispose();
    });
  });

  it('a refused backward writes no .grad; a graph built after the write back-propagates', () => {
    fg.tidy(() => {
      const x = leaf();
      const w = constant();
      const y = x.mul(w).sum();
      w.fill_(5);
      expect(() => y.backward()).toThrow(fg.InplaceModificationError);
      expect(x.grad).toBeNull();
      const again = x.mul(w).sum();
      again.backward();
      expect(Array.from(x.grad?.toFloat32Array() ?? [])).toEqual([5, 5, 5]);
      x.dispose();
    });
  });
});

describe('versions', () => {
  it('every in-place op and optimizer step bumps the storage version, shared by views', () => {
    fg.tidy(() => {
      const t = fg.zeros([2, 2]);
      const v = t.reshape([4]);
      expect(t.version).toBe(0);
      t.fill_(1);
      t.mulScalar_(2);
      v.addScaled_(fg.ones([4]));
      t.copy_(fg.zeros([2, 2]));
      expect(t.version).toBe(4);
      expect(v.version).toBe(4);
      const p = fg.tensor([1, 2], undefined, { requiresGrad: true });
      const opt = new fg.optim.SGD([p], { lr: 0.1 });
      p.square().sum().backward();
      opt.step();
      expect(p.version).toBe(1);
      opt.dispose();
      p.dispose();
    });
  });
});

describe('no false positives in ordinary training', () => {
  it('an optimizer step after backward, then a new forward and backward, trains a model', () => {
    fg.manualSeed(3);
    const model = new fg.nn.Sequential(new fg.nn.Linear(3, 4), new fg.nn.Tanh(), new fg.nn.Linear(4, 1), new fg.nn.Sigmoid());
    const opt = new fg.optim.Adam(model.parameters(), { lr: 0.05 });
    const x = fg.keep(fg.tensor([[0, 1, 2], [1, 0, -1], [2, 2, 0], [-1, 0, 1]]));
    const y = fg.keep(fg.tensor([[1], [0], [1], [0]]));
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      losses.push(
        fg.tidy(() => {
          const loss = fg.mseLoss(model.forward(x), y);
          loss.backward();
          opt.step();
          opt.zeroGrad();
          return loss.item();
        }),
      );
    }
    expect(losses[29]).toBeLessThan((losses[0] as number) / 2);
    opt.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  });

  it('retainGraph + optimizer step + second backward is refused (PyTorch raises too)', () => {
    fg.manualSeed(4);
    const model = new fg.nn.Linear(3, 1);
    const opt = new fg.optim.SGD(model.parameters(), { lr: 0.1 });
    fg.tidy(() => {
      const loss = model.forward(fg.ones([2, 3])).square().sum();
      loss.backward(undefined, { retainGraph: true });
      opt.step();
      expect(() => loss.backward()).toThrow(/modified by an in-place operation \('SGD.step'\)/);
    });
    opt.dispose();
    model.dispose();
  });
});
