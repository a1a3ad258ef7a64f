// The README's inspection example (the block with `fg.summary(` in README.md) runs
// as written against src/ (through tsx) and prints what its comments say; the figures are
// recomputed here independently.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function example(): string {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const block = text.split('<!-- readme-example').map((part) => /```ts\n([\s\S]*?)```/.exec(part)?.[1]).find((b) => b?.includes('fg.summary('));
  if (block === undefined) throw new Error('no readme-example block with fg.summary( in README.md');
  return block;
}

function run(code: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'fingrad-inspect-readme-'));
  const file = join(dir, 'example.mts');
  writeFileSync(file, code.replace(/from 'fingrad'/g, `from '${pathToFileURL(join(root, 'src', 'index.ts')).href}'`));
  return execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', cwd: root }).trim().split('\n');
}

describe('README inspection example', () => {
  it('runs as written and prints the summary, hook, graph, statistics and anomaly its comments show', () => {
    const code = example();
    expect(code.trim().split('\n').length).toBeLessThanOrEqual(16);
    const out = run(code);
    const text = out.join('\n');

    // the same model and data, recomputed here
    fg.manualSeed(0);
    const model = new fg.nn.Sequential(new fg.nn.Linear(4, 8), new fg.nn.ReLU(), new fg.nn.Linear(8, 1));
    const x = fg.randn([32, 4], { generator: new fg.Generator(1) });
    expect(text).toContain(`Total params: ${model.parameterCount()}`);
    expect(model.parameterCount()).toBe(49);

    const l0 = model.at(0) as fg.nn.Linear;
    const hidden = fg.linear(x, l0.weight, l0.bias).toFloat32Array();
    const dead = hidden.filter((v) => !(v > 0)).length / hidden.length;
    expect(out.find((l) => l.startsWith('dead ReLU share'))).toBe(`dead ReLU share ${dead}`);

    expect(out.filter((l) => /^ {2}t\d+\[/.test(l)).map((l) => /\["(\w+)/.exec(l)?.[1])).toEqual(['linear', 'relu', 'linear', 'mseLoss']);
    expect(text).toContain('("0.weight<br/>[8, 4]")');

    fg.mseLoss(model.forward(x), fg.zeros([32, 1])).backward();
    const norms = model.namedParameters().map(([n, p]) => `${n} ${Math.hypot(...(p.grad as fg.Tensor).data).toFixed(4)}`);
    expect(out).toContain(norms.join(', '));

    const cols = [0, 1, 2, 3].map((j) => Array.from({ length: 32 }, (_, i) => x.data[i * 4 + j] as number));
    const stds = cols.map((c) => {
      const m = c.reduce((a, b) => a + b, 0) / c.length;
      return Math.sqrt(c.reduce((a, b) => a + (b - m) ** 2, 0) / (c.length - 1));
    });
    const printed = /\[([-\d.,\s]+)\] \[ 2, 4 \]/.exec(text)?.[1] as string;
    const values = printed.split(',').map(Number);
    expect(values).toHaveLength(4);
    values.forEach((v, j) => expect(v).toBeCloseTo(stds[j] as number, 5));

    expect(out.at(-1)).toMatch(/^detectAnomaly: backward of 'sqrt' made Infinity in the gradient of input 0 \[\]/);
    model.dispose();
  });
});
