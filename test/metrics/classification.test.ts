// Hand checks, input forms (arrays, typed arrays, Tensors of shape [n], [n, 1], [n, 2]) and the
// named errors of the classification metrics; their values against scikit-learn are in
// sklearn.test.ts.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { rng } from '../support/opcheck.js';

// O(n²) definition of AUC: P(score_pos > score_neg) + ½ P(tie).
function aucByPairs(y: number[], s: number[]): number {
  let num = 0;
  let den = 0;
  y.forEach((yi, i) => {
    if (yi !== 1) return;
    y.forEach((yj, j) => {
      if (yj !== 0) return;
      den++;
      num += (s[i] as number) > (s[j] as number) ? 1 : s[i] === s[j] ? 0.5 : 0;
    });
  });
  return num / den;
}

describe('classification metrics by hand', () => {
  it('rocAuc equals the pairwise definition, ties included', () => {
    const r = rng(9);
    const y = Array.from({ length: 300 }, () => (r() < 0.3 ? 1 : 0));
    const s = y.map((v) => Math.round((v * 0.8 + r()) * 10) / 10); // coarse scores: many ties
    expect(fg.rocAuc(y, s)).toBeCloseTo(aucByPairs(y, s), 12);
    expect(fg.gini(y, s)).toBeCloseTo(2 * aucByPairs(y, s) - 1, 12);
    expect(fg.rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(fg.rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
    expect(fg.rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
  });

  it('accuracy, logLoss, confusion matrix and F1 by hand', () => {
    const y = [1, 0, 1, 1, 0];
    const p = [0.9, 0.2, 0.4, 0.6, 0.7];
    expect(fg.accuracy(y, p)).toBeCloseTo(3 / 5, 12); // scores: thresholded at 0.5
    expect(fg.accuracy(y, p, { threshold: 0.3 })).toBeCloseTo(4 / 5, 12);
    expect(fg.accuracy(y, p, { normalize: false })).toBe(3);
    expect(fg.logLoss(y, p)).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.6) + Math.log(0.3)) / 5, 12);
    expect(fg.confusionMatrix(y, p)).toEqual([[1, 1], [1, 2]]); // [[tn, fp], [fn, tp]]
    expect(fg.precisionScore(y, p)).toBeCloseTo(2 / 3, 12);
    expect(fg.recallScore(y, p)).toBeCloseTo(2 / 3, 12);
    expect(fg.f1Score(y, p)).toBeCloseTo(2 / 3, 12);
    expect(fg.fbetaScore(y, p, { beta: 2 })).toBeCloseTo(2 / 3, 12);
    expect(fg.logLoss([1, 0], [0, 0])).toBeCloseTo(-Math.log(2 ** -52) / 2, 9); // clipped, finite
    expect(fg.brierScore(y, p)).toBeCloseTo((0.01 + 0.04 + 0.36 + 0.16 + 0.49) / 5, 12);
  });

  it('confusionMatrix follows the labels order and drops other labels', () => {
    const y = [2, 0, 2, 2, 0, 1];
    const p = [0, 0, 2, 1, 0, 2];
    expect(fg.confusionMatrix(y, p)).toEqual([[2, 0, 0], [0, 0, 1], [1, 1, 1]]);
    expect(fg.confusionMatrix(y, p, { labels: [2, 0] })).toEqual([[1, 1], [0, 2]]);
    expect(fg.confusionMatrix(y, p, { labels: [1], normalize: 'true' })).toEqual([[0]]);
  });

  it('a text report with the averages', () => {
    const text = fg.classificationReport([1, 0, 1, 1, 0], [1, 0, 0, 1, 1], { targetNames: ['good', 'bad'] });
    const lines = text.split('\n');
    expect(lines[0]).toBe('              precision    recall  f1-score   support');
    expect(lines[2]).toBe('        good       0.50      0.50      0.50         2');
    expect(lines[3]).toBe('         bad       0.67      0.67      0.67         3');
    expect(lines[5]).toBe('    accuracy                           0.60         5');
  });
});

