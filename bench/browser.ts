// Matmul in headless Chromium: fingrad vs tfjs-wasm, 1 and 2 threads. tfjs-wasm's threaded build
// cannot start in Node (its pthread workers are blob: URLs, which worker_threads rejects), so the
// comparison on threads runs in a cross-origin isolated page, where both engines get
// SharedArrayBuffer and blob: workers. esbuild bundles bench/browser/page.ts (fingrad from src/,
// tfjs-core + tfjs-backend-wasm); a loopback server sends it with COOP + COEP, and tfjs's .wasm
// files from node_modules. tfjs fixes its thread count when its backend starts, so there is one
// page per tfjs thread count, both open at once, and the cells (engine × threads × size) are
// measured one after another in rounds, in a rotating order; every figure is the median of the
// rounds' medians.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { BenchWindow, Engine, MeasureReply, MeasureRequest, PageInfo } from './browser/protocol.js';
import { gflops, median } from './support/measure.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
const THREAD_COUNTS = [1, 2] as const;

export interface BrowserRow {
  shape: string;
  m: number;
  k: number;
  n: number;
  /** GFLOP/s, median over rounds. */
  fingrad1: number;
  fingrad2: number;
  tfjs1: number;
  tfjs2: number;
  /** Each round's median GFLOP/s per column, in round order. */
  rounds: Record<'fingrad1' | 'fingrad2' | 'tfjs1' | 'tfjs2', number[]>;
}

export interface BrowserResult {
  chromium: string;
  /** What each page (one per tfjs thread count) reports as active. */
  pages: Array<{ tfjsThreads: number; reportedCores: number; info: PageInfo }>;
  /** The tfjs .wasm binaries the pages fetched (which build tfjs chose). */
  tfjsWasmFetched: string[];
  rounds: number;
  rows: BrowserRow[];
}

export interface BrowserOptions {
  sizes?: number[];
  rounds?: number;
  /** Timed loop per cell per round. */
  minMs?: number;
  minRuns?: number;
}

async function bundlePage(): Promise<string> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['bench/browser/page.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  const out = result.outputFiles[0];
  if (out === undefined) throw new Error('browser bench: esbuild produced no bundle');
  return out.text;
}

/** Serves the page, its bundle and tfjs's .wasm files on 127.0.0.1, cross-origin isolated. */
async function serve(pageJs: string, fetched: Set<string>): Promise<{ server: Server; origin: string }> {
  const html = await readFile(join(ROOT, 'bench/browser/index.html'), 'utf8');
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  const server = createServer((req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cache-Control', 'no-store');
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
    } else if (path === '/page.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(pageJs);
    } else if (path.startsWith('/tfjs/') && TFJS_WASM_FILES.includes(path.slice(6))) {
      const name = path.slice(6);
      fetched.add(name);
      readFile(join(wasmDir, name)).then(
        (bytes) => res.writeHead(200, { 'Content-Type': 'application/wasm' }).end(bytes),
        (e: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(e)),
      );
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function openPage(page: Page, url: string): Promise<PageInfo> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => {
    const w = window as unknown as BenchWindow;
    return w.fingradBench !== undefined || w.fingradBenchError !== undefined;
  }, undefined, { timeout: 120_000 });
  const { info, error } = await page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    return { info: w.fingradBench?.info, error: w.fingradBenchError };
  });
  if (info === undefined) throw new Error(`browser bench: page ${url} failed: ${error ?? errors.join('; ')}`);
  return info;
}

const measureIn = (page: Page, request: MeasureRequest): Promise<MeasureReply> =>
  page.evaluate((r) => {
    const api = (window as unknown as BenchWindow).fingradBench;
    if (api === undefined) throw new Error('fingradBench is not loaded');
    return api.measure(r);
  }, request);

/**
 * Runs the browser benchmark, or returns null (saying why) where /usr/bin/chromium or
 * playwright-core is missing.
 */
