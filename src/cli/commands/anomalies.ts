// `fingrad anomalies`: unsupervised fraud scores. A VAE (negative ELBO) or an autoencoder
// (reconstruction error) learns what normal transactions look like — from the normal rows only
// when labels are given — and scores held-out rows; with labels the scores are judged the way an
// investigation team would: ROC AUC, average precision, and precision/recall within an alert budget.
import type { Command } from 'commander';
import * as fg from '../../index.js';
import { StandardScaler } from '../../finance/scale.js';
import type { Table } from '../../finance/table.js';
import { trainTestSplit } from '../../finance/split.js';
import { renderTable } from '../table.js';
import { UsageError, action, emit, intOption, numberOption, writeFileAtomic } from '../command.js';
import { loadCsv } from '../data.js';
import { renderReport } from '../report.js';

interface AnomalyFlags {
  data: string;
  label?: string;
  model: string;
  budget?: string;
  epochs?: string;
  testSize?: string;
  seed?: string;
  json?: boolean;
  report?: string;
}

/** Per-row scores of `x` by a model trained on `train` (standardized rows). */
function scoreRows(model: string, train: number[][], x: number[][], epochs: number, seed: number): Float64Array {
  const d = train[0]?.length ?? 0;
  if (model === 'vae') {
    const vae = new fg.VAE({ hiddenSizes: [Math.max(8, 2 * d)], latentDim: Math.max(2, Math.round(d / 4)), maxIter: epochs, seed });
    vae.fit(train);
    const s = fg.tidy(() => Float64Array.from(vae.anomalyScore(x).toFloat32Array()));
    vae.dispose();
    return s;
  }
  const ae = new fg.MLPRegressor({ hiddenLayerSizes: [Math.max(8, 2 * d), Math.max(2, Math.round(d / 4)), Math.max(8, 2 * d)], maxIter: epochs, seed });
  ae.fit(train, train);
  const recon = fg.tidy(() => ae.predict(x).toFloat32Array());
  ae.dispose();
  return Float64Array.from(x, (row, i) => row.reduce((a, v, j) => a + (v - (recon[i * d + j] as number)) ** 2, 0) / d);
}

function numericRows(table: Table, names: string[]): number[][] {
  const cols = names.map((n) => table.numeric(n, `fingrad anomalies: column '${n}'`));
  return Array.from({ length: table.nRows }, (_, i) => cols.map((c) => c[i] as number));
}

