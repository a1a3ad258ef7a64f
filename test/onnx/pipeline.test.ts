// Fitted finance Pipelines exported to ONNX and run in onnxruntime-web on raw columns (numbers
// with NaN, strings with '' for missing): the probabilities match Pipeline.predictProba and the
// label matches Pipeline.predict, on random mixed tables with unseen categories and on the
// German credit file.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import {
  ColumnTransformer,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  Pipeline,
  SimpleImputer,
  StandardScaler,
  Table,
  Transformer,
  WoEEncoder,
  loadPipeline,
  readCsv,
  savePipeline,
  trainTestSplit,
} from '../../src/finance/index.js';
import { FINGRAD_VERSION, OnnxExportError, UnsupportedLayerError, exportOnnx } from '../../src/onnx/index.js';
import { ioNames, readModelInfo, runOnnxColumns } from './ort.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = [join(root, '..', 'shared', 'data'), join(root, '..', '..', 'shared', 'data')].find((d) => existsSync(join(d, 'german.data')));
if (dataDir === undefined) console.warn('onnx/pipeline.test.ts: ../shared/data not found; skipping the German credit test');

// A seeded uniform source (mulberry32), so the tables are the same on every run.
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Loan applicants: numeric columns with NaN, categorical ones with null, numeric codes, a rare
 * grade. Numbers are float32 values, so fingrad and onnxruntime see identical inputs. `unseen`
 * mixes in categories the fitted steps never saw.
 */
function applicants(n: number, seed: number, unseen = false): { table: Table; risk: string[]; bad: number[] } {
  const u = uniform(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(u() * xs.length)] as T;
  const missing = (p: number): boolean => u() < p;
  const cols = { income: [] as number[], age: [] as number[], debt: [] as number[], rooms: [] as number[], job: [] as (string | null)[], housing: [] as (string | null)[], region: [] as (string | null)[], grade: [] as string[] };
  const risk: string[] = [];
  const bad: number[] = [];
  for (let i = 0; i < n; i++) {
    const income = Math.fround(20_000 + 80_000 * u());
    const age = Math.fround(18 + 60 * u());
    const debt = Math.fround(50_000 * u() * u());
    const job = pick(unseen ? ['clerk', 'manager', 'self', 'none', 'astronaut'] : ['clerk', 'manager', 'self', 'none']);
    const housing = pick(unseen ? ['own', 'rent', 'free', 'boat'] : ['own', 'rent', 'free']);
    const score = (debt / income) * 3 - (age - 40) / 30 + (job === 'none' ? 1 : 0) - (housing === 'own' ? 0.5 : 0) + (u() - 0.5) * 2;
    cols.income.push(missing(0.1) ? NaN : income);
    cols.age.push(missing(0.05) ? NaN : age);
    cols.debt.push(missing(0.1) ? NaN : debt);
    cols.rooms.push(missing(0.05) ? NaN : pick(unseen ? [1, 2, 3, 4, 9] : [1, 2, 3, 4]));
    cols.job.push(missing(0.1) ? null : job);
    cols.housing.push(missing(0.1) ? null : housing);
    cols.region.push(missing(0.05) ? null : pick(unseen ? ['north', 'south', 'east', 'west', 'moon'] : ['north', 'south', 'east', 'west']));
    cols.grade.push(u() < 0.04 ? pick(['E', 'F']) : pick(unseen ? ['A', 'B', 'C', 'D', 'G'] : ['A', 'B', 'C', 'D']));
    risk.push(score > 0.8 ? 'high' : score > -0.3 ? 'mid' : 'low');
    bad.push(score > 0.3 ? 1 : 0);
  }
  return { table: Table.fromColumns(cols, { types: { rooms: 'numeric' } }), risk, bad };
}

