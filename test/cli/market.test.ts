import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GARCH } from '../../src/finance/market/garch.js';
import { expectUserError, fingrad, haveChromium, openReport, tempDir } from '../support/cli.js';

const dir = tempDir();
// A generated price file: GARCH returns compounded from 100, business days from 2015.
const prices = join(dir, 'prices.csv');
{
  const r = GARCH.simulate({ mu: 3e-4, omega: 2e-6, alpha: 0.08, beta: 0.9 }, 800, 4);
  let p = 100;
  const day = new Date('2015-01-05T00:00:00Z');
  const lines = ['date,close,volume'];
  for (let i = 0; i < r.length; i++) {
    lines.push(`${day.toISOString().slice(0, 10)},${p.toFixed(4)},${1000 + i}`);
    p *= Math.exp(r[i]!);
    day.setUTCDate(day.getUTCDate() + (day.getUTCDay() === 5 ? 3 : 1));
  }
  writeFileSync(prices, `${lines.join('\n')}\n`);
}
const SP500 = new URL('../../../shared/data/GSPC_daily_2001-01-02_2018-08-01.csv', import.meta.url).pathname;

describe('fingrad forecast', () => {
  it('evaluates AR by walk-forward beside the naive baselines (--json)', () => {
    const run = fingrad(['forecast', '--data', prices, '--column', 'close', '--model', 'ar', '--horizon', '3', '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.data.days).toBe(800);
    expect(out.walkForward.folds).toBeGreaterThan(0);
    expect(Object.keys(out.walkForward.baselines)).toEqual(['trainingMean', 'lastValue']);
    expect(out.forecast).toHaveLength(3);
    expect(out.walkForward.warning).toBeNull();
  });

  it('fits GARCH and writes a report that renders in Chromium', async () => {
    const report = join(dir, 'garch.html');
    const run = fingrad(['forecast', '--data', prices, '--column', 'close', '--model', 'garch', '--report', report]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/GARCH\(1,1\): mu .* persistence 0\.9/);
    expect(existsSync(report)).toBe(true);
    if (!haveChromium) return console.warn('report rendering skipped: /usr/bin/chromium not found');
    const page = await openReport(report);
    expect(page.errors).toEqual([]);
    expect(page.external).toBe(false);
    expect(page.charts).toBe(page.declared);
    expect(page.charts).toBeGreaterThan(0);
  });

  it('runs a GRU through walk-forward', () => {
    const run = fingrad(['forecast', '--data', prices, '--column', 'close', '--model', 'gru', '--window', '10', '--epochs', '3', '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).model).toBe('gru');
  });

  it.skipIf(!existsSync(SP500))('runs on the real S&P 500 file', () => {
    const run = fingrad(['forecast', '--data', SP500, '--column', 'Close', '--json']);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.data.days).toBe(4423);
    // Daily index returns are close to unpredictable: AR does not beat the mean by much.
    expect(out.walkForward.r2VsMean).toBeLessThan(0.05);
  });
});

describe('fingrad backtest', () => {
  it('trades a momentum signal with costs against buy-and-hold and draws the equity curves', async () => {
    const report = join(dir, 'backtest.html');
    const run = fingrad(['backtest', '--data', prices, '--column', 'close', '--signal', 'momentum', '--cost-bps', '10', '--json', '--report', report]);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.costBps).toBe(10);
    expect(out.strategy.turnover).toBeGreaterThan(0);
    expect(out.buyAndHold.turnover).toBeCloseTo(1 / 799, 12);
    if (!haveChromium) return;
    const page = await openReport(report);
    expect(page.errors).toEqual([]);
    expect(page.charts).toBe(1);
  });
});

describe('bad input gets one line and exit status 2', () => {
  it.each([
    [['forecast', '--data', join(dir, 'nope.csv'), '--column', 'close'], /nope\.csv.*no such file/],
    [['forecast', '--data', 'PRICES', '--column', 'clse'], /no column 'clse' for --column \(did you mean 'close'\?\)/],
    [['forecast', '--data', 'PRICES', '--column', 'close', '--model', 'arima'], /--model must be one of ar, lstm, gru, cnn, garch, got 'arima'/],
    [['forecast', '--data', 'PRICES', '--column', 'close', '--horizon', '0'], /--horizon must be an integer >= 1, got '0'/],
    [['forecast', '--data', 'PRICES', '--column', 'close', '--bogus'], /unknown option '--bogus'/],
    [['backtest', '--data', 'PRICES', '--column', 'close', '--signal', 'astrology'], /--signal must be one of momentum, reversal, ar or a column/],
    [['forecast', '--data', 'RAGGED', '--column', 'close'], /ragged\.csv, line 3.*row has 2 fields but the header has 3/],
    [['forecast', '--data', 'TEXTPRICE', '--column', 'close'], /textprice\.csv.*line 3.*column 'close'/],
  ])('%j', (args, pattern) => {
    writeFileSync(join(dir, 'ragged.csv'), 'date,close,volume\n2020-01-01,1,2\n2020-01-02,3\n');
    writeFileSync(join(dir, 'textprice.csv'), 'date,close,volume\n2020-01-01,1,2\n2020-01-02,abc,3\n');
    const subst = args.map((a) => (a === 'PRICES' ? prices : a === 'RAGGED' ? join(dir, 'ragged.csv') : a === 'TEXTPRICE' ? join(dir, 'textprice.csv') : a));
    expectUserError(fingrad(subst), expect, pattern);
  });

  it('leaves no partial report when the report cannot be written', () => {
    const report = join(dir, 'missing-folder', 'r.html');
    const run = fingrad(['backtest', '--data', prices, '--column', 'close', '--report', report]);
    expect(run.status).toBe(2);
    expect(existsSync(join(dir, 'missing-folder'))).toBe(false);
  });
});