export function registerAnomalies(program: Command): void {
  program
    .command('anomalies')
    .description('score transactions for anomalies with a VAE or an autoencoder trained on normal rows; with --label, report AUC, average precision and precision/recall within an alert budget')
    .requiredOption('--data <file.csv>', 'transactions, numeric columns')
    .option('--label <name>', 'a 0/1 column (1 = fraud): train on normal rows, evaluate on held-out rows')
    .option('--model <name>', 'vae or autoencoder', 'vae')
    .option('--budget <share>', 'share of rows investigators can review (the top scores)', '0.01')
    .option('--epochs <n>', 'training epochs', '30')
    .option('--test-size <share>', 'held-out share (with --label)', '0.3')
    .option('--seed <n>', 'seed of the split and the model', '0')
    .option('--json', 'machine-readable output')
    .option('--report <file.html>', 'write a self-contained HTML report with the score histogram')
    .action(action('anomalies', async (flags: AnomalyFlags) => {
      if (flags.model !== 'vae' && flags.model !== 'autoencoder') throw new UsageError(`--model must be vae or autoencoder, got '${flags.model}'`);
      const budget = numberOption('budget', flags.budget, 0.01, 1e-6, 1);
      const epochs = intOption('epochs', flags.epochs, 30);
      const testSize = numberOption('test-size', flags.testSize, 0.3, 0.01, 0.99);
      const seed = intOption('seed', flags.seed, 0, 0);
      await fg.ready();
      const { table, report, y = [] } = await loadCsv(flags.data, flags.label === undefined ? undefined : { target: flags.label });
      const features = table.columnNames.filter((c) => table.typeOf(c) !== 'categorical');
      const skipped = table.columnNames.filter((c) => table.typeOf(c) === 'categorical');
      if (features.length < 2) throw new UsageError(`${flags.data}: anomaly scoring needs at least two numeric columns, found ${features.length}`);
      const missing = features.filter((c) => (report.missing[c] ?? 0) > 0);
      if (missing.length > 0) throw new UsageError(`${flags.data}: columns ${missing.join(', ')} have missing values; impute them first (anomaly scores need complete rows)`);
      const rows = numericRows(table, features);
      let labels: number[] | undefined;
      if (flags.label !== undefined) {
        if (!y.every((v) => v === 0 || v === 1)) throw new UsageError(`${flags.data}: --label column '${flags.label}' must hold 0 (normal) and 1 (anomaly)`);
        labels = y as number[];
      }
      let trainIdx: number[];
      let testIdx: number[];
      if (labels !== undefined) {
        const split = trainTestSplit(rows.length, { testSize, seed, stratify: labels });
        trainIdx = Array.from(split.trainIndex).filter((i) => labels[i] === 0);
        testIdx = Array.from(split.testIndex);
      } else {
        trainIdx = rows.map((_, i) => i);
        testIdx = trainIdx;
      }
      const scaler = new StandardScaler().fit(trainIdx.map((i) => rows[i] as number[]));
      const zt = scaler.transform(rows).toMatrix();
      const z = rows.map((_, i) => Array.from(zt.subarray(i * features.length, (i + 1) * features.length)));
      const scores = scoreRows(flags.model, trainIdx.map((i) => z[i] as number[]), testIdx.map((i) => z[i] as number[]), epochs, seed);
      const base = { data: { file: flags.data, rows: rows.length, features, skippedCategorical: skipped }, model: flags.model, trainedOn: trainIdx.length, scored: testIdx.length };
      if (labels === undefined) {
        const top = Array.from(scores.keys()).sort((a, b) => (scores[b] as number) - (scores[a] as number)).slice(0, Math.max(1, Math.ceil(budget * scores.length)));
        emit(flags.json, { ...base, alerts: top.map((i) => ({ row: (testIdx[i] as number) + 2, score: scores[i] })) }, () => {
          console.log(`${rows.length} rows, ${features.length} numeric features; ${flags.model} trained on all rows (no labels)`);
          console.log(renderTable(['file line', 'anomaly score'], top.slice(0, 20).map((i) => [(testIdx[i] as number) + 2, scores[i] as number])));
        });
        return;
      }
      const yTest = testIdx.map((i) => labels[i] as number);
      const alert = fg.alertBudgetMetrics(yTest, scores, { budget });
      const result = { ...base, rocAuc: fg.rocAuc(yTest, scores), averagePrecision: fg.averagePrecision(yTest, scores), budget, alerts: alert.alerts, precisionAtBudget: alert.precision, recallAtBudget: alert.recall, threshold: alert.threshold };
      emit(flags.json, result, () => {
        console.log(`${rows.length} rows, ${features.length} numeric features; ${flags.model} trained on ${trainIdx.length} normal rows, ${testIdx.length} held out (${yTest.filter((v) => v === 1).length} anomalies)`);
        console.log(renderTable(['ROC AUC', 'average precision', `alerts (top ${(100 * budget).toFixed(2)}%)`, 'precision', 'recall'], [[result.rocAuc, result.averagePrecision, alert.alerts, alert.precision, alert.recall]]));
      });
      if (flags.report) {
        const edges = 30;
        const lo = Math.min(...scores);
        const hi = Math.max(...scores);
        const hist = (label: number): number[] => {
          const h = new Array<number>(edges).fill(0);
          scores.forEach((s, i) => {
            if (yTest[i] !== label) return;
            const b = Math.min(edges - 1, Math.floor(((s - lo) / (hi - lo || 1)) * edges));
            h[b] = (h[b] as number) + 1;
          });
          const total = h.reduce((a, v) => a + v, 0) || 1;
          return h.map((v) => v / total);
        };
        await writeFileAtomic(flags.report, renderReport({
          title: `Anomaly scores (${flags.model})`,
          subtitle: flags.data,
          figures: [['ROC AUC', result.rocAuc], ['average precision', result.averagePrecision], ['precision at budget', alert.precision], ['recall at budget', alert.recall]],
          charts: [{ title: 'Score histogram by class (share of each class)', kind: 'bars', x: Array.from({ length: edges }, (_, b) => lo + ((b + 0.5) * (hi - lo)) / edges), xLabel: 'anomaly score', yLabel: 'share', series: [{ label: 'normal', values: hist(0) }, { label: 'anomaly', values: hist(1) }] }],
        }));
      }
    }));
}
