// `fingrad backtest`: a trading signal on a price column, traded the next day with costs,
// against buy-and-hold.
import type { Command } from 'commander';
import * as fg from '../../index.js';
import { AutoReg } from '../../finance/market/ar.js';
import { type BacktestResult, backtest } from '../../finance/market/backtest.js';
import { rollingMean, simpleReturns } from '../../finance/market/series.js';
import { walkForward } from '../../finance/market/walk-forward.js';
import { renderTable } from '../table.js';
import { UsageError, action, emit, intOption, numberOption, writeFileAtomic } from '../command.js';
import { loadPrices, numericColumn } from '../data.js';
import { renderReport } from '../report.js';

interface BacktestFlags {
  data: string;
  column: string;
  date?: string;
  signal: string;
  lookback?: string;
  costBps?: string;
  lag?: string;
  json?: boolean;
  report?: string;
}

const SIGNALS = ['momentum', 'reversal', 'ar'];

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('backtest a signal on a price column: positions trade the day after the signal, with costs; compared with buy-and-hold')
    .requiredOption('--data <file.csv>', 'prices, one row per day')
    .requiredOption('--column <name>', 'the price column (e.g. Close)')
    .option('--date <name>', 'the date column (default: the first column whose name contains "date")')
    .option('--signal <name>', `${SIGNALS.join(', ')} (sign of the past --lookback days' mean return, its opposite, or an AR forecast), or a column of the file holding positions`, 'momentum')
    .option('--lookback <n>', 'days in the momentum / reversal mean', '20')
    .option('--cost-bps <n>', 'cost per unit of position traded, in basis points', '5')
    .option('--lag <n>', 'days between a signal and its trade', '1')
    .option('--json', 'machine-readable output')
    .option('--report <file.html>', 'write a self-contained HTML report with the equity curves')
    .action(action('backtest', async (flags: BacktestFlags) => {
      const lookback = intOption('lookback', flags.lookback, 20);
      const lag = intOption('lag', flags.lag, 1, 0);
      const cost = numberOption('cost-bps', flags.costBps, 5, 0, 10_000) / 10_000;
      await fg.ready();
      const { csv, price, date, series } = await loadPrices(flags.data, flags.column, flags.date);
      const { table } = csv;
      // r[t] is the return from day t to day t+1, known at the close of day t+1; a signal built
      // from r[0 … t] therefore trades r[t+1] at the earliest: lag 1.
      const r = simpleReturns(series.prices);
      let signal: Float64Array;
      if (flags.signal === 'momentum' || flags.signal === 'reversal') {
        const m = rollingMean(r, lookback);
        const sign = flags.signal === 'momentum' ? 1 : -1;
        signal = m.map((v) => (Number.isNaN(v) ? 0 : sign * Math.sign(v)));
      } else if (flags.signal === 'ar') {
        const wf = walkForward(r, () => new AutoReg({ maxLag: 5 }), { initialTrain: Math.floor(r.length / 2), testSize: Math.max(1, Math.floor(r.length / 20)) });
        signal = new Float64Array(r.length);
        // Position for day t from the forecast of return t, made with returns before t: lag 0 below.
        wf.index.forEach((t, i) => (signal[t] = Math.sign(wf.predicted[i] as number)));
      } else if (table.has(flags.signal)) {
        const col = await numericColumn(csv, flags.signal, flags.data, '--signal');
        const order = series.dates.map((d) => (table.column(date) as string[]).findIndex((x) => x.slice(0, 10) === d));
        signal = Float64Array.from(order.slice(0, -1), (i) => col[i] as number);
      } else {
        throw new UsageError(`--signal must be one of ${SIGNALS.join(', ')} or a column of ${flags.data}, got '${flags.signal}'`);
      }
      // An AR forecast of return t already uses only returns before t: it trades with lag 0.
      const result = backtest(signal, r, { lag: flags.signal === 'ar' ? 0 : lag, cost });
      const hold = backtest(new Float64Array(r.length).fill(1), r, { lag: 0, cost: 0 });
      const row = (name: string, b: BacktestResult): Array<string | number> => [name, b.totalReturn, b.annualReturn, b.annualVolatility, b.sharpe, b.sortino, b.maxDrawdown, b.turnover, b.hitRate];
      const header = ['strategy', 'total return', 'annual return', 'annual vol', 'Sharpe', 'Sortino', 'max drawdown', 'turnover', 'hit rate'];
      const summary = (b: BacktestResult) => ({ totalReturn: b.totalReturn, annualReturn: b.annualReturn, annualVolatility: b.annualVolatility, sharpe: b.sharpe, sortino: b.sortino, maxDrawdown: b.maxDrawdown, turnover: b.turnover, hitRate: b.hitRate, costs: b.costs });
      emit(flags.json, { data: { file: flags.data, days: series.prices.length, first: series.dates[0], last: series.dates.at(-1) }, signal: flags.signal, lag: flags.signal === 'ar' ? 0 : lag, costBps: cost * 10_000, strategy: summary(result), buyAndHold: summary(hold) }, () => {
        console.log(`${series.prices.length} days of ${price} (${series.dates[0]} to ${series.dates.at(-1)}); signal ${flags.signal}, traded ${flags.signal === 'ar' ? 'on the forecast day' : `${lag} day(s) later`}, ${(cost * 10_000).toFixed(1)} bps per unit traded`);
        console.log(renderTable(header, [row(flags.signal, result), row('buy and hold', hold)]));
      });
      if (flags.report) {
        await writeFileAtomic(flags.report, renderReport({
          title: `Backtest of ${flags.signal} on ${price}`,
          subtitle: `${flags.data}: ${series.dates[0]} to ${series.dates.at(-1)}`,
          figures: [['Sharpe', result.sharpe], ['max drawdown', result.maxDrawdown], ['turnover', result.turnover], ['buy-and-hold Sharpe', hold.sharpe]],
          tables: [{ title: 'Performance', columns: header, rows: [row(flags.signal, result), row('buy and hold', hold)] }],
          charts: [{ title: 'Equity curves (growth of 1)', x: Array.from({ length: r.length }, (_, i) => i), xLabel: 'day', yLabel: 'equity', series: [{ label: flags.signal, values: result.equity }, { label: 'buy and hold', values: hold.equity }] }],
        }));
      }
    }));
}
