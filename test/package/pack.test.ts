// What `npm pack` ships, tried the way a user meets it: the tarball unpacked into a fresh project
// as node_modules/fingrad, imported from ES modules and from CommonJS, and type-checked with the
// repository's tsc. Needs the built package (dist/, made by `npm test` / `npm run build:ts`).
// The runtime dependencies are linked from the repository's node_modules instead of downloaded:
// that is all `npm install <tarball>` would add, and it keeps this test offline and fast.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const execFileAsync = promisify(execFile);

interface PackedFile { path: string }
let work = '';
let app = '';
let files: string[] = [];
let manifest: { version: string; exports: Record<string, unknown>; main: string; module: string; types: string; bin: Record<string, string>; dependencies: Record<string, string> };

/** Every string in an `exports` value (conditions nest). */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

const run = (file: string, flags: string[] = []): unknown => JSON.parse(execFileSync(process.execPath, [...flags, file], { cwd: app, encoding: 'utf8' }));

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cjs', 'index.cjs'))) throw new Error('dist/ is not built: run npm run build:ts (npm test does)');
  work = mkdtempSync(join(tmpdir(), 'fingrad-pack-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { filename: string; files: PackedFile[] }[];
  const pack = packed[0] as { filename: string; files: PackedFile[] };
  files = pack.files.map((f) => f.path);
  app = join(work, 'app');
  const installed = join(app, 'node_modules', 'fingrad');
  mkdirSync(installed, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  execFileSync('tar', ['xzf', join(work, pack.filename), '-C', installed, '--strip-components=1']);
  manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as typeof manifest;
  for (const dep of Object.keys(manifest.dependencies)) {
    const link = join(app, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), link, 'dir');
  }
});

afterAll(() => {
  if (work !== '' && process.env.KEEP_PACK === undefined) rmSync(work, { recursive: true, force: true });
});

