// A few rows (a scoring service's one applicant) take LogisticRegression's host path: the same
// probabilities as the tensor path for large batches, within float32 rounding, the same checks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

beforeAll(async () => {
  await fg.ready();
});

describe('LogisticRegression.predictProba on a few rows', () => {
  const data = fg.generateCredit(600, 2);
  const x = Array.from({ length: 600 }, (_, i) => Array.from(data.x.subarray(i * 8, i * 8 + 8)));
  const y = Array.from(data.y);

  it('equals the batch path row for row, for arrays and tensors, and sums to 1', () => {
    const m = new fg.LogisticRegression().fit(x, y);
    const batch = fg.tidy(() => m.predictProba(x).toFloat32Array()); // 600 rows: the tensor path
    for (const i of [0, 17, 599]) {
      const one = fg.tidy(() => m.predictProba([x[i]!]).toFloat32Array());
      const asTensor = fg.tidy(() => m.predictProba(fg.tensor([x[i]!])).toFloat32Array());
      expect(one).toEqual(asTensor);
      expect(one[1]).toBeCloseTo(batch[2 * i + 1]!, 6);
      expect(one[0]! + one[1]!).toBeCloseTo(1, 6);
    }
    const several = fg.tidy(() => m.predictProba(x.slice(0, 16)).toFloat32Array());
    several.forEach((v, k) => expect(v).toBeCloseTo(batch[k]!, 6));
    m.dispose();
  });

  it('checks its input like the batch path', () => {
    const m = new fg.LogisticRegression().fit(x, y);
    expect(() => m.predictProba([[1, 2]])).toThrow(/expected x of shape \[samples, 8\] \(samples, features\), got \[1, 2\]/);
    expect(() => m.predictProba([[NaN, 0, 0, 0, 0, 0, 0, 0]])).toThrow(fg.ValueError);
    expect(() => new fg.LogisticRegression().predictProba([x[0]!])).toThrow(fg.NotFittedError);
    m.dispose();
  });
});
