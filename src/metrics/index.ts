// The metrics of fingrad, in one place: label metrics (classification.ts, report.ts), score
// rankings (ranking.ts), probabilities (probability.ts), credit-scoring views (scorecard.ts) and
// regression / forecasting errors (regression.ts). The training loop's named metrics
// (src/train/metrics.ts) use accuracy and rocAuc from here.
export {
  accuracy, confusionMatrix, precisionRecallFscoreSupport, precisionScore, recallScore, fbetaScore, f1Score, rocAuc,
  type Average as MetricAverage, type ConfusionMatrixOptions, type PrfOptions, type PrfPerClass, type PrfAveraged,
} from './classification.js';
export { classificationReport, type ClassificationReport, type ClassificationReportOptions, type ReportRow } from './report.js';
export { rocCurve, precisionRecallCurve, averagePrecision, ksStatistic, gini, type BinaryScoreOptions, type RocCurve, type PrecisionRecallCurve, type KsStatistic } from './ranking.js';
export * from './probability.js';
export * from './scorecard.js';
export * from './regression.js';
export { alertBudgetMetrics, type AlertBudgetResult } from './alerts.js';
export type { Values as MetricValues, Scores as MetricScores, Rows as MetricRows } from './input.js';
