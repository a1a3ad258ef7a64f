// A small 2-D CNN tells generated bars from crosses (12×12 images with pixel noise): the
// classes differ in shape only, so a per-pixel model cannot solve it and the convolutions must.
import * as fg from '../../src/index.js';
import type { Settings } from '../protocol.js';
import { BINARY_COLUMNS, binaryScores, positiveProbability } from './scores.js';
import { PROBE_ROWS, type TaskRun, validated } from './task.js';

const SIZE = 12;
const FILTERS = [4, 8];

export function shapesTask(s: Settings): TaskRun {
  const { x, y } = fg.barsAndCrosses({ n: s.rows, size: SIZE, seed: s.seed, noise: 0.25 });
  const n = s.rows;
  const nTrain = Math.floor(n * 0.75);
  const xTrain = fg.slice(x, 0, 0, nTrain);
  const yTrain = fg.slice(y, 0, 0, nTrain);
  const xTest = fg.slice(x, 0, nTrain, n);
  const yTest = fg.slice(y, 0, nTrain, n).toFloat32Array();
  const probe = fg.slice(x, 0, 0, PROBE_ROWS);
  const yProbe = fg.slice(y, 0, 0, PROBE_ROWS).reshape([PROBE_ROWS, 1]);
  const cnn = new fg.CNN2dClassifier({ filters: FILTERS, kernelSize: 3, pool: 'max', dense: [16], ...validated(s) });
  return {
    description: `${n} generated ${SIZE}×${SIZE} images, half bars and half crosses at random places with pixel noise; ${nTrain} to train (20% of them for the validation loss), ${n - nTrain} held out.`,
    lossName: 'log loss',
    network: () => cnn,
    fit: (callbacks) => void cnn.fit(xTrain, yTrain, { callbacks }),
    probe,
    objective: () => fg.bceWithLogits(cnn.forward(probe), yProbe),
    objectiveName: `binary cross entropy of the CNN's logits on ${PROBE_ROWS} training images`,
    heldOut: { name: 'accuracy', score: () => fg.accuracy(yTest, fg.tidy(() => positiveProbability(cnn.predictProba(xTest)))) },
    results: (seconds) => {
      const p = fg.tidy(() => positiveProbability(cnn.predictProba(xTest)));
      return {
        table: {
          caption: `${n - nTrain} held-out images; half are crosses, so chance is 0.5.`,
          ...BINARY_COLUMNS,
          rows: [{ model: 'CNN2dClassifier', detail: `conv ${FILTERS.join(', ')} filters 3×3 + max pool, dense 16, Adam, batch ${s.batchSize}`, values: [...binaryScores(yTest, p), seconds] }],
        },
        chart: null,
        summary: 'The CNN keeps the weights of its lowest validation loss.',
      };
    },
    dispose: () => [cnn, x, y, xTrain, yTrain, xTest, probe, yProbe].forEach((t) => t.dispose()),
  };
}
