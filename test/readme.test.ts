// The README's examples run as written (TypeScript, types stripped by esbuild) against the built
// package (dist/, made by `npm test`) and print what their comments say.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every ```ts block that follows a `<!-- readme-example` marker, in order. */
function examples(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return readme.split('<!-- readme-example').slice(1).map((part) => {
    const match = /```ts\n([\s\S]*?)```/.exec(part);
    if (!match) throw new Error('a readme-example marker is not followed by a ts block');
    return match[1] as string;
  });
}

/** Runs a block against the built package (dist/) and returns its output lines. */
function run(code: string): string[] {
  const entry = (path: string): string => pathToFileURL(join(root, 'dist', path)).href;
  // Inside the repository, so that other packages an example imports (onnxruntime-web) resolve.
  mkdirSync(join(root, '.cache'), { recursive: true });
  const dir = mkdtempSync(join(root, '.cache', 'readme-'));
  const file = join(dir, 'example.mjs');
  // The blocks are TypeScript: strip the types as a user's toolchain would.
  const js = transformSync(code, { loader: 'ts', format: 'esm', target: 'es2022' }).code;
  writeFileSync(file, js.replace(/from "fingrad"/g, `from '${entry('index.js')}'`).replace(/from "fingrad\/(finance|onnx)"/g, (_, sub: string) => `from '${entry(`${sub}/index.js`)}'`));
  try {
    return execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const number = (lines: string[], label: string): number => {
  const line = lines.find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no output line starting with '${label}' in:\n${lines.join('\n')}`);
  return Number(line.slice(label.length).trim().split(/\s/)[0]);
};

describe('README example', () => {
  it('runs as written and prints the values its comments show', () => {
    const code = examples()[0] as string;
    const out = run(code);

    // The first console.log's comment gives the loss; check it against a float64 computation.
    const commented = /console\.log\(loss[^\n]*\/\/ ([\d.]+)/.exec(code)?.[1];
    const sig = (z: number): number => 1 / (1 + Math.exp(-z));
    const y = [sig(1 * 0.5 + 2 * -1), sig(3 * 0.5 + 4 * -1)];
    const loss = ((y[0] as number - 1) ** 2 + (y[1] as number - 1) ** 2) / 2;
    expect(commented).toBe(loss.toFixed(4));
    expect(out[0]).toBe(commented);
    // dL/dw = Σ_i (2/2)(y_i − 1)·y_i(1 − y_i)·x_i
    const g = [0, 1].map((j) => [0, 1].reduce((s, i) => s + (y[i] as number - 1) * (y[i] as number) * (1 - (y[i] as number)) * [[1, 2], [3, 4]][i]![j]!, 0));
    const printed = JSON.parse((out[1] as string).replace(/\s/g, '')) as number[][];
    printed.forEach((row, j) => expect(row[0]).toBeCloseTo(g[j] as number, 5));
    // x, w, the returned loss and the two gradients stay alive; all intermediates are freed.
    expect(out[2]).toBe('5');
  });

  // The model examples: each runs as written and reaches what the README claims for it.
  it('has one example per model family, each running as written', () => {
    const blocks = examples().slice(1).filter((b) => !/fingrad\/(finance|onnx)|fg\.summary\(|alertBudgetMetrics/.test(b));
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const outputs = blocks.map(run);
    const find = (marker: string): string[] => outputs[blocks.findIndex((b) => b.includes(marker))] as string[];
    expect(number(find('fg.fit(model'), 'accuracy')).toBeGreaterThan(0.95);
    expect(find('fg.fit(model').at(-1)).toBe("[ '0.weight', '0.bias', '2.weight', '2.bias' ]");
    expect(find('model.compile').join(' ')).toMatch(/accuracy: (1\b|0\.9\d+)/);
    expect(number(find('LinearSVM'), 'AUC')).toBeGreaterThan(0.7);
    expect(number(find('MLPClassifier({ hiddenLayerSizes: [32, 16]'), 'held-out accuracy')).toBeGreaterThanOrEqual(0.97);
    expect(find('RecurrentForecaster').at(-1)).toMatch(/^\[ \d+, 1 \] \[ \d+, 1 \]$/);
    expect(number(find('CNN2dClassifier'), 'accuracy')).toBeGreaterThanOrEqual(0.95);
    expect(number(find('fg.VAE'), 'ROC AUC')).toBeGreaterThanOrEqual(0.95);
    expect(find('saveModel').slice(-2)).toEqual(['true', 'MLPClassifier']);
  });

  // The finance toolkit, market series and the roads beyond one process, each as written.
  it('runs the finance, market and ONNX / PyTorch examples as written', () => {
    const blocks = examples();
    const block = (marker: string): string[] => run(blocks.find((b) => b.includes(marker)) as string);
    const pipeline = block('savePipelineFile');
    expect(pipeline[0]).toMatch(/^missing \d+ income values$/);
    expect(number(pipeline, 'AUC')).toBeGreaterThan(0.65);
    expect(pipeline[1]).toMatch(/KS 0\.\d+ Gini 0\.\d+ Brier 0\.\d+/);
    expect(pipeline.at(-1)).toBe('true');
    const explain = block('reasonCodes');
    expect(explain[0]).toBe('11 features; contributions add up: true');
    expect(explain.slice(1, 4).every((l) => / raised the estimated risk by /.test(l))).toBe(true);
    expect(explain).toContain('income PSI significant');
    expect(explain.at(-1)).toBe("drifted: [ 'income' ]");
    const market = block('new GARCH()');
    expect(number(market, 'alpha')).toBeGreaterThan(0.04);
    expect(market[1]).toMatch(/no look-ahead warning$/);
    expect(market[2]).toMatch(/^Sharpe -?\d/);
    const fraud = block('alertBudgetMetrics');
    expect(number(fraud, 'AUC')).toBeGreaterThan(0.9);
    expect(fraud[0]).toMatch(/precision@2% 0\.\d+ recall@2% 0\.\d+/);
    const beyond = block("from 'fingrad/onnx'");
    expect(beyond[0]).toBe("[ 'features' ] [ 'probabilities' ] max |ONNX − fingrad| < 1e-5");
    expect(beyond[1]).toBe("[ '0.bias', '0.weight', '2.bias', '2.weight' ]");
    expect(beyond[2]).toBe('true');
  });
});
