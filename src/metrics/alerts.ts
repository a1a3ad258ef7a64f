// Fraud and anomaly detection under an alert budget: investigators can review only the top
// share of scores, so what matters is precision and recall among those alerts.
import { is, readOptions } from '../validate.js';
import { type Scores, type Values, checkLength, readBinaryLabels, readScores, requireBothClasses } from './input.js';

export interface AlertBudgetResult {
  /** Rows alerted: ceil(budget · n). */
  alerts: number;
  /** The lowest score alerted. */
  threshold: number;
  /** Share of alerts that are positives. */
  precision: number;
  /** Share of all positives that were alerted. */
  recall: number;
}

/**
 * Precision and recall when the top `budget` share of rows (default 0.01) by score is alerted.
 * Rows tied at the cut-off are ordered by position, so exactly ceil(budget · n) rows are alerted.
 */
export function alertBudgetMetrics(yTrue: Values, yScore: Scores, options?: { budget?: number; posLabel?: number }): AlertBudgetResult {
  const where = 'alertBudgetMetrics';
  const o = readOptions(where, options, { budget: is.number({ min: 0, minOpen: true, max: 1 }), posLabel: is.number() });
  const y = readBinaryLabels(where, yTrue, o.posLabel);
  const s = readScores(where, 'yScore', yScore);
  checkLength(where, 'yTrue', y, 'yScore', s);
  requireBothClasses(where, y);
  const n = y.length;
  const k = Math.max(1, Math.ceil((o.budget ?? 0.01) * n - 1e-9));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (s[b] as number) - (s[a] as number) || a - b);
  let hits = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i] as number;
  for (let r = 0; r < k; r++) hits += y[order[r] as number] as number;
  return { alerts: k, threshold: s[order[k - 1] as number] as number, precision: hits / k, recall: hits / positives };
}