/** Exports p, runs it on `table` and checks probabilities and labels against fingrad. Returns the max difference. */
async function expectSameAsPipeline(p: Pipeline, table: Table, bytes = exportOnnx(p)): Promise<number> {
  const out = await runOnnxColumns(bytes, table);
  const want = p.predictProba(table);
  const got = out['probabilities'];
  expect(got?.dims).toEqual([table.nRows, p.classes?.length]);
  const k = want[0]?.length as number;
  let diff = 0;
  want.forEach((row, i) => row.forEach((v, c) => (diff = Math.max(diff, Math.abs(v - ((got?.data[i * k + c] as number) ?? NaN))))));
  expect(diff).toBeLessThan(2e-5);
  // Labels: argmax of the same probabilities, except where two classes are within float32 noise.
  const labels = Array.from(out['label']?.data ?? [], (v) => (typeof v === 'bigint' ? Number(v) : v));
  const predicted = p.predict(table);
  const close = want.map((row) => [...row].sort((a, b) => b - a).slice(0, 2).reduce((a, b) => a - b) < 1e-5);
  predicted.forEach((c, i) => close[i] || expect(labels[i]).toBe(c));
  return diff;
}

class Log1p extends Transformer {
  readonly kind = 'Log1p';
  getParams(): Record<string, unknown> {
    return {};
  }
  protected fitTable(): void {}
  protected transformTable(x: Table): Table {
    return Table.fromColumns(Object.fromEntries(x.columnNames.map((n) => [n, (x.column(n) as Float64Array).map(Math.log1p)])));
  }
  protected namesOut(names: string[]): string[] {
    return names;
  }
  protected fittedState(): Record<string, unknown> {
    return {};
  }
  restoreState(): void {}
}

