// Every metric that scikit-learn defines, against scikit-learn's own values: inputs and outputs
// in test/fixtures/sklearn-metrics.json, written by scripts/fixtures/sklearn_metrics.py
// (Debian's python3-sklearn; the version is recorded in the file).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { expectClose } from '../support/opcheck.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sklearn-metrics.json');

interface Curve {
  [key: string]: number[];
}
interface BinaryCase {
  name: string;
  yTrue: number[];
  yScore: number[];
  sampleWeight?: number[];
  posLabel?: number;
  rocCurve: Curve;
  rocCurveAll: Curve;
  precisionRecallCurve: Curve;
  averagePrecision: number;
  rocAuc: number;
  gini: number;
  ksFromRoc: { statistic: number; threshold: number };
  ksScipy?: number;
  brierScore: number;
  logLoss: number;
  logLossSum: number;
  confusionMatrixAtHalf: number[][];
  [calibration: `calibration_${string}`]: { probTrue: number[]; probPred: number[] };
}
interface PrfRow {
  average: fg.MetricAverage | null;
  zeroDivision: 0 | 1;
  beta: number;
  precision: number | number[];
  recall: number | number[];
  fScore: number | number[];
  support?: number[];
}
interface LabelCase {
  name: string;
  yTrue: number[];
  yPred: number[];
  sampleWeight?: number[];
  labels?: number[];
  targetNames?: string[];
  accuracy: number;
  confusionMatrix: number[][];
  confusionMatrix_true: number[][];
  confusionMatrix_pred: number[][];
  confusionMatrix_all: number[][];
  prfs: PrfRow[];
  report_2: string;
  report_4: string;
  reportDict: Record<string, number | Record<string, number>>;
}
interface LogLossCase {
  name: string;
  yTrue: number[];
  yProb: number[][];
  sampleWeight?: number[];
  labels?: number[];
  logLoss: number;
}
interface RegressionCase {
  name: string;
  yTrue: number[] | number[][];
  yPred: number[] | number[][];
  sampleWeight?: number[];
  [metric: string]: unknown;
}
interface Fixture {
  sklearn: string;
  binary: BinaryCase[];
  labels: LabelCase[];
  logLoss: LogLossCase[];
  regression: RegressionCase[];
}

const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;
const RTOL = 1e-12;
const close = (a: number, b: number, what: string): void => expectClose([a], [b], RTOL, 1e-15, what);
const flat = (m: number[][]): number[] => m.flat();

