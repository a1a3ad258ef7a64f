// `fingrad train`: a CSV with a target column → column types inferred → the preprocessing +
// model pipeline fitted on a stratified training part, with progress → held-out metrics → a
// model folder (and an HTML report).
import type { Command } from 'commander';
import * as fg from '../../index.js';
import { trainTestSplit } from '../../finance/split.js';
import { UsageError, action, emit, numberOption, intOption, progress, writeFileAtomic } from '../command.js';
import { classificationReportSpec, METRIC_COLUMNS, metricsRow, scoreMetrics } from '../classification-report.js';
import { MODEL_NAMES, type ModelFlags, type ModelName, binaryLabels, creditPipeline, makeModel, modelOptions, positiveClass, scoresOf } from '../credit-models.js';
import { loadCsv, requireColumn } from '../data.js';
import { newTrainingRecord, referenceSample, saveModelDir } from '../model-dir.js';
import { renderReport } from '../report.js';
import { renderTable } from '../table.js';
import { VERSION } from '../version.js';

interface TrainFlags extends ModelFlags {
  data: string;
  target: string;
  model: string;
  testSize?: string;
  id?: string;
  positive?: string;
  out: string;
  json?: boolean;
  report?: string;
}

/** Adds the model options every training command shares. */
export function modelOptionFlags(cmd: Command): Command {
  return cmd
    .option('--C <value>', 'inverse regularisation strength (logistic, svm)', '1')
    .option('--class-weight <balanced>', 'weight classes by inverse frequency')
    .option('--hidden <sizes>', 'hidden layer sizes (mlp)', '32,16')
    .option('--epochs <n>', 'training epochs (mlp)', '30')
    .option('--learning-rate <value>', 'Adam learning rate (mlp)', '0.001')
    .option('--batch-size <n>', 'minibatch size (mlp)', '64')
    .option('--seed <n>', 'seed of the split and the model', '0');
}

export function registerTrain(program: Command): void {
  modelOptionFlags(
    program
      .command('train')
      .description('train a scoring model on a CSV: column types inferred, missing values imputed, categories one-hot encoded, held-out metrics, model saved')
      .requiredOption('--data <file.csv>', 'training data with a header row')
      .requiredOption('--target <column>', 'the column to predict (two or more classes)')
      .option('--model <name>', `one of ${MODEL_NAMES.join(', ')}`, 'logistic')
      .option('--test-size <share>', 'held-out share, stratified by the target', '0.2')
      .option('--id <column>', 'an identifier column, kept out of the features')
      .option('--positive <class>', 'the event class whose probability is the score (default: 1, else the rarer class)')
      .requiredOption('--out <dir>', 'the model folder to write'),
  )
    .option('--json', 'machine-readable output')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .action(action('train', async (flags: TrainFlags) => {
      if (!(MODEL_NAMES as readonly string[]).includes(flags.model)) throw new UsageError(`--model must be one of ${MODEL_NAMES.join(', ')}, got '${flags.model}'`);
      const name = flags.model as ModelName;
      const options = modelOptions(name, flags);
      const testSize = numberOption('test-size', flags.testSize, 0.2, 0.01, 0.9);
      const seed = intOption('seed', flags.seed, 0, 0);
      await fg.ready();
      const csv = await loadCsv(flags.data, { target: flags.target });
      let table = csv.table;
      if (flags.id !== undefined) table = table.drop([requireColumn(table, flags.id, flags.data, '--id')]);
      const y = csv.y as Array<string | number>;
      const { trainIndex, testIndex } = trainTestSplit(table, { testSize, seed, stratify: y });
      const train = table.take(trainIndex);
      const test = table.take(testIndex);
      const yTrain = Array.from(trainIndex, (i) => y[i] as string | number);
      const yTest = Array.from(testIndex, (i) => y[i] as string | number);
      const model = makeModel(name, options);
      const pipeline = creditPipeline(model);
      const t0 = performance.now();
      if (name === 'mlp') {
        const bar = progress('epoch', options.maxIter as number, flags.json);
        try {
          pipeline.fit(train, yTrain, { callbacks: [{ onEpochEnd: (_: number, logs: Record<string, number>) => bar.tick({ loss: logs.loss as number }) }] });
        } finally {
          bar.stop();
        }
      } else {
        pipeline.fit(train, yTrain);
      }
      const seconds = (performance.now() - t0) / 1000;
      const classes = pipeline.classes ?? [];
      const positive = positiveClass(classes, yTrain, flags.positive);
      const scores = scoresOf(pipeline, test, positive);
      const yBin = binaryLabels(yTest, positive);
      if (!yBin.includes(1) || !yBin.includes(0)) throw new UsageError(`${flags.data}: the held-out part has one class only; use a larger --test-size`);
      const m = scoreMetrics(name, yBin, scores);
      const record = newTrainingRecord({
        fingradVersion: VERSION,
        data: { file: flags.data, rows: table.nRows, target: flags.target, idColumn: flags.id ?? null, columns: table.types, missing: csv.report.missing },
        model: { name, options },
        split: { testSize, seed, stratified: true, trainRows: train.nRows, testRows: test.nRows },
        classes,
        positiveClass: positive,
        featureNamesOut: pipeline.getFeatureNamesOut(),
        metrics: { ...Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'number')), trainSeconds: seconds },
      });
      await saveModelDir(flags.out, pipeline, record, referenceSample(test, scores, Array.from({ length: test.nRows }, (_, i) => i)));
      emit(flags.json, { out: flags.out, ...record }, () => {
        const missing = Object.entries(csv.report.missing).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`);
        console.log(`${flags.data}: ${table.nRows} rows, ${table.nColumns} feature columns (${Object.values(table.types).filter((t) => t === 'categorical').length} categorical); target '${flags.target}' with classes ${classes.join(', ')}; score = P(${positive})`);
        if (missing.length > 0) console.log(`missing values imputed (median, with indicator columns): ${missing.join(', ')}`);
        console.log(`${name} trained on ${train.nRows} rows in ${seconds.toFixed(2)} s; ${test.nRows} held out (stratified)`);
        console.log(renderTable(METRIC_COLUMNS, [metricsRow(m)]));
        console.log(`saved to ${flags.out}`);
      });
      if (flags.report) {
        await writeFileAtomic(flags.report, renderReport(classificationReportSpec(`fingrad train: ${name} on ${flags.data}`, `target '${flags.target}', score = P(${positive}); ${test.nRows} held-out rows`, yBin, [{ name, scores }])));
      }
    }));
}
