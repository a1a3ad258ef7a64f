// The kernel builds' .wasm files (scripts/build-wasm.mjs writes them to src/backend/generated/)
// must sit in `generated/` beside the code of src/backend/wasm.ts, whose
// `new URL('./generated/…', import.meta.url)` a browser fetches. tsc copies no .wasm, and esbuild
// does not follow such URLs: run directly (npm run build:ts) this copies them into dist/;
// `copyKernelFiles` does it for an esbuild bundle (the demo, bench/bytes.ts).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED = join(ROOT, 'src', 'backend', 'generated');

/** Copies every build's .wasm into `dir`; returns the paths written. */
export function copyWasmInto(dir) {
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(GENERATED).filter((f) => f.endsWith('.wasm'));
  if (files.length === 0) throw new Error(`no .wasm in ${GENERATED}: run npm run build:wasm`);
  return files.map((f) => {
    copyFileSync(join(GENERATED, f), join(dir, f));
    return join(dir, f);
  });
}

/**
 * For an esbuild build with `metafile: true` (paths relative to `absWorkingDir`, default the
 * repository root): copies the .wasm files into `generated/` beside each output file that holds
 * src/backend/wasm.ts. Returns the paths written.
 */
export function copyKernelFiles(metafile, workingDir = ROOT) {
  const holders = Object.entries(metafile.outputs)
    .filter(([, out]) => Object.keys(out.inputs).some((i) => i.replace(/\\/g, '/').endsWith('src/backend/wasm.ts')))
    .map(([file]) => dirname(resolve(workingDir, file)));
  if (holders.length === 0) throw new Error('copyKernelFiles: no output holds src/backend/wasm.ts');
  return [...new Set(holders)].flatMap((dir) => copyWasmInto(join(dir, 'generated')));
}

/**
 * Removes the source maps of the compiled base64 kernel modules (`wasm-simd*.js`, `.cjs` in `dir`)
 * and the comments that point at them: a map of one string literal helps no debugger, and the
 * package does not ship the 200 KB sources they would point at (package.json `files`).
 */
export function dropKernelModuleMaps(dir) {
  for (const f of readdirSync(dir).filter((name) => /^wasm-(simd|relaxed).*\.c?js$/.test(name))) {
    const file = join(dir, f);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'));
    if (existsSync(`${file}.map`)) rmSync(`${file}.map`);
  }
}

/**
 * Removes tsc's outputs in `dist` (`x.js`, `x.d.ts` and their maps) whose `src/x.ts` no longer
 * exists: tsc's incremental build never deletes them, and `files: ["dist"]` would ship them.
 */
export function pruneStaleOutputs(dist = join(ROOT, 'dist'), src = join(ROOT, 'src')) {
  const removed = [];
  const walk = (dir, rel) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (rel === '' && (entry.name === 'cjs' || entry.name === 'node')) continue; // rebuilt whole by build-cjs.mjs, build-node.mjs
        walk(path, join(rel, entry.name));
        continue;
      }
      const stem = entry.name.match(/^(.*?)\.(js|d\.ts)(\.map)?$/)?.[1];
      if (stem !== undefined && !existsSync(join(src, rel, `${stem}.ts`))) {
        rmSync(path);
        removed.push(join(rel, entry.name));
      }
    }
  };
  if (existsSync(dist)) walk(dist, '');
  return removed;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stale = pruneStaleOutputs();
  if (stale.length > 0) console.log(`dist: removed ${stale.length} outputs of deleted sources`);
  const generated = join(ROOT, 'dist', 'backend', 'generated');
  copyWasmInto(generated);
  dropKernelModuleMaps(generated);
}
