// The browser demo (demo/): built by scripts/build-demo.mjs, served by scripts/serve-demo.mjs with
// its strict CSP and COOP/COEP, then driven in headless Chromium through its form: it must train
// both models without a page error or CSP violation and draw what it trained.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, closeServer, haveChromium, launchChromium } from '../support/chromium.js';
// @ts-expect-error: plain .mjs scripts, no type declarations
import { buildDemo } from '../../scripts/build-demo.mjs';
// @ts-expect-error: plain .mjs scripts, no type declarations
import { serveDemo } from '../../scripts/serve-demo.mjs';

if (!haveChromium) console.warn(`browser demo test skipped: ${CHROMIUM} not found (apt-get install chromium)`);

const SCREENSHOT = '/tmp/fingrad-demo.png';
const SETTINGS = { rows: '3000', epochs: '20', hidden: '16, 8', lr: '0.005', batch: '32', seed: '3' };
const EPOCHS = Number(SETTINGS.epochs);

interface BuiltDemo {
  outdir: string;
  files: Array<{ file: string; bytes: number }>;
}

// What the page's `window.fingradDemo` holds, as far as the test reads it.
interface PageView {
  loss: number[][];
  grads: number[][];
  rocPoints: number;
  progress: { value: number; max: number; label: string };
  isolated: boolean;
  results: Array<{ model: string; accuracy: number; auc: number; logLoss: number }>;
  status: string;
}

