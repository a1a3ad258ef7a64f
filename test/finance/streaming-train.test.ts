// Streamed training end to end: generated applicants written to a CSV, preprocessing learned
// with partialFit in one pass per step (equal to fitting on the whole file), then an MLP trained
// with fitStream on the transformed chunks; scored on other applicants loaded whole.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnTransformer, Pipeline, predictProbaChunks, type Table, OneHotEncoder, SimpleImputer, StandardScaler, type Transformer, applicantsCsv, generateApplicants, parseCsv, partialFitSteps, readCsv, readCsvChunks, rowChunks } from '../../src/finance/index.js';
import * as fg from '../../src/index.js';

let dir = '';
let path = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fingrad-stream-train-'));
  path = join(dir, 'train.csv');
  await writeFile(path, applicantsCsv(generateApplicants(12_000, 11)));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NUMERIC = ['age', 'income', 'utilisation', 'latePayments', 'debtRatio', 'monthsAtAddress', 'coApplicant'];
const CATEGORICAL = ['employment', 'housing', 'purpose', 'region'];
// Scale first (NaN passes through), then fill with 0: mean imputation in scaled units, plus indicators.
const steps = (): Transformer[] => [
  new ColumnTransformer([['num', new StandardScaler(), NUMERIC], ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), CATEGORICAL]]),
  new SimpleImputer({ strategy: 'constant', fillValue: 0, addIndicator: true }),
];

describe('streamed training on generated applicants', () => {
  it('predictProbaChunks scores chunk by chunk as the pipeline scores the whole file', async () => {
    const { table, y } = await readCsv(path, { target: 'default' });
    const pipeline = new Pipeline([['prep', steps()[0] as Transformer], ['fill', steps()[1] as Transformer], ['model', new fg.LogisticRegression()]]).fit(table, y as number[]);
    const got: number[][] = [];
    let chunks = 0;
    for await (const c of predictProbaChunks(pipeline, readCsvChunks(path, { chunkRows: 5000 }))) {
      got.push(...c.proba);
      chunks++;
    }
    expect(chunks).toBe(3);
    expect(got).toEqual(pipeline.predictProba(table));
    await expect(predictProbaChunks({} as never, readCsvChunks(path)).next()).rejects.toThrow(/predictProba/);
    // Freed now, not by a garbage collection in the middle of the next test's live-tensor count.
    const before = fg.memoryStats().liveTensors;
    pipeline.dispose();
    expect(fg.memoryStats().liveTensors).toBeLessThan(before);
  });

  it('partialFitSteps equals fitting the steps on the whole file', async () => {
    const streamed = steps();
    const rows = await partialFitSteps(streamed, () => readCsvChunks(path, { target: 'default', chunkRows: 2500 }));
    expect(rows).toBe(12_000);
    const whole = steps();
    const { table } = await readCsv(path, { target: 'default' });
    (whole[1] as Transformer).fit((whole[0] as Transformer).fit(table).transform(table));
    expect((streamed[1] as Transformer).getFeatureNamesOut()).toEqual((whole[1] as Transformer).getFeatureNamesOut());
    const a = (streamed[1] as Transformer).transform((streamed[0] as Transformer).transform(table)).toMatrix();
    const b = (whole[1] as Transformer).transform((whole[0] as Transformer).transform(table)).toMatrix();
    expect(a.length).toBe(b.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
    expect(worst).toBeLessThan(1e-9);
  });

  it('fitStream reaches a sensible AUC on held-out applicants, with WASM memory flat across epochs', async () => {
    await fg.ready();
    const prep = steps();
    const chunks = (): ReturnType<typeof readCsvChunks> => readCsvChunks(path, { target: 'default', chunkRows: 2000 });
    await partialFitSteps(prep, chunks);
    const width = (prep[1] as Transformer).getFeatureNamesOut().length;
    const generator = new fg.Generator(0);
    const model = new fg.nn.Sequential(new fg.nn.Linear(width, 16, { generator }), new fg.nn.ReLU(), new fg.nn.Linear(16, 1, { generator }));
    const live: number[] = [];
    const loader = new fg.DataLoader(rowChunks(chunks, prep, [0, 1]), { batchSize: 64, shuffle: true, bufferSize: 4000, seed: 0 });
    const history = await fg.fitStream(model, loader, {
      epochs: 3,
      lossFn: fg.bceWithLogits,
      optimizer: new fg.optim.Adam(model.parameters(), { lr: 0.01 }),
      callbacks: [{ onEpochEnd: () => void live.push(fg.memoryStats().liveTensors) }],
    });
    expect(history.epochs).toHaveLength(3);
    expect(new Set(live).size).toBe(1);
    const test = parseCsv(applicantsCsv(generateApplicants(4000, 99)), { target: 'default' });
    const features = (t: fg.Tensor | Table): Float32Array => Float32Array.from((prep[1] as Transformer).transform((prep[0] as Transformer).transform(t as Table)).toMatrix());
    const x = fg.tensor(features(test.table), [4000, width]);
    const streamedAuc = fg.rocAuc(test.y as number[], Array.from(fg.predict(model, x).toFloat32Array()));
    // The yardstick: logistic regression (L-BFGS, all rows in memory) on the same features.
    const train = await readCsv(path, { target: 'default' });
    const lr = new fg.LogisticRegression().fit(fg.tensor(features(train.table), [12_000, width]), train.y as number[]);
    const p = lr.predictProba(x).toFloat32Array();
    const wholeAuc = fg.rocAuc(test.y as number[], Array.from({ length: 4000 }, (_, i) => p[2 * i + 1] as number));
    x.dispose();
    expect(wholeAuc).toBeGreaterThan(0.65);
    expect(streamedAuc).toBeGreaterThan(wholeAuc - 0.02);
  });
});
