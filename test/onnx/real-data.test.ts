// Exported models on real data (../shared/data, beside the repository; skipped when absent):
// credit-card default rows with their column names as feature names, and S&P 500 daily
// log-return windows.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { expectSame, readModelInfo, runOnnx } from './ort.js';

const DATA = new URL('../../../shared/data/', import.meta.url);
const CREDIT = new URL('UCI_Credit_Card.csv', DATA);
const SPX = new URL('GSPC_daily_2001-01-02_2018-08-01.csv', DATA);
const present = existsSync(CREDIT) && existsSync(SPX);
if (!present) console.warn(`ONNX real-data test skipped: ${DATA.pathname} (UCI_Credit_Card.csv, GSPC_daily_…csv) not found`);

function csv(url: URL, rows: number): { header: string[]; values: number[][] } {
  const lines = readFileSync(url, 'utf8').trim().split('\n');
  return { header: (lines[0] as string).split(','), values: lines.slice(1, rows + 1).map((l) => l.split(',').map(Number)) };
}

describe.skipIf(!present)('exportOnnx on real data', () => {
  it('UCI credit-card default: LogisticRegression and MLPClassifier with the column names', async () => {
    const { header, values } = csv(CREDIT, 3000);
    const names = header.slice(1, -1); // without ID and the label
    const d = names.length;
    const raw = Float32Array.from(values.flatMap((r) => r.slice(1, -1)));
    const stats = fg.columnStats(raw, values.length, d);
    const x = fg.keep(fg.tensor(fg.standardize(raw, values.length, d, stats), [values.length, d]));
    const y = values.map((r) => r.at(-1) as number);
    const train = fg.keep(fg.slice(x, 0, 0, 2000));
    const test = fg.keep(fg.slice(x, 0, 2000, 3000));
    const logistic = new fg.LogisticRegression().fit(train, y.slice(0, 2000));
    const mlp = new fg.MLPClassifier({ hiddenLayerSizes: [32, 16], maxIter: 3, seed: 1 }).fit(train, y.slice(0, 2000));
    for (const model of [logistic, mlp]) {
      const bytes = exportOnnx(model, { features: names });
      expect(JSON.parse(readModelInfo(bytes).metadata['feature_names'] as string)).toEqual(names);
      const got = await runOnnx(bytes, { features: test });
      expectSame(got.probabilities, model.predictProba(test));
    }
  });

  it('S&P 500 log returns: LSTM forecaster and CNN1d forecaster on 20-day windows', async () => {
    const { values } = csv(SPX, 1600);
    const close = values.map((r) => r[4] as number);
    const returns = close.slice(1).map((c, i) => 100 * Math.log(c / (close[i] as number)));
    const w = fg.makeWindows(Float32Array.from(returns), 20, 1);
    const train = fg.keep(fg.slice(w.x, 0, 0, 1000));
    const latest = fg.keep(fg.slice(w.x, 0, 1000, w.x.shape[0] as number));
    const lstm = new fg.RecurrentForecaster({ hiddenSize: 8, numLayers: 2, maxIter: 2 }).fit(train, fg.slice(w.y, 0, 0, 1000));
    expectSame((await runOnnx(exportOnnx(lstm, { features: ['log_return'] }), { windows: latest })).predictions, lstm.predict(latest));
    const cf = fg.makeWindows(Float32Array.from(returns), 20, 1, { channelsFirst: true });
    const cnn = new fg.CNN1dForecaster({ filters: [4, 8], maxIter: 2 }).fit(fg.slice(cf.x, 0, 0, 1000), fg.slice(cf.y, 0, 0, 1000));
    const recent = fg.keep(fg.slice(cf.x, 0, 1000, cf.x.shape[0] as number));
    expectSame((await runOnnx(exportOnnx(cnn), { windows: recent })).predictions, cnn.predict(recent));
  });
});
