// WoEEncoder against bins counted by hand: WoE = ln(%good / %bad) with α = 0.5 added to every
// bin's counts, IV = Σ (%good − %bad)·WoE; monotonic merging, categorical and missing bins.
import { describe, expect, it } from 'vitest';
import { Table, WoEEncoder, transformerFromJSON } from '../../src/finance/index.js';

/** WoE and IV from per-bin [good, bad] counts, written out from the definition. */
function byHand(counts: [number, number][], alpha = 0.5): { woe: number[]; iv: number } {
  const B = counts.length;
  const G = counts.reduce((s, c) => s + c[0], 0);
  const D = counts.reduce((s, c) => s + c[1], 0);
  const pg = counts.map(([g]) => (g + alpha) / (G + alpha * B));
  const pb = counts.map(([, b]) => (b + alpha) / (D + alpha * B));
  const woe = pg.map((p, i) => Math.log(p / (pb[i] as number)));
  return { woe, iv: woe.reduce((s, w, i) => s + ((pg[i] as number) - (pb[i] as number)) * w, 0) };
}

// x = 1…20 in quartiles of 5 rows; `bads` lists how many rows of each quartile are bad (y = 1).
function quartiles(bads: number[]): { x: number[]; y: number[] } {
  const x = Array.from({ length: 20 }, (_, i) => i + 1);
  const y = x.map((_, i) => (i % 5 < (bads[Math.floor(i / 5)] as number) ? 1 : 0));
  return { x, y };
}

describe('WoEEncoder', () => {
  it('quantile bins, WoE and IV as counted by hand', () => {
    const { x, y } = quartiles([4, 3, 1, 0]);
    const enc = new WoEEncoder({ maxBins: 4 }).fit(Table.fromColumns({ x }), y);
    const bins = enc.bins[0] ?? [];
    expect(bins.map((b) => [b.lower, b.upper])).toEqual([[-Infinity, 5.5], [5.5, 10.5], [10.5, 15.5], [15.5, Infinity]]);
    const want = byHand([[1, 4], [2, 3], [4, 1], [5, 0]]);
    bins.forEach((b, i) => expect(b.woe).toBeCloseTo(want.woe[i] as number, 12));
    expect(enc.informationValues['x']).toBeCloseTo(want.iv, 12);
    const out = enc.transform(Table.fromColumns({ x: [0, 5, 6, 15.7, 100, NaN] })).numeric('x');
    expect(Array.from(out)).toEqual([want.woe[0], want.woe[0], want.woe[1], want.woe[3], want.woe[3], 0]);
  });

  it('merges adjacent bins until WoE is monotonic', () => {
    const { x, y } = quartiles([4, 1, 2, 0]);
    const enc = new WoEEncoder({ maxBins: 4 }).fit(Table.fromColumns({ x }), y);
    const bins = enc.bins[0] ?? [];
    expect(bins.map((b) => [b.good, b.bad])).toEqual([[1, 4], [7, 3], [5, 0]]);
    const want = byHand([[1, 4], [7, 3], [5, 0]]);
    expect(bins.map((b) => b.woe)).toEqual(want.woe.map((w) => expect.closeTo(w, 12)));
    const free = new WoEEncoder({ maxBins: 4, monotonic: false }).fit(Table.fromColumns({ x }), y);
    expect(free.bins[0]?.length).toBe(4);
    // Per column: only x2 is asked to be monotonic (decreasing forces everything into one bin here).
    const per = new WoEEncoder({ maxBins: 4, monotonic: { x2: 'decreasing' } }).fit(Table.fromColumns({ x, x2: x }), y);
    expect(per.bins.map((b) => b.length)).toEqual([4, 1]);
    expect(() => new WoEEncoder({ monotonic: { x: 'up' as never } })).toThrow(/monotonic.x must be 'auto', 'increasing', 'decreasing' or false/);
  });

  it('categorical bins, a missing bin, the tree binning, and a JSON round trip', () => {
    const grade = ['A', 'A', 'A', 'B', 'B', 'C', 'C', null, null, 'A'];
    const y = [0, 0, 1, 0, 1, 1, 1, 0, 1, 0];
    const enc = new WoEEncoder().fit(Table.fromColumns({ grade }), y);
    const want = byHand([[3, 1], [1, 1], [0, 2], [1, 1]]);
    expect(enc.bins[0]?.map((b) => b.categories ?? 'missing')).toEqual([['A'], ['B'], ['C'], 'missing']);
    expect(enc.bins[0]?.map((b) => b.woe)).toEqual(want.woe.map((w) => expect.closeTo(w, 12)));
    expect(enc.informationValues['grade']).toBeCloseTo(want.iv, 12);
    const back = transformerFromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
    const t = Table.fromColumns({ grade: ['C', null, 'Z'] });
    expect(Array.from(back.transform(t).numeric('grade'))).toEqual([want.woe[2], want.woe[3], 0]);
    const { x, y: yy } = quartiles([5, 5, 0, 0]);
    const tree = new WoEEncoder({ binning: 'tree', maxBins: 4, minBinSize: 0.1 }).fit(Table.fromColumns({ x }), yy);
    expect(tree.bins[0]?.map((b) => b.upper)).toEqual([10.5, Infinity]);
    expect(() => new WoEEncoder({ smoothing: 0 }).fit(Table.fromColumns({ x }), yy)).toThrow("WoEEncoder.fit ('x'): bin 0 has 0 goods and 2 bads");
    expect(() => new WoEEncoder().fit(Table.fromColumns({ x }), x)).toThrow(/binary target/);
  });
});
