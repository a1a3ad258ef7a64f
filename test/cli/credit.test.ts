import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicantsCsv, generateApplicants } from '../../src/finance/applicants.js';
import { expectUserError, fingrad, haveChromium, openReport, tempDir } from '../support/cli.js';

const dir = tempDir();
const trainCsv = join(dir, 'applicants.csv');
const newCsv = join(dir, 'new.csv');
writeFileSync(trainCsv, applicantsCsv(generateApplicants(3000, 1)));
writeFileSync(newCsv, applicantsCsv(generateApplicants(1500, 2)));
const model = join(dir, 'model');
const GERMAN = new URL('../../../shared/data/german.data', import.meta.url).pathname;

describe('fingrad train → inspect → evaluate → predict on a user CSV', () => {
  it('trains with inferred types and missing values, saves the folder and a report', async () => {
    const report = join(dir, 'train.html');
    const run = fingrad(['train', '--data', trainCsv, '--target', 'default', '--id', 'id', '--model', 'logistic', '--out', model, '--report', report]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/3000 rows, 11 feature columns \(4 categorical\)/);
    expect(run.stdout).toMatch(/missing values imputed .*income \d+/);
    expect(readdirSync(model).sort()).toEqual(['pipeline.safetensors', 'reference.json', 'training.json']);
    const training = JSON.parse(readFileSync(join(model, 'training.json'), 'utf8'));
    expect(training.metrics.rocAuc).toBeGreaterThan(0.65);
    expect(training.split.testRows).toBe(600);
    if (!haveChromium) return;
    const page = await openReport(report);
    expect(page.errors).toEqual([]);
    expect(page.charts).toBe(5);
    expect(page.charts).toBe(page.declared);
  });

  it('inspect shows the pipeline, the columns and the metrics (--json)', () => {
    const out = JSON.parse(fingrad(['inspect', '--model', model, '--json']).stdout);
    expect(out.steps.map((s: { kind: string }) => s.kind)).toEqual(['ColumnTransformer', 'StandardScaler', 'LogisticRegression']);
    expect(out.inputColumns.employment).toBe('categorical');
    expect(out.featuresOut).toContain('cat__employment_unemployed');
    expect(out.positiveClass).toBe(1);
  });

  it('evaluate reports the risk metrics on new rows', () => {
    const out = JSON.parse(fingrad(['evaluate', '--model', model, '--data', newCsv, '--json']).stdout);
    expect(out.rows).toBe(1500);
    expect(out.metrics.rocAuc).toBeGreaterThan(0.65);
    expect(out.metrics.ks).toBeGreaterThan(0.2);
    expect(Object.keys(out.metrics)).toEqual(expect.arrayContaining(['gini', 'averagePrecision', 'brierScore', 'logLoss']));
  });

  it('predict streams in batches (the batch size changes no score) and keeps the id column', () => {
    const out = join(dir, 'pred.csv');
    const run = fingrad(['predict', '--model', model, '--data', newCsv, '--out', out, '--batch-rows', '256', '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).rows).toBe(1500);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,P(1),predicted');
    expect(lines).toHaveLength(1501);
    expect(lines[1]).toMatch(/^A000001,0\.\d+,[01]$/);
    // Batch size does not change a score.
    const whole = join(dir, 'pred-whole.csv');
    fingrad(['predict', '--model', model, '--data', newCsv, '--out', whole]);
    expect(readFileSync(whole, 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  it('trains an MLP with a progress line per epoch when stdout is not a terminal', () => {
    const run = fingrad(['train', '--data', trainCsv, '--target', 'default', '--id', 'id', '--model', 'mlp', '--epochs', '3', '--hidden', '8', '--out', join(dir, 'mlp')]);
    expect(run.status).toBe(0);
    expect(run.stdout.match(/^epoch \d\/3 +loss \d/gm)).toHaveLength(3);
  });

  it.skipIf(!existsSync(GERMAN))('trains on the German credit file (space separated, no header)', () => {
    const names = ['status', 'duration', 'history', 'purpose', 'amount', 'savings', 'employment', 'rate', 'personal', 'debtors', 'residence', 'property', 'age', 'plans', 'housing', 'credits', 'job', 'liable', 'telephone', 'foreign', 'class'];
    const csv = join(dir, 'german.csv');
    writeFileSync(csv, `${names.join(',')}\n${readFileSync(GERMAN, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).join(',')).join('\n')}\n`);
    const run = fingrad(['train', '--data', csv, '--target', 'class', '--positive', '2', '--out', join(dir, 'german'), '--json']);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.data.columns.status).toBe('categorical');
    expect(out.metrics.rocAuc).toBeGreaterThan(0.7);
  });
});

describe('bad input: one line, exit 2, nothing half-written', () => {
  const bad = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  it.each([
    ['missing file', () => ['train', '--data', join(dir, 'none.csv'), '--target', 'y', '--out', join(dir, 'o1')], /none\.csv.*no such file/],
    ['missing target column', () => ['train', '--data', trainCsv, '--target', 'defualt', '--out', join(dir, 'o2')], /target column 'defualt' is not in the file/],
    ['empty file', () => ['train', '--data', bad('empty.csv', ''), '--target', 'y', '--out', join(dir, 'o3')], /empty\.csv: the file is empty/],
    ['ragged row', () => ['train', '--data', bad('ragged.csv', 'a,b,y\n1,2,0\n3,1\n4,5,1\n'), '--target', 'y', '--out', join(dir, 'o4')], /ragged\.csv, line 3.*2 fields but the header has 3/],
    ['one class', () => ['train', '--data', bad('one.csv', 'a,y\n1,0\n2,0\n3,0\n'), '--target', 'y', '--out', join(dir, 'o5')], /one\.csv.*single class|one class/],
    ['unknown model', () => ['train', '--data', trainCsv, '--target', 'default', '--model', 'xgboost', '--out', join(dir, 'o6')], /--model must be one of logistic, svm, mlp, got 'xgboost'/],
    ['bad option value', () => ['train', '--data', trainCsv, '--target', 'default', '--C', 'lots', '--out', join(dir, 'o7')], /--C must be a number/],
    ['not a model folder', () => ['evaluate', '--model', dir, '--data', newCsv], /no training\.json/],
    ['missing columns to score', () => ['predict', '--model', model, '--data', bad('few.csv', 'id,age\nA1,40\n'), '--out', join(dir, 'p1.csv')], /columns the model was trained on are missing: income/],
    ['non-numeric value in a numeric column', () => ['predict', '--model', model, '--data', bad('text.csv', readFileSync(newCsv, 'utf8').replace(/^(A000003,)\d+/m, '$1forty')), '--out', join(dir, 'p2.csv')], /text\.csv, line 4, column 'age'/],
  ])('%s', (_name, args, pattern) => {
    const run = fingrad(args());
    expectUserError(run, expect, pattern);
    for (const o of ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'p1.csv', 'p2.csv']) expect(existsSync(join(dir, o))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
