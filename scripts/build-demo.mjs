// Builds the browser demo into a self-contained static site: demo/dist/{index.html, main.js,
// main.css, worker.js, chunks/}. esbuild bundles uPlot into the page and fingrad (from src/) into
// the worker, each kernel build a chunk of its own; nothing is loaded from another origin, and
// uPlot stays a dev dependency: fingrad itself never imports it.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { copyKernelFiles } from './copy-wasm.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_DIR = join(ROOT, 'demo');
export const DEMO_DIST = join(DEMO_DIR, 'dist');
/** Files copied as they are. */
const STATIC = ['index.html', 'favicon.svg'];

/**
 * Bundles demo/main.ts (page, with its CSS) and demo/worker.ts (training) into `outdir` and
 * copies index.html and the icon beside them. Returns the output files with their sizes in bytes.
 */
export async function buildDemo({ outdir = DEMO_DIST, minify = true, logLevel = 'warning' } = {}) {
  // Chunk names carry a content hash: drop the previous build's, the fixed names are overwritten.
  await rm(join(outdir, 'chunks'), { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'demo/main.ts', worker: 'demo/worker.ts' },
    outdir,
    bundle: true,
    format: 'esm',
    // fingrad loads its kernel build with import(): chunks let a page fetch only the one it uses.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: 'linked',
    metafile: true,
    // Class names stay readable in fingrad's error messages and layer types.
    keepNames: true,
    logLevel,
  });
  for (const page of STATIC) await copyFile(join(DEMO_DIR, page), join(outdir, page));
  // The worker fetches its kernel build as a .wasm; the base64 chunks stay as the fallback.
  await rm(join(outdir, 'generated'), { recursive: true, force: true });
  copyKernelFiles(result.metafile);
  const files = Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, info]) => ({ file: resolve(ROOT, file), bytes: info.bytes }));
  return { outdir, files };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { outdir } = await buildDemo({ logLevel: 'info' });
  console.log(`demo built in ${relative(ROOT, outdir)}/`);
}
