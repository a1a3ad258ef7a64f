// What every model's `score(x, y)` reports, as scikit-learn's: accuracy for the classifiers,
// the coefficient of determination R² for the regressors.
import { ValueError } from '../errors.js';
import { type LabelInput, readColumn } from './input.js';

/**
 * The share of rows whose predicted label equals y's. y is read like fit's labels (finite,
 * one per row); a label the model never saw is an error naming its row.
 */
export function accuracyScore(where: string, predicted: ArrayLike<number>, y: LabelInput, classes: readonly number[]): number {
  const truth = readColumn(where, y, predicted.length);
  const known = new Set(classes);
  let hits = 0;
  truth.forEach((v, i) => {
    if (!known.has(v)) throw new ValueError(`${where}: label ${v} at row ${i} was not seen in fit (classes ${classes.join(', ')})`);
    if (v === predicted[i]) hits++;
  });
  return hits / truth.length;
}

/**
 * Mean over outputs of 1 − SS_res/SS_tot for row-major [n, outputs] values (an output with no
 * variance scores 1 if fitted exactly, else 0), as sklearn's r2_score with uniform averaging.
 */
export function r2Score(truth: ArrayLike<number>, pred: ArrayLike<number>, n: number): number {
  const k = truth.length / n;
  let total = 0;
  for (let j = 0; j < k; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += truth[i * k + j] as number;
    mean /= n;
    let res = 0;
    let tot = 0;
    for (let i = 0; i < n; i++) {
      res += ((truth[i * k + j] as number) - (pred[i * k + j] as number)) ** 2;
      tot += ((truth[i * k + j] as number) - mean) ** 2;
    }
    total += tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
  }
  return total / k;
}
