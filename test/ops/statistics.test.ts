import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { type Array64, array64, unravel } from '../../src/reference/array64.js';
import { checkOp, expectClose, randomValues, rng } from '../support/opcheck.js';

// ---------------------------------------------------------------------------------------------
// Float64 reference loops: every output element from the list of values it reduces.

function lanes(x: Array64, axes: number[]): { kept: number[]; groups: number[][] } {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const size = kept.reduce((a, b) => a * b, 1);
  const groups: number[][] = Array.from({ length: size }, () => []);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    let flat = 0;
    idx.forEach((v, d) => (flat = flat * (kept[d] as number) + (axes.includes(d) ? 0 : v)));
    (groups[flat] as number[]).push(x.data[i] as number);
  }
  return { kept, groups };
}

function reduceRef(x: Array64, axes: number[] | undefined, keepdim: boolean, f: (v: number[]) => number): Array64 {
  const ax = axes === undefined ? x.shape.map((_, i) => i) : axes.map((a) => (a + x.shape.length) % x.shape.length);
  const { kept, groups } = lanes(x, ax);
  return array64(keepdim ? kept : x.shape.filter((_, i) => !ax.includes(i)), groups.map(f));
}

const varOf = (c: number) => (v: number[]): number => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(0, v.length - c);
};
const normOf = (p: number) => (v: number[]): number => {
  const a = v.map(Math.abs);
  if (p === Infinity) return Math.max(...a);
  if (p === -Infinity) return Math.min(...a);
  return a.reduce((s, b) => s + b ** p, 0) ** (1 / p);
};
const quantileOf = (q: number) => (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
};

// Sorted values along one axis (moved last and back): the reference of sort / topk values.
function sortRef(x: Array64, axis: number, descending: boolean, k?: number): Array64 {
  const rank = x.shape.length;
  const a = (axis + rank) % rank;
  const len = x.shape[a] as number;
  const keep = k ?? len;
  const outer = x.shape.slice(0, a).reduce((p, q) => p * q, 1);
  const inner = x.shape.slice(a + 1).reduce((p, q) => p * q, 1);
  const shape = [...x.shape];
  shape[a] = keep;
  const out = array64(shape);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const vals = Array.from({ length: len }, (_, l) => x.data[(o * len + l) * inner + i] as number).sort((p, q) => (descending ? q - p : p - q));
      for (let l = 0; l < keep; l++) out.data[(o * keep + l) * inner + i] = vals[l] as number;
    }
  }
  return out;
}

// Distinct values a grid step apart (no ties: sort/topk/quantile/max have one winner).
function distinct(n: number, seed: number): Float64Array {
  const rand = rng(seed);
  const v = Float64Array.from({ length: n }, (_, i) => Math.fround(-2 + (4 * i) / n + 0.5 / n));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [v[i], v[j]] = [v[j] as number, v[i] as number];
  }
  return v;
}

const SHAPES: number[][] = [[7], [3, 5], [4, 1, 6], [2, 3, 4]];

describe('var and std against float64 loops', () => {
  for (const shape of SHAPES) {
    const rank = shape.length;
    const choices: Array<number[] | undefined> = [undefined, [0], [-1], ...(rank >= 2 ? [[0, rank - 1]] : [])];
    for (const axes of choices) {
      for (const keepdim of [false, true]) {
        for (const correction of [1, 0]) {
          it(`shape [${shape}] dims ${JSON.stringify(axes)} keepdim ${keepdim} correction ${correction}`, () => {
            const n = axes === undefined ? shape.reduce((a, b) => a * b, 1) : axes.reduce((p, a) => p * (shape[(a + rank) % rank] as number), 1);
            if (n - correction <= 0) return void expect(n).toBeLessThanOrEqual(correction);
            const dim = axes?.length === 1 ? axes[0] : axes;
            for (const op of ['var', 'std'] as const) {
              checkOp({
                fg: (x) => fg[op](x, dim ?? null, { keepdim, correction }),
                ref: (x) => {
                  const v = reduceRef(x, axes, keepdim, varOf(correction));
                  return op === 'var' ? v : { shape: v.shape, data: v.data.map(Math.sqrt) };
                },
                inputs: [{ shape }],
                seed: shape.length * 7 + correction,
                rtol: 1e-4,
                atol: 1e-5,
              });
            }
          });
        }
      }
    }
  }

  it('reads PyTorch positional forms: var(x, unbiased), std(x, dim, unbiased, keepdim)', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, 2, 4], [3, 5, 9]]);
      expect(fg.var(x, false).item()).toBeCloseTo(varOf(0)([1, 2, 4, 3, 5, 9]), 5);
      expect(fg.std(x, 1, false, true).shape).toEqual([2, 1]);
      expectClose(fg.std(x, 1, false, true).toFloat32Array(), [Math.sqrt(varOf(0)([1, 2, 4])), Math.sqrt(varOf(0)([3, 5, 9]))], 1e-6, 1e-6, 'std');
      expect(fg.variance(x, 0).toArray()).toEqual([2, 4.5, 12.5]);
    });
  });

  it('gives a zero gradient where std is 0 (PyTorch), not sqrt’s Infinity·0 = NaN', () => {
    fg.tidy(() => {
      const x = fg.tensor([[2, 2, 2], [1, 2, 3]], undefined, { requiresGrad: true });
      fg.sum(fg.std(x, 1)).backward();
      const g = (x.grad as fg.Tensor).toArray() as number[][];
      expect(g[0]).toEqual([0, 0, 0]);
      expectClose(g[1] as number[], [-0.5, 0, 0.5], 1e-6, 1e-6, 'std gradient');
    });
  });

  it('divides by N − correction ≤ 0 as PyTorch does: NaN for one element, Infinity for a spread', () => {
    fg.tidy(() => {
      expect(fg.std(fg.tensor([3])).item()).toBeNaN();
      expect(fg.var(fg.tensor([1, 2]), { correction: 2 }).item()).toBe(Infinity);
    });
  });

  it('names bad arguments', () => {
    fg.tidy(() => {
      const x = fg.ones([2, 3]);
      expect(() => fg.std(x, 0, { unbiased: true, correction: 1 })).toThrow(/either unbiased or correction/);
      expect(() => fg.var(x, { keepDim: true } as never)).toThrow(/unknown option 'keepDim' \(did you mean 'keepdim'\?\)/);
      expect(() => fg.var(x, 'rows' as never)).toThrow(fg.ArgumentError);
      expect(() => fg.std(x, 2)).toThrow(/std/);
    });
  });
});

