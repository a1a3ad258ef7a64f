// A VAE learns what ordinary transactions look like and scores each held-out row by its negative
// ELBO (VAE.anomalyScore): rows it cannot reconstruct from a 2-D code score high. The rows are
// generated (gaussianWithOutliers): ten standardised features of ordinary transactions lie near
// a 2-D plane, and 5% injected anomalies look ordinary one feature at a time.
import * as fg from '../../src/index.js';
import type { Settings } from '../protocol.js';
import { PROBE_ROWS, type TaskRun, validated } from './task.js';

const DIM = 10;
const LATENT = 2;
const HIDDEN = [16];

export function anomalyTask(s: Settings): TaskRun {
  const { x, y } = fg.gaussianWithOutliers({ n: s.rows, dim: DIM, latentDim: LATENT, outlierFraction: 0.05, seed: s.seed });
  const n = s.rows;
  const nTrain = Math.floor(n * 0.75);
  const xTrain = fg.slice(x, 0, 0, nTrain);
  const xTest = fg.slice(x, 0, nTrain, n);
  const yTest = fg.slice(y, 0, nTrain, n).toFloat32Array();
  const probe = fg.slice(x, 0, 0, PROBE_ROWS);
  const vae = new fg.VAE({ hiddenSizes: HIDDEN, latentDim: LATENT, ...validated(s) });
  return {
    description: `${n} generated card-transaction rows (${DIM} standardised features; ordinary rows near a ${LATENT}-D plane, 5% injected anomalies, unlabelled for training); ${nTrain} to train (20% for the validation loss), ${n - nTrain} held out with their labels for scoring.`,
    lossName: '−ELBO',
    network: () => vae,
    fit: (callbacks) => void vae.fit(xTrain, { callbacks }),
    probe,
    // In evaluation mode the code is the posterior mean: the anomaly score itself, averaged.
    objective: () => {
      // VAE.anomalyScore's formula (reconstruction + KL per row), composed from public ops so
      // that autograd sees it: anomalyScore itself runs without gradients.
      const out = vae.forward(probe);
      const recon = fg.slice(out, 1, 0, DIM);
      const mu = fg.slice(out, 1, DIM, DIM + LATENT);
      const logvar = fg.slice(out, 1, DIM + LATENT, DIM + 2 * LATENT);
      const kl = fg.sum(logvar.add(1).sub(fg.square(mu)).sub(fg.exp(logvar)), 1).mul(-0.5);
      return fg.mean(fg.sum(fg.square(recon.sub(probe)), 1).add(kl));
    },
    objectiveName: `mean anomaly score (−ELBO at z = μ) of ${PROBE_ROWS} training rows`,
    heldOut: { name: 'ROC AUC of the score', score: () => fg.rocAuc(yTest, fg.tidy(() => vae.anomalyScore(xTest).toFloat32Array())) },
    results: (seconds) => {
      const score = fg.tidy(() => vae.anomalyScore(xTest).toFloat32Array());
      const xs = Array.from(score, (_, i) => i);
      return {
        table: {
          caption: `${n - nTrain} held-out rows, ${yTest.reduce((a, v) => a + v, 0)} of them anomalies; the score ranks them (ROC AUC 0.5 = chance).`,
          columns: ['ROC AUC', 'average precision', 'fit time (s)'],
          higherIsBetter: [true, true, false],
          rows: [{ model: 'VAE', detail: `[${DIM} → ${HIDDEN.join(' → ')} → ${LATENT}], β = 1, Adam, batch ${s.batchSize}`, values: [fg.rocAuc(yTest, score), fg.averagePrecision(yTest, score), seconds] }],
        },
        chart: {
          title: 'Anomaly score of each held-out row',
          x: 'row',
          y: 'score (−ELBO)',
          xs,
          points: true,
          series: [
            { label: 'ordinary', values: Array.from(score, (v, i) => (yTest[i] === 0 ? v : null)) },
            { label: 'anomaly', values: Array.from(score, (v, i) => (yTest[i] === 1 ? v : null)) },
          ],
        },
        summary: `ROC of the score in the table; anomalies should sit above the ordinary rows.`,
      };
    },
    dispose: () => [vae, x, y, xTrain, xTest, probe].forEach((t) => t.dispose()),
  };
}