describe('npm pack contents', () => {
  it('ships the licence, the readme and the sources the maps point at, no tests, benchmarks or reference twins', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files.filter((f) => /(^|\/)reference\//.test(f))).toEqual([]);
    expect(files.filter((f) => /^(test|bench|scripts|assembly|demo|build)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('holds every file that exports, main, types and bin name', () => {
    const named = [...targets(manifest.exports), manifest.main, manifest.module, manifest.types, ...Object.values(manifest.bin)];
    const missing = named.map((p) => posix.normalize(p)).filter((p) => !files.includes(p));
    expect(missing).toEqual([]);
    // both conditions for each entry point
    for (const [entry, value] of Object.entries(manifest.exports)) {
      if (entry === './package.json') continue;
      expect(Object.keys(value as object), entry).toEqual(['import', 'require']);
    }
  });

  it('every source map and every map comment points at a shipped file', () => {
    const broken: string[] = [];
    const shipped = new Set(files);
    for (const f of files) {
      if (f.endsWith('.map')) {
        const map = JSON.parse(readFileSync(join(app, 'node_modules', 'fingrad', f), 'utf8')) as { sources: string[] };
        for (const s of map.sources) if (!shipped.has(posix.join(posix.dirname(f), s))) broken.push(`${f} -> ${s}`);
      } else if (/\.c?js$/.test(f)) {
        const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(app, 'node_modules', 'fingrad', f), 'utf8'));
        if (m !== null && !shipped.has(posix.join(posix.dirname(f), m[1] as string))) broken.push(`${f} -> ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/**
 * The script both module systems run once the entry points are loaded (as fg, Table, fromNdarray,
 * toNdarray, exportOnnx): a tensor op, a backward, one core shared by the entry points, the same
 * product on 2 threads and on 1, class names; `afterThreads` runs while 2 threads are set, and
 * `fields` adds to the printed JSON.
 */
const workload = (resolved: string, afterThreads: string, fields: string): string => `
await fg.ready();
const a = fg.tensor([1, 2, 3], undefined, { requiresGrad: true });
const sum = fg.add(a, fg.tensor([10, 20, 30]));
fg.mul(a, a).sum().backward();
const back = fromNdarray(toNdarray(a));
const n = await fg.setNumThreads(2);
const x = fg.randn([384, 384]);
const two = fg.matmul(x, x).toFloat32Array();
${afterThreads}
await fg.setNumThreads(1);
const one = fg.matmul(x, x).toFloat32Array();
console.log(JSON.stringify({
  resolved: ${resolved},
  sum: sum.toArray(), grad: a.grad.toArray(), rows: Table.fromRows([{ x: 1 }, { x: 2 }]).nRows, nd: toNdarray(a).shape,
  sharedCore: back instanceof fg.Tensor, onnx: typeof exportOnnx, threads: n, sameProduct: one.every((v, i) => v === two[i]),
  names: [fg.LogisticRegression.name, new fg.MLPClassifier().constructor.name, fg.nn.Linear.name], ${fields}
}));
`;

const EXPECTED = {
  resolved: true, sum: [11, 22, 33], grad: [2, 4, 6], rows: 2, nd: [3], sharedCore: true, onnx: 'function', threads: 2, sameProduct: true,
  names: ['LogisticRegression', 'MLPClassifier', 'Linear'],
};

describe('the installed package', () => {
  it('runs from an ES module: the bundled node build, each entry point on one shared core, worker threads', () => {
    writeFileSync(join(app, 'esm.mjs'), `
import * as fg from 'fingrad';
import { Table } from 'fingrad/finance';
import { fromNdarray, toNdarray } from 'fingrad/ndarray';
import { exportOnnx } from 'fingrad/onnx';
${workload("import.meta.resolve('fingrad').endsWith('dist/node/index.js')", '', '')}`);
    expect(run('esm.mjs')).toEqual(EXPECTED);
  });

  it('runs the command line from its bin (the bundled node build)', () => {
    const bin = join(app, 'node_modules', 'fingrad', manifest.bin.fingrad as string);
    expect(manifest.bin.fingrad).toBe('./dist/node/cli/main.js');
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(execFileSync(process.execPath, [bin, '--version'], { cwd: app, encoding: 'utf8' }).trim()).toBe(manifest.version);
  });

  // Node before 20.19 cannot require() an ES module; --no-experimental-require-module makes a later
  // Node behave the same, so an ES-module-only dependency loaded by require() fails here.
  it('runs from CommonJS without require(esm): require() of each entry point, one shared core, worker threads start', () => {
    writeFileSync(join(app, 'cjs.cjs'), `
const fg = require('fingrad');
const { Table } = require('fingrad/finance');
const { fromNdarray, toNdarray } = require('fingrad/ndarray');
const { exportOnnx } = require('fingrad/onnx');
const { join, dirname } = require('node:path');
// the CommonJS module that runs the pool (not exported: reached by file, the same module instance)
const threads = require(join(dirname(require.resolve('fingrad')), 'backend', 'threads.cjs'));
(async () => {
${workload("require.resolve('fingrad').endsWith('dist/cjs/index.cjs')", 'const stats = threads.threadStats();', 'workerShares: stats.workerShares > 0,')}
})();
`);
    expect(run('cjs.cjs', ['--no-experimental-require-module'])).toEqual({ ...EXPECTED, workerShares: true });
  });

  it('type-checks under strict with node16 (ESM and CommonJS) and bundler resolution, no @types to install', async () => {
    const body = `
await fg.ready();
const x: fg.Tensor = fg.tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
const loss: fg.Tensor = fg.matmul(x, x).sum();
loss.backward();
const total: number = loss.item();
const table = Table.fromRows([{ income: 1, region: 'a' }, { income: 2, region: 'b' }]);
const rows: number = table.nRows;
const nd = toNdarray(x);
const back: fg.Tensor = fromNdarray(nd);
// @ts-expect-error a misspelled option: proves the declarations are read, not any
fg.tensor([1], undefined, { requiresGradd: true });
export { total, rows, back, exportOnnx };
`;
    const esm = `import * as fg from 'fingrad';\nimport { Table } from 'fingrad/finance';\nimport { fromNdarray, toNdarray } from 'fingrad/ndarray';\nimport { exportOnnx } from 'fingrad/onnx';\n${body}`;
    mkdirSync(join(app, 'node16'), { recursive: true });
    mkdirSync(join(app, 'bundler'), { recursive: true });
    writeFileSync(join(app, 'node16', 'check.mts'), esm);
    writeFileSync(join(app, 'node16', 'check.cts'), `import fg = require('fingrad');\nimport { Table } from 'fingrad/finance';\nimport { fromNdarray, toNdarray } from 'fingrad/ndarray';\nimport { exportOnnx } from 'fingrad/onnx';\nasync function main(): Promise<void> {\n${body.replace('export {', 'void [').replace('};', '];')}}\nexport { main };\n`);
    writeFileSync(join(app, 'bundler', 'check.ts'), esm);
    const base = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [] };
    // esModuleInterop off, the strictest setting for the CommonJS declarations (ndarray's `export =`)
    writeFileSync(join(app, 'node16', 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16', esModuleInterop: false }, include: ['*.mts', '*.cts'] }));
    writeFileSync(join(app, 'bundler', 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, include: ['*.ts'] }));
    // both projects at once: each tsc is mostly single-threaded
    const results = await Promise.all(['node16', 'bundler'].map((dir) =>
      execFileAsync(process.execPath, [TSC, '-p', join(app, dir)], { cwd: app, encoding: 'utf8' }).then(
        () => [dir, ''],
        (e: unknown) => [dir, String((e as { stdout?: string }).stdout ?? e)],
      ),
    ));
    expect(results).toEqual([['node16', ''], ['bundler', '']]);
  });
});
