// Training is transactional: a batch whose loss or gradient is not finite is refused before the
// optimizer step, and the model, its buffers and the optimizer state stay as they were before
// that batch; no gradient survives a failure.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { Module } from '../../src/nn/module.js';
import { NonFiniteError, fit } from '../../src/train/index.js';

const N = 8;

function data(badRow: number | null, where: 'x' | 'y' = 'y'): fg.Dataset {
  const r = fg.dataRng(5);
  const x = Float32Array.from({ length: N * 2 }, () => r() * 2 - 1);
  const y = Float32Array.from({ length: N }, (_, i) => (i % 2 === 0 ? 1 : 0));
  if (badRow !== null) {
    if (where === 'y') y[badRow] = NaN;
    else x[badRow * 2 + 1] = Infinity;
  }
  return { x: fg.keep(fg.tensor(x, [N, 2], { allowNonFinite: true })), y: fg.keep(fg.tensor(y, [N, 1], { allowNonFinite: true })) };
}

const net = (seed: number): fg.nn.Sequential => {
  fg.manualSeed(seed);
  return new fg.nn.Sequential(new fg.nn.Linear(2, 4), new fg.nn.BatchNorm1d(4), new fg.nn.Tanh(), new fg.nn.Linear(4, 1));
};

const values = (m: Module): Float32Array[] => Object.values(m.stateDict()).map((t) => t.toFloat32Array());

function dispose(d: fg.Dataset): void {
  d.x.dispose();
  d.y.dispose();
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception');
}

type MakeOpt = (params: fg.Tensor[]) => fg.optim.Optimizer;
const OPTIMIZERS: Array<[string, MakeOpt]> = [
  ['Adam', (p) => new fg.optim.Adam(p, { lr: 0.05 })],
  ['SGD with momentum', (p) => new fg.optim.SGD(p, { lr: 0.1, momentum: 0.9 })],
];

describe('a NaN target row', () => {
  for (const [name, makeOpt] of OPTIMIZERS) {
    it(`${name}: names epoch, batch and row; weights, buffers and optimizer state are those from before the batch`, () => {
      const bad = data(5); // rows 4–5 are batch 3 without shuffling
      const clean = data(null);
      const a = net(1);
      const optA = makeOpt(a.parameters());
      const e = caught(() => fit(a, bad, { lossFn: fg.bceWithLogits, optimizer: optA, batchSize: 2, shuffle: false, epochs: 2 }));
      expect(e).toBeInstanceOf(NonFiniteError);
      expect(e).toBeInstanceOf(fg.FingradError);
      const err = e as NonFiniteError;
      expect([err.epoch, err.batch, err.row, err.parameter]).toEqual([1, 3, 5, null]);
      expect(err.message).toMatch(/the loss became NaN at epoch 1, batch 3 .*row 5 of the training data has a NaN or Infinity in the target y/);
      expect(a.parameters().every((p) => p.grad === null)).toBe(true);

      // The same model trained on the first two batches only: identical weights and buffers…
      const b = net(1);
      const optB = makeOpt(b.parameters());
      const firstTwo = { x: fg.keep(bad.x.slice(0, 0, 4)), y: fg.keep(bad.y.slice(0, 0, 4)) };
      fit(b, firstTwo, { lossFn: fg.bceWithLogits, optimizer: optB, batchSize: 2, shuffle: false });
      expect(values(a)).toEqual(values(b));
      expect(optA.stepCount).toBe(optB.stepCount);
      // …and identical optimizer state: the next steps agree bit for bit.
      for (const [m, opt] of [[a, optA], [b, optB]] as const) fit(m, clean, { lossFn: fg.bceWithLogits, optimizer: opt, batchSize: 2, shuffle: false });
      expect(values(a)).toEqual(values(b));

      for (const o of [optA, optB]) o.dispose();
      for (const m of [a, b]) m.dispose();
      for (const d of [bad, clean, firstTwo]) dispose(d);
    });
  }

  it('names the row of the original data when shuffling, and an Infinity in x', () => {
    const bad = data(6, 'x');
    const m = net(2);
    const opt = new fg.optim.SGD(m.parameters(), { lr: 0.1 });
    const before = values(m);
    // One shuffled batch: row 6 sits elsewhere in it, and is still named as row 6.
    const err = caught(() => fit(m, bad, { lossFn: fg.mseLoss, optimizer: opt, batchSize: N, seed: 9 })) as NonFiniteError;
    expect(err).toBeInstanceOf(NonFiniteError);
    expect([err.epoch, err.batch, err.row]).toEqual([1, 1, 6]);
    expect(err.message).toContain('row 6 of the training data has a NaN or Infinity in x');
    // Batch norm's running statistics, updated by the failed forward, were put back.
    expect(values(m)).toEqual(before);
    opt.dispose();
    m.dispose();
    dispose(bad);
  });

  it('leaves no live tensors behind', () => {
    const bad = data(3);
    const m = net(3);
    const opt = new fg.optim.Adam(m.parameters());
    const run = (): void => void caught(() => fit(m, bad, { lossFn: fg.mseLoss, optimizer: opt, batchSize: 4 }));
    run();
    const live = fg.memoryStats().liveTensors;
    for (let i = 0; i < 3; i++) run();
    expect(fg.memoryStats().liveTensors).toBe(live);
    opt.dispose();
    m.dispose();
    dispose(bad);
  });
});

