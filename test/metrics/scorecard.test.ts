// The credit-scoring views scikit-learn does not have: the lift table and the cost-minimising
// threshold, checked by hand and against brute force.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { rng } from '../support/opcheck.js';

// Total cost of predicting positive where score >= t, counted row by row.
function costAt(y: number[], s: number[], t: number, c: number[][], w?: number[]): number {
  let cost = 0;
  y.forEach((yi, i) => {
    const predicted = (s[i] as number) >= t ? 1 : 0;
    cost += ((c[yi] as number[])[predicted] as number) * (w === undefined ? 1 : (w[i] as number));
  });
  return cost;
}

describe('bestThreshold', () => {
  it('finds the cut-off of least cost by hand (German 5:1 costs by default)', () => {
    // Thresholds: +Inf costs 2·5, 0.9: 5, 0.8: 5 + 1, 0.7: 1, 0.3: 2, 0.1: 3.
    const r = fg.bestThreshold([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.3, 0.1]);
    expect(r).toEqual({ threshold: 0.7, cost: 1, confusionMatrix: [[2, 1], [0, 2]] });
    // Everything negative is cheapest when missing a positive is cheap and false alarms dear.
    expect(fg.bestThreshold([0, 1, 0, 1], [0.9, 0.8, 0.7, 0.1], { costMatrix: [[0, 10], [1, 0]] })).toEqual({ threshold: Infinity, cost: 2, confusionMatrix: [[2, 0], [2, 0]] });
  });

  it('equals brute force over every threshold, with ties and weights', () => {
    const r = rng(4);
    for (let trial = 0; trial < 20; trial++) {
      const n = 30 + Math.floor(r() * 100);
      const y = Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0));
      const s = y.map((v) => Math.round((0.3 * v + r() * 0.7) * 20) / 20); // many ties
      const w = trial % 2 === 0 ? undefined : y.map(() => Math.round(r() * 30) / 10);
      const c = [[0, 1 + Math.floor(r() * 3)], [1 + Math.floor(r() * 6), 0]];
      const got = fg.bestThreshold(y, s, { costMatrix: c, sampleWeight: w });
      const candidates = [Infinity, ...new Set(s)].sort((a, b) => b - a);
      let best = { threshold: Infinity, cost: Infinity };
      for (const t of candidates) {
        const cost = costAt(y, s, t, c, w);
        if (cost < best.cost - 1e-9) best = { threshold: t, cost };
      }
      expect(got.threshold, `trial ${trial}`).toBe(best.threshold);
      expect(got.cost).toBeCloseTo(best.cost, 9);
      expect(fg.confusionMatrix(y, s, { threshold: got.threshold, sampleWeight: w, labels: [0, 1] }).flat().map((v) => Math.round(v * 1e9))).toEqual(
        got.confusionMatrix.flat().map((v) => Math.round(v * 1e9)),
      );
    }
  });

  it('rejects a cost matrix that rewards errors, and one class', () => {
    expect(() => fg.bestThreshold([0, 1], [0.2, 0.8], { costMatrix: [[1, 0], [5, 0]] })).toThrow(/bestThreshold: costMatrix .* makes a wrong prediction cheaper/);
    expect(() => fg.bestThreshold([0, 1], [0.2, 0.8], { costMatrix: [[0, 1, 2], [5, 0]] })).toThrow(fg.ArgumentError);
    expect(() => fg.bestThreshold([0, 0], [0.2, 0.8])).toThrow(/bestThreshold: yTrue needs both classes/);
  });
});

describe('liftTable', () => {
  it('deciles of distinct scores, by hand', () => {
    const y = [1, 1, 0, 1, 0, 0, 0, 1, 0, 0];
    const s = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2];
    const t = fg.liftTable(y, s, { nBins: 5 });
    expect(t.map((r) => r.count)).toEqual([2, 2, 2, 2, 2]);
    expect(t.map((r) => r.events)).toEqual([2, 1, 0, 1, 0]);
    expect(t.map((r) => r.cumulativeCapture)).toEqual([0.5, 0.75, 0.75, 1, 1]);
    expect(t[0]).toMatchObject({ bin: 1, minScore: 0.9, maxScore: 0.95, eventRate: 1, lift: 2.5, cumulativeLift: 2.5 });
    expect(t[1]?.cumulativeLift).toBeCloseTo(0.75 / 0.4, 12); // 3 events in 4 rows over a rate of 0.4
    expect(t[4]?.cumulativeLift).toBe(1);
  });

  it('keeps tied scores in one band (the band of the run\'s middle row)', () => {
    // Runs: rows 0-2 (middle 1 → band 0), 3-4 (middle 3.5 → band 1), 5 (band 2).
    expect(fg.liftTable([1, 0, 1, 0, 1, 0], [0.9, 0.9, 0.9, 0.5, 0.5, 0.1], { nBins: 3 }).map((r) => [r.bin, r.count, r.events])).toEqual([[1, 3, 2], [2, 2, 1], [3, 1, 0]]);
    // A long run swallows a band: rows 1-5 have middle 3 → band 1; band 2 does not appear.
    expect(fg.liftTable([1, 0, 1, 0, 1, 0], [0.9, 0.5, 0.5, 0.5, 0.5, 0.5], { nBins: 3 }).map((r) => [r.bin, r.count])).toEqual([[1, 1], [2, 5]]);
  });

  it('totals: counts add up, capture and cumulative lift end at 1, rows in score order', () => {
    const r = rng(7);
    const y = Array.from({ length: 997 }, () => (r() < 0.1 ? 1 : 0));
    const s = y.map((v) => Math.round((v * 0.2 + r()) * 40) / 40);
    const t = fg.liftTable(y, s);
    expect(t.reduce((a, row) => a + row.count, 0)).toBe(997);
    expect(t[t.length - 1]?.cumulativeCapture).toBe(1);
    expect(t[t.length - 1]?.cumulativeLift).toBeCloseTo(1, 12);
    for (let k = 1; k < t.length; k++) expect((t[k] as fg.LiftRow).maxScore).toBeLessThan((t[k - 1] as fg.LiftRow).minScore);
    expect(t.every((row) => Math.abs(row.count - 99.7) < 25)).toBe(true);
    expect(() => fg.liftTable([0, 0], [0.1, 0.2])).toThrow(/liftTable: yTrue has no events/);
    expect(() => fg.liftTable([0, 1], [0.1, 0.2], { nbins: 2 } as never)).toThrow(/did you mean 'nBins'/);
  });
});

describe('ksStatistic', () => {
  it('by hand: the widest gap between the two classes\' score distributions', () => {
    // Positives 0.9, 0.8, 0.4; negatives 0.7, 0.3, 0.2, 0.1. At >= 0.8: TPR 2/3, FPR 0;
    // at >= 0.4: TPR 1, FPR 1/4, the widest.
    const ks = fg.ksStatistic([1, 1, 0, 1, 0, 0, 0], [0.9, 0.8, 0.7, 0.4, 0.3, 0.2, 0.1]);
    expect(ks.statistic).toBe(0.75);
    expect(ks.threshold).toBe(0.4);
  });
});
