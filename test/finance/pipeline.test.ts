// Pipeline: preprocessing fitted on training rows only, string class labels, predict /
// predictProba / decisionFunction / score, save → load (bytes and file) with bitwise-equal
// outputs; crossValScore and GridSearchCV against hand-run folds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ColumnTransformer,
  GridSearchCV,
  OneHotEncoder,
  Pipeline,
  SimpleImputer,
  StandardScaler,
  StratifiedKFold,
  Table,
  TimeSeriesSplit,
  WoEEncoder,
  crossValScore,
  loadPipeline,
  loadPipelineFile,
  savePipeline,
  savePipelineFile,
} from '../../src/finance/index.js';
import { LinearSVM, LogisticRegression, MLPClassifier, LinearRegression, memoryStats, rocAuc, saveModel } from '../../src/index.js';
import { gauss, rng } from '../support/linear-problems.js';

/** Income, age (some missing), a job category; the label is 'bad' more often for low income and job 'c'. */
function credit(seed: number, n: number): { x: Table; y: string[] } {
  const r = rng(seed);
  const income: number[] = [];
  const age: number[] = [];
  const job: string[] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const inc = 3000 + 1000 * gauss(r);
    const a = 40 + 10 * gauss(r);
    const j = ['a', 'b', 'c'][Math.floor(r() * 3)] as string;
    const s = -0.002 * (inc - 3000) + (j === 'c' ? 1.2 : 0) + 0.3 * gauss(r) - 0.5;
    income.push(inc);
    age.push(i % 9 === 0 ? NaN : a);
    job.push(j);
    y.push(s > 0 ? 'bad' : 'good');
  }
  return { x: Table.fromColumns({ income, age, job }), y };
}

// Numeric columns: median imputation then scaling (a transformer pipeline inside the
// ColumnTransformer, as sklearn's make_pipeline); the category one-hot; then the model.
function makePipeline(C = 1): Pipeline {
  return new Pipeline([
    [
      'prep',
      new ColumnTransformer([
        ['num', new Pipeline([['impute', new SimpleImputer({ strategy: 'median' })], ['scale', new StandardScaler()]]), { types: ['numeric'] }],
        ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), { types: ['categorical'] }],
      ]),
    ],
    ['model', new LogisticRegression({ C })],
  ]);
}

