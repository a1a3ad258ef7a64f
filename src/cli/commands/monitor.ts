// `fingrad monitor`: has the population moved since training? The score's stability index and
// every characteristic's drift against the reference sample kept in the model folder; when the
// outcomes are in the file, performance (AUC, KS, bad rate), by period with --period; and a
// fairness view by group with --group.
import type { Command } from 'commander';
import * as fg from '../../index.js';
import { driftReport } from '../../finance/monitor/drift.js';
import { fairnessReport } from '../../finance/monitor/fairness.js';
import { performanceOverTime } from '../../finance/monitor/performance.js';
import { populationStabilityIndex } from '../../finance/monitor/stability.js';
import { UsageError, action, emit, writeFileAtomic } from '../command.js';
import { binaryLabels, scoresOf } from '../credit-models.js';
import { loadCsv, requireColumn } from '../data.js';
import { loadModelDir, readModelData } from '../model-dir.js';
import { renderReport } from '../report.js';
import { renderTable } from '../table.js';

interface MonitorFlags {
  model: string;
  data: string;
  period?: string;
  group?: string;
  json?: boolean;
  report?: string;
}

// Group labels for the fairness view: missing values form a group of their own.
function groupValues(col: ArrayLike<unknown>): string[] {
  return Array.from(col, (v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? 'missing' : String(v)));
}

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description('compare recent data with the training data: score PSI, drift per feature (PSI, mean and missing-rate shift, new categories), performance when outcomes are present')
    .requiredOption('--model <dir>', 'a folder written by fingrad train --out')
    .requiredOption('--data <file.csv>', 'recent rows with the training columns (the target column optional)')
    .option('--period <column>', 'with outcomes: AUC, KS and bad rate per value of this column (e.g. a month)')
    .option('--group <column>', 'with outcomes: approval rates, adverse impact ratio and AUC per group')
    .option('--json', 'machine-readable output')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .action(action('monitor', async (flags: MonitorFlags) => {
      await fg.ready();
      const { pipeline, training, reference } = await loadModelDir(flags.model);
      const need = Object.keys(training.data.columns);
      const target = training.data.target;
      const recent = await readModelData(training, flags.data, 'optional');
      // --period and --group name columns that need not be model inputs: read the file as it is.
      const csv = { table: (await loadCsv(flags.data, { types: training.data.columns })).table, y: recent.y };
      const hasTarget = recent.y !== undefined;
      const ref = await reference();
      const scores = scoresOf(pipeline, recent.table, training.positiveClass);
      const scorePsi = populationStabilityIndex(ref.scores, scores);
      const recentColumns = Object.fromEntries(need.map((c) => [c, csv.table.column(c) as ArrayLike<number> | ReadonlyArray<string | null>]));
      const drift = driftReport(ref.columns as Record<string, Array<number | string | null>> as never, recentColumns as never, { features: need });
      let performance: Record<string, unknown> | undefined;
      if (hasTarget) {
        const y = binaryLabels(csv.y as Array<string | number>, training.positiveClass);
        const both = y.includes(0) && y.includes(1);
        performance = {
          rows: y.length,
          badRate: y.reduce((a, v) => a + v, 0) / y.length,
          rocAuc: both ? fg.rocAuc(y, scores) : NaN,
          ks: both ? fg.ksStatistic(y, scores).statistic : NaN,
          trainingRocAuc: training.metrics.rocAuc,
          ...(flags.period !== undefined && { byPeriod: performanceOverTime(y, scores, csv.table.column(requireColumn(csv.table, flags.period, flags.data, '--period')) as ArrayLike<string | number>) }),
          ...(flags.group !== undefined && { fairness: fairnessReport(y, scores, groupValues(csv.table.column(requireColumn(csv.table, flags.group, flags.data, '--group')))) }),
        };
      } else if (flags.period !== undefined || flags.group !== undefined) {
        throw new UsageError(`--period and --group need the outcomes: the target column '${target}' is not in ${flags.data}`);
      }
      const out = { model: flags.model, data: flags.data, rows: csv.table.nRows, scorePsi: { psi: scorePsi.psi, flag: scorePsi.flag }, drift, ...(performance && { performance }) };
      emit(flags.json, out, () => {
        console.log(`${flags.data}: ${csv.table.nRows} recent rows against ${ref.scores.length} reference rows from training`);
        console.log(`score stability: PSI ${scorePsi.psi.toFixed(4)} (${scorePsi.flag}; < 0.1 stable, 0.1–0.25 moderate, ≥ 0.25 significant)`);
        console.log(renderTable(['feature', 'PSI', 'flag', 'mean shift (sd)', 'missing ref', 'missing now', 'new categories'], drift.features.map((d) => [d.feature, d.psi, d.flag, d.meanShift ?? '', d.missingRateReference, d.missingRateRecent, (d.newCategories ?? []).join(' ')])));
        if (drift.flagged.length > 0) console.log(`shifted: ${drift.flagged.join(', ')}`);
        if (performance) console.log(`outcomes: bad rate ${(performance.badRate as number).toFixed(4)}, ROC AUC ${(performance.rocAuc as number).toFixed(4)} (at training ${(training.metrics.rocAuc as number).toFixed(4)}), KS ${(performance.ks as number).toFixed(4)}`);
        const byPeriod = performance?.byPeriod as ReturnType<typeof performanceOverTime> | undefined;
        if (byPeriod) console.log(renderTable(['period', 'rows', 'bad rate', 'mean score', 'AUC', 'KS'], byPeriod.map((p) => [p.period, p.n, p.badRate, p.meanScore, p.auc, p.ks])));
        const fair = performance?.fairness as ReturnType<typeof fairnessReport> | undefined;
        if (fair) console.log(renderTable(['group', 'rows', 'approval rate', 'adverse impact ratio', 'bad rate', 'mean predicted', 'AUC'], fair.groups.map((g) => [g.group, g.n, g.approvalRate, g.adverseImpactRatio, g.badRate, g.meanPredicted, g.auc])));
      });
      if (flags.report) {
        await writeFileAtomic(flags.report, renderReport({
          title: `Monitoring ${training.model.name}`,
          subtitle: `${flags.model}: ${flags.data} against the training reference`,
          figures: [['score PSI', scorePsi.psi], ['score stability', scorePsi.flag], ['features shifted', drift.flagged.length], ...(performance ? [['ROC AUC now', performance.rocAuc as number] as [string, number]] : [])],
          tables: [{ title: 'Drift per feature', columns: ['feature', 'PSI', 'flag', 'mean shift (sd)', 'missing ref', 'missing now', 'new categories'], rows: drift.features.map((d) => [d.feature, d.psi, d.flag, d.meanShift ?? '', d.missingRateReference, d.missingRateRecent, (d.newCategories ?? []).join(' ')]) }],
          charts: [
            { title: 'Population stability index per feature (0.1 moderate, 0.25 significant)', kind: 'bars', x: drift.features.map((_, k) => k), xNames: drift.features.map((d) => d.feature), xLabel: 'feature', yLabel: 'PSI', series: [{ label: 'PSI', values: drift.features.map((d) => d.psi) }] },
            { title: 'Score distribution: reference vs recent (share per bin)', kind: 'bars', x: scorePsi.bins.map((_, k) => k), xNames: scorePsi.bins.map((b) => b.label), xLabel: 'score bin', yLabel: 'share', series: [{ label: 'reference', values: scorePsi.bins.map((b) => b.expectedShare) }, { label: 'recent', values: scorePsi.bins.map((b) => b.actualShare) }] },
          ],
        }));
      }
    }));
}
