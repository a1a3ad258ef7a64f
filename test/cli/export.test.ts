// `fingrad export` as a user runs it: a model directory holding a saved pipeline → an ONNX file
// that onnxruntime-web runs on raw columns with the pipeline's probabilities; bad input gives
// one line, exit 2 and no file.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { ColumnTransformer, OneHotEncoder, Pipeline, SimpleImputer, StandardScaler, Table, savePipelineFile } from '../../src/finance/index.js';
import { runOnnxColumns } from '../onnx/ort.js';
import { expectUserError, fingrad, tempDir } from '../support/cli.js';

const dir = tempDir();

function loans(n: number): { table: Table; y: string[] } {
  const income: number[] = [];
  const job: (string | null)[] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = Math.fround(20_000 + ((i * 7919) % 60_000));
    const j = ['clerk', 'manager', 'self'][i % 3] as string;
    income.push(i % 11 === 0 ? NaN : v);
    job.push(i % 13 === 0 ? null : j);
    y.push(v < 40_000 === (j !== 'manager') ? 'bad' : 'good');
  }
  return { table: Table.fromColumns({ income, job }), y };
}

const data = loans(120);
const pipeline = new Pipeline([
  ['prep', new ColumnTransformer([['num', new SimpleImputer(), ['income']], ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), ['job']]])],
  ['scale', new StandardScaler()],
  ['model', new fg.LogisticRegression()],
]).fit(data.table, data.y);
const modelDir = join(dir, 'model');
mkdirSync(modelDir);
await savePipelineFile(join(modelDir, 'pipeline.safetensors'), pipeline);

describe('fingrad export', () => {
  it('writes an ONNX file whose probabilities are the pipeline’s (--json)', async () => {
    const onnx = join(dir, 'model.onnx');
    const run = fingrad(['export', '--model', modelDir, '--onnx', onnx, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ onnx, opset: 17, columns: ['income', 'job'], outputs: ['probabilities', 'label'], classes: ['bad', 'good'], estimator: 'LogisticRegression' });
    const bytes = new Uint8Array(readFileSync(onnx));
    expect(out.bytes).toBe(bytes.length);
    const rows = loans(40).table;
    const got = await runOnnxColumns(bytes, rows);
    const want = pipeline.predictProba(rows).flat();
    const diff = Math.max(...want.map((v, i) => Math.abs(v - (got['probabilities']?.data[i] as number))));
    expect(diff).toBeLessThan(2e-5);
    expect(Array.from(got['label']?.data ?? [])).toEqual(pipeline.predict(rows));
  });

  it('prints a summary for people and takes --opset', () => {
    const onnx = join(dir, 'model13.onnx');
    const run = fingrad(['export', '--model', modelDir, '--onnx', onnx, '--opset', '13']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/wrote .*model13\.onnx .*opset 13\): 2 columns → probabilities, label \(classes bad, good\)/);
    expect(existsSync(onnx)).toBe(true);
  });

  it('bad input: one line, exit 2, no file', () => {
    const onnx = join(dir, 'bad.onnx');
    expectUserError(fingrad(['export', '--model', join(dir, 'nowhere'), '--onnx', onnx]), expect, /fingrad export: --model .*nowhere: no such directory/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expectUserError(fingrad(['export', '--model', empty, '--onnx', onnx]), expect, /no .*pipeline\.safetensors/);
    const junk = join(dir, 'junk');
    mkdirSync(junk);
    writeFileSync(join(junk, 'pipeline.safetensors'), 'not a safetensors file at all');
    expectUserError(fingrad(['export', '--model', junk, '--onnx', onnx]), expect, /pipeline\.safetensors is not a fingrad pipeline/);
    expectUserError(fingrad(['export', '--model', modelDir, '--onnx', onnx, '--opset', '9']), expect, /--opset must be 13 to 21/);
    expectUserError(fingrad(['export', '--model', modelDir, '--onnx', join(dir, 'missing-dir', 'm.onnx')]), expect, /--onnx .*m\.onnx: cannot write the file \(ENOENT\)/);
    expect(existsSync(onnx)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a model checkpoint that is not a pipeline is named as such', async () => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    await fg.saveModelFile(join(plain, 'pipeline.safetensors'), pipeline.model as unknown as fg.nn.Module);
    expectUserError(fingrad(['export', '--model', plain, '--onnx', join(dir, 'plain.onnx')]), expect, /not a fingrad pipeline: .*no 'pipeline' metadata/);
    expect(existsSync(join(dir, 'plain.onnx'))).toBe(false);
  });
});
