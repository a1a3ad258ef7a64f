// `fingrad evaluate`: a trained model on a labelled CSV: the metrics table and the report.
import type { Command } from 'commander';
import * as fg from '../../index.js';
import { UsageError, action, emit, writeFileAtomic } from '../command.js';
import { classificationReportSpec, METRIC_COLUMNS, metricsRow, scoreMetrics } from '../classification-report.js';
import { binaryLabels, scoresOf } from '../credit-models.js';
import { loadModelDir, readModelData } from '../model-dir.js';
import { renderReport } from '../report.js';
import { renderTable } from '../table.js';

interface EvaluateFlags {
  model: string;
  data: string;
  json?: boolean;
  report?: string;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('score a labelled CSV with a trained model and report ROC AUC, KS, Gini, average precision, Brier, log loss, calibration and lift')
    .requiredOption('--model <dir>', 'a folder written by fingrad train --out')
    .requiredOption('--data <file.csv>', 'rows with the training columns and the target column')
    .option('--json', 'machine-readable output')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .action(action('evaluate', async (flags: EvaluateFlags) => {
      await fg.ready();
      const { pipeline, training } = await loadModelDir(flags.model);
      const target = training.data.target;
      const data = await readModelData(training, flags.data, 'required');
      const positive = training.positiveClass;
      const y = data.y as Array<string | number>;
      const known = new Set((training.classes ?? []).map(String));
      const unknown = y.findIndex((v) => !known.has(String(v)));
      if (unknown >= 0) throw new UsageError(`${flags.data}, row ${unknown + 1}: target '${target}' is ${JSON.stringify(y[unknown])}, not one of the training classes (${training.classes.join(', ')})`);
      const yBin = binaryLabels(y.map((v) => training.classes.find((c) => String(c) === String(v)) as string | number), positive);
      if (!yBin.includes(0) || !yBin.includes(1)) throw new UsageError(`${flags.data}: the target has one class only; metrics such as ROC AUC need both`);
      const scores = scoresOf(pipeline, data.table, positive);
      const m = scoreMetrics(training.model.name, yBin, scores);
      emit(flags.json, { model: flags.model, data: flags.data, rows: y.length, positiveClass: positive, metrics: m, training: training.metrics }, () => {
        console.log(`${training.model.name} from ${flags.model} on ${flags.data}: ${y.length} rows, score = P(${positive})`);
        console.log(renderTable(METRIC_COLUMNS, [metricsRow(m), metricsRow({ ...(training.metrics as unknown as ReturnType<typeof scoreMetrics>), model: 'at training (held out)' })]));
      });
      if (flags.report) {
        await writeFileAtomic(flags.report, renderReport(classificationReportSpec(`fingrad evaluate: ${training.model.name} on ${flags.data}`, `model ${flags.model}, score = P(${positive})`, yBin, [{ name: training.model.name, scores }])));
      }
    }));
}
