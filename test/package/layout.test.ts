// The layout rules a reviewer would otherwise check by hand (CONTRIBUTING.md): no source file
// over 400 lines without a stated reason at its top, and no method attached to Tensor.prototype
// from outside the class (the types would promise methods that may not be loaded).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIMIT = 400;
const REASON = '// Over 400 lines because';
// Written by scripts/build-wasm.mjs, not by hand.
const GENERATED = 'src/backend/generated';
const ATTACH = /\bTensor\.prototype\.[\w$]+\s*=(?!=)|Object\.(assign|defineProperty|defineProperties)\(\s*Tensor\.prototype\b/;

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

  it('attaches no method to Tensor.prototype outside the class', () => {
    const attached = files.flatMap(({ path, text }) =>
      text.split('\n').flatMap((line, i) => (ATTACH.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(attached).toEqual([]);
  });
});
