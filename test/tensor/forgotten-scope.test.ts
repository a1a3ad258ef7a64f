// The guard for forgotten scopes (src/tensor/scope.ts): tensors that no tidy() owns are
// counted; past the threshold fingrad warns once, naming tidy(). Normal training never warns.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import * as fg from '../../src/index.js';
import { twoMoons } from '../../src/data/synthetic.js';
import { MLPClassifier } from '../../src/models/mlp.js';

const untracked = (): number => fg.memoryStats().untrackedTensors;

let warn: MockInstance<typeof console.warn>;
const scopeWarnings = (): unknown[][] => warn.mock.calls.filter((c) => String(c[0]).includes('tidy()'));

beforeEach(() => {
  fg.setScopeWarningThreshold(fg.DEFAULT_SCOPE_WARNING_THRESHOLD); // re-arms the warning
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  warn.mockRestore();
});

describe('untracked tensors', () => {
  it('counts tensors made outside every scope until they are disposed or kept', () => {
    const before = untracked();
    const a = fg.ones([3]);
    const b = a.add(1);
    expect(untracked()).toBe(before + 2);
    b.dispose();
    expect(untracked()).toBe(before + 1);
    fg.keep(a); // meant to live: no longer counted, still alive
    expect(untracked()).toBe(before);
    expect(a.isDisposed).toBe(false);
    a.dispose();
    expect(untracked()).toBe(before);
  });

  it('does not count tensors inside tidy, but counts what escapes the outermost scope', () => {
    const before = untracked();
    const out = fg.tidy(() => {
      const inner = fg.tidy(() => fg.ones([2]).mul(3));
      expect(untracked()).toBe(before); // owned by the outer scope
      return inner.add(1);
    });
    expect(untracked()).toBe(before + 1);
    out.dispose();
    expect(untracked()).toBe(before);
  });

  it('does not count module parameters, optimizer state or gradients', () => {
    const before = untracked();
    const model = new fg.nn.Sequential(new fg.nn.Linear(4, 8), new fg.nn.ReLU(), new fg.nn.Linear(8, 1));
    const opt = new fg.optim.Adam(model.parameters(), { lr: 0.01 });
    const x = fg.keep(fg.randn([16, 4]));
    const y = fg.keep(fg.randn([16, 1]));
    for (let i = 0; i < 3; i++) {
      fg.tidy(() => {
        opt.zeroGrad();
        fg.mseLoss(model.forward(x), y).backward();
        opt.step();
      });
    }
    expect(untracked()).toBe(before);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });
});

describe('the forgotten-scope warning', () => {
  it('warns exactly once, naming tidy(), in a 2,000-step loop without tidy', () => {
    fg.manualSeed(1);
    const hidden = Array.from({ length: 6 }, (_, i) => [new fg.nn.Linear(i === 0 ? 6 : 16, 16), new fg.nn.Tanh()]).flat();
    const model = new fg.nn.Sequential(...hidden, new fg.nn.Linear(16, 1));
    const opt = new fg.optim.SGD(model.parameters(), { lr: 0.01 });
    const x = fg.keep(fg.randn([32, 6]));
    const y = fg.keep(fg.randn([32, 1]));
    const before = untracked();
    let warnedAt = -1;
    let countBefore = 0;
    let countAfter = 0;
    for (let step = 0; step < 2000; step++) {
      const count = untracked();
      opt.zeroGrad();
      const loss = fg.mseLoss(model.forward(x), y); // every intermediate outlives the step
      loss.backward();
      opt.step();
      if (warnedAt < 0 && scopeWarnings().length > 0) {
        warnedAt = step;
        countBefore = count;
        countAfter = untracked();
      }
    }
    expect(scopeWarnings()).toHaveLength(1);
    const message = String(scopeWarnings()[0]?.[0]);
    expect(message).toMatch(/outside any tidy\(\) scope/);
    expect(message).toMatch(/memoryStats\(\)\.untrackedTensors/);
    expect(message).toMatch(/setScopeWarningThreshold/);
    // Warned in the step that crossed the threshold, well before the end.
    expect(countBefore).toBeLessThan(fg.DEFAULT_SCOPE_WARNING_THRESHOLD);
    expect(countAfter).toBeGreaterThanOrEqual(fg.DEFAULT_SCOPE_WARNING_THRESHOLD);
    expect(warnedAt).toBeLessThan(1500);
    expect(untracked() - before).toBeGreaterThanOrEqual(fg.DEFAULT_SCOPE_WARNING_THRESHOLD);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('does not warn while an MLPClassifier trains and predicts, or in a tidy training loop', () => {
    // Tighter than the default (and above what earlier tests left): a leak per batch would show.
    const before = untracked();
    fg.setScopeWarningThreshold(before + 200);
    const { x, y } = twoMoons({ n: 400, noise: 0.1, seed: 1 });
    const clf = new MLPClassifier({ hiddenLayerSizes: [16, 8], batchSize: 16, maxIter: 20, seed: 0 });
    clf.fit(x, y);
    clf.predictProba(x).dispose();
    clf.dispose();

    const model = new fg.nn.Sequential(new fg.nn.Linear(2, 8), new fg.nn.ReLU(), new fg.nn.Linear(8, 1));
    const opt = new fg.optim.Adam(model.parameters(), { lr: 0.01 });
    const target = fg.keep(y.reshape([-1, 1]));
    for (let step = 0; step < 500; step++) {
      fg.tidy(() => {
        opt.zeroGrad();
        fg.mseLoss(model.forward(x), target).backward();
        opt.step();
      });
    }
    model.dispose();
    for (const t of [x, y, target]) t.dispose();
    expect(scopeWarnings()).toHaveLength(0);
    expect(untracked()).toBe(before);
  });

  it('is configurable: a lower threshold warns sooner, Infinity never', () => {
    const base = untracked();
    expect(fg.setScopeWarningThreshold(base + 5)).toBe(fg.DEFAULT_SCOPE_WARNING_THRESHOLD);
    const made: fg.Tensor[] = [];
    for (let i = 0; i < 4; i++) made.push(fg.zeros([1]));
    expect(scopeWarnings()).toHaveLength(0);
    made.push(fg.zeros([1]));
    expect(scopeWarnings()).toHaveLength(1);
    made.push(fg.zeros([1]));
    expect(scopeWarnings()).toHaveLength(1); // once
    expect(fg.setScopeWarningThreshold(Infinity)).toBe(base + 5);
    for (let i = 0; i < 20; i++) made.push(fg.zeros([1]));
    expect(scopeWarnings()).toHaveLength(1);
    for (const t of made) t.dispose();
  });

  it('rejects a threshold that is not a positive integer', () => {
    for (const bad of [0, -1, 2.5, Number.NaN, '10' as unknown as number]) {
      expect(() => fg.setScopeWarningThreshold(bad)).toThrow(fg.ArgumentError);
    }
    expect(() => fg.setScopeWarningThreshold(0)).toThrow(/setScopeWarningThreshold: n must be an integer/);
  });
});