describe('classification metrics: inputs', () => {
  const y = [0, 1, 1, 0, 1, 0, 0, 1];
  const p = [0.1, 0.8, 0.35, 0.4, 0.9, 0.65, 0.2, 0.55];
  const f32 = Float32Array.from(p);
  const want = fg.rocCurve(y, f32); // Tensor values are float32: compare with the float32 scores

  it('plain arrays, typed arrays and Tensors [n], [n, 1], [n, 2] give the same result', () => {
    fg.tidy(() => {
      const forms: fg.MetricScores[] = [
        f32,
        fg.tensor(Array.from(f32)),
        fg.tensor(Array.from(f32, (v) => [v])),
        fg.tensor(Array.from(f32, (v) => [1 - v, v])), // predictProba: column 1
        Array.from(f32, (v) => [1 - v, v]),
      ];
      for (const s of forms) {
        expect(fg.rocCurve(fg.tensor(y), s)).toEqual(want);
        expect(fg.rocAuc(Int32Array.from(y), s)).toBe(fg.rocAuc(y, f32));
        expect(fg.accuracy(y, s)).toBe(fg.accuracy(y, f32));
      }
    });
  });

  it('does not leak tensors', () => {
    const before = fg.memoryStats().liveTensors;
    fg.tidy(() => {
      const t = fg.tensor(p);
      fg.rocAuc(y, t);
      fg.classificationReport(y, t);
    });
    expect(fg.memoryStats().liveTensors).toBe(before);
  });

  it('averagePrecision is the step integral of the PR curve (not interpolated)', () => {
    const { precision, recall } = fg.precisionRecallCurve(y, p);
    let ap = 0;
    for (let k = 0; k + 1 < recall.length; k++) ap += ((recall[k] as number) - (recall[k + 1] as number)) * (precision[k] as number);
    expect(fg.averagePrecision(y, p)).toBeCloseTo(ap, 14);
    // By hand: by descending score the positives are at ranks 1, 2, 4 and 6.
    expect(fg.averagePrecision(y, p)).toBeCloseTo((1 + 1 + 3 / 4 + 4 / 6) / 4, 12);
  });
});

describe('classification metrics: errors name the function and the argument', () => {
  it('lengths, NaN, labels, classes', () => {
    expect(() => fg.rocAuc([1, 0], [0.5])).toThrow(fg.ShapeError);
    expect(() => fg.rocAuc([1, 0], [0.5])).toThrow(/rocAuc: yTrue has 2 values but yScore has 1/);
    expect(() => fg.rocCurve([0, 2], [0.1, 0.2])).toThrow(/rocCurve: yTrue labels are 0, 2; binary labels must be 0\/1 or -1\/1, or give posLabel/);
    expect(() => fg.rocAuc([1, 1], [0.1, 0.2])).toThrow(/rocAuc: yTrue needs both classes, got 2 positive and 0 negative/);
    expect(() => fg.ksStatistic([0, 1, 2], [0.1, 0.2, 0.3])).toThrow(/ksStatistic: yTrue must hold two classes, got 3/);
    expect(() => fg.averagePrecision([0, 1], [NaN, 0.2])).toThrow(/averagePrecision: yScore has NaN at row 0/);
    expect(() => fg.brierScore([0, 1], [0.1, 1.2])).toThrow(/brierScore: yProb at row 1 is 1.2; probabilities must lie in \[0, 1\]/);
    expect(() => fg.logLoss([1, 1], [0.1, 0.2])).toThrow(/logLoss: yTrue holds one label only/);
    expect(() => fg.f1Score([0, 1, 2], [0, 1, 2])).toThrow(/f1Score: the labels are multiclass .* but average is 'binary'/);
    expect(() => fg.accuracy([0, 2], [0.3, 0.7])).toThrow(/accuracy: yTrue at row 1 is 2; with scores thresholded at 0.5 the labels must be 0 or 1/);
    expect(() => fg.confusionMatrix([0, 1], fg.tidy(() => fg.zeros([2, 3])))).toThrow(/confusionMatrix: yPred has 3 columns/);
    expect(() => fg.rocAuc([0, 1], [0.1, 0.2], { sampleWeight: [1, -1] })).toThrow(/rocAuc: sampleWeight at row 1 is -1/);
    expect(() => fg.rocAuc([0, 1], 'x' as unknown as number[])).toThrow(/rocAuc: yScore must be an array, a typed array or a Tensor, got string "x"/);
    expect(() => fg.logLoss([0, 1], [[0.1, 0.9], [0.2]])).toThrow(/logLoss: yProb row 1 has 1 values, row 0 has 2/);
    expect(() => fg.logLoss([0, 1], [[0.1, 0.9], 0.2] as never)).toThrow(/logLoss: yProb\[1\] must be a row/);
  });

  it('options are checked, with did-you-mean', () => {
    expect(() => fg.rocCurve([0, 1], [0.1, 0.2], { dropIntermediates: false } as never)).toThrow(fg.UnknownOptionError);
    expect(() => fg.rocCurve([0, 1], [0.1, 0.2], { dropIntermediates: false } as never)).toThrow(/did you mean 'dropIntermediate'/);
    expect(() => fg.precisionScore([0, 1], [0, 1], { average: 'samples' } as never)).toThrow(/precisionScore: average must be/);
    expect(() => fg.f1Score([0, 1], [0, 1], { beta: 2 } as never)).toThrow(/f1Score: unknown option 'beta'/);
    expect(() => fg.fbetaScore([0, 1], [0, 1], {} as never)).toThrow(/fbetaScore: options.beta is required/);
    expect(() => fg.calibrationCurve([0, 1], [0.1, 0.2], { strategy: 'quantiles' } as never)).toThrow(/did you mean 'quantile'/);
    expect(() => fg.classificationReport([0, 1], [0, 1], { targetNames: ['a'] })).toThrow(/targetNames has 1 names for 2 labels/);
  });
});
