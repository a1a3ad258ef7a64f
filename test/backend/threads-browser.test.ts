// Threads in a browser: a cross-origin isolated page (COOP + COEP) gets a shared memory, Web
// Workers from a Blob URL, and a main thread that spins instead of blocking; a page whose CSP
// forbids blob: workers stays on one thread with a warning instead of failing.
import { describe, expect, it } from 'vitest';
import { bundleForBrowser, haveChromium, launchChromium, pageResult, serveModulePageForSuite } from '../support/chromium.js';

// The public API plus the dispatch counters, which show that workers ran.
const ENTRY = `export * from './src/index.ts';
export { threadGuard, threadStats } from './src/backend/threads.ts';`;

const bundle = (): Promise<string> => bundleForBrowser({ stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: 'ts' } });

const MAIN = `import * as fg from './fingrad.js';
try {
  const warnings = [];
  const warn = console.warn;
  console.warn = (m) => { warnings.push(String(m)); warn(m); };
  const info = await fg.ready();
  // Every product is to be shared out: no load guard (threads.test.ts tests it).
  fg.threadGuard.enabled = false;
  const a = fg.randn([300, 257]);
  const b = fg.randn([257, 263]);
  const single = a.matmul(b).data.slice();
  const threads = await fg.setNumThreads(2);
  const before = fg.threadStats();
  let threaded;
  // Several products, so that a worker slow to wake still gets a share.
  for (let i = 0; i < 20; i++) threaded = fg.tidy(() => a.matmul(b).data.slice());
  const after = fg.threadStats();
  const dispatches = after.dispatches - before.dispatches;
  const workerShares = after.workerShares - before.workerShares;
  let diffs = 0;
  for (let i = 0; i < single.length; i++) if (!Object.is(single[i], threaded[i])) diffs++;
  window.result = { isolated: self.crossOriginIsolated, info, threads, dispatches, workerShares, diffs, warnings };
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
`;

describe.skipIf(!haveChromium)('threads in headless Chromium', () => {
  const origin = serveModulePageForSuite({
    bundle,
    main: MAIN,
    headers: (url) => {
      const blobWorkers = url.searchParams.get('csp') !== 'strict' ? ' blob:' : '';
      return {
        // Cross-origin isolation gives the page SharedArrayBuffer.
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Content-Security-Policy': `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'${blobWorkers}`,
      };
    },
  });

  async function runPage(query: string): Promise<Record<string, unknown>> {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      const result = await pageResult<Record<string, unknown>>(page, `${origin()}/index.html${query}`);
      expect(errors).toEqual([]);
      return result;
    } finally {
      await browser.close();
    }
  }

  it('runs a product on two threads, equal bit for bit to one thread', async () => {
    const r = await runPage('');
    expect(r.error).toBeUndefined();
    expect(r.isolated).toBe(true);
    expect(r.info).toMatchObject({ sharedMemory: true });
    // Two dispatches per product (B packed on both threads, then the row blocks), 20 products.
    expect(r).toMatchObject({ threads: 2, dispatches: 40, diffs: 0, warnings: [] });
    expect(r.workerShares).toBeGreaterThan(0);
  });

  it('stays on one thread, with a warning, when the CSP forbids blob: workers', async () => {
    const r = await runPage('?csp=strict');
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ isolated: true, threads: 1, dispatches: 0, workerShares: 0, diffs: 0 });
    expect(r.warnings).toEqual([expect.stringMatching(/worker threads could not start.*running on 1 thread/)]);
  });
});
