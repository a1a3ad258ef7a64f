// `fingrad forecast`: a price column → log returns → a forecaster judged by walk-forward
// evaluation against the naive baselines, then refitted on everything for the next values.
import type { Command } from 'commander';
import * as fg from '../../index.js';
import { AutoReg } from '../../finance/market/ar.js';
import { windowForecaster } from '../../finance/market/forecasters.js';
import { GARCH } from '../../finance/market/garch.js';
import { logReturns } from '../../finance/market/series.js';
import { type OneStepForecaster, type WalkForwardResult, walkForward } from '../../finance/market/walk-forward.js';
import { renderTable } from '../table.js';
import { UsageError, action, emit, intOption, writeFileAtomic } from '../command.js';
import { loadPrices } from '../data.js';
import { renderReport } from '../report.js';

const MODELS = ['ar', 'lstm', 'gru', 'cnn', 'garch'] as const;
type ModelName = (typeof MODELS)[number];

interface ForecastFlags {
  data: string;
  column: string;
  date?: string;
  model: string;
  horizon?: string;
  window?: string;
  epochs?: string;
  seed?: string;
  json?: boolean;
  report?: string;
}

function forecaster(model: Exclude<ModelName, 'garch'>, window: number, epochs: number, seed: number): () => OneStepForecaster {
  if (model === 'ar') return () => new AutoReg({ maxLag: Math.min(10, window) });
  if (model === 'cnn') return () => windowForecaster(() => new fg.CNN1dForecaster({ filters: [8, 16], maxIter: epochs, seed }), { window, channelsFirst: true });
  return () => windowForecaster(() => new fg.RecurrentForecaster({ cell: model, hiddenSize: 16, maxIter: epochs, seed }), { window });
}

// The next `horizon` returns after the series, each prediction fed back as the last value.
function iterate(f: OneStepForecaster, series: Float64Array, horizon: number): number[] {
  let s = series;
  const out: number[] = [];
  for (let h = 0; h < horizon; h++) {
    const p = f.predictOneStep(Float64Array.from([...s, 0]));
    const next = p[p.length - 1] as number;
    out.push(next);
    s = Float64Array.from([...s, next]);
  }
  return out;
}