describe('Pipeline', () => {
  const train = credit(1, 400);
  const test = credit(2, 200);

  it('fits on string labels and equals its steps run by hand', () => {
    const impute = (): SimpleImputer => new SimpleImputer({ strategy: 'mostFrequent', addIndicator: true });
    const scale = (): ColumnTransformer => new ColumnTransformer([['num', new StandardScaler(), { types: ['numeric'] }], ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), ['job']]]);
    const p = new Pipeline([
      ['impute', impute()],
      ['scale', scale()],
      ['model', new LogisticRegression()],
    ]).fit(train.x, train.y);
    expect(p.classes).toEqual(['bad', 'good']);
    expect(p.getFeatureNamesOut()).toEqual(['num__income', 'num__age', 'num__missingindicator_age', 'cat__job_a', 'cat__job_b', 'cat__job_c']);
    // By hand: the same steps, the labels coded bad = 0, good = 1.
    const imp = impute();
    const ct = scale();
    const xt = ct.fitTransform(imp.fitTransform(train.x)).toTensor();
    const m = new LogisticRegression().fit(xt, train.y.map((v) => (v === 'good' ? 1 : 0)));
    xt.dispose();
    expect(p.model instanceof LogisticRegression && p.model.coef).toEqual(m.coef);
    const proba = p.predictProba(test.x);
    const xs = ct.transform(imp.transform(test.x)).toTensor();
    const ref = m.predictProba(xs);
    expect(proba.flat()).toEqual(Array.from(ref.data));
    xs.dispose();
    ref.dispose();
    const pred = p.predict(test.x);
    expect(pred.every((v, i) => v === ((proba[i] as number[])[1] as number > 0.5 ? 'good' : 'bad'))).toBe(true);
    const acc = p.score(test.x, test.y);
    expect(acc).toBe(pred.filter((v, i) => v === test.y[i]).length / test.y.length);
    expect(acc).toBeGreaterThan(0.85);
    const d = p.decisionFunction(test.x) as number[];
    expect(rocAuc(test.y.map((v) => (v === 'good' ? 1 : 0)), d)).toBeGreaterThan(0.9);
    m.dispose();
    // Disposed, not left to the garbage collector: its finalizer would change the live count mid-test later.
    (p.model as LogisticRegression).dispose();
  });

  it('saves and loads as one artifact; every output bitwise equal; no tensor left behind', async () => {
    const p = makePipeline().fit(train.x, train.y);
    const live = memoryStats().liveTensors;
    const q = loadPipeline(savePipeline(p));
    expect(q.classes).toEqual(p.classes);
    expect(p.getFeatureNamesOut()).toEqual(['num__income', 'num__age', 'cat__job_a', 'cat__job_b', 'cat__job_c']);
    // The nested pipeline imputes with the training median, then scales: no NaN reaches the model.
    const inner = (p.namedStep('prep') as ColumnTransformer).namedTransformer('num') as Pipeline;
    const med = (inner.namedStep('impute') as SimpleImputer).statistics[1] as number;
    const ages = Array.from(train.x.numeric('age')).filter((a) => !Number.isNaN(a)).sort((a, b) => a - b);
    expect(med).toBe(ages.length % 2 ? ages[(ages.length - 1) / 2] : ((ages[ages.length / 2 - 1] as number) + (ages[ages.length / 2] as number)) / 2);
    expect(q.getFeatureNamesOut()).toEqual(p.getFeatureNamesOut());
    expect(q.predictProba(test.x)).toEqual(p.predictProba(test.x));
    expect(q.predict(test.x)).toEqual(p.predict(test.x));
    expect(q.decisionFunction(test.x)).toEqual(p.decisionFunction(test.x));
    const dir = await mkdtemp(join(tmpdir(), 'fingrad-pipe-'));
    try {
      await savePipelineFile(join(dir, 'p.safetensors'), p);
      const r = await loadPipelineFile(join(dir, 'p.safetensors'));
      expect(r.predictProba(test.x)).toEqual(p.predictProba(test.x));
      (r.model as LogisticRegression).dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    (q.model as LogisticRegression).dispose();
    expect(memoryStats().liveTensors).toBe(live);
    (p.model as LogisticRegression).dispose();
  });

  it('other models: LinearSVM (decision values), MLPClassifier, LinearRegression (score is R²)', () => {
    const svm = new Pipeline([['prep', new ColumnTransformer([['n', new SimpleImputer(), { types: ['numeric'] }], ['c', new OneHotEncoder(), ['job']]])], ['s', new StandardScaler()], ['m', new LinearSVM()]]).fit(train.x, train.y);
    expect(svm.score(test.x, test.y)).toBeGreaterThan(0.85);
    const mlp = new Pipeline([['prep', new ColumnTransformer([['n', new SimpleImputer(), { types: ['numeric'] }], ['c', new OneHotEncoder(), ['job']]])], ['s', new StandardScaler()], ['m', new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 30, seed: 1 })]]).fit(train.x, train.y);
    expect(mlp.predictProba(test.x)[0]?.length).toBe(2);
    const loaded = loadPipeline(savePipeline(mlp));
    expect(loaded.predictProba(test.x)).toEqual(mlp.predictProba(test.x));
    const x = train.x.select(['income']);
    const y = Array.from(x.numeric('income'), (v) => 2 * v + 1);
    const reg = new Pipeline([['s', new StandardScaler()], ['m', new LinearRegression()]]).fit(x, y);
    expect(reg.classes).toBeNull();
    expect(reg.score(x, y)).toBeCloseTo(1, 6);
  });

  it('a WoE scorecard pipeline reports the information values', () => {
    const y01 = train.y.map((v) => (v === 'bad' ? 1 : 0));
    const p = new Pipeline([['woe', new WoEEncoder({ maxBins: 5 })], ['model', new LogisticRegression()]]).fit(train.x, y01);
    const woe = p.namedStep('woe') as WoEEncoder;
    // Income and job drive the label, age does not.
    expect(woe.informationValues['income']).toBeGreaterThan(0.5);
    expect(woe.informationValues['age']).toBeLessThan(0.1);
    expect(loadPipeline(savePipeline(p)).predictProba(test.x)).toEqual(p.predictProba(test.x));
  });

  it('reads row objects with the column types seen in fit', () => {
    const code = train.x.categorical('job').map((j) => 'abc'.indexOf(j as string) + 1);
    const x = train.x.drop(['job']).withColumn('code', code.map(String), 'categorical');
    const p = makePipeline().fit(x, train.y);
    expect(p.featureTypesIn).toEqual({ income: 'numeric', age: 'numeric', code: 'categorical' });
    const rows = [{ income: 2500, age: 30, code: 3 }, { income: 4100, age: null, code: 1 }];
    const asStrings = Table.fromColumns({ income: [2500, 4100], age: [30, NaN], code: ['3', '1'] });
    expect(p.predictProba(rows)).toEqual(p.predictProba(asStrings));
    expect(loadPipeline(savePipeline(p)).predictProba(rows)).toEqual(p.predictProba(asStrings));
  });

  it('errors name the step', () => {
    expect(() => new Pipeline([['model', new LogisticRegression()], ['s', new StandardScaler()]])).toThrow(/step 'model' must be a transformer/);
    expect(() => new Pipeline([['m', new LogisticRegression()]]).fit(train.x, train.y)).toThrow(/column 'job' is categorical/);
    expect(() => makePipeline().fit(train.x, train.y.map(() => 'good'))).toThrow(/single class/);
    expect(() => makePipeline().clone({ model__C: 2, nosuch__x: 1 })).toThrow(/'nosuch__x'/);
    const model = new LogisticRegression().fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
    expect(() => loadPipeline(saveModel(model))).toThrow(/no 'pipeline' metadata; the file is a model checkpoint/);
    expect(() => loadPipeline(saveModel(model, { metadata: { pipeline: '{"format":' } }))).toThrow(/not valid JSON/);
    model.dispose();
  });
});

