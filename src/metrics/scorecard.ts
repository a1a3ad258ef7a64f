// Credit-scoring views of a binary score that scikit-learn does not have: the lift (gains) table
// by score band, and the cut-off that minimises the cost of a cost matrix.
import { ArgumentError, ValueError } from '../errors.js';
import { is, readOptions } from '../validate.js';
import { type Scores, type Values, checkLength, readBinaryLabels, readScores, readWeights, requireBothClasses } from './input.js';

export interface LiftRow {
  /** 1 for the highest scores. */
  bin: number;
  minScore: number;
  maxScore: number;
  count: number;
  events: number;
  eventRate: number;
  cumulativeCount: number;
  cumulativeEvents: number;
  /** Share of all events in this bin and the ones above it (the gains curve). */
  cumulativeCapture: number;
  /** eventRate over the overall event rate. */
  lift: number;
  /** The event rate of this bin and the ones above it, over the overall rate. */
  cumulativeLift: number;
}

/**
 * The lift / gains table: rows sorted by descending score and cut into `nBins` bands of (nearly)
 * equal count, deciles by default, best band first. Tied scores are never split: a run of equal
 * scores goes whole to the band that its middle row falls in, so bands can differ in size, and a
 * band that a long run swallows does not appear (the table then has fewer rows). An event is a
 * row whose label is `posLabel` (default 1).
 */
export function liftTable(yTrue: Values, yScore: Scores, options?: { nBins?: number; posLabel?: number }): LiftRow[] {
  const where = 'liftTable';
  const o = readOptions(where, options, { nBins: is.int({ min: 1 }), posLabel: is.number() });
  const y = readBinaryLabels(where, yTrue, o.posLabel);
  const s = readScores(where, 'yScore', yScore);
  checkLength(where, 'yTrue', y, 'yScore', s);
  const n = y.length;
  const nBins = o.nBins ?? 10;
  let totalEvents = 0;
  for (let i = 0; i < n; i++) totalEvents += y[i] as number;
  if (totalEvents === 0) throw new ValueError(`${where}: yTrue has no events (no label equal to ${o.posLabel ?? 1}); lift is undefined`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (s[b] as number) - (s[a] as number) || a - b);
  const band = new Int32Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && s[order[end] as number] === s[order[start] as number]) end++;
    const b = Math.min(nBins - 1, Math.floor((((start + end - 1) / 2) * nBins) / n));
    band.fill(b, start, end);
    start = end;
  }
  const rate = totalEvents / n;
  const rows: LiftRow[] = [];
  let cumCount = 0;
  let cumEvents = 0;
  for (let k = 0; k < n; ) {
    const b = band[k] as number;
    let count = 0;
    let events = 0;
    const maxScore = s[order[k] as number] as number;
    let minScore = maxScore;
    for (; k < n && band[k] === b; k++) {
      const i = order[k] as number;
      count++;
      events += y[i] as number;
      minScore = s[i] as number;
    }
    cumCount += count;
    cumEvents += events;
    rows.push({
      bin: b + 1,
      minScore,
      maxScore,
      count,
      events,
      eventRate: events / count,
      cumulativeCount: cumCount,
      cumulativeEvents: cumEvents,
      cumulativeCapture: cumEvents / totalEvents,
      lift: events / count / rate,
      cumulativeLift: cumEvents / cumCount / rate,
    });
  }
  return rows;
}

export interface BestThreshold {
  /** Predict positive when score >= threshold; +Infinity: predict no row positive. */
  threshold: number;
  /** The total (weighted) cost there. */
  cost: number;
  /** `[[tn, fp], [fn, tp]]` there. */
  confusionMatrix: number[][];
}

const costCheck = is.list(is.list(is.number(), { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 2 });

/**
 * The score cut-off with the least total cost under `costMatrix`, given in scikit-learn's
 * confusion-matrix orientation: `costMatrix[i][j]` is the cost of a row of true class i
 * (0 negative, 1 positive) predicted as j. The default `[[0, 1], [5, 0]]` is the German credit
 * data's documented cost: accepting a bad risk (a missed positive) costs 5, rejecting a good one 1.
 * Every distinct score is tried, and +Infinity (no positives); among equal costs the highest
 * threshold wins.
 */
export function bestThreshold(yTrue: Values, yScore: Scores, options?: { costMatrix?: number[][]; sampleWeight?: Values; posLabel?: number }): BestThreshold {
  const where = 'bestThreshold';
  const o = readOptions(where, options, { costMatrix: costCheck, sampleWeight: is.any, posLabel: is.number() });
  const y = readBinaryLabels(where, yTrue, o.posLabel);
  const s = readScores(where, 'yScore', yScore);
  checkLength(where, 'yTrue', y, 'yScore', s);
  const w = readWeights(where, o.sampleWeight, y.length);
  requireBothClasses(where, y, w);
  const c = o.costMatrix ?? [[0, 1], [5, 0]];
  const [[c00, c01], [c10, c11]] = c as [[number, number], [number, number]];
  if (c01 < c00 || c10 < c11) {
    throw new ArgumentError(`${where}: costMatrix [[${c00}, ${c01}], [${c10}, ${c11}]] makes a wrong prediction cheaper than a right one`, where, 'costMatrix');
  }
  const order = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => (s[b] as number) - (s[a] as number));
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w === undefined ? 1 : (w[i] as number);
    if (y[i] === 1) pos += wi;
    else neg += wi;
  }
  // Lowering the threshold past a run of tied scores turns that whole run positive.
  let tp = 0;
  let fp = 0;
  const costAt = (): number => c00 * (neg - fp) + c01 * fp + c10 * (pos - tp) + c11 * tp;
  let best = { threshold: Infinity, cost: costAt(), tp, fp };
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    const wi = w === undefined ? 1 : (w[i] as number);
    if (y[i] === 1) tp += wi;
    else fp += wi;
    if (k + 1 < order.length && s[order[k + 1] as number] === s[i]) continue;
    const cost = costAt();
    if (cost < best.cost) best = { threshold: s[i] as number, cost, tp, fp };
  }
  return { threshold: best.threshold, cost: best.cost, confusionMatrix: [[neg - best.fp, best.fp], [pos - best.tp, best.tp]] };
}