export async function benchBrowser(options: BrowserOptions = {}): Promise<BrowserResult | null> {
  const { sizes = [512, 1024], rounds = 5, minMs = 1000, minRuns = 5 } = options;
  if (!existsSync(CHROMIUM)) {
    console.log(`\nbrowser suite skipped: ${CHROMIUM} not found (install Debian's chromium to run it)`);
    return null;
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    console.log(`\nbrowser suite skipped: playwright-core not available (${String(e)})`);
    return null;
  }
  const fetched = new Set<string>();
  const { server, origin } = await serve(await bundlePage(), fetched);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }).catch(async (e: unknown) => {
    server.close();
    throw e;
  });
  try {
    // One context (and so one renderer process) per tfjs thread count.
    const pages = new Map<number, Page>();
    const infos: BrowserResult['pages'] = [];
    for (const threads of THREAD_COUNTS) {
      const context = await browser.newContext();
      const page = await context.newPage();
      // tfjs-wasm caps XNNPACK's threads at navigator.hardwareConcurrency / 2 (it assumes two
      // hardware threads per core), so on a 2-core machine setThreadsCount(2) would give 1: the
      // page reports 2 cores per tfjs thread asked for. fingrad never reads hardwareConcurrency.
      const reportedCores = 2 * threads;
      await (await context.newCDPSession(page)).send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: reportedCores });
      const info = await openPage(page, `${origin}/index.html?tfjsThreads=${threads}`);
      if (info.tfjs.threads !== threads) {
        throw new Error(`browser bench: tfjs-wasm runs ${info.tfjs.threads} threads after setThreadsCount(${threads})`);
      }
      infos.push({ tfjsThreads: threads, reportedCores, info });
      pages.set(threads, page);
    }
    const fingradPage = pages.get(1) as Page;
    const cells: Array<{ engine: Engine; threads: number; key: keyof BrowserRow['rounds'] }> = [
      { engine: 'fingrad', threads: 1, key: 'fingrad1' },
      { engine: 'tfjs', threads: 1, key: 'tfjs1' },
      { engine: 'fingrad', threads: 2, key: 'fingrad2' },
      { engine: 'tfjs', threads: 2, key: 'tfjs2' },
    ];
    const perRound = new Map(sizes.map((s) => [s, { fingrad1: [], fingrad2: [], tfjs1: [], tfjs2: [] } as BrowserRow['rounds']]));
    for (let round = 0; round < rounds; round++) {
      const order = cells.map((_, i) => cells[(i + round) % cells.length] as (typeof cells)[number]);
      for (const size of sizes) {
        for (const { engine, threads, key } of order) {
          const page = engine === 'fingrad' ? fingradPage : (pages.get(threads) as Page);
          const reply = await measureIn(page, { engine, threads, size, minMs, minRuns });
          perRound.get(size)?.[key].push(gflops(2 * size ** 3, reply.medianMs));
        }
      }
    }
    const rows = sizes.map((size): BrowserRow => {
      const r = perRound.get(size) as BrowserRow['rounds'];
      return {
        shape: `${size}×${size}·${size}×${size}`, m: size, k: size, n: size,
        fingrad1: median(r.fingrad1), fingrad2: median(r.fingrad2), tfjs1: median(r.tfjs1), tfjs2: median(r.tfjs2),
        rounds: r,
      };
    });
    return { chromium: browser.version(), pages: infos, tfjsWasmFetched: [...fetched].sort(), rounds, rows };
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** One line per page: the builds and features each engine runs with. */
export function describeBrowser(result: BrowserResult): string[] {
  return [
    `Chromium ${result.chromium}; tfjs fetched ${result.tfjsWasmFetched.join(', ') || 'no .wasm'}`,
    ...result.pages.map(({ tfjsThreads, reportedCores, info }) => {
      const f = info.fingrad;
      const t = info.tfjs;
      return `page tfjsThreads=${tfjsThreads}: isolated ${info.crossOriginIsolated}, hardwareConcurrency ${info.hardwareConcurrency} (set to ${reportedCores}); `
        + `fingrad ${f.build} (relaxed SIMD ${f.relaxedSimd}, shared memory ${f.sharedMemory}, up to ${f.maxThreads} threads); `
        + `tfjs ${t.version} ${t.backend} (SIMD ${t.simd}, threads support ${t.multithread}, XNNPACK threads ${t.threads})`
        + (info.warnings.length > 0 ? `; warnings: ${info.warnings.join(' | ')}` : '');
    }),
  ];
}