describe('model selection', () => {
  const data = credit(3, 300);

  it('crossValScore equals folds fitted and scored by hand', () => {
    const live = memoryStats().liveTensors;
    const scores = crossValScore(makePipeline(), data.x, data.y, { cv: 3, scoring: 'rocAuc' });
    const byHand = new StratifiedKFold(3).split(data.x, data.y).map((f) => {
      const p = makePipeline().fit(data.x.take(f.train), Array.from(f.train, (i) => data.y[i] as string));
      const yt = Array.from(f.test, (i) => (data.y[i] === 'good' ? 1 : 0));
      return rocAuc(yt, p.predictProba(data.x.take(f.test)).map((r) => r[1] as number));
    });
    expect(scores).toEqual(byHand);
    // crossValScore frees each fold's model; the hand-run ones above are left to the test.
    const before = memoryStats().liveTensors;
    crossValScore(makePipeline(), data.x, data.y, { cv: 3 });
    expect(memoryStats().liveTensors).toBe(before);
    expect(before).toBeGreaterThanOrEqual(live);
    expect(crossValScore(makePipeline(), data.x, data.y, { cv: 3 })).toHaveLength(3);
    expect(() => crossValScore(makePipeline(), data.x, data.y, { scoring: 'roc_auc' as never })).toThrow(/did you mean 'rocAuc'/);
  });

  it('GridSearchCV picks the best mean score and refits it on all rows', () => {
    const gs = new GridSearchCV(makePipeline(), { model__C: [1e-4, 1, 100] }, { cv: 3, scoring: 'negLogLoss' });
    gs.fit(data.x, data.y);
    const r = gs.cvResults!;
    expect(r.params).toEqual([{ model__C: 1e-4 }, { model__C: 1 }, { model__C: 100 }]);
    r.params.forEach((params, i) => expect(r.splitScores[i]).toEqual(crossValScore(makePipeline(params['model__C'] as number), data.x, data.y, { cv: 3, scoring: 'negLogLoss' })));
    const best = r.meanTestScore.indexOf(Math.max(...r.meanTestScore));
    expect(gs.bestIndex).toBe(best);
    expect(r.rankTestScore[best]).toBe(1);
    expect(gs.bestParams).toEqual(r.params[best]);
    const refit = makePipeline(gs.bestParams!['model__C'] as number).fit(data.x, data.y);
    expect(gs.predictProba(data.x)).toEqual(refit.predictProba(data.x));
    expect(gs.bestParams!['model__C']).not.toBe(1e-4);
  });

  it('takes a factory and a time-series splitter; each fold trains on earlier rows only', () => {
    const seen: number[][] = [];
    const factory = (params: Record<string, unknown>): Pipeline => {
      const p = makePipeline((params['C'] as number | undefined) ?? 1);
      const fit = p.fit.bind(p);
      p.fit = (x, y) => (seen.push([(x as Table).nRows]), fit(x, y));
      return p;
    };
    const cv = new TimeSeriesSplit(3, { gap: 10 });
    const gs = new GridSearchCV(factory, { C: [0.1, 10] }, { cv, scoring: 'accuracy', refit: false }).fit(data.x, data.y);
    // 300 rows, 3 test windows of 75 after a gap of 10: training on 65, 140, 215 rows, per candidate.
    expect(seen.map((r) => r[0])).toEqual([65, 140, 215, 65, 140, 215]);
    expect(gs.cvResults?.splitScores.every((s) => s.length === 3 && s.every((a) => a > 0.5 && a <= 1))).toBe(true);
    expect(() => gs.predict(data.x)).toThrow(/refit was false/);
  });
});
