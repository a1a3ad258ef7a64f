// Bring your own CSV: the file the user dropped is parsed here, in the worker (finance toolkit's
// parseCsv: types inferred, missing values counted), and trained on with the toolkit's pipeline:
// median imputation (with missing-value indicators) of numeric columns, one-hot categorical
// columns, standard scaling, then an MLP — a classifier for a target of at most 10 distinct
// values, a regressor otherwise. Nothing is sent anywhere: the worker has no network code.
import * as fg from '../../src/index.js';
import { ColumnTransformer, OneHotEncoder, Pipeline, SimpleImputer, StandardScaler, type Table, parseCsv, trainTestSplit } from '../../src/finance/index.js';
import type { CsvInput, Settings, WorkerMessage } from '../protocol.js';
import { rocChart } from './scores.js';
import { PROBE_ROWS, type TaskRun, validated } from './task.js';

const MAX_CLASSES = 10;

/** The columns of a dropped file, for the page's target picker. */
export function csvColumns(name: string, text: string): Extract<WorkerMessage, { type: 'columns' }> {
  const { table, report } = parseCsv(text, { name });
  return { type: 'columns', name, rows: table.nRows, columns: table.columnNames.map((c) => ({ name: c, type: report.types[c] ?? 'numeric', missing: report.missing[c] ?? 0 })) };
}

export function csvTask(s: Settings): TaskRun {
  const input = s.csv as CsvInput;
  const { table, y: labels } = parseCsv(input.text, { name: input.name, target: input.target });
  const y = labels as Array<string | number>;
  const classes = [...new Set(y)].sort();
  const classify = typeof y[0] === 'string' || classes.length <= MAX_CLASSES;
  const { trainIndex, testIndex } = trainTestSplit(table, { testSize: 0.25, seed: s.seed, ...(classify && { stratify: y.map((v) => classes.indexOf(v)) }) });
  const pick = (idx: Int32Array): [Table, Array<string | number>] => [table.take(idx), Array.from(idx, (i) => y[i] as string | number)];
  const [xTrain, yTrain] = pick(trainIndex);
  // A regressor learns the standardised target (prices in the hundreds would need hundreds of
  // epochs from weights drawn near 0); its forecasts are mapped back before scoring.
  const numericTrain = classify ? [] : (yTrain as number[]);
  const yMean = numericTrain.reduce((a, v) => a + v, 0) / Math.max(1, numericTrain.length);
  const yStd = Math.sqrt(numericTrain.reduce((a, v) => a + (v - yMean) ** 2, 0) / Math.max(1, numericTrain.length)) || 1;
  const yFit = classify ? yTrain : numericTrain.map((v) => (v - yMean) / yStd);
  const [xTest, yTest] = pick(testIndex);
  const mlpOptions = { hiddenLayerSizes: s.hidden, activation: s.activation, alpha: 1e-4, ...validated(s) };
  const mlp = classify ? new fg.MLPClassifier(mlpOptions) : new fg.MLPRegressor(mlpOptions);
  const pipeline = new Pipeline([
    ['prepare', new ColumnTransformer([
      ['num', new SimpleImputer({ strategy: 'median', addIndicator: true }), { types: ['numeric', 'boolean'] }],
      ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), { types: ['categorical'] }],
    ])],
    ['scale', new StandardScaler()],
    ['model', mlp],
  ]);
  const nProbe = Math.min(PROBE_ROWS, trainIndex.length);
  const [probeTable, probeLabels] = pick(trainIndex.subarray(0, nProbe));
  // Filled once the pipeline is fitted: the probe rows as the model sees them (kept: the first
  // call may come from inside the inspection's tidy).
  let probe: fg.Tensor | null = null;
  let probeTarget: fg.Tensor | null = null;
  const prepared = (): [fg.Tensor, fg.Tensor] => {
    if (probe === null || probeTarget === null) {
      probe = fg.keep(pipeline.transform(probeTable).toTensor());
      const coded = probeLabels.map((v) => (classify ? (pipeline.classes ?? []).indexOf(v) : ((v as number) - yMean) / yStd));
      probeTarget = fg.keep(fg.tensor(coded, classify && classes.length > 2 ? [nProbe] : [nProbe, 1]));
    }
    return [probe, probeTarget];
  };
  const run: TaskRun = {
    description:
      `${input.name}: ${table.nRows} rows, ${table.nColumns} feature columns (${Object.values(table.types).filter((t) => t === 'categorical').length} categorical), target '${input.target}' ` +
      `(${classify ? `${classes.length} classes` : 'numeric: regression'}). ${trainIndex.length} rows train (20% of them for the validation loss), ${testIndex.length} are held out. The file was read in this page only.`,
    lossName: classify ? 'log loss' : 'squared error / 2 (standardised target)',
    network: () => mlp,
    fit: (callbacks) => void pipeline.fit(xTrain, yFit, { callbacks }),
    get probe() {
      return prepared()[0];
    },
    objective: () => {
      const [x, t] = prepared();
      const out = mlp.forward(x);
      if (!classify) return fg.mseLoss(out, t);
      return classes.length > 2 ? fg.crossEntropy(out, t) : fg.bceWithLogits(out, t);
    },
    objectiveName: `the MLP's training loss on ${nProbe} training rows, after the fitted preprocessing`,
    heldOut: classify
      ? { name: 'accuracy', score: () => pipeline.predict(xTest).filter((v, i) => v === yTest[i]).length / yTest.length }
      : { name: 'R²', score: () => fg.r2Score(yTest as number[], pipeline.predict(xTest).map((v) => (v as number) * yStd + yMean)) },
    results: (seconds) => {
      const predicted = pipeline.predict(xTest);
      const detail = `${pipeline.getFeatureNamesOut().length} inputs after preprocessing, hidden [${s.hidden.join(', ')}], ${s.activation}, Adam, batch ${s.batchSize}`;
      const caption = `${testIndex.length} held-out rows of ${input.name}.`;
      const summary = 'Trained in this browser tab: the file was never uploaded.';
      if (!classify) {
        const truth = yTest as number[];
        const forecast = predicted.map((v) => (v as number) * yStd + yMean);
        return {
          table: { caption, columns: ['RMSE', 'R²', 'fit time (s)'], higherIsBetter: [false, true, false], rows: [{ model: 'MLPRegressor', detail: `${detail}; target standardised`, values: [fg.rootMeanSquaredError(truth, forecast), fg.r2Score(truth, forecast), seconds] }] },
          chart: null,
          summary,
        };
      }
      const acc = predicted.filter((v, i) => v === yTest[i]).length / yTest.length;
      if (classes.length !== 2) {
        return { table: { caption, columns: ['accuracy', 'fit time (s)'], higherIsBetter: [true, false], rows: [{ model: 'MLPClassifier', detail, values: [acc, seconds] }] }, chart: null, summary };
      }
      const positive = (pipeline.classes ?? [])[1];
      const p = pipeline.predictProba(xTest).map((row) => row[1] as number);
      const truth = yTest.map((v) => (v === positive ? 1 : 0));
      return {
        table: { caption: `${caption} Class 1 = '${String(positive)}'.`, columns: ['accuracy', 'ROC AUC', 'fit time (s)'], higherIsBetter: [true, true, false], rows: [{ model: 'MLPClassifier', detail, values: [acc, fg.rocAuc(truth, p), seconds] }] },
        chart: rocChart(truth, [['MLPClassifier', p]]),
        summary,
      };
    },
    dispose: () => {
      mlp.dispose();
      (probe as fg.Tensor | null)?.dispose();
      (probeTarget as fg.Tensor | null)?.dispose();
    },
  };
  return run;
}
