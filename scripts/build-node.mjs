// The ESM build Node loads (package.json exports: the `node` condition under `import`; and `bin`,
// the command line), run by `npm run build:ts` after tsc: the four entry points and the CLI
// bundled with code splitting into dist/node/, so that importing fingrad reads a few files
// instead of ~210 modules: a fresh process's import took 14-17 ms against 67-86 ms (2026-12-03,
// 3 runs each), import + ready() + first op 27-41 ms against 72-105 ms. The entry points
// share their core as one chunk (one kernel instance, one Tensor class across fingrad,
// fingrad/finance, fingrad/onnx and fingrad/ndarray); each kernel build stays its own chunk,
// loaded by ready(). Packages stay external. Bundlers for browsers keep the per-module dist/
// (no `node` condition), which they tree-shake; CommonJS keeps dist/cjs/ (./build-cjs.mjs).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ENTRY_POINTS } from './build-cjs.mjs';
import { dropKernelModuleMaps } from './copy-wasm.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'node');

export async function buildNode() {
  rmSync(OUT, { recursive: true, force: true });
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries([...ENTRY_POINTS, 'cli/main'].map((e) => [e, `src/${e}.ts`])),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node18',
    packages: 'external',
    outdir: OUT,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    // Names survive bundling: two modules' classes of one name would otherwise be renamed
    // (`_LogisticRegression`), and constructor.name reaches messages, reprs and checkpoints.
    keepNames: true,
    logLevel: 'warning',
  });
  dropKernelModuleMaps(join(OUT, 'chunks'));
  return Object.keys(metafile.outputs).filter((f) => f.endsWith('.js')).length;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildNode();
}
