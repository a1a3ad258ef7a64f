// The CommonJS build behind the package's `require` condition (dist/cjs/), run after tsc by
// `npm run build:ts`. One output file per source module, never one bundle per entry point: the
// entry points share the tensor core, and two bundled copies of it would hold two kernel
// instances and two Tensor classes (`require('fingrad/finance')` would not accept a tensor made by
// `require('fingrad')`). Relative imports stay imports, renamed .js -> .cjs; packages stay external.
// Declarations are tsc's, copied to .d.cts with the same renaming, so that TypeScript sees
// CommonJS types under the `require` condition (an ESM .d.ts there is error TS1479).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dropKernelModuleMaps } from './copy-wasm.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'cjs');

/** The package's entry points (package.json `exports`), as src/ modules. */
export const ENTRY_POINTS = ['index', 'finance/index', 'onnx/index', 'interop/ndarray'];

const RELATIVE = /^\.\.?\//;

/** Every src/ module the entry points reach at run time (esbuild's view of the import graph). */
async function reachableModules() {
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS.map((e) => `src/${e}.ts`),
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: 'unused',
    logLevel: 'silent',
  });
  return Object.keys(metafile.inputs).filter((f) => f.startsWith('src/') && f.endsWith('.ts'));
}

async function buildJs(modules) {
  const relativeStaysExternal = {
    name: 'relative-stays-external',
    setup(b) {
      b.onResolve({ filter: RELATIVE }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path.replace(/\.js$/, '.cjs'), external: true }));
    },
  };
  await build({
    absWorkingDir: ROOT,
    entryPoints: modules,
    outbase: 'src',
    outdir: OUT,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    sourcesContent: false, // the maps point at src/, which the package ships
    // A CommonJS module has no URL: src/backend/wasm.ts then finds no .wasm file to fetch and
    // uses the embedded base64 build, which is Node's path in any case.
    define: { 'import.meta.url': 'undefined' },
    plugins: [relativeStaysExternal],
    logLevel: 'warning',
  });
}

const SPECIFIER = /((?:from|import\(|declare module)\s*['"])(\.\.?\/[^'"]+?)\.js(['"])/g;
const PACKAGE_IMPORT = /^(import type [^;]*? from '([^.'][^']*)');$/gm;

/** Whether a dependency is ES-module only (no `require` condition), as hyparquet is. */
function esmOnly(specifier) {
  const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
  return pkg.type === 'module' && !JSON.stringify(pkg.exports ?? {}).includes('"require"');
}

// A CommonJS declaration file may take types from an ES-module-only package only with
// `resolution-mode: import` (TypeScript >= 5.3); without it TypeScript reports TS1479.
function cjsDeclaration(text) {
  return text
    .replace(SPECIFIER, '$1$2.cjs$3')
    .replace(PACKAGE_IMPORT, (line, head, specifier) => (esmOnly(specifier) ? `${head} with { 'resolution-mode': 'import' };` : line))
    .replace(/\/\/# sourceMappingURL=.*\n?$/, '');
}

/** Copies the declarations the entry points reach to .d.cts files with .cjs specifiers. */
function copyDeclarations() {
  const seen = new Set();
  const queue = ENTRY_POINTS.map((e) => join(DIST, `${e}.d.ts`));
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(SPECIFIER)) queue.push(resolve(dirname(file), `${m[2]}.d.ts`));
    const target = join(OUT, relative(DIST, file)).replace(/\.d\.ts$/, '.d.cts');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, cjsDeclaration(text));
  }
  return seen.size;
}

export async function buildCjs() {
  rmSync(OUT, { recursive: true, force: true });
  const modules = await reachableModules();
  await buildJs(modules);
  dropKernelModuleMaps(join(OUT, 'backend', 'generated'));
  const declarations = copyDeclarations();
  return { modules: modules.length, declarations };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildCjs();
}