describe('browser demo', () => {
  let built: BuiltDemo;
  let server: Server;
  let origin = '';

  beforeAll(async () => {
    built = (await buildDemo({ outdir: mkdtempSync(join(tmpdir(), 'fingrad-demo-')), logLevel: 'silent' })) as BuiltDemo;
    ({ server, origin } = (await serveDemo({ root: built.outdir, port: 0 })) as { server: Server; origin: string });
  });
  afterAll(async () => {
    await closeServer(server);
    rmSync(built.outdir, { recursive: true, force: true });
  });

  it('builds a static site: the page bundle carries uPlot, the worker carries fingrad', () => {
    const named = new Map(built.files.map((f) => [basename(f.file), f]));
    for (const name of ['main.js', 'main.css', 'worker.js']) expect(named.has(name), name).toBe(true);
    for (const name of ['index.html', 'favicon.svg']) expect(existsSync(join(built.outdir, name)), name).toBe(true);
    const main = readFileSync(join(built.outdir, 'main.js'), 'utf8');
    expect(/uplot/i.test(main)).toBe(true);
    expect(main.includes('MLPClassifier')).toBe(false);
    const js = built.files.filter((f) => f.file.endsWith('.js')).map((f) => readFileSync(f.file, 'utf8')).join('\n');
    // Booleans, not toMatch: a failure should not print a megabyte of bundle.
    expect(js.includes('MLPClassifier')).toBe(true);
    expect(/from ?["']node:/.test(js)).toBe(false);
    expect(js.includes('new Function')).toBe(false); // eval is caught at run time: the CSP forbids it
  });

  it('serves with a strict CSP and cross-origin isolation, and nothing outside the site', async () => {
    const res = await fetch(`${origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'");
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect((await fetch(`${origin}/../package.json`)).status).toBe(404);
    expect((await fetch(`${origin}/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${origin}/main.js`, { method: 'POST' })).status).toBe(405);
  });

  it.skipIf(!haveChromium)('trains both models in headless Chromium and draws them live', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.on('worker', (w) => {
        w.on('console', (m) => {
          if (m.type() === 'error') errors.push(`worker console: ${m.text()}`);
        });
      });
      // Runs before the page's scripts, outside its CSP: records violations and every progress
      // label shown, to see the bar move while training rather than only jump to the end.
      await page.addInitScript(() => {
        const w = window as unknown as { cspViolations: string[]; progressSeen: string[] };
        w.cspViolations = [];
        w.progressSeen = [];
        document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`));
        document.addEventListener('DOMContentLoaded', () => {
          const label = document.getElementById('progress-label');
          if (label === null) return;
          new MutationObserver(() => w.progressSeen.push(label.textContent ?? '')).observe(label, { childList: true, characterData: true, subtree: true });
        });
      });

      const kernelChunks: string[] = [];
      page.on('request', (r) => {
        if (/\/chunks\/wasm-[^/]*\.js$|\/fingrad-[a-z-]+\.wasm$/.test(r.url())) kernelChunks.push(r.url());
      });

      await page.goto(`${origin}/`);
      for (const [name, value] of Object.entries(SETTINGS)) await page.fill(`#${name}`, value);
      await page.click('#train');
      await page.waitForSelector('#results-area:not([hidden])', { timeout: 30_000 }).catch(async (e: unknown) => {
        throw new Error(`${String(e)}\nstatus: ${await page.textContent('#status')}\nerrors: ${errors.join('\n')}`);
      });

      const view = await page.evaluate((): PageView => {
        const demo = (window as unknown as { fingradDemo: { run: { charts: Record<string, { data: number[][] } | null> } } }).fingradDemo;
        const progress = document.getElementById('progress') as HTMLProgressElement;
        const cell = (row: Element, i: number): number => Number(row.querySelectorAll('td')[i]?.textContent);
        return {
          loss: demo.run.charts.loss?.data.map((s) => Array.from(s)) ?? [],
          grads: demo.run.charts.grads?.data.map((s) => Array.from(s)) ?? [],
          rocPoints: demo.run.charts.roc?.data[0]?.length ?? 0,
          progress: { value: progress.value, max: progress.max, label: document.getElementById('progress-label')?.textContent ?? '' },
          isolated: self.crossOriginIsolated,
          results: Array.from(document.querySelectorAll('#results-body tr')).map((row) => ({
            model: (row as HTMLElement).dataset.model ?? '',
            accuracy: cell(row, 0),
            auc: cell(row, 1),
            logLoss: cell(row, 2),
          })),
          status: document.getElementById('status')?.textContent ?? '',
        };
      });
      const progressSeen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
      const cspViolations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      expect(errors).toEqual([]);
      expect(cspViolations).toEqual([]);
      expect(view.isolated).toBe(true);
      expect(kernelChunks, 'the worker fetches only the kernel build it runs, as a .wasm file').toEqual([expect.stringMatching(/\/generated\/fingrad-relaxed-mt\.wasm$/)]);
      expect(view.status).toMatch(/^Done/);

      // The loss chart: x = epochs 1..E, train and validation loss per epoch, falling.
      const [epochs, train, val] = view.loss as [number[], number[], number[]];
      expect(epochs).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
      expect(train).toHaveLength(EPOCHS);
      expect(val).toHaveLength(EPOCHS);
      expect(train.at(-1)).toBeLessThan(train[0] as number);
      expect(Math.min(...val)).toBeLessThan(val[0] as number);
      // Gradient norms: one series per weight matrix (16, 8 hidden → 3 layers), finite and positive.
      expect(view.grads).toHaveLength(4);
      for (const series of view.grads.slice(1)) {
        expect(series).toHaveLength(EPOCHS);
        for (const g of series) expect(Number.isFinite(g) && g > 0).toBe(true);
      }
      expect(view.rocPoints).toBeGreaterThan(10);

      expect(view.progress).toEqual({ value: 1, max: 1, label: '100%' });
      expect(new Set(progressSeen.filter((p) => p !== '0%' && p !== '100%')).size).toBeGreaterThan(2);

      expect(view.results.map((r) => r.model)).toEqual(['MLPClassifier', 'LogisticRegression']);
      for (const r of view.results) {
        expect(r.accuracy, r.model).toBeGreaterThan(0.7);
        expect(r.auc, r.model).toBeGreaterThan(0.7);
        expect(r.logLoss, r.model).toBeGreaterThan(0);
        expect(r.logLoss, r.model).toBeLessThan(0.6);
      }
    } finally {
      await browser.close();
    }
  });
});
