// Performance over time, once outcomes arrive: for each period (application month, say) the
// volume, the observed bad rate, the mean score, and the discrimination (AUC, KS) of the score.
import { ShapeError, ValueError, ksStatistic, rocAuc } from '../../index.js';

export interface PeriodPerformance {
  period: string;
  n: number;
  badRate: number;
  meanScore: number;
  /** NaN for a period with one class only. */
  auc: number;
  ks: number;
}

/** One row per period, in the periods' sorted order. */
export function performanceOverTime(yTrue: ArrayLike<number>, score: ArrayLike<number>, period: ArrayLike<string | number>): PeriodPerformance[] {
  const where = 'performanceOverTime';
  if (yTrue.length !== score.length || yTrue.length !== period.length) {
    throw new ShapeError(`${where}: ${yTrue.length} labels, ${score.length} scores and ${period.length} periods must have one length`);
  }
  const groups = new Map<string, number[]>();
  for (let i = 0; i < period.length; i++) {
    if (yTrue[i] !== 0 && yTrue[i] !== 1) throw new ValueError(`${where}: label at row ${i} is ${yTrue[i]}; outcomes must be 0 or 1`);
    if (!Number.isFinite(score[i])) throw new ValueError(`${where}: score at row ${i} is ${score[i]}`);
    const p = String(period[i]);
    let g = groups.get(p);
    if (g === undefined) groups.set(p, (g = []));
    g.push(i);
  }
  return [...groups.keys()].sort().map((p) => {
    const rows = groups.get(p) as number[];
    const y = rows.map((i) => yTrue[i] as number);
    const s = rows.map((i) => score[i] as number);
    const both = y.includes(0) && y.includes(1);
    return {
      period: p,
      n: rows.length,
      badRate: y.reduce((a, v) => a + v, 0) / rows.length,
      meanScore: s.reduce((a, v) => a + v, 0) / rows.length,
      auc: both ? rocAuc(y, s) : NaN,
      ks: both ? ksStatistic(y, s).statistic : NaN,
    };
  });
}
