import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicantsCsv, generateApplicants } from '../../src/finance/applicants.js';
import { expectUserError, fingrad, haveChromium, openReport, tempDir } from '../support/cli.js';

const dir = tempDir();
const trainCsv = join(dir, 'applicants.csv');
writeFileSync(trainCsv, applicantsCsv(generateApplicants(2500, 1)));
// A smaller file to explain: permutation importance scores every column three times.
const explainCsv = join(dir, 'explain.csv');
writeFileSync(explainCsv, applicantsCsv(generateApplicants(700, 4)));
const logistic = join(dir, 'logistic');
const mlp = join(dir, 'mlp');
expect(fingrad(['train', '--data', trainCsv, '--target', 'default', '--id', 'id', '--out', logistic]).status).toBe(0);
expect(fingrad(['train', '--data', trainCsv, '--target', 'default', '--id', 'id', '--model', 'mlp', '--epochs', '5', '--out', mlp]).status).toBe(0);
// Recent applicants: incomes 40% higher and a region the model never saw.
const recentCsv = join(dir, 'recent.csv');
{
  const a = generateApplicants(1500, 9);
  a.columns.income = a.columns.income.map((v) => (v === null ? null : v * 1.4));
  a.columns.region = a.columns.region.map((r, i) => (i % 5 === 0 ? 'overseas' : r));
  const lines = applicantsCsv(a).trim().split('\n');
  writeFileSync(recentCsv, `${[`${lines[0]},month`, ...lines.slice(1).map((l, i) => `${l},${i % 2 ? '2026-10' : '2026-11'}`)].join('\n')}\n`);
}
const FRAUD = new URL('../../../shared/data/creditcard_fraud_subset_2952.csv', import.meta.url).pathname;

describe('fingrad explain', () => {
  it('gives global importance and one applicant\'s contributions that add up, with reason codes (exact linear SHAP)', async () => {
    const report = join(dir, 'explain.html');
    const run = fingrad(['explain', '--model', logistic, '--data', explainCsv, '--row', '3', '--json', '--report', report]);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    const features = out.importance.features.map((f: { feature: string }) => f.feature);
    expect(features).toHaveLength(11);
    expect(features).toContain('employment');
    const sum = out.row.contributions.reduce((s: number, c: { contribution: number }) => s + c.contribution, 0);
    expect(sum).toBeCloseTo(out.row.output - out.row.base, 4);
    for (const r of out.row.reasons) expect(r.contribution).toBeGreaterThan(0);
    if (!haveChromium) return;
    const page = await openReport(report);
    expect(page.errors).toEqual([]);
    expect(page.charts).toBe(2);
  });

  it('permutation importance ranks the drivers of the generated defaults first; integrated gradients explain the MLP', () => {
    const perm = JSON.parse(fingrad(['explain', '--model', logistic, '--data', explainCsv, '--method', 'permutation', '--json']).stdout);
    expect(perm.importance.features.slice(0, 4).map((f: { feature: string }) => f.feature)).toContain('latePayments');
    const ig = JSON.parse(fingrad(['explain', '--model', mlp, '--data', explainCsv, '--method', 'ig', '--row', '1', '--json']).stdout);
    expect(ig.row.contributions).toHaveLength(11);
    const sum = ig.row.contributions.reduce((s: number, c: { contribution: number }) => s + c.contribution, 0);
    expect(Math.abs(sum - (ig.row.output - ig.row.base))).toBeLessThan(0.02 * Math.max(0.1, Math.abs(ig.row.output - ig.row.base)));
  });

  it('names bad input', () => {
    expectUserError(fingrad(['explain', '--model', logistic, '--data', trainCsv, '--method', 'lime']), expect, /--method must be one of permutation, shap, ig/);
    expectUserError(fingrad(['explain', '--model', logistic, '--data', trainCsv, '--row', '99999']), expect, /--row 99999 is past the last data row/);
    expectUserError(fingrad(['explain', '--model', logistic, '--data', trainCsv, '--method', 'ig', '--row', '1']), expect, /ig explains neural models/);
  });
});

describe('fingrad monitor', () => {
  it('flags the shifted features, the new category, and reports outcomes by period and group', async () => {
    const report = join(dir, 'monitor.html');
    const run = fingrad(['monitor', '--model', logistic, '--data', recentCsv, '--period', 'month', '--group', 'housing', '--json', '--report', report]);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.drift.flagged).toEqual(expect.arrayContaining(['income', 'region']));
    const region = out.drift.features.find((f: { feature: string }) => f.feature === 'region');
    expect(region.newCategories).toEqual(['overseas']);
    expect(out.drift.features.find((f: { feature: string }) => f.feature === 'age').flag).toBe('stable');
    expect(out.performance.byPeriod.map((p: { period: string }) => p.period)).toEqual(['2026-10', '2026-11']);
    expect(out.performance.fairness.groups).toHaveLength(3);
    if (!haveChromium) return;
    const page = await openReport(report);
    expect(page.errors).toEqual([]);
    expect(page.charts).toBe(2);
  });

  it('needs the outcomes for --period', () => {
    const noTarget = join(dir, 'no-target.csv');
    writeFileSync(noTarget, readFileSync(trainCsv, 'utf8').split('\n').map((l) => l.split(',').slice(0, -1).join(',')).join('\n'));
    expectUserError(fingrad(['monitor', '--model', logistic, '--data', noTarget, '--period', 'age']), expect, /--period and --group need the outcomes/);
    expect(JSON.parse(fingrad(['monitor', '--model', logistic, '--data', noTarget, '--json']).stdout).scorePsi.flag).toBe('stable');
  });
});

describe('fingrad anomalies', () => {
  it.skipIf(!existsSync(FRAUD))('scores the real fraud subset: trained on normal rows, judged within an alert budget', () => {
    const run = fingrad(['anomalies', '--data', FRAUD, '--label', 'Class', '--model', 'vae', '--epochs', '15', '--budget', '0.05', '--json']);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.rocAuc).toBeGreaterThan(0.9);
    expect(out.precisionAtBudget).toBeGreaterThan(0.8);
  });

  it('runs on generated transactions with an autoencoder and writes the score histogram', async () => {
    const csv = join(dir, 'tx.csv');
    const rows = ['a,b,c,d,label'];
    let s = 7;
    const r = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    for (let i = 0; i < 1200; i++) {
      const odd = i % 40 === 0;
      const base = [r(), r(), r()];
      rows.push([...base, base[0]! + base[1]! + (odd ? 3 : 0.05 * r()), odd ? 1 : 0].map((v) => (typeof v === 'number' ? v.toFixed(4) : v)).join(','));
    }
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const report = join(dir, 'anomalies.html');
    const run = fingrad(['anomalies', '--data', csv, '--label', 'label', '--model', 'autoencoder', '--epochs', '40', '--json', '--report', report]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).rocAuc).toBeGreaterThan(0.8);
    if (!haveChromium) return;
    const page = await openReport(report);
    expect(page.errors).toEqual([]);
    expect(page.charts).toBe(1);
  });

  it('names bad input', () => {
    expectUserError(fingrad(['anomalies', '--data', trainCsv, '--model', 'isolation-forest']), expect, /--model must be vae or autoencoder/);
    expectUserError(fingrad(['anomalies', '--data', trainCsv, '--label', 'employment']), expect, /line \d+, column 'employment': the target is missing/);
    expectUserError(fingrad(['anomalies', '--data', trainCsv, '--label', 'housing']), expect, /must hold 0 \(normal\) and 1 \(anomaly\)|missing values/);
  });
});
