// What the command line reports about binary scores (probabilities of default): a metrics row per
// model and the charts a credit-risk reviewer expects (ROC, precision–recall, calibration, KS,
// lift). Curves of several models are resampled on one grid so they share an axis.
import * as fg from '../index.js';
import type { ChartSpec, ReportSpec } from './report.js';

export interface ScoredModel {
  name: string;
  /** Probability of class 1 ("default") per row. */
  scores: ArrayLike<number>;
}

export interface ModelMetrics {
  model: string;
  rocAuc: number;
  gini: number;
  ks: number;
  ksThreshold: number;
  averagePrecision: number;
  brierScore: number;
  logLoss: number;
  accuracy: number;
}

/** The headline metrics of one model's scores. */
export function scoreMetrics(name: string, yTrue: ArrayLike<number>, scores: ArrayLike<number>): ModelMetrics {
  const ks = fg.ksStatistic(yTrue, scores);
  return {
    model: name,
    rocAuc: fg.rocAuc(yTrue, scores),
    gini: fg.gini(yTrue, scores),
    ks: ks.statistic,
    ksThreshold: ks.threshold,
    averagePrecision: fg.averagePrecision(yTrue, scores),
    brierScore: fg.brierScore(yTrue, scores),
    logLoss: fg.logLoss(yTrue, scores),
    accuracy: fg.accuracy(yTrue, scores, { threshold: 0.5 }),
  };
}

export const METRIC_COLUMNS = ['model', 'ROC AUC', 'Gini', 'KS', 'avg precision', 'Brier', 'log loss', 'accuracy'];

export function metricsRow(m: ModelMetrics): Array<string | number> {
  return [m.model, m.rocAuc, m.gini, m.ks, m.averagePrecision, m.brierScore, m.logLoss, m.accuracy];
}

const GRID = Array.from({ length: 101 }, (_, i) => i / 100);

// The largest y reached at or before each grid x of a monotone step curve.
function onGrid(xs: readonly number[], ys: readonly number[]): number[] {
  return GRID.map((g) => {
    let best = 0;
    for (let i = 0; i < xs.length; i++) if ((xs[i] as number) <= g + 1e-12) best = Math.max(best, ys[i] as number);
    return best;
  });
}

/** ROC, precision–recall, calibration, KS and lift charts of the models' scores. */
export function classificationCharts(yTrue: ArrayLike<number>, models: readonly ScoredModel[]): ChartSpec[] {
  const roc = models.map((m) => fg.rocCurve(yTrue, m.scores));
  const pr = models.map((m) => fg.precisionRecallCurve(yTrue, m.scores));
  const charts: ChartSpec[] = [
    { title: 'ROC curve', x: GRID, xLabel: 'false positive rate', yLabel: 'true positive rate', series: models.map((m, k) => ({ label: m.name, values: onGrid(roc[k]!.fpr, roc[k]!.tpr) })), reference: [0, 0, 1, 1] },
    {
      title: 'Precision–recall curve',
      x: GRID,
      xLabel: 'recall',
      yLabel: 'precision',
      // Interpolated precision: the best precision at recall ≥ r.
      series: models.map((m, k) => ({ label: m.name, values: GRID.map((r) => Math.max(0, ...pr[k]!.recall.map((rc, i) => (rc >= r - 1e-12 ? (pr[k]!.precision[i] as number) : 0)))) })),
    },
  ];
  // Calibration on ten uniform bins; an empty bin is a gap.
  const centres = Array.from({ length: 10 }, (_, i) => (i + 0.5) / 10);
  charts.push({
    title: 'Calibration (observed default rate per predicted-probability bin)',
    x: centres,
    xLabel: 'predicted probability',
    yLabel: 'observed rate',
    series: models.map((m) => {
      const sum = new Array<number>(10).fill(0);
      const cnt = new Array<number>(10).fill(0);
      for (let i = 0; i < yTrue.length; i++) {
        const b = Math.min(9, Math.floor((m.scores[i] as number) * 10));
        sum[b] = (sum[b] as number) + (yTrue[i] as number);
        cnt[b] = (cnt[b] as number) + 1;
      }
      return { label: m.name, values: sum.map((s, b) => ((cnt[b] as number) > 0 ? s / (cnt[b] as number) : NaN)) };
    }),
    reference: [0, 0, 1, 1],
  });
  // KS of the first model: the score distributions of goods and bads, and where they part most.
  const first = models[0];
  if (first !== undefined) {
    const cdf = (label: number): number[] => {
      const s = Array.from({ length: yTrue.length }, (_, i) => i).filter((i) => yTrue[i] === label).map((i) => first.scores[i] as number);
      return GRID.map((g) => s.filter((v) => v <= g).length / Math.max(1, s.length));
    };
    const ks = fg.ksStatistic(yTrue, first.scores);
    charts.push({ title: `KS: score distributions of ${first.name} (KS = ${ks.statistic.toFixed(3)} at ${ks.threshold.toFixed(3)})`, kind: 'steps', x: GRID, xLabel: 'score', yLabel: 'cumulative share', series: [{ label: 'non-defaults', values: cdf(0) }, { label: 'defaults', values: cdf(1) }] });
  }
  const lifts = models.map((m) => fg.liftTable(yTrue, m.scores));
  const deciles = Array.from({ length: 10 }, (_, i) => i + 1);
  charts.push({
    title: 'Lift by decile (1 = highest scores)',
    kind: 'bars',
    x: deciles,
    xLabel: 'decile',
    yLabel: 'lift',
    series: models.map((m, k) => ({ label: m.name, values: deciles.map((d) => lifts[k]!.find((r) => r.bin === d)?.lift ?? NaN) })),
  });
  return charts;
}

/** A whole report on held-out scores of one or more models. */
export function classificationReportSpec(title: string, subtitle: string, yTrue: ArrayLike<number>, models: readonly ScoredModel[]): ReportSpec {
  const metrics = models.map((m) => scoreMetrics(m.name, yTrue, m.scores));
  const best = metrics.reduce((a, b) => (b.rocAuc > a.rocAuc ? b : a));
  const lift = fg.liftTable(yTrue, models.find((m) => m.name === best.model)!.scores);
  return {
    title,
    subtitle,
    figures: [
      ['rows', yTrue.length],
      ['default rate', Array.from(yTrue as ArrayLike<number>).reduce((a, v) => a + v, 0) / yTrue.length],
      [`best ROC AUC (${best.model})`, best.rocAuc],
      ['KS', best.ks],
      ['Gini', best.gini],
    ],
    tables: [
      { title: 'Held-out metrics', columns: METRIC_COLUMNS, rows: metrics.map(metricsRow) },
      {
        title: `Lift table: ${best.model}`,
        columns: ['decile', 'count', 'defaults', 'default rate', 'cumulative capture', 'lift', 'cumulative lift'],
        rows: lift.map((r) => [r.bin, r.count, r.events, r.eventRate, r.cumulativeCapture, r.lift, r.cumulativeLift]),
      },
    ],
    charts: classificationCharts(yTrue, models),
  };
}
