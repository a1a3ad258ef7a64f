// A fairness view of a credit score across the groups of one column: approval rates and their
// ratio to the most-approved group (the adverse impact ratio; below 0.8 is the "four-fifths"
// warning sign), discrimination (AUC) and calibration (mean predicted vs observed bad rate)
// within each group.
import { ShapeError, ValueError, rocAuc } from '../../index.js';
import { is, readOptions } from '../../validate.js';

export interface GroupFairness {
  group: string;
  n: number;
  /** Share approved: predicted probability of default below the threshold. */
  approvalRate: number;
  /** approvalRate / the highest group's approval rate. */
  adverseImpactRatio: number;
  /** Observed bad rate. */
  badRate: number;
  /** Mean predicted probability of default. */
  meanPredicted: number;
  /** AUC within the group (NaN when it has one class only). */
  auc: number;
}

export interface FairnessReport {
  groups: GroupFairness[];
  /** Groups whose adverse impact ratio is below `airThreshold` (default 0.8). */
  flagged: string[];
}

/**
 * Per-group view of scores `pDefault` against outcomes `yTrue` (1 = default) for the groups in
 * `group`; approve when pDefault < threshold (default 0.5).
 */
export function fairnessReport(yTrue: ArrayLike<number>, pDefault: ArrayLike<number>, group: ArrayLike<string | number>, options?: { threshold?: number; airThreshold?: number }): FairnessReport {
  const where = 'fairnessReport';
  const o = readOptions(where, options, { threshold: is.number({ min: 0, max: 1 }), airThreshold: is.number({ min: 0, max: 1 }) });
  if (yTrue.length !== pDefault.length || yTrue.length !== group.length) {
    throw new ShapeError(`${where}: ${yTrue.length} labels, ${pDefault.length} scores and ${group.length} group values must have one length`);
  }
  const threshold = o.threshold ?? 0.5;
  const byGroup = new Map<string, number[]>();
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i];
    if (y !== 0 && y !== 1) throw new ValueError(`${where}: label at row ${i} is ${y}; labels must be 0 or 1`);
    const p = pDefault[i] as number;
    if (!(p >= 0 && p <= 1)) throw new ValueError(`${where}: score at row ${i} is ${p}; expected a probability`);
    const g = String(group[i]);
    let rows = byGroup.get(g);
    if (rows === undefined) byGroup.set(g, (rows = []));
    rows.push(i);
  }
  const groups = [...byGroup.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([g, rows]) => {
    const ys = rows.map((i) => yTrue[i] as number);
    const ps = rows.map((i) => pDefault[i] as number);
    const both = ys.includes(0) && ys.includes(1);
    return {
      group: g,
      n: rows.length,
      approvalRate: ps.filter((p) => p < threshold).length / rows.length,
      adverseImpactRatio: NaN,
      badRate: ys.reduce((a, v) => a + v, 0) / rows.length,
      meanPredicted: ps.reduce((a, v) => a + v, 0) / rows.length,
      auc: both ? rocAuc(ys, ps) : NaN,
    };
  });
  const best = Math.max(...groups.map((g) => g.approvalRate));
  for (const g of groups) g.adverseImpactRatio = best > 0 ? g.approvalRate / best : NaN;
  const air = o.airThreshold ?? 0.8;
  return { groups, flagged: groups.filter((g) => g.adverseImpactRatio < air).map((g) => g.group) };
}
