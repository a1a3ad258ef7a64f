// Credit scoring: an MLP against a logistic-regression baseline on generated applicants
// (standardised with the training rows' statistics), scored on held-out applicants.
import * as fg from '../../src/index.js';
import type { Settings } from '../protocol.js';
import { BINARY_COLUMNS, binaryScores, positiveProbability, rocChart } from './scores.js';
import { PROBE_ROWS, type TaskRun, validated } from './task.js';

export function creditTask(s: Settings): TaskRun {
  const data = fg.generateCredit(s.rows, s.seed);
  const d = data.features.length;
  const nTrain = Math.floor(s.rows * 0.75);
  const nTest = s.rows - nTrain;
  const stats = fg.columnStats(data.x.subarray(0, nTrain * d), nTrain, d);
  const xs = fg.standardize(data.x, s.rows, d, stats);
  const yTrain = data.y.subarray(0, nTrain);
  const yTest = data.y.subarray(nTrain);
  const defaultRate = data.y.reduce((a, v) => a + v, 0) / s.rows;
  const xTrain = fg.tensor(xs.subarray(0, nTrain * d), [nTrain, d]);
  const xTest = fg.tensor(xs.subarray(nTrain * d), [nTest, d]);
  const probe = fg.tensor(xs.subarray(0, PROBE_ROWS * d), [PROBE_ROWS, d]);
  const yProbe = fg.tensor(yTrain.subarray(0, PROBE_ROWS), [PROBE_ROWS, 1]);
  const mlp = new fg.MLPClassifier({ hiddenLayerSizes: s.hidden, activation: s.activation, alpha: 1e-4, ...validated(s) });
  const logreg = new fg.LogisticRegression({ C: 1 });
  return {
    description:
      `${s.rows} generated applicants (${data.features.map((f) => f.name).join(', ')}); ${nTrain} to train — of which 20% are held out for the validation loss — ` +
      `and ${nTest} held out for the final scores. Default rate ${(100 * defaultRate).toFixed(1)}%.`,
    lossName: 'log loss',
    network: () => mlp,
    fit: (callbacks) => void mlp.fit(xTrain, yTrain, { callbacks }),
    probe,
    objective: () => fg.bceWithLogits(mlp.forward(probe), yProbe),
    objectiveName: `binary cross entropy of the MLP's logits on ${PROBE_ROWS} training rows`,
    heldOut: { name: 'MLP ROC AUC', score: () => fg.rocAuc(yTest, fg.tidy(() => positiveProbability(mlp.predictProba(xTest)))) },
    results: (seconds) => {
      const pMlp = fg.tidy(() => positiveProbability(mlp.predictProba(xTest)));
      const t0 = performance.now();
      logreg.fit(xTrain, yTrain);
      const lrSeconds = (performance.now() - t0) / 1000;
      const pLr = fg.tidy(() => positiveProbability(logreg.predictProba(xTest)));
      return {
        table: {
          caption: `${nTest} held-out applicants, never seen in training. Predicting "no default" for everyone would score accuracy ${(1 - defaultRate).toFixed(3)}.`,
          ...BINARY_COLUMNS,
          rows: [
            { model: 'MLPClassifier', detail: `[${[d, ...s.hidden, 1].join(' → ')}], ${s.activation}, Adam, batch ${s.batchSize}`, values: [...binaryScores(yTest, pMlp), seconds] },
            { model: 'LogisticRegression', detail: `L2, C = 1, L-BFGS (${logreg.converged ? 'converged' : 'stopped'})`, values: [...binaryScores(yTest, pLr), lrSeconds] },
          ],
        },
        chart: rocChart(yTest, [['MLPClassifier', pMlp], ['LogisticRegression', pLr]]),
        summary: 'The MLP keeps the weights of its lowest validation loss.',
      };
    },
    dispose: () => [mlp, logreg, xTrain, xTest, probe, yProbe].forEach((t) => t.dispose()),
  };
}