describe(`scikit-learn ${fx.sklearn} fixtures`, () => {
  it('records the scikit-learn version and covers every group', () => {
    expect(fx.sklearn).toMatch(/^\d+\.\d+/);
    expect(fx.binary.length).toBeGreaterThanOrEqual(8);
    expect(fx.labels.length).toBeGreaterThanOrEqual(6);
    expect(fx.binary.some((c) => c.sampleWeight?.includes(0))).toBe(true);
  });

  describe.each(fx.binary.map((c) => [c.name, c] as const))('binary scores: %s', (_, c) => {
    const opts = { posLabel: c.posLabel, sampleWeight: c.sampleWeight };
    it('rocCurve (with and without intermediate points), rocAuc, gini', () => {
      for (const [key, drop] of [['rocCurve', true], ['rocCurveAll', false]] as const) {
        const r = fg.rocCurve(c.yTrue, c.yScore, { ...opts, dropIntermediate: drop });
        for (const part of ['fpr', 'tpr', 'thresholds'] as const) expectClose(r[part], c[key][part] as number[], RTOL, 1e-15, `${key}.${part}`);
      }
      // roc_auc_score has no pos_label; the larger label is positive, which is posLabel here.
      close(fg.rocAuc(c.yTrue, c.yScore, opts), c.rocAuc, 'rocAuc');
      close(fg.gini(c.yTrue, c.yScore, opts), c.gini, 'gini');
    });
    it('precisionRecallCurve and averagePrecision', () => {
      const r = fg.precisionRecallCurve(c.yTrue, c.yScore, opts);
      for (const part of ['precision', 'recall', 'thresholds'] as const) expectClose(r[part], c.precisionRecallCurve[part] as number[], RTOL, 1e-15, part);
      close(fg.averagePrecision(c.yTrue, c.yScore, opts), c.averagePrecision, 'averagePrecision');
    });
    it('ksStatistic equals max |TPR - FPR| of the full ROC curve and scipy ks_2samp', () => {
      const ks = fg.ksStatistic(c.yTrue, c.yScore, opts);
      close(ks.statistic, c.ksFromRoc.statistic, 'ks statistic');
      close(ks.threshold, c.ksFromRoc.threshold, 'ks threshold');
      if (c.ksScipy !== undefined) close(ks.statistic, c.ksScipy, 'ks vs scipy');
    });
    it('brierScore, logLoss, calibrationCurve, confusionMatrix at 0.5', () => {
      close(fg.brierScore(c.yTrue, c.yScore, opts), c.brierScore, 'brierScore');
      const pos = c.posLabel ?? 1;
      const y01 = c.yTrue.map((v) => (v === pos ? 1 : 0));
      close(fg.logLoss(y01, c.yScore, { sampleWeight: c.sampleWeight }), c.logLoss, 'logLoss');
      close(fg.logLoss(y01, c.yScore, { sampleWeight: c.sampleWeight, normalize: false }), c.logLossSum, 'logLoss sum');
      for (const strategy of ['uniform', 'quantile'] as const) {
        for (const nBins of [5, 10]) {
          const want = c[`calibration_${strategy}_${nBins}`] as { probTrue: number[]; probPred: number[] };
          const got = fg.calibrationCurve(c.yTrue, c.yScore, { nBins, strategy, posLabel: c.posLabel });
          expectClose(got.probTrue, want.probTrue, RTOL, 1e-15, `${strategy} ${nBins} probTrue`);
          expectClose(got.probPred, want.probPred, RTOL, 1e-15, `${strategy} ${nBins} probPred`);
        }
      }
      expectClose(flat(fg.confusionMatrix(y01, c.yScore, { threshold: 0.5, sampleWeight: c.sampleWeight })), flat(c.confusionMatrixAtHalf), RTOL, 1e-12, 'confusion');
    });
  });

  describe.each(fx.labels.map((c) => [c.name, c] as const))('labels: %s', (_, c) => {
    const base = { sampleWeight: c.sampleWeight, labels: c.labels };
    it('accuracy and confusionMatrix (every normalisation)', () => {
      close(fg.accuracy(c.yTrue, c.yPred, { sampleWeight: c.sampleWeight }), c.accuracy, 'accuracy');
      expectClose(flat(fg.confusionMatrix(c.yTrue, c.yPred, base)), flat(c.confusionMatrix), RTOL, 1e-15, 'counts');
      for (const normalize of ['true', 'pred', 'all'] as const) {
        expectClose(flat(fg.confusionMatrix(c.yTrue, c.yPred, { ...base, normalize })), flat(c[`confusionMatrix_${normalize}`]), RTOL, 1e-15, normalize);
      }
    });
    it('precision / recall / F-beta in every averaging and zeroDivision', () => {
      for (const r of c.prfs) {
        const what = `average ${r.average}, zeroDivision ${r.zeroDivision}, beta ${r.beta}`;
        const o = { ...base, zeroDivision: r.zeroDivision, beta: r.beta };
        if (r.average === null) {
          const got = fg.precisionRecallFscoreSupport(c.yTrue, c.yPred, { ...o, average: null });
          expectClose(got.precision, r.precision as number[], RTOL, 1e-15, `${what} precision`);
          expectClose(got.recall, r.recall as number[], RTOL, 1e-15, `${what} recall`);
          expectClose(got.fScore, r.fScore as number[], RTOL, 1e-15, `${what} fScore`);
          expectClose(got.support, r.support as number[], RTOL, 1e-15, `${what} support`);
          continue;
        }
        const got = fg.precisionRecallFscoreSupport(c.yTrue, c.yPred, { ...o, average: r.average });
        close(got.precision, r.precision as number, `${what} precision`);
        close(got.recall, r.recall as number, `${what} recall`);
        close(got.fScore, r.fScore as number, `${what} fScore`);
        const single = { ...base, zeroDivision: r.zeroDivision, average: r.average };
        close(fg.precisionScore(c.yTrue, c.yPred, single), r.precision as number, `${what} precisionScore`);
        close(fg.recallScore(c.yTrue, c.yPred, single), r.recall as number, `${what} recallScore`);
        close(r.beta === 1 ? fg.f1Score(c.yTrue, c.yPred, single) : fg.fbetaScore(c.yTrue, c.yPred, { ...single, beta: r.beta }), r.fScore as number, `${what} f`);
      }
    });
    it('classificationReport: the same text, and the same object', () => {
      const o = { ...base, targetNames: c.targetNames, zeroDivision: 0 as const };
      expect(fg.classificationReport(c.yTrue, c.yPred, { ...o, digits: 2 })).toBe(c.report_2);
      expect(fg.classificationReport(c.yTrue, c.yPred, { ...o, digits: 4 })).toBe(c.report_4);
      const dict = fg.classificationReport(c.yTrue, c.yPred, { ...o, outputDict: true });
      expect(Object.keys(dict)).toEqual(Object.keys(c.reportDict));
      for (const [key, want] of Object.entries(c.reportDict)) {
        const got = dict[key];
        if (typeof want === 'number') close(got as number, want, key);
        else for (const [col, v] of Object.entries(want)) close((got as unknown as Record<string, number>)[col] as number, v, `${key} ${col}`);
      }
    });
  });

  it.each(fx.logLoss.map((c) => [c.name, c] as const))('logLoss of class probabilities: %s', (_, c) => {
    close(fg.logLoss(c.yTrue, c.yProb, { sampleWeight: c.sampleWeight, labels: c.labels }), c.logLoss, c.name);
  });

  it.each(fx.regression.map((c) => [c.name, c] as const))('regression: %s', (_, c) => {
    const o = { sampleWeight: c.sampleWeight };
    const fns = {
      meanAbsoluteError: fg.meanAbsoluteError,
      meanSquaredError: fg.meanSquaredError,
      rootMeanSquaredError: fg.rootMeanSquaredError,
      meanAbsolutePercentageError: fg.meanAbsolutePercentageError,
      r2Score: fg.r2Score,
    };
    let checked = 0;
    for (const [name, f] of Object.entries(fns)) {
      if (c[name] === undefined) continue;
      close(f(c.yTrue, c.yPred, o), c[name] as number, name);
      checked++;
      const raw = c[`${name}Raw`] as number[] | undefined;
      if (raw !== undefined) expectClose(f(c.yTrue, c.yPred, { ...o, multioutput: 'rawValues' }), raw, RTOL, 1e-15, `${name} raw`);
    }
    if (c.r2ScoreVarianceWeighted !== undefined) close(fg.r2Score(c.yTrue, c.yPred, { ...o, multioutput: 'varianceWeighted' }), c.r2ScoreVarianceWeighted as number, 'r2 variance weighted');
    expect(checked).toBeGreaterThan(0);
  });
});