describe('norm against float64 loops', () => {
  for (const p of [1, 2, 3, 0.5, Infinity, -Infinity]) {
    for (const [shape, axes] of [[[3, 5], undefined], [[3, 5], [1]], [[4, 1, 6], [0, 2]], [[2, 3, 4], [-2]]] as Array<[number[], number[] | undefined]>) {
      for (const keepdim of [false, true]) {
        it(`p ${p} shape [${shape}] dims ${JSON.stringify(axes)} keepdim ${keepdim}`, () => {
          const n = shape.reduce((a, b) => a * b, 1);
          checkOp({
            fg: (x) => fg.norm(x, p, axes ?? null, keepdim),
            ref: (x) => reduceRef(x, axes, keepdim, normOf(p)),
            // distinct values keep |x| away from 0 (p < 1) and from ties (±Infinity)
            inputs: [{ shape, values: distinct(n, n + 3) }],
            rtol: 1e-4,
            atol: 1e-5,
          });
        });
      }
    }
  }

  it("defaults to the Frobenius norm and takes 'fro' and p = 0", () => {
    fg.tidy(() => {
      const x = fg.tensor([[3, 0], [0, -4]]);
      expect(fg.norm(x).item()).toBeCloseTo(5, 6);
      expect(fg.norm(x, 'fro').item()).toBeCloseTo(5, 6);
      expect(fg.norm(x, 0).item()).toBe(2);
      expect(fg.norm(x, { p: 1, dim: 0 }).toArray()).toEqual([3, 4]);
      expect(() => fg.norm(x, -1)).toThrow(/norm: p must be/);
      expect(() => fg.norm(x, 'nuc' as never)).toThrow(fg.ArgumentError);
    });
  });

  it('has a zero gradient at a zero norm (PyTorch), for p = 2 and p = 3', () => {
    fg.tidy(() => {
      for (const p of [2, 3]) {
        const x = fg.zeros([2, 2], { requiresGrad: true });
        fg.norm(x, p).backward();
        expect(Array.from((x.grad as fg.Tensor).data)).toEqual([0, 0, 0, 0]);
      }
    });
  });
});