describe('exportOnnx: fitted Pipelines in onnxruntime-web', () => {
  const train = applicants(400, 1);
  const fresh = applicants(200, 2, true);

  it('imputers, scalers, one-hot (ignore, infrequent, numeric codes), ordinal → LogisticRegression, three string classes', async () => {
    const p = new Pipeline([
      ['impute', new ColumnTransformer([
        ['num', new SimpleImputer({ strategy: 'median', addIndicator: true }), ['income', 'age', 'debt']],
        ['cat', new SimpleImputer({ strategy: 'constant' }), ['job']],
      ], { remainder: 'passthrough' })],
      ['encode', new ColumnTransformer([
        ['scale', new StandardScaler(), ['num__income', 'num__age']],
        ['range', new MinMaxScaler({ clip: true, featureRange: [-1, 1] }), ['num__debt']],
        ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' }), ['cat__job', 'remainder__housing', 'remainder__rooms']],
        ['grade', new OneHotEncoder({ handleUnknown: 'infrequentIfExist', minFrequency: 20 }), ['remainder__grade']],
        ['ord', new OrdinalEncoder({ handleUnknown: 'useEncodedValue', unknownValue: -1 }), ['remainder__region']],
      ], { remainder: 'passthrough' })],
      ['model', new fg.LogisticRegression({ C: 1 })],
    ]).fit(train.table, train.risk);
    expect(p.classes).toEqual(['high', 'low', 'mid']);
    const bytes = exportOnnx(p);
    const live = fg.memoryStats().liveTensors;
    exportOnnx(p);
    expect(fg.memoryStats().liveTensors).toBe(live);
    // A saved and loaded pipeline (restored fitted state) writes the same graph.
    expect(exportOnnx(loadPipeline(savePipeline(p)))).toEqual(bytes);
    await expectSameAsPipeline(p, train.table, bytes);
    await expectSameAsPipeline(p, fresh.table, bytes);
    for (const opset of [13, 19, 21]) await expectSameAsPipeline(p, fresh.table, exportOnnx(p, { opset }));

    const info = readModelInfo(bytes);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(info.metadata['fingrad.version']).toBe(pkg.version);
    expect(FINGRAD_VERSION).toBe(pkg.version);
    expect(JSON.parse(info.metadata['feature_names'] as string)).toEqual(train.table.columnNames);
    expect(JSON.parse(info.metadata['classes'] as string)).toEqual(['high', 'low', 'mid']);
    expect(JSON.parse(info.metadata['feature_types'] as string)).toEqual({ income: 'numeric', age: 'numeric', debt: 'numeric', rooms: 'numeric', job: 'categorical', housing: 'categorical', region: 'categorical', grade: 'categorical' });
  });

  it('WoE (numeric bins and categories), imputer, one-hot → StandardScaler → MLPClassifier, 0/1 labels', async () => {
    const p = new Pipeline([
      ['prep', new ColumnTransformer([
        ['woe', new WoEEncoder({ maxBins: 5 }), ['income', 'job', 'debt']],
        ['gone', 'drop', ['region']],
        ['num', new SimpleImputer({ strategy: 'mean' }), ['age', 'rooms']],
        ['cat', new OneHotEncoder({ handleUnknown: 'ignore', maxCategories: 3 }), ['housing', 'grade']],
      ])],
      ['scale', new StandardScaler()],
      ['model', new fg.MLPClassifier({ hiddenLayerSizes: [12, 6], maxIter: 40, seed: 3 })],
    ]).fit(train.table, train.bad);
    expect(p.classes).toEqual([0, 1]);
    const bytes = exportOnnx(p, { opset: 13 });
    expect(exportOnnx(loadPipeline(savePipeline(p)), { opset: 13 })).toEqual(bytes);
    await expectSameAsPipeline(p, train.table, bytes);
    await expectSameAsPipeline(p, fresh.table, bytes);
    expect(readModelInfo(bytes).opsets).toEqual({ '': 13, 'ai.onnx.ml': 3 });
    // The dropped column is no input: nothing to feed.
    expect((await ioNames(bytes)).inputs).toEqual(['income', 'age', 'debt', 'rooms', 'job', 'housing', 'grade']);
    expect(readModelInfo(bytes).metadata['unused_columns']).toBe('["region"]');
  });

  it('a regressor pipeline (LinearRegression) gives predict as predictions', async () => {
    const target = Array.from({ length: train.table.nRows }, (_, i) => train.bad[i] as number + (train.risk[i] === 'high' ? 2 : 0));
    const p = new Pipeline([
      ['prep', new ColumnTransformer([['num', new SimpleImputer({ strategy: 'median' }), ['income', 'debt']], ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), ['job']]])],
      ['scale', new StandardScaler()],
      ['model', new fg.LinearRegression()],
    ]).fit(train.table, target);
    const out = await runOnnxColumns(exportOnnx(p), fresh.table);
    expect(Object.keys(out)).toEqual(['predictions']);
    const want = p.predict(fresh.table) as number[];
    const diff = Math.max(...want.map((v, i) => Math.abs(v - (out['predictions']?.data[i] as number))));
    expect(diff).toBeLessThan(1e-4);
  });

  it("an unknown category under handleUnknown 'error' gives NaN probabilities for that row only", async () => {
    const p = new Pipeline([
      ['prep', new ColumnTransformer([['cat', new OneHotEncoder(), ['job']], ['num', new SimpleImputer(), ['income']]])],
      ['model', new fg.LogisticRegression()],
    ]).fit(train.table.select(['job', 'income']), train.bad);
    const rows = Table.fromColumns({ job: ['clerk', 'astronaut', null], income: [30_000, 50_000, NaN] }, { types: { job: 'categorical' } });
    expect(() => p.predictProba(rows)).toThrow(/astronaut/);
    const out = await runOnnxColumns(exportOnnx(p), rows);
    const proba = Array.from(out['probabilities']?.data as Float32Array);
    expect(proba.slice(2, 4).every(Number.isNaN)).toBe(true);
    const known = p.predictProba(rows.take([0, 2]));
    expect(Math.abs(proba[0] as number - (known[0]?.[0] as number))).toBeLessThan(2e-5);
    expect(Math.abs(proba[4] as number - (known[1]?.[0] as number))).toBeLessThan(2e-5);
  });

  it('unsupported steps and models give UnsupportedLayerError listing each; unfitted and misused options are named', () => {
    const custom = new Pipeline([
      ['log', new Log1p()],
      ['prep', new ColumnTransformer([['inner', new Log1p(), ['income']], ['s', new StandardScaler(), ['age']]])],
      ['model', new fg.LogisticRegression()],
    ]);
    const numeric = Table.fromColumns({ income: [1, 2, 3, 4], age: [30, 40, 50, 60] });
    custom.fit(numeric, [0, 1, 0, 1]);
    let err: unknown;
    try {
      exportOnnx(custom);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedLayerError);
    expect((err as UnsupportedLayerError).layers).toEqual(["Log1p at 'log'", "Log1p at 'prep.inner'"]);
    expect(String(err)).toMatch(/Supported: SimpleImputer, StandardScaler/);

    const notModule = new Pipeline([['s', new StandardScaler()], ['model', { fit: () => undefined, predict: (x: fg.Tensor) => x, predictProba: (x: fg.Tensor) => x }]]);
    notModule.fit(numeric, [0, 1, 0, 1]);
    expect(() => exportOnnx(notModule)).toThrow(UnsupportedLayerError);
    expect(() => exportOnnx(new Pipeline([['model', new fg.LogisticRegression()]]))).toThrow(/not fitted/);
    const fitted = new Pipeline([['model', new fg.LogisticRegression()]]).fit(numeric, [0, 1, 0, 1]);
    expect(() => exportOnnx(fitted, { inputShape: [2] })).toThrow(/inputShape does not apply/);
    expect(() => exportOnnx(fitted, { features: ['a', 'b'] })).toThrow(/features must be those/);
    // A categorical column reaching the model unencoded.
    const raw = new Pipeline([['s', new SimpleImputer({ strategy: 'mostFrequent' })], ['model', new fg.LogisticRegression()]]);
    raw.featureNamesIn = ['job'];
    raw.classes = [0, 1];
    (raw.namedStep('s') as SimpleImputer).fit(Table.fromColumns({ job: ['a', 'b', 'a'] }));
    (raw.model as fg.LogisticRegression).fit(fg.tensor([[0], [1], [0], [1]]), [0, 1, 0, 1]);
    expect(() => exportOnnx(raw)).toThrow(OnnxExportError);
    expect(() => exportOnnx(raw)).toThrow(/'job' is categorical/);
  });
});