export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('forecast the returns (or, with garch, the volatility) of a price column, judged by walk-forward evaluation against naive baselines')
    .requiredOption('--data <file.csv>', 'prices, one row per day')
    .requiredOption('--column <name>', 'the price column (e.g. Close)')
    .option('--date <name>', 'the date column (default: the first column whose name contains "date")')
    .option('--model <name>', `one of ${MODELS.join(', ')}`, 'ar')
    .option('--horizon <n>', 'days forecast after the last one', '1')
    .option('--window <n>', 'days of history per forecast (lags for ar)', '30')
    .option('--epochs <n>', 'training epochs of the neural models', '10')
    .option('--seed <n>', 'seed of the neural models', '0')
    .option('--json', 'machine-readable output')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .action(action('forecast', async (flags: ForecastFlags) => {
      if (!(MODELS as readonly string[]).includes(flags.model)) throw new UsageError(`--model must be one of ${MODELS.join(', ')}, got '${flags.model}'`);
      const model = flags.model as ModelName;
      const horizon = intOption('horizon', flags.horizon, 1);
      const window = intOption('window', flags.window, 30);
      const epochs = intOption('epochs', flags.epochs, 10);
      const seed = intOption('seed', flags.seed, 0, 0);
      await fg.ready();
      const { price, series } = await loadPrices(flags.data, flags.column, flags.date);
      const r = logReturns(series.prices);
      const info = { file: flags.data, column: price, days: series.prices.length, first: series.dates[0], last: series.dates[series.dates.length - 1], wasSorted: series.wasSorted, gaps: series.gaps.length };

      if (model === 'garch') {
        const split = Math.floor(r.length * 0.7);
        const fit = new GARCH().fit(r.subarray(0, split));
        const v = fit.conditionalVariance(r).subarray(split);
        const test = r.subarray(split);
        const trainVar = r.subarray(0, split).reduce((a, x) => a + x * x, 0) / split;
        const qlike = (vs: ArrayLike<number>): number => Array.from(test).reduce((a, x, i) => a + Math.log(vs[i] as number) + (x * x) / (vs[i] as number), 0) / test.length;
        const full = new GARCH().fit(r);
        const vol = Array.from(full.forecastVariance(horizon), (x) => Math.sqrt(x));
        const out = {
          data: info,
          model: 'garch',
          params: full.params,
          stdErrors: full.stdErrors,
          persistence: full.persistence,
          heldOut: { days: test.length, qlikeGarch: qlike(v), qlikeConstant: qlike(new Float64Array(test.length).fill(trainVar)), mseGarch: fg.meanSquaredError(Array.from(test, (x) => x * x), v), mseConstant: fg.meanSquaredError(Array.from(test, (x) => x * x), new Float64Array(test.length).fill(trainVar)) },
          forecastVolatility: vol,
        };
        emit(flags.json, out, () => {
          console.log(`${info.days} days of ${price} (${info.first} to ${info.last})${info.gaps ? `, ${info.gaps} gaps over 5 days` : ''}`);
          console.log(`GARCH(1,1): mu ${full.params.mu.toExponential(3)}, omega ${full.params.omega.toExponential(3)}, alpha ${full.params.alpha.toFixed(4)} (se ${full.stdErrors.alpha.toFixed(4)}), beta ${full.params.beta.toFixed(4)} (se ${full.stdErrors.beta.toFixed(4)}), persistence ${full.persistence.toFixed(4)}`);
          console.log(renderTable(['held-out variance forecast', 'QLIKE (lower is better)', 'MSE of r²'], [['GARCH(1,1), fitted on the first 70%', out.heldOut.qlikeGarch, out.heldOut.mseGarch], ['constant training variance', out.heldOut.qlikeConstant, out.heldOut.mseConstant]]));
          console.log(`next ${horizon} day(s) volatility: ${vol.map((x) => `${(100 * x).toFixed(3)}%`).join(', ')}`);
        });
        if (flags.report) {
          await writeFileAtomic(flags.report, renderReport({
            title: `GARCH(1,1) volatility of ${price}`,
            subtitle: `${flags.data}: ${info.first} to ${info.last}`,
            figures: [['alpha', full.params.alpha], ['beta', full.params.beta], ['persistence', full.persistence], ['next-day volatility', vol[0] as number]],
            charts: [{ title: 'Conditional volatility (in sample)', x: Array.from({ length: r.length }, (_, i) => i), xLabel: 'day', yLabel: 'volatility', series: [{ label: 'σ_t', values: full.conditionalVolatility }, { label: '|return|', values: r.map(Math.abs) }] }],
          }));
        }
        return;
      }

      const make = forecaster(model, window, epochs, seed);
      const wf: WalkForwardResult = walkForward(r, make, { initialTrain: Math.floor(r.length * 0.6), testSize: Math.max(1, Math.floor(r.length * 0.1)), embargo: 0, kind: 'returns' });
      const final = make();
      final.fit(r);
      const next = iterate(final, r, horizon);
      final.dispose?.();
      const rows = [
        [`${model}`, wf.model.mae, wf.model.rmse, wf.model.directionalAccuracy],
        ['training mean', wf.baselines.trainingMean.mae, wf.baselines.trainingMean.rmse, wf.baselines.trainingMean.directionalAccuracy],
        ['last value', wf.baselines.lastValue.mae, wf.baselines.lastValue.rmse, wf.baselines.lastValue.directionalAccuracy],
      ] as Array<Array<string | number>>;
      const out = { data: info, model, walkForward: { folds: wf.folds.length, testDays: wf.index.length, model: wf.model, baselines: wf.baselines, r2VsMean: wf.r2VsMean, warning: wf.warning ?? null }, forecast: next };
      emit(flags.json, out, () => {
        console.log(`${info.days} days of ${price} (${info.first} to ${info.last})${info.gaps ? `, ${info.gaps} gaps over 5 days` : ''}; daily log returns`);
        console.log(`walk-forward: ${wf.folds.length} folds, ${wf.index.length} test days, expanding window`);
        console.log(renderTable(['forecast', 'MAE', 'RMSE', 'direction'], rows));
        console.log(`out-of-sample R² against the training mean: ${wf.r2VsMean.toFixed(4)}`);
        if (wf.warning) console.log(`WARNING: ${wf.warning}`);
        console.log(`next ${horizon} day(s) log return: ${next.map((x) => x.toExponential(3)).join(', ')}`);
      });
      if (flags.report) {
        await writeFileAtomic(flags.report, renderReport({
          title: `Walk-forward forecast of ${price} returns (${model})`,
          subtitle: `${flags.data}: ${info.first} to ${info.last}`,
          figures: [['test days', wf.index.length], ['RMSE', wf.model.rmse], ['RMSE of the mean', wf.baselines.trainingMean.rmse], ['R² vs mean', wf.r2VsMean]],
          tables: [{ title: 'Walk-forward scores', columns: ['forecast', 'MAE', 'RMSE', 'direction'], rows }],
          charts: [{ title: 'Held-out returns and forecasts', x: Array.from(wf.index), xLabel: 'day', yLabel: 'log return', series: [{ label: 'actual', values: wf.actual }, { label: model, values: wf.predicted }, { label: 'training mean', values: wf.trainingMean }] }],
          ...(wf.warning && { notes: [`Warning: ${wf.warning}`] }),
        }));
      }
    }));
}
