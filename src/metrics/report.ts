// The classification report: per-class precision, recall, F1 and support with their averages,
// as `sklearn.metrics.classification_report` prints it (same columns, widths and rounding) or as
// an object (its `output_dict=True` form).
import { is, readOptions } from '../validate.js';
import { type Average, type PrfAveraged, type PrfPerClass, prfs, prfSpec, readLabels } from './classification.js';
import { type Scores, type Values, uniqueSorted } from './input.js';
import { ArgumentError } from '../errors.js';

export interface ReportRow {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}

/** Rows keyed by class name, then 'accuracy' (a number) or 'micro avg', 'macro avg', 'weighted avg'. */
export type ClassificationReport = Record<string, ReportRow | number>;

export interface ClassificationReportOptions {
  labels?: number[];
  /** Names printed for the labels, in their order. */
  targetNames?: string[];
  sampleWeight?: Values;
  /** Decimals printed. */
  digits?: number;
  /** Return the object instead of the text. */
  outputDict?: boolean;
  zeroDivision?: 'warn' | 0 | 1;
  threshold?: number;
}

/**
 * Python's `'%.{d}f' % x`: like `toFixed`, but an exact tie (0.125 to two places) rounds to
 * the even digit, as Python does, where `toFixed` rounds up.
 */
function fixed(x: number, d: number): string {
  const s = x.toFixed(d);
  const exact = Math.abs(x).toFixed(Math.min(100, d + 25)).slice(-25);
  if (!/^50*$/.test(exact)) return s;
  const down = (Math.sign(x) * Math.floor(Math.abs(x) * 10 ** d)) / 10 ** d;
  const lastDigit = Math.floor(Math.abs(x) * 10 ** d) % 10;
  return lastDigit % 2 === 0 ? down.toFixed(d) : s;
}

/** Python's `str()` of a support: an int for counts, a float (`12.0`, `12.5`) for weights. */
function count(x: number, weighted: boolean): string {
  if (!weighted) return String(x);
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** Per-class and averaged precision, recall, F1 and support (text like scikit-learn's). */
export function classificationReport(yTrue: Values, yPred: Scores, options?: ClassificationReportOptions & { outputDict?: false }): string;
export function classificationReport(yTrue: Values, yPred: Scores, options: ClassificationReportOptions & { outputDict: true }): ClassificationReport;
export function classificationReport(yTrue: Values, yPred: Scores, options?: ClassificationReportOptions): string | ClassificationReport {
  const where = 'classificationReport';
  const o = readOptions(where, options, {
    labels: prfSpec.labels,
    sampleWeight: prfSpec.sampleWeight,
    zeroDivision: prfSpec.zeroDivision,
    threshold: prfSpec.threshold,
    targetNames: is.list(is.string, { minLength: 1 }),
    digits: is.int({ min: 0, max: 20 }),
    outputDict: is.boolean,
  });
  const base = { labels: o.labels, sampleWeight: o.sampleWeight, zeroDivision: o.zeroDivision, threshold: o.threshold };
  const perClass = prfs(where, yTrue, yPred, { ...base, average: null }, null) as PrfPerClass;
  const labels = perClass.labels;
  // Which labels occur: micro-averaging over all of them is the accuracy, printed as such.
  const read = readLabels(where, yTrue, yPred, o.threshold, undefined);
  const present = uniqueSorted(read.yTrue, read.yPred);
  const microIsAccuracy = o.labels === undefined || (new Set(labels).size === present.length && present.every((l) => labels.includes(l)));
  const names = o.targetNames ?? labels.map(String);
  if (names.length !== labels.length) throw new ArgumentError(`${where}: targetNames has ${names.length} names for ${labels.length} labels`, where, 'targetNames');
  const weighted = o.sampleWeight !== undefined;
  const total = perClass.support.reduce((s, x) => s + x, 0);
  const averages: Average[] = ['micro', 'macro', 'weighted'];
  const avg = averages.map((a) => ({ name: a === 'micro' && microIsAccuracy ? 'accuracy' : `${a} avg`, r: prfs(where, yTrue, yPred, { ...base, average: a }, null) as PrfAveraged }));

  if (o.outputDict) {
    const out: ClassificationReport = {};
    names.forEach((name, i) => {
      out[name] = { precision: perClass.precision[i] as number, recall: perClass.recall[i] as number, 'f1-score': perClass.fScore[i] as number, support: perClass.support[i] as number };
    });
    for (const { name, r } of avg) out[name] = name === 'accuracy' ? r.precision : { precision: r.precision, recall: r.recall, 'f1-score': r.fScore, support: total };
    return out;
  }
  const digits = o.digits ?? 2;
  const width = Math.max(...names.map((n) => n.length), 'weighted avg'.length, digits);
  const col = (s: string): string => ` ${s.padStart(9)}`;
  const row = (name: string, p: number, r: number, f: number, s: number): string => `${name.padStart(width)} ${col(fixed(p, digits))}${col(fixed(r, digits))}${col(fixed(f, digits))}${col(count(s, weighted))}\n`;
  let text = `${''.padStart(width)} ${['precision', 'recall', 'f1-score', 'support'].map(col).join('')}\n\n`;
  names.forEach((name, i) => {
    text += row(name, perClass.precision[i] as number, perClass.recall[i] as number, perClass.fScore[i] as number, perClass.support[i] as number);
  });
  text += '\n';
  for (const { name, r } of avg) {
    text += name === 'accuracy' ? `${name.padStart(width)} ${col('')}${col('')}${col(fixed(r.fScore, digits))}${col(count(total, weighted))}\n` : row(name, r.precision, r.recall, r.fScore, total);
  }
  return text;
}
