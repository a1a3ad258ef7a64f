// MLPClassifier's classWeight and the MLPs' sampleWeight: each row's loss is multiplied by its
// weight (scikit-learn's meaning); weights travel with their rows through shuffling and splits.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

beforeAll(async () => {
  await fg.ready();
});

// 10% positives, separable only in part.
function imbalanced(n: number, seed: number): { x: number[][]; y: number[] } {
  const rand = fg.dataRng(seed);
  const x = Array.from({ length: n }, () => [fg.gaussian(rand), fg.gaussian(rand)]);
  const y = x.map((r) => (r[0]! + 0.5 * r[1]! + 0.8 * fg.gaussian(rand) > 1.9 ? 1 : 0));
  return { x, y };
}

describe('MLP weights', () => {
  const { x, y } = imbalanced(1500, 1);
  const opts = { hiddenLayerSizes: [8], maxIter: 15, seed: 0 };

  it('doubling every weight doubles the loss at every epoch (Adam follows the same path)', () => {
    const a = new fg.MLPClassifier(opts).fit(x, y);
    const b = new fg.MLPClassifier(opts).fit(x, y, { sampleWeight: y.map(() => 2) });
    const la = a.history?.history.loss ?? [];
    const lb = b.history?.history.loss ?? [];
    expect(lb).toHaveLength(la.length);
    lb.forEach((v, i) => expect(v / la[i]!).toBeCloseTo(2, 2));
    a.dispose();
    b.dispose();
  });

  it("classWeight 'balanced' raises the minority class's recall", () => {
    const plain = new fg.MLPClassifier(opts).fit(x, y);
    const balanced = new fg.MLPClassifier({ ...opts, classWeight: 'balanced' }).fit(x, y);
    const recall = (m: fg.MLPClassifier): number => fg.recallScore(y, fg.tidy(() => Array.from(m.predict(x).toFloat32Array())));
    expect(recall(balanced)).toBeGreaterThan(recall(plain) + 0.2);
    // Saved and loaded with its class weights.
    const again = fg.loadModel<fg.MLPClassifier>(fg.saveModel(balanced));
    expect(again.config().options.classWeight).toBe('balanced');
    for (const m of [plain, balanced, again]) m.dispose();
  });

  it('MLPRegressor: weight 0 rows do not pull the fit', () => {
    const rand = fg.dataRng(3);
    const xr = Array.from({ length: 400 }, () => [fg.gaussian(rand)]);
    const yr = xr.map((r, i) => (i % 2 ? 2 * r[0]! : 100));           // odd rows follow y = 2x, even rows are junk
    const m = new fg.MLPRegressor({ hiddenLayerSizes: [16], maxIter: 200, learningRate: 0.01, seed: 0 }).fit(xr, yr, { sampleWeight: yr.map((_, i) => i % 2) });
    const p = fg.tidy(() => m.predict([[1]]).toFloat32Array()[0]!);
    expect(Math.abs(p - 2)).toBeLessThan(0.5);
    m.dispose();
  });

  it('names bad input', () => {
    expect(() => new fg.MLPRegressor({ classWeight: 'balanced' })).toThrow(/classWeight applies to classifiers/);
    expect(() => new fg.MLPClassifier({ class_weight: 'balanced' } as never)).toThrow("did you mean 'classWeight'?");
    expect(() => new fg.MLPClassifier(opts).fit(x, y, { sampleWeight: [1, 2] })).toThrow(/sampleWeight has 2 values/);
    expect(() => new fg.MLPClassifier(opts).fit(x, y, { sample_weight: [1] } as never)).toThrow("did you mean 'sampleWeight'?");
    expect(() => new fg.MLPClassifier({ ...opts, classWeight: { 0: 1 } }).fit(x, y)).toThrow(fg.FingradError);
  });
});

describe('focal loss', () => {
  it('focalGamma trains on the focal loss (its epoch losses are below the log loss on the same path) and is named when misused', () => {
    const { x, y } = imbalanced(800, 4);
    const plain = new fg.MLPClassifier({ hiddenLayerSizes: [8], maxIter: 5, seed: 0 }).fit(x, y);
    const focal = new fg.MLPClassifier({ hiddenLayerSizes: [8], maxIter: 5, seed: 0, focalGamma: 2 }).fit(x, y);
    // (1 − p_t)^γ ≤ 1 shrinks every row's loss.
    expect((focal.history?.history.loss ?? [])[0]!).toBeLessThan((plain.history?.history.loss ?? [])[0]!);
    expect(fg.rocAuc(y, fg.tidy(() => fg.select(focal.predictProba(x), 1, 1).toFloat32Array()))).toBeGreaterThan(0.8);
    expect(() => new fg.MLPRegressor({ focalGamma: 2 })).toThrow(/focalGamma applies to classifiers/);
    expect(() => new fg.MLPClassifier({ focalGamma: 2, maxIter: 1 }).fit([[0], [1], [2]], [0, 1, 2])).toThrow(/focalGamma applies to two classes/);
    plain.dispose();
    focal.dispose();
  });
});
