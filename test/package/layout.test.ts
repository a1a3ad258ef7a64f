// The layout rules a reviewer would otherwise check by hand (CONTRIBUTING.md): no source file
// over 400 lines without a stated reason at its top; no method attached to a class from outside
// it (Tensor.prototype.x = …, a declare-module augmentation: the types would promise methods that
// may not be loaded); kernels called only from the kernel layer.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIMIT = 400;
const REASON = '// Over 400 lines because';
// Written by scripts/build-wasm.mjs, not by hand.
const GENERATED = 'src/backend/generated';
const ATTACH = /\b[A-Z][\w$]*\.prototype\.[\w$]+\s*=(?!=)|Object\.(assign|defineProperty|defineProperties)\(\s*[A-Z][\w$]*\.prototype\b|declare module '\.\.?\//;
// Where WebAssembly kernels may be called from: the kernel layer and the backend under it.
const KERNEL_CALLERS = ['src/kernels/', 'src/backend/'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return path === GENERATED ? [] : sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const files = [...sources('src'), ...sources('assembly')].map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));

describe('source layout', () => {
  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.path === 'src/tensor/tensor.ts')).toBe(true);
    expect(files.some((f) => f.path.startsWith(GENERATED))).toBe(false);
  });

  it(`has no file over ${LIMIT} lines unless its first lines say why ("${REASON} …")`, () => {
    const over = files.flatMap(({ path, text }) => {
      const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
      if (lines.length <= LIMIT) return [];
      return lines.slice(0, 5).some((l) => l.startsWith(REASON)) ? [] : [`${path}: ${lines.length} lines`];
    });
    expect(over).toEqual([]);
  });

  it('attaches no method to a class from outside it', () => {
    const attached = files.flatMap(({ path, text }) =>
      text.split('\n').flatMap((line, i) => (ATTACH.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(attached).toEqual([]);
  });

  it('calls kernels() only from src/kernels/ and src/backend/', () => {
    const calls = files.filter(({ path }) => path.startsWith('src/') && !KERNEL_CALLERS.some((d) => path.startsWith(d)) && /\bkernels\(\)/.test(readFileSync(join(ROOT, path), 'utf8')));
    expect(calls.map((f) => f.path)).toEqual([]);
  });

  it("lists in the README's layout section every folder of src/ and nothing that is not there", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = /## Layout\n+```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const listed = section.split('\n').map((l) => /^(\S+)\s/.exec(l)?.[1]).filter((p): p is string => p !== undefined);
    expect(listed.length).toBeGreaterThan(10);
    expect(listed.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `src/${e.name}/`);
    expect(folders.filter((f) => !listed.includes(f))).toEqual([]);
  });

  it('has each README section once (a merge once left seven of them twice, the stale copy second)', () => {
    const headings = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').filter((l) => /^#{1,3} /.test(l));
    expect(headings.length).toBeGreaterThan(10);
    expect(headings.filter((h, i) => headings.indexOf(h) !== i)).toEqual([]);
  });
});
