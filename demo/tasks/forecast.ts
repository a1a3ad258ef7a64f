// Forecasting a noisy two-frequency sine one step ahead with an LSTM or GRU (RecurrentForecaster)
// from windows of the past 24 steps; the latest fifth of the windows is held out, and the naive
// "same as the last step" forecast is the baseline.
import * as fg from '../../src/index.js';
import type { Settings } from '../protocol.js';
import { PROBE_ROWS, type TaskRun, validated } from './task.js';

const WINDOW = 24;
const HIDDEN = 16;

const rmse = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, v, i) => s + (v - (b[i] as number)) ** 2, 0) / a.length);

export function forecastTask(s: Settings): TaskRun {
  const series = fg.noisySine({ length: s.rows, seed: s.seed, noise: 0.15 });
  const { x, y } = fg.makeWindows(series, WINDOW, 1);
  const n = x.shape[0] as number;
  const nTrain = Math.floor(n * 0.8);
  const xTrain = fg.slice(x, 0, 0, nTrain);
  const yTrain = fg.slice(y, 0, 0, nTrain);
  const xTest = fg.slice(x, 0, nTrain, n);
  const yTest = fg.slice(y, 0, nTrain, n).toFloat32Array();
  const probe = fg.slice(x, 0, 0, PROBE_ROWS);
  const yProbe = fg.slice(y, 0, 0, PROBE_ROWS);
  const model = new fg.RecurrentForecaster({ cell: s.cell, hiddenSize: HIDDEN, ...validated(s) });
  const name = s.cell.toUpperCase();
  return {
    description: `A noisy sine of ${s.rows} steps (periods 30 and 11, noise 0.15), cut into ${n} windows of ${WINDOW} steps; the ${name} forecasts the next step. The first ${nTrain} windows train (their latest 20% give the validation loss), the last ${n - nTrain} are held out.`,
    lossName: 'mean squared error',
    network: () => model,
    fit: (callbacks) => void model.fit(xTrain, yTrain, { callbacks }),
    probe,
    objective: () => fg.mseLoss(model.forward(probe), yProbe),
    objectiveName: `mean squared error of the ${name}'s one-step forecasts on ${PROBE_ROWS} windows`,
    heldOut: { name: 'RMSE', score: () => rmse(fg.tidy(() => model.predict(xTest).toFloat32Array()), yTest) },
    results: (seconds) => {
      const forecast = fg.tidy(() => model.predict(xTest).toFloat32Array());
      // The naive forecast repeats each window's last value.
      const last = fg.tidy(() => fg.slice(xTest, 1, WINDOW - 1, WINDOW).toFloat32Array());
      const xs = Array.from(yTest, (_, i) => nTrain + i);
      return {
        table: {
          caption: `${n - nTrain} held-out windows, the latest of the series.`,
          columns: ['RMSE', 'fit time (s)'],
          higherIsBetter: [false, false],
          rows: [
            { model: `RecurrentForecaster (${name})`, detail: `hidden ${HIDDEN}, window ${WINDOW}, Adam, batch ${s.batchSize}`, values: [rmse(forecast, yTest), seconds] },
            { model: 'naive (last value)', detail: 'tomorrow = today', values: [rmse(last, yTest), 0] },
          ],
        },
        chart: { title: 'Held-out series and the one-step forecasts', x: 'window', y: 'value', xs, series: [{ label: 'actual', values: Array.from(yTest) }, { label: name, values: Array.from(forecast) }] },
        summary: `The ${name} keeps the weights of its lowest validation loss.`,
      };
    },
    dispose: () => [model, x, y, xTrain, yTrain, xTest, probe, yProbe].forEach((t) => t.dispose()),
  };
}
