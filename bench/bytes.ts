// Bytes a browser downloads for a page that trains with fingrad: esbuild bundles bench/bytes/page.ts
// (tensors, autograd, nn, optim) with code splitting and minification, as a site would ship it,
// next to the kernel builds' .wasm files (scripts/copy-wasm.mjs). Headless Chromium opens the page
// from a loopback server and every response it receives is counted, raw and gzipped (zlib level
// 9, what a static server precompresses with); the page's HTML is left out. Where Chromium is
// missing, the files a browser would fetch are predicted from esbuild's metafile instead: the
// entry, its static imports and the .wasm of the build a page without cross-origin isolation
// selects. `withoutWasmFiles` leaves the .wasm out, for the embedded fallback's cost.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
// @ts-expect-error: a plain .mjs script, no type declarations
import { copyKernelFiles } from '../scripts/copy-wasm.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const HTML = '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>';
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

/** The budget: a training page downloads at most this much, gzipped, JS and WASM together. */
export const BYTES_BUDGET_GZIP = 150 * 1024;

export interface FetchedFile {
  /** Path under the bundle's directory. */
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface BytesResult {
  /** 'chromium': the files the page fetched; 'metafile': predicted where Chromium is missing. */
  measuredBy: 'chromium' | 'metafile';
  files: FetchedFile[];
  totalBytes: number;
  totalGzipBytes: number;
  /** What the page reported (the build it loaded, first and last training loss). */
  page: unknown;
  /** Every file esbuild wrote, fetched or not (the other builds' chunks and files). */
  bundle: FetchedFile[];
}

function sizeOf(dir: string, path: string): FetchedFile {
  const body = readFileSync(join(dir, path));
  return { path, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
}

function summarise(measuredBy: BytesResult['measuredBy'], files: FetchedFile[], page: unknown, bundle: FetchedFile[]): BytesResult {
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  return {
    measuredBy, files: sorted, page, bundle,
    totalBytes: sorted.reduce((s, f) => s + f.bytes, 0),
    totalGzipBytes: sorted.reduce((s, f) => s + f.gzipBytes, 0),
  };
}

/** The entry's output and its static imports, transitively (what a browser loads before running it). */
function staticClosure(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  return [...seen];
}

/** Bundles the sample page and counts what a browser fetches to run it. */
export async function measureBrowserBytes(options: { withoutWasmFiles?: boolean; useChromium?: boolean } = {}): Promise<BytesResult> {
  const outdir = mkdtempSync(join(tmpdir(), 'fingrad-bytes-'));
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: { page: 'bench/bytes/page.ts' },
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      metafile: true,
      logLevel: 'error',
    });
    if (options.withoutWasmFiles !== true) copyKernelFiles(result.metafile, ROOT);
    const rel = (file: string): string => relative(outdir, resolve(ROOT, file)).replace(/\\/g, '/');
    const written = [...Object.keys(result.metafile.outputs).map(rel), ...(options.withoutWasmFiles === true ? [] : ['generated/fingrad-simd.wasm', 'generated/fingrad-simd-mt.wasm', 'generated/fingrad-relaxed.wasm', 'generated/fingrad-relaxed-mt.wasm'])];
    const bundle = written.map((p) => sizeOf(outdir, p));
    if (options.useChromium === false || !existsSync(CHROMIUM)) {
      const entry = Object.keys(result.metafile.outputs).find((f) => rel(f) === 'page.js') as string;
      const predicted = staticClosure(result.metafile, entry).map(rel);
      predicted.push(options.withoutWasmFiles === true ? (written.find((p) => /wasm-relaxed-[A-Z0-9]+\.js$/.test(p)) as string) : 'generated/fingrad-relaxed.wasm');
      return summarise('metafile', predicted.map((p) => sizeOf(outdir, p)), null, bundle);
    }
    return await runInChromium(outdir, bundle);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function runInChromium(outdir: string, bundle: FetchedFile[]): Promise<BytesResult> {
  const fetched: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    if (path === 'index.html') {
      res.writeHead(200, { 'Content-Type': TYPES['.html'] }).end(HTML);
      return;
    }
    const file = resolve(outdir, path);
    if (!file.startsWith(outdir) || !existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    fetched.push(path);
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`);
    await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
    const reported = await page.evaluate(() => (window as unknown as { result: unknown }).result);
    return summarise('chromium', fetched.map((p) => sizeOf(outdir, p)), reported, bundle);
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
