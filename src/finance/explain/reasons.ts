// From attributions to what a credit decision letter and a scorecard need: the features that
// pushed one applicant's risk up the most (adverse-action reason codes), and points on the
// usual points-to-double-the-odds scale for logistic (and WoE-logistic) models.
import { ArgumentError, ShapeError } from '../../index.js';
import { describe, is, readOptions } from '../../validate.js';

export interface ReasonCode {
  /** 1 for the strongest reason. */
  rank: number;
  feature: string;
  /** The feature's attribution toward the explained output (positive: toward "default"). */
  contribution: number;
  /** The applicant's value of the feature, when given. */
  value?: number | string;
  /** A sentence for the letter: "Debt ratio (0.62) raised the estimated risk by 0.084". */
  text: string;
}

const reasonSpec = {
  topK: is.int({ min: 1 }),
  direction: is.oneOf(['increase', 'decrease'] as const),
  values: is.list(is.any),
  descriptions: is.any,
};

/**
 * The top-k features of one explained row that push the output up ('increase', default: toward
 * default when the output is a probability of default) or down, strongest first; features with
 * no push in that direction are left out, so a letter never cites a feature that helped.
 */
export function reasonCodes(
  explanation: { featureNames: readonly string[]; values: readonly ArrayLike<number>[] },
  row: number,
  options?: { topK?: number; direction?: 'increase' | 'decrease'; values?: Array<number | string>; descriptions?: Record<string, string> },
): ReasonCode[] {
  const where = 'reasonCodes';
  const o = readOptions(where, options, reasonSpec);
  const names = explanation?.featureNames;
  if (!Array.isArray(names) || !Array.isArray(explanation.values)) throw new ArgumentError(`${where}: explanation must have featureNames and values (a kernelShap / linearShap result), got ${describe(explanation)}`, where, 'explanation');
  const phi = explanation.values[is.int({ min: 0, max: explanation.values.length - 1 })(row, `${where}: row`)] as ArrayLike<number>;
  if (phi.length !== names.length) throw new ShapeError(`${where}: ${phi.length} values for ${names.length} features`);
  if (o.values !== undefined && o.values.length !== names.length) throw new ShapeError(`${where}: ${o.values.length} feature values for ${names.length} features`);
  const descriptions = (o.descriptions ?? {}) as Record<string, string>;
  const sign = (o.direction ?? 'increase') === 'increase' ? 1 : -1;
  const order = Array.from({ length: names.length }, (_, j) => j)
    .filter((j) => sign * (phi[j] as number) > 0)
    .sort((a, b) => sign * ((phi[b] as number) - (phi[a] as number)) || a - b)
    .slice(0, o.topK ?? 4);
  return order.map((j, k) => {
    const feature = names[j] as string;
    const value = o.values?.[j] as number | string | undefined;
    const label = descriptions[feature] ?? feature;
    const shown = value === undefined ? '' : ` (${typeof value === 'number' ? +value.toPrecision(4) : value})`;
    const verb = sign > 0 ? 'raised' : 'lowered';
    return {
      rank: k + 1,
      feature,
      contribution: phi[j] as number,
      ...(value !== undefined && { value }),
      text: `${label}${shown} ${verb} the estimated risk by ${Math.abs(phi[j] as number).toPrecision(2)}`,
    };
  });
}

export interface ScorecardOptions {
  /** Points to double the odds (default 20). */
  pdo?: number;
  /** The score at `baseOdds` (default 600). */
  baseScore?: number;
  /** Good:bad odds that score `baseScore` (default 50, i.e. 50:1). */
  baseOdds?: number;
  featureNames?: string[];
}

export interface Scorecard {
  /** pdo / ln 2. */
  factor: number;
  /** baseScore − factor · ln(baseOdds). */
  offset: number;
  featureNames: string[];
  /** Points per feature for each row: [row][feature]; their sum is the row's score. */
  points: Float64Array[];
  /** offset + factor · ln(good:bad odds) for each row. */
  scores: Float64Array;
}

/**
 * Scorecard points of a binary logistic model whose class 1 is "bad" (default), for rows of its
 * inputs (WoE values for a WoE scorecard). With log-odds of bad z = w·x + b, the score is
 * offset − factor·z; feature j earns −factor·w_j·x_j plus an equal share of offset − factor·b,
 * the usual way of spreading the intercept so that the points add up to the score.
 */
export function scorecardPoints(model: unknown, rows: ArrayLike<ArrayLike<number>>, options?: ScorecardOptions): Scorecard {
  const where = 'scorecardPoints';
  const o = readOptions(where, options, {
    pdo: is.number({ min: 0, minOpen: true }),
    baseScore: is.number(),
    baseOdds: is.number({ min: 0, minOpen: true }),
    featureNames: is.list(is.string),
  });
  const m = model as { coef?: unknown; intercept?: unknown } | null;
  const coefRaw = Array.isArray(m?.coef) && Array.isArray(m?.coef[0]) ? (m?.coef as number[][])[0] : m?.coef;
  const intRaw = Array.isArray(m?.intercept) ? (m?.intercept as number[])[0] : m?.intercept;
  if (!Array.isArray(coefRaw) || typeof intRaw !== 'number') throw new ArgumentError(`${where}: model must be a fitted binary logistic model or { coef, intercept }, got ${describe(model)}`, where, 'model');
  const w = coefRaw as number[];
  const factor = (o.pdo ?? 20) / Math.LN2;
  const offset = (o.baseScore ?? 600) - factor * Math.log(o.baseOdds ?? 50);
  const names = o.featureNames ?? w.map((_, j) => `x${j}`);
  if (names.length !== w.length) throw new ShapeError(`${where}: ${names.length} feature names for ${w.length} coefficients`);
  const share = (offset - factor * intRaw) / w.length;
  const points: Float64Array[] = [];
  const scores = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const x = rows[r] as ArrayLike<number>;
    if (x.length !== w.length) throw new ShapeError(`${where}: row ${r} has ${x.length} values for ${w.length} coefficients`);
    const p = Float64Array.from(w, (wj, j) => share - factor * wj * (x[j] as number));
    points.push(p);
    scores[r] = p.reduce((a, v) => a + v, 0);
  }
  return { factor, offset, featureNames: [...names], points, scores };
}