// y = w·x + √b with b = 0: the loss is finite, d/db = 1/(2√b) is not.
class SqrtBias extends Module {
  readonly w = this.registerParameter('w', fg.tensor([[0.5, -0.5]]));
  readonly b = this.registerParameter('b', fg.zeros([1]));
  forward(x: fg.Tensor): fg.Tensor {
    return fg.linear(x, this.w).add(this.b.sqrt());
  }
}

describe('a non-finite gradient with a finite loss', () => {
  it('names the parameter and skips the step', () => {
    const d = data(null);
    const m = new SqrtBias();
    const opt = new fg.optim.Adam(m.parameters(), { lr: 0.1 });
    const before = values(m);
    const err = caught(() => fit(m, d, { lossFn: fg.mseLoss, optimizer: opt, batchSize: 4 })) as NonFiniteError;
    expect(err).toBeInstanceOf(NonFiniteError);
    expect([err.epoch, err.batch, err.parameter, err.row]).toEqual([1, 1, 'b', null]);
    expect(err.message).toMatch(/the gradient of parameter 'b' \[1\] holds NaN or Infinity at epoch 1, batch 1/);
    expect(values(m)).toEqual(before);
    expect(opt.stepCount).toBe(0);
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    opt.dispose();
    m.dispose();
    dispose(d);
  });
});

describe('gradients', () => {
  it('fit zeroes stale gradients before its first step', () => {
    const d = data(null);
    const run = (stale: boolean): Float32Array[] => {
      const m = net(4);
      // In eval mode, so that batch norm's running statistics stay as they were.
      if (stale) fg.tidy(() => m.eval().forward(d.x).mul(1e3).sum().backward());
      expect(m.parameters().every((p) => (p.grad !== null) === stale)).toBe(true);
      const opt = new fg.optim.SGD(m.parameters(), { lr: 0.1 });
      fit(m, d, { lossFn: fg.mseLoss, optimizer: opt, batchSize: 4, shuffle: false });
      const w = values(m);
      opt.dispose();
      m.dispose();
      return w;
    };
    expect(run(true)).toEqual(run(false));
    dispose(d);
  });

  it('an exception from a hook in backward leaves no partial .grad (and keeps earlier ones)', () => {
    fg.tidy(() => {
      const w1 = fg.tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
      const w2 = fg.tensor([[1], [-1]], undefined, { requiresGrad: true });
      const h = fg.ones([3, 2]).matmul(w1);
      h.registerHook(() => {
        throw new fg.ValueError('hook failed');
      });
      // w2's gradient is computed before the hook on h runs.
      expect(() => h.matmul(w2).sum().backward()).toThrow('hook failed');
      expect(w1.grad).toBeNull();
      expect(w2.grad).toBeNull();

      w2.grad = fg.keep(fg.tensor([[7], [7]]));
      const h2 = fg.ones([3, 2]).matmul(w1);
      h2.registerHook(() => {
        throw new fg.ValueError('hook failed');
      });
      expect(() => h2.matmul(w2).sum().backward()).toThrow('hook failed');
      expect(w2.grad.toArray()).toEqual([[7], [7]]);
      expect(w1.grad).toBeNull();
      w1.dispose();
      w2.dispose();
    });
  });

  it('an exception from a hook during fit leaves no .grad and unchanged weights; the next fit trains', () => {
    const d = data(null);
    let fail = true;
    class Hooked extends Module {
      readonly inner = this.registerModule('inner', net(6));
      forward(x: fg.Tensor): fg.Tensor {
        const out = this.inner.forward(x);
        if (fail) {
          out.registerHook(() => {
            throw new fg.ValueError('out of memory (simulated)');
          });
        }
        return out;
      }
    }
    const m = new Hooked();
    const opt = new fg.optim.Adam(m.parameters(), { lr: 0.05 });
    const before = values(m);
    expect(() => fit(m, d, { lossFn: fg.mseLoss, optimizer: opt, batchSize: 4, shuffle: false })).toThrow('out of memory (simulated)');
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    expect(values(m)).toEqual(before);
    fail = false;
    const h = fit(m, d, { lossFn: fg.mseLoss, optimizer: opt, batchSize: 4, shuffle: false, epochs: 3 });
    expect(h.epochs).toHaveLength(3);
    expect(values(m)).not.toEqual(before);
    opt.dispose();
    m.dispose();
    dispose(d);
  });
});
