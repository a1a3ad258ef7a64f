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
    // Class names survive: converting a module to CommonJS renamed LogisticRegression and
    // MLPClassifier to _LogisticRegression and _MLPClassifier (their constructor.name, which
    // messages and inspect print); test/package/pack.test.ts checks the names from both builds.
    keepNames: true,
    plugins: [relativeStaysExternal],
    logLevel: 'warning',
  });
}

const SPECIFIER = /((?:from|import\(|declare module)\s*['"])(\.\.?\/[^'"]+?)\.js(['"])/g;
const PACKAGE_IMPORT = /^import (type )?(.+?) from '([^.'][^']*)';$/gm;

function packageJson(name) {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
}

const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Whether a dependency is ES-module only (no `require` condition), as hyparquet is. */
function esmOnly(specifier) {
  const pkg = packageJson(packageName(specifier));
  return pkg.type === 'module' && !JSON.stringify(pkg.exports ?? {}).includes('"require"');
}

/** Whether a CommonJS dependency's types declare `export =` (ndarray's, in @types/ndarray). */
function exportEquals(specifier) {
  const name = packageName(specifier);
  for (const dir of [name, `@types/${name.replace(/^@([^/]+)\//, '$1__')}`]) {
    let pkg;
    try {
      pkg = packageJson(dir);
    } catch {
      continue;
    }
    const types = pkg.types ?? pkg.typings;
    if (dir === name && types === undefined) continue;
    return /^export\s*=/m.test(readFileSync(join(ROOT, 'node_modules', dir, types ?? 'index.d.ts'), 'utf8'));
  }
  return false;
}

// Imports of packages in a CommonJS declaration file: from an ES-module-only package only with
// `resolution-mode: import` (TypeScript >= 5.3; without it, error TS1479); the default import
// of an `export =` package as `import x = require(…)`, which needs no esModuleInterop.
function cjsPackageImport(line, typeOnly, clause, specifier) {
  if (esmOnly(specifier)) return `import type ${clause} from '${specifier}' with { 'resolution-mode': 'import' };`;
  if (/^\w+$/.test(clause) && exportEquals(specifier)) return `import ${typeOnly ?? ''}${clause} = require('${specifier}');`;
  return line;
}

function cjsDeclaration(file, text) {
  const out = text
    .replace(SPECIFIER, '$1$2.cjs$3')
    .replace(PACKAGE_IMPORT, (line, typeOnly, clause, specifier) => cjsPackageImport(line, typeOnly, clause, specifier))
    .replace(/\/\/# sourceMappingURL=.*\n?$/, '');
  // An inline import("…") type of an ES-module-only package is not rewritten above: fail loudly.
  for (const [, specifier] of out.matchAll(/import\(\s*['"]([^.'"][^'"]*)['"]/g)) {
    if (!specifier.startsWith('node:') && esmOnly(specifier)) throw new Error(`build-cjs: ${relative(ROOT, file)} has an inline import('${specifier}') type; extend cjsDeclaration`);
  }
  return out;
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
    writeFileSync(target, cjsDeclaration(file, text));
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