const GERMAN = [
  'checking', 'duration', 'history', 'purpose', 'amount', 'savings', 'employment', 'installmentRate', 'personalStatus', 'debtors',
  'residenceSince', 'property', 'age', 'otherPlans', 'housing', 'existingCredits', 'job', 'dependents', 'telephone', 'foreign', 'class',
];

describe.skipIf(dataDir === undefined)('exportOnnx: a Pipeline on the German credit file', () => {
  it('scorecard (LogisticRegression) and MLPClassifier score the held-out rows as fingrad does', async () => {
    const { table, y } = await readCsv(join(dataDir as string, 'german.data'), { delimiter: ' ', header: false, columnNames: GERMAN, target: 'class' });
    const { trainIndex, testIndex } = trainTestSplit(table, { testSize: 0.3, stratify: y, seed: 0 });
    const labels = (idx: Int32Array): number[] => Array.from(idx, (i) => (y as number[])[i] as number);
    const prep = (): ColumnTransformer => new ColumnTransformer([['num', new StandardScaler(), { types: ['numeric'] }], ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), { types: ['categorical'] }]]);
    const test = table.take(testIndex);
    for (const model of [new fg.LogisticRegression({ C: 0.5 }), new fg.MLPClassifier({ hiddenLayerSizes: [16], maxIter: 30, seed: 1 })]) {
      const p = new Pipeline([['prep', prep()], ['model', model]]).fit(table.take(trainIndex), labels(trainIndex));
      const bytes = exportOnnx(p, { features: table.columnNames });
      const diff = await expectSameAsPipeline(p, test, bytes);
      expect(diff).toBeLessThan(2e-5);
      expect(JSON.parse(readModelInfo(bytes).metadata['classes'] as string)).toEqual([1, 2]);
    }
  });
});
