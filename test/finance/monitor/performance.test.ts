import { describe, expect, it } from 'vitest';
import * as fg from '../../../src/index.js';
import { ShapeError, ValueError } from '../../../src/errors.js';
import { performanceOverTime } from '../../../src/finance/monitor/performance.js';

describe('performance over time', () => {
  it('gives volume, bad rate, mean score, AUC and KS per period', () => {
    const y = [0, 1, 0, 1, 0, 0, 1, 1];
    const s = [0.1, 0.8, 0.3, 0.6, 0.2, 0.9, 0.4, 0.7];
    const p = ['2024-02', '2024-02', '2024-02', '2024-02', '2024-01', '2024-01', '2024-01', '2024-01'];
    const r = performanceOverTime(y, s, p);
    expect(r.map((x) => x.period)).toEqual(['2024-01', '2024-02']);
    expect(r[1]).toMatchObject({ period: '2024-02', n: 4, badRate: 0.5, auc: 1, ks: 1 });
    expect(r[1]!.meanScore).toBeCloseTo(0.45, 15);
    expect(r[0]!.auc).toBe(fg.rocAuc([0, 0, 1, 1], [0.2, 0.9, 0.4, 0.7]));
    expect(r[0]!.ks).toBe(fg.ksStatistic([0, 0, 1, 1], [0.2, 0.9, 0.4, 0.7]).statistic);
    expect(performanceOverTime([0, 0], [0.1, 0.2], ['a', 'a'])[0]!.auc).toBeNaN();
    expect(() => performanceOverTime([0, 2], [0.1, 0.2], ['a', 'b'])).toThrow(ValueError);
    expect(() => performanceOverTime([0], [0.1, 0.2], ['a', 'b'])).toThrow(ShapeError);
  });
});

describe('alert budget', () => {
  it('precision and recall among the top share of scores, ties by position', () => {
    const y = [1, 0, 1, 0, 0, 0, 0, 1, 0, 0];
    const s = [0.9, 0.8, 0.7, 0.7, 0.1, 0.2, 0.3, 0.05, 0.4, 0.6];
    const r = fg.alertBudgetMetrics(y, s, { budget: 0.3 });
    expect(r).toEqual({ alerts: 3, threshold: 0.7, precision: 2 / 3, recall: 2 / 3 });
    expect(fg.alertBudgetMetrics(y, s, { budget: 0.01 }).alerts).toBe(1);
    expect(() => fg.alertBudgetMetrics(y, s, { budget: 0 })).toThrow(ValueError);
    expect(() => fg.alertBudgetMetrics([0, 0], [1, 2])).toThrow(/both classes/);
  });
});
