// Held-out scores the classification tasks share: the ROC curve of each model on one FPR grid
// (uPlot draws all series over a single x array) and the table row of a binary classifier.
import * as fg from '../../src/index.js';
import type { ResultChart } from '../protocol.js';

const ROC_GRID = 101;

/** TPR at each FPR of an even grid on [0, 1]: the best TPR `rocCurve` reaches without exceeding that FPR. */
function tprOnGrid(yTrue: ArrayLike<number>, score: ArrayLike<number>, grid: number[]): number[] {
  const { fpr, tpr } = fg.rocCurve(yTrue, score);
  let p = 0;
  let best = 0;
  return grid.map((f) => {
    while (p < fpr.length && (fpr[p] as number) <= f + 1e-12) best = Math.max(best, tpr[p++] as number);
    return best;
  });
}

/** ROC curves of several scorings of the same rows, with the chance line. */
export function rocChart(yTrue: ArrayLike<number>, scores: Array<[string, ArrayLike<number>]>): ResultChart {
  const xs = Array.from({ length: ROC_GRID }, (_, j) => j / (ROC_GRID - 1));
  return {
    title: 'ROC curve on the held-out rows',
    x: 'false positive rate',
    y: 'true positive rate',
    xs,
    series: [...scores.map(([label, s]) => ({ label, values: tprOnGrid(yTrue, s, xs) })), { label: 'chance', values: xs }],
  };
}

/** Accuracy, ROC AUC and log loss of probabilities of class 1. */
export function binaryScores(yTrue: ArrayLike<number>, p: ArrayLike<number>): number[] {
  return [fg.accuracy(yTrue, p), fg.rocAuc(yTrue, p), fg.logLoss(yTrue, p)];
}

export const BINARY_COLUMNS = { columns: ['accuracy', 'ROC AUC', 'log loss', 'fit time (s)'], higherIsBetter: [true, true, false, false] };

/** Column 1 (probability of class 1) of a [n, 2] probability tensor. */
export function positiveProbability(p: fg.Tensor): Float32Array {
  const v = p.toFloat32Array();
  const n = p.shape[0] as number;
  return Float32Array.from({ length: n }, (_, i) => v[i * 2 + 1] as number);
}
