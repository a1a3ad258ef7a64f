import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { expectClose, randomValues, rng } from '../support/opcheck.js';

const { nn } = fg;

// The float64 loops tensorStats must agree with.
function reference(v: ArrayLike<number>, bins: number) {
  const all = Array.from(v);
  const finite = all.filter(Number.isFinite);
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const counts = new Array<number>(bins).fill(0);
  for (const x of finite) {
    let b = 0;
    // a constant tensor (hi = lo) fills the first bin
    while (hi > lo && b < bins - 1 && x >= lo + ((b + 1) * (hi - lo)) / bins) b++;
    counts[b] = (counts[b] as number) + 1;
  }
  return {
    count: all.length,
    norm: Math.sqrt(finite.reduce((a, b) => a + b * b, 0)),
    mean,
    std: Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / finite.length),
    min: lo,
    max: hi,
    zeros: all.filter((x) => x === 0).length / all.length,
    nonFinite: all.filter((x) => !Number.isFinite(x)).length / all.length,
    counts,
  };
}

describe('tensorStats', () => {
  it('matches reference loops, leaving NaN and Infinity out of every figure but their fraction', () => {
    fg.tidy(() => {
      const v = Array.from(randomValues(200, rng(5), -3, 3));
      v[3] = 0;
      v[10] = 0;
      v[50] = NaN;
      v[60] = Infinity;
      const t = fg.tensor(v, undefined, { allowNonFinite: true });
      const s = fg.tensorStats(t, { bins: 7 });
      const r = reference(t.data, 7);
      expectClose([s.count, s.norm, s.mean as number, s.std as number, s.min as number, s.max as number, s.zeros, s.nonFinite], [r.count, r.norm, r.mean, r.std, r.min, r.max, r.zeros, r.nonFinite], 1e-12, 1e-12, 'stats');
      expect(s.histogram.counts).toEqual(r.counts);
      expect(s.histogram.edges).toHaveLength(8);
      expect([s.histogram.edges[0], s.histogram.edges[7]]).toEqual([r.min, r.max]);
      expect(s.nonFinite).toBe(2 / 200);
    });
  });

  it('handles constant and all-NaN tensors', () => {
    fg.tidy(() => {
      expect(fg.tensorStats(fg.full([4], 2)).histogram.counts[0]).toBe(4);
      const s = fg.tensorStats(fg.tensor([NaN, NaN], undefined, { allowNonFinite: true }));
      expect([s.mean, s.min, s.std, s.nonFinite]).toEqual([null, null, null, 1]);
      expect(() => fg.tensorStats(fg.ones([2]), { bins: 0 })).toThrow(/tensorStats: bins must be an integer >= 1/);
    });
  });
});

describe('gradStats', () => {
  it('reports each parameter’s gradient and weight statistics after backward(); dead ReLU units show as zero gradients', () => {
    fg.manualSeed(4);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
    const first = model.at(0) as fg.nn.Linear;
    // unit 0 can never fire: its weight row gets a zero gradient
    first.bias?.data.set([-100], 0);
    expect(fg.gradStats(model).every((p) => p.grad === null && p.ratio === null)).toBe(true);
    fg.tidy(() => model.forward(fg.randn([16, 3], { generator: new fg.Generator(6) })).pow(2).mean().backward());
    const stats = fg.gradStats(model, { bins: 5 });
    expect(stats.map((p) => [p.name, p.shape])).toEqual(model.namedParameters().map(([n, p]) => [n, [...p.shape]]));
    model.namedParameters().forEach(([, p], i) => {
      const s = stats[i] as fg.ParameterStats;
      const g = reference((p.grad as fg.Tensor).data, 5);
      const w = reference(p.data, 5);
      expectClose([s.grad?.norm, s.grad?.mean, s.grad?.std, s.grad?.min, s.grad?.max, s.grad?.zeros] as number[], [g.norm, g.mean, g.std, g.min, g.max, g.zeros], 1e-12, 1e-12, 'grad');
      expect(s.grad?.histogram.counts).toEqual(g.counts);
      expectClose([s.weight.norm, s.weight.mean as number], [w.norm, w.mean], 1e-12, 1e-12, 'weight');
      expect(s.ratio).toBeCloseTo(g.norm / w.norm, 12);
    });
    expect(stats[0]?.grad?.zeros).toBeGreaterThanOrEqual(3 / 12);
    model.dispose();
  });
});
