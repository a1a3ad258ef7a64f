// `fingrad explain`: why a trained model scores as it does, on the original columns of the file
// (one-hot encoded fields count as one feature): global importance over the rows, and for one
// applicant the contributions that pushed the score, the reason codes a decision letter cites
// and, for logistic models, scorecard points.
import type { Command } from 'commander';
import * as fg from '../../index.js';
import { integratedGradients } from '../../finance/explain/gradients.js';
import { permutationImportance } from '../../finance/explain/permutation.js';
import { reasonCodes } from '../../finance/explain/reasons.js';
import { type ShapValues, kernelShap, linearShap } from '../../finance/explain/shap.js';
import type { Table } from '../../finance/table.js';
import { UsageError, action, emit, intOption, writeFileAtomic } from '../command.js';
import { binaryLabels } from '../credit-models.js';
import { loadModelDir, readModelData } from '../model-dir.js';
import { renderReport } from '../report.js';
import { renderTable } from '../table.js';

interface ExplainFlags {
  model: string;
  data: string;
  row?: string;
  method: string;
  background?: string;
  json?: boolean;
  report?: string;
}

const METHODS = ['permutation', 'shap', 'ig'] as const;

/** The original column an encoded feature comes from (`cat__employment_salaried` → employment). */
function sourceColumn(feature: string, columns: readonly string[]): string | undefined {
  const bare = feature.slice(feature.lastIndexOf('__') + 2).replace(/^missingindicator_/, '');
  return [...columns].sort((a, b) => b.length - a.length).find((c) => bare === c || bare.startsWith(`${c}_`));
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('explain a trained model on the original columns: global importance, and for one row its contributions, reason codes and scorecard points')
    .requiredOption('--model <dir>', 'a folder written by fingrad train --out')
    .requiredOption('--data <file.csv>', 'rows with the training columns (and the target, for permutation importance)')
    .option('--row <n>', 'explain this data row (1 = the first row after the header)')
    .option('--method <name>', `${METHODS.join(', ')} (permutation needs the target column; ig needs the mlp model)`, 'shap')
    .option('--background <n>', 'background rows for SHAP and integrated gradients', '50')
    .option('--json', 'machine-readable output')
    .option('--report <file.html>', 'write a self-contained HTML report: importance bars and the row\'s contributions')
    .action(action('explain', async (flags: ExplainFlags) => {
      if (!(METHODS as readonly string[]).includes(flags.method)) throw new UsageError(`--method must be one of ${METHODS.join(', ')}, got '${flags.method}'`);
      const nBackground = intOption('background', flags.background, 50, 2);
      await fg.ready();
      const { pipeline, training } = await loadModelDir(flags.model);
      const need = Object.keys(training.data.columns);
      const target = training.data.target;
      const { table, y } = await readModelData(training, flags.data, 'optional');
      const hasTarget = y !== undefined;
      const n = table.nRows;
      const row = flags.row === undefined ? undefined : intOption('row', flags.row, 1) - 1;
      if (row !== undefined && row >= n) throw new UsageError(`--row ${row + 1} is past the last data row of ${flags.data} (${n})`);
      const background = table.take(Array.from({ length: Math.min(nBackground, n) }, (_, i) => Math.floor((i * n) / Math.min(nBackground, n))));
      const positive = training.positiveClass;
      const classIndex = (pipeline.classes ?? []).indexOf(positive);
      const linear = training.model.name !== 'mlp';

      // Global importance.
      let global: { names: string[]; values: number[]; what: string };
      if (flags.method === 'permutation') {
        if (!hasTarget) throw new UsageError(`--method permutation needs the target column '${target}' in ${flags.data}`);
        const labels = binaryLabels(y, positive);
        const imp = permutationImportance((t: Table) => pipeline.predictProba(t).map((r) => r[classIndex] as number), table, labels, { nRepeats: 3 });
        global = { names: imp.featureNames, values: Array.from(imp.importancesMean), what: 'drop in ROC AUC when the column is shuffled' };
      } else {
        // KernelSHAP costs coalitions × background rows per explained row: fewer rows for nonlinear models.
        const rows = Math.min(linear ? 40 : 10, n);
        const sample = table.take(Array.from({ length: rows }, (_, i) => Math.floor((i * n) / rows)));
        const shap = explainRows(pipeline, sample, background, linear, classIndex);
        global = { names: shap.featureNames, values: shap.featureNames.map((_, j) => shap.values.reduce((a, phi) => a + Math.abs(phi[j] as number), 0) / shap.values.length), what: `mean |SHAP| of ${linear ? 'the log-odds' : `P(${positive})`} over ${sample.nRows} rows` };
      }
      const order = global.names.map((_, j) => j).sort((a, b) => (global.values[b] as number) - (global.values[a] as number));

      // One row.
      let local: { contributions: Array<{ feature: string; value: number | string | null; contribution: number }>; base: number; output: number; reasons: ReturnType<typeof reasonCodes>; scale: string } | undefined;
      if (row !== undefined) {
        const one = table.take([row]);
        let exp: ShapValues;
        let scale: string;
        if (flags.method === 'ig') {
          if (linear) throw new UsageError('--method ig explains neural models (mlp); use shap for linear models');
          const encoded = pipeline.transform(one).toMatrix();
          const base = pipeline.transform(background).toMatrix();
          const d = pipeline.getFeatureNamesOut().length;
          const mean = Array.from({ length: d }, (_, j) => Array.from({ length: background.nRows }, (_, i) => base[i * d + j] as number).reduce((a, v) => a + v, 0) / background.nRows);
          const net = pipeline.model as unknown as { forward(x: fg.Tensor): fg.Tensor };
          const ig = integratedGradients(net, [Array.from(encoded)], { baseline: mean, steps: 64 });
          const names = pipeline.getFeatureNamesOut();
          const phi = need.map((c) => names.reduce((a, f, j) => a + (sourceColumn(f, need) === c ? ((ig.attributions[0] as Float64Array)[j] as number) : 0), 0));
          exp = { featureNames: need, values: [Float64Array.from(phi)], baseValue: ig.baselineOutputs[0] as number, outputs: ig.outputs, exact: false };
          scale = 'the log-odds (integrated gradients from the background mean)';
        } else {
          exp = explainRows(pipeline, one, background, linear, classIndex);
          scale = linear ? 'the log-odds of the score' : `P(${positive})`;
        }
        const values = exp.featureNames.map((f) => (one.column(f)[0] as number | string | null) ?? null);
        local = {
          contributions: exp.featureNames.map((feature, j) => ({ feature, value: typeof values[j] === 'number' && Number.isNaN(values[j]) ? null : values[j] as number | string | null, contribution: (exp.values[0] as Float64Array)[j] as number })).sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)),
          base: exp.baseValue,
          output: exp.outputs[0] as number,
          reasons: reasonCodes(exp, 0, { topK: 4, values: values.map((v) => (v === null ? 'missing' : v)) }),
          scale,
        };
      }

      const result = { model: flags.model, data: flags.data, method: flags.method, importance: { what: global.what, features: order.map((j) => ({ feature: global.names[j], importance: global.values[j] })) }, ...(local && row !== undefined && { row: { row: row + 1, ...local } }) };
      emit(flags.json, result, () => {
        console.log(`global importance (${global.what}):`);
        console.log(renderTable(['feature', 'importance'], order.map((j) => [global.names[j] as string, global.values[j] as number])));
        if (local && row !== undefined) {
          console.log(`\nrow ${row + 1}: contributions to ${local.scale}, from a base value of ${local.base.toFixed(4)} to ${local.output.toFixed(4)}`);
          console.log(renderTable(['feature', 'value', 'contribution'], local.contributions.map((c) => [c.feature, c.value === null ? 'missing' : c.value, c.contribution])));
          console.log(local.reasons.length === 0 ? 'no feature raised the risk of this applicant above the base value' : `reason codes:\n${local.reasons.map((r) => `  ${r.rank}. ${r.text}`).join('\n')}`);
        }
      });
      if (flags.report) {
        await writeFileAtomic(flags.report, renderReport({
          title: `Explanation of ${training.model.name} (${flags.method})`,
          subtitle: `${flags.model} on ${flags.data}`,
          tables: local ? [{ title: `Row ${(row as number) + 1}: reason codes`, columns: ['rank', 'reason', 'contribution'], rows: local.reasons.map((r) => [r.rank, r.text, r.contribution]) }] : [],
          charts: [
            { title: `Global importance: ${global.what}`, kind: 'bars', x: order.map((_, k) => k), xNames: order.map((j) => global.names[j] as string), xLabel: 'feature', yLabel: 'importance', series: [{ label: 'importance', values: order.map((j) => global.values[j] as number) }] },
            ...(local
              ? [{ title: `Row ${(row as number) + 1}: contributions to ${local.scale} (base ${local.base.toFixed(3)} → ${local.output.toFixed(3)})`, kind: 'bars' as const, x: local.contributions.map((_, k) => k), xNames: local.contributions.map((c) => c.feature), xLabel: 'feature', yLabel: 'contribution', series: [{ label: 'contribution', values: local.contributions.map((c) => c.contribution) }] }]
              : []),
          ],
        }));
      }
    }));
}

// Linear models: exact SHAP of the log-odds; others: KernelSHAP of the positive class's probability.
function explainRows(pipeline: Parameters<typeof linearShap>[0], rows: Table, background: Table, linear: boolean, classIndex: number): ShapValues {
  if (linear) return linearShap(pipeline, rows, background);
  const p = pipeline as { predictProba(t: Table): number[][] };
  return kernelShap((t: Table) => p.predictProba(t).map((r) => r[classIndex] as number), rows, background.head(Math.min(background.nRows, 25)), { maxExact: 8, nSamples: 512 });
}