describe('sort, topk and quantile against float64 loops', () => {
  for (const shape of SHAPES) {
    const n = shape.reduce((a, b) => a * b, 1);
    for (let axis = -shape.length; axis < shape.length; axis++) {
      it(`sort shape [${shape}] axis ${axis}, both directions`, () => {
        for (const descending of [false, true]) {
          checkOp({ fg: (x) => fg.sort(x, axis, descending).values, ref: (x) => sortRef(x, axis, descending), inputs: [{ shape, values: distinct(n, n) }] });
        }
      });
      it(`topk shape [${shape}] axis ${axis}, largest and smallest`, () => {
        const len = shape[(axis + shape.length) % shape.length] as number;
        for (const largest of [true, false]) {
          for (const k of new Set([1, Math.ceil(len / 2), len])) {
            checkOp({ fg: (x) => fg.topk(x, k, axis, largest).values, ref: (x) => sortRef(x, axis, largest, k), inputs: [{ shape, values: distinct(n, n + 1) }] });
          }
        }
      });
      it(`quantile shape [${shape}] axis ${axis}`, () => {
        for (const q of [0, 0.2, 0.5, 0.9, 1]) {
          checkOp({ fg: (x) => fg.quantile(x, q, axis), ref: (x) => reduceRef(x, [axis], false, quantileOf(q)), inputs: [{ shape, values: distinct(n, n + 2) }], rtol: 1e-5, atol: 1e-5 });
        }
      });
    }
  }

  it('returns indices that pick the values, float32 like argmax, with stable ties and NaN last', () => {
    fg.tidy(() => {
      const x = fg.tensor([[3, NaN, 1, 3, -2]], undefined, { allowNonFinite: true });
      const { values, indices } = fg.sort(x);
      expect(indices.toArray()).toEqual([[4, 2, 0, 3, 1]]);
      expect(values.toArray()).toEqual([[-2, 1, 3, 3, NaN]]);
      expect(fg.sort(x, { descending: true }).indices.toArray()).toEqual([[1, 0, 3, 2, 4]]);
      expect(fg.topk(x, 2).indices.toArray()).toEqual([[1, 0]]);
      expect(fg.topk(x, 2, -1, false).values.toArray()).toEqual([[-2, 1]]);
      const s = fg.sort(fg.tensor(5));
      expect([s.values.shape, s.indices.item()]).toEqual([[], 0]);
    });
  });

  it('quantile: list q, keepdim, all elements, NaN lanes, interpolations', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, 2, 3, 4], [10, NaN, 30, 40]], undefined, { allowNonFinite: true });
      expect(fg.quantile(x, 0.5, 1).toArray()).toEqual([2.5, NaN]);
      const q = fg.quantile(fg.tensor([[1, 2, 3, 4]]), [0.25, 0.5], 1, true);
      expect(q.shape).toEqual([2, 1, 1]);
      expectClose(q.toFloat32Array(), [1.75, 2.5], 1e-6, 0, 'quantiles');
      expect(fg.quantile(fg.tensor([[1, 2], [3, 4]]), 0.5, { keepdim: true }).shape).toEqual([1, 1]);
      const v = fg.tensor([1, 2, 3, 4]);
      const pick = (interpolation: 'lower' | 'higher' | 'nearest' | 'midpoint') => fg.quantile(v, 0.5, 0, false, { interpolation }).item();
      expect([pick('lower'), pick('higher'), pick('nearest'), pick('midpoint')]).toEqual([2, 3, 3, 2.5]);
      expect(() => fg.quantile(v, 1.5)).toThrow(/quantile: q must be in \[0, 1\], got 1.5/);
      expect(() => fg.quantile(v, 0.5, 0, false, { interpolation: 'linar' } as never)).toThrow(/did you mean 'linear'/);
      expect(() => fg.topk(v, 5)).toThrow(/topk: k = 5 is larger/);
    });
  });

  it('leaves no tensors behind', () => {
    const x = fg.keep(fg.tensor(randomValues(24, rng(3)), [4, 6], { requiresGrad: true }));
    const run = (): void =>
      fg.tidy(() => {
        fg.add(fg.add(fg.std(x, 1).sum(), fg.norm(x)), fg.add(fg.quantile(x, [0.1, 0.9], 0).sum(), fg.topk(x, 2).values.sum())).backward();
      });
    run();
    const before = fg.memoryStats().liveTensors;
    run();
    expect(fg.memoryStats().liveTensors).toBe(before);
    x.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// PyTorch (float64) values and gradients: scripts/fixtures/torch_statistics.py.

interface Case {
  op: 'var' | 'std' | 'norm' | 'quantile' | 'sort' | 'topk';
  args: unknown[];
  kwargs: Record<string, unknown>;
  x: { shape: number[]; data: number[] };
  values: { shape: number[]; data: number[] };
  indices?: { shape: number[]; data: number[] };
  upstream: number[];
  grad: number[];
}

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'torch-statistics.json');
const { cases } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] };
const infinities = (v: unknown): unknown => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

describe('matches PyTorch', () => {
  it.each(cases.map((c, i) => [`${i} ${c.op}(${JSON.stringify(c.args)}, ${JSON.stringify(c.kwargs)}) on [${c.x.shape}]`, c] as const))('%s', (_, c) => {
    fg.tidy(() => {
      const x = fg.tensor(Float32Array.from(c.x.data), c.x.shape, { requiresGrad: true });
      const args = [...c.args.map(infinities), ...(Object.keys(c.kwargs).length ? [c.kwargs] : [])];
      const call = fg[c.op] as (x: fg.Tensor, ...rest: unknown[]) => fg.Tensor | fg.SortResult;
      const out = call(x, ...args);
      const values = out instanceof fg.Tensor ? out : out.values;
      expect([...values.shape]).toEqual(c.values.shape);
      expectClose(values.toFloat32Array(), c.values.data, 1e-5, 1e-5, 'values');
      if (c.indices) expect(Array.from((out as fg.SortResult).indices.data)).toEqual(c.indices.data);
      values.backward(fg.tensor(Float32Array.from(c.upstream), c.values.shape));
      expectClose((x.grad as fg.Tensor).toFloat32Array(), c.grad, 1e-4, 1e-5, 'gradient');
    });
  });
});
