// The learning page (demo/): built by scripts/build-demo.mjs, served by scripts/serve-demo.mjs with
// its strict CSP (with and without COOP/COEP), then driven in headless Chromium through its form:
// every task must train without a page error or CSP violation and update its charts; a CSV file
// goes in through the file input; the graph view draws clickable nodes and the gradient check
// stays within its tolerance. Screenshots land in test/artifacts/ (gitignored).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, closeServer, haveChromium, launchChromium } from '../support/chromium.js';
// @ts-expect-error: plain .mjs scripts, no type declarations
import { buildDemo } from '../../scripts/build-demo.mjs';
// @ts-expect-error: plain .mjs scripts, no type declarations
import { serveDemo } from '../../scripts/serve-demo.mjs';

if (!haveChromium) console.warn(`browser demo test skipped: ${CHROMIUM} not found (apt-get install chromium)`);

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

interface BuiltDemo {
  outdir: string;
  files: Array<{ file: string; bytes: number }>;
}

/** What a finished run shows, read from the DOM. */
interface PageView {
  points: Record<string, number>;
  lossSeries: number[][];
  heldOut: number[];
  histogramBars: number;
  results: Array<{ model: string; cells: number[] }>;
  status: string;
  isolated: boolean;
  backend: string;
  graphNodes: number;
}

interface OpenPage {
  page: Page;
  errors: string[];
  cspViolations: () => Promise<string[]>;
}

async function openPage(browser: Browser, url: string): Promise<OpenPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${String(e.stack ?? e)}`));
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
  await page.goto(url);
  return { page, errors, cspViolations: () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations) };
}

async function train(p: OpenPage, task: string, fields: Record<string, string>): Promise<PageView> {
  const { page, errors } = p;
  await page.selectOption('#task', task);
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'cell' || name === 'activation') await page.selectOption(`#${name}`, value);
    else await page.fill(`#${name}`, value);
  }
  await page.click('#train');
  await page.waitForSelector('#results-area:not([hidden])', { timeout: 30_000 }).catch(async (e: unknown) => {
    throw new Error(`${String(e)}\nstatus: ${await page.textContent('#status')}\nerrors: ${errors.join('\n')}`);
  });
  return page.evaluate((): PageView => {
    const points: Record<string, number> = {};
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-points]'))) points[el.id] = Number(el.dataset.points);
    const demo = (window as unknown as { fingradDemo: { run: { epochs: number[]; loss: number[]; valLoss: number[]; heldOut: number[] } } }).fingradDemo;
    return {
      points,
      lossSeries: [demo.run.epochs, demo.run.loss, demo.run.valLoss],
      heldOut: demo.run.heldOut,
      histogramBars: document.querySelectorAll('#histograms rect.bar').length,
      results: Array.from(document.querySelectorAll('#results tbody tr')).map((row) => ({
        model: (row as HTMLElement).dataset.model ?? '',
        cells: Array.from(row.querySelectorAll('td')).map((td) => Number(td.textContent)),
      })),
      status: document.getElementById('status')?.textContent ?? '',
      isolated: self.crossOriginIsolated,
      backend: document.getElementById('backend')?.textContent ?? '',
      graphNodes: document.querySelectorAll('#graph-view g.node').length,
    };
  });
}

/** The live charts all drew one point per epoch; the loss fell. */
function expectLiveCharts(view: PageView, epochs: number, withDeadUnits = true): void {
  expect(view.status).toMatch(/^Done/);
  expect(view.points['loss-chart']).toBe(epochs);
  expect(view.points['held-out-chart']).toBe(epochs);
  expect(view.points['grad-chart']).toBe(epochs);
  if (withDeadUnits) expect(view.points['dead-chart']).toBe(epochs);
  const [xs, train, val] = view.lossSeries as [number[], number[], number[]];
  expect(xs).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  expect(train.at(-1)).toBeLessThan(train[0] as number);
  for (const v of [...val, ...view.heldOut]) expect(Number.isFinite(v)).toBe(true);
  expect(view.heldOut).toHaveLength(epochs);
  expect(view.histogramBars).toBeGreaterThan(10);
  expect(view.graphNodes).toBeGreaterThan(0);
}

/** Runs the gradient-check view on `parameter`: most entries smooth, and those within tolerance. */
async function expectGradcheckPasses(page: Page, parameter: string): Promise<void> {
  await page.selectOption('#gc-param', parameter);
  await page.click('#gc-run');
  await page.waitForSelector('#gc-table tbody tr', { timeout: 20_000 });
  const rows = await page.$$eval('#gc-table tbody tr', (trs) => trs.map((r) => ({ rel: Number((r as HTMLElement).dataset.relError), smooth: (r as HTMLElement).dataset.smooth === 'true' })));
  const smooth = rows.filter((r) => r.smooth);
  expect(rows.length).toBe(12);
  expect(smooth.length).toBeGreaterThan(6);
  for (const r of smooth) expect(r.rel).toBeLessThan(1e-2);
  expect(await page.textContent('#gc-verdict')).toMatch(/within the tolerance/);
}

async function finish(p: OpenPage, name: string): Promise<void> {
  await p.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  expect(p.errors).toEqual([]);
  expect(await p.cspViolations()).toEqual([]);
  await p.page.close();
}

describe('learning page', () => {
  let built: BuiltDemo;
  let isolated: { server: Server; origin: string };
  let plain: { server: Server; origin: string };
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    built = (await buildDemo({ outdir: mkdtempSync(join(tmpdir(), 'fingrad-demo-')), logLevel: 'silent' })) as BuiltDemo;
    isolated = await serveDemo({ root: built.outdir, port: 0 });
    plain = await serveDemo({ root: built.outdir, port: 0, isolate: false });
    if (haveChromium) browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await closeServer(isolated.server);
    await closeServer(plain.server);
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
    const res = await fetch(`${isolated.origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'");
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect((await fetch(`${plain.origin}/`)).headers.get('cross-origin-embedder-policy')).toBe(null);
    expect((await fetch(`${isolated.origin}/../package.json`)).status).toBe(404);
    expect((await fetch(`${isolated.origin}/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${isolated.origin}/main.js`, { method: 'POST' })).status).toBe(405);
  });

  it.skipIf(!haveChromium)('credit: MLP and logistic regression train live; the graph and the gradient check work', async () => {
    const p = await openPage(browser, `${isolated.origin}/`);
    const kernelFetches: string[] = [];
    p.page.on('request', (r) => {
      if (/\/chunks\/wasm-[^/]*\.js$|\.wasm$/.test(r.url())) kernelFetches.push(r.url());
    });
    const view = await train(p, 'credit', { rows: '2000', epochs: '8', hidden: '16, 8', lr: '0.01', batch: '32', seed: '3' });
    expect(view.isolated).toBe(true);
    expect(view.backend).toMatch(/shared memory/);
    // The worker fetches only the kernel build it runs: its .wasm file, streamed.
    expect(kernelFetches, 'the worker fetches only the kernel build it runs').toHaveLength(1);
    expect(kernelFetches[0]).toMatch(/fingrad-[\w-]+\.wasm$/);
    expectLiveCharts(view, 8);
    const progressSeen = await p.page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(progressSeen.at(-1)).toBe('100%');
    // Frames coalesce messages on a fast run: at least one step between 0 and 100% was drawn.
    expect(progressSeen.filter((s) => s !== '0%' && s !== '100%').length).toBeGreaterThan(0);
    expect(view.points['result-chart']).toBe(101);
    expect(view.results.map((r) => r.model)).toEqual(['MLPClassifier', 'LogisticRegression']);
    for (const r of view.results) {
      const [acc, auc, logLoss] = r.cells as [number, number, number];
      expect(acc, r.model).toBeGreaterThan(0.7);
      expect(auc, r.model).toBeGreaterThan(0.7);
      expect(logLoss, r.model).toBeLessThan(0.6);
    }

    // The graph: clicking a parameter node shows its value and gradient.
    await p.page.click('#graph-view g.node.parameter');
    const info = await p.page.textContent('#node-info');
    expect(info).toMatch(/parameter/);
    expect(info).toMatch(/gradient: ‖g‖ [0-9]/);

    // The gradient check of the first layer's weight.
    await expectGradcheckPasses(p.page, 'net.0.weight');
    await finish(p, 'credit');
  });

  it.skipIf(!haveChromium)('credit: a deep logistic MLP shows vanishing gradients, smallest at the input', async () => {
    const p = await openPage(browser, `${isolated.origin}/`);
    const view = await train(p, 'credit', { rows: '1000', epochs: '3', hidden: '32, 32, 32, 32, 32', activation: 'logistic', lr: '0.001', batch: '64', seed: '1' });
    expectLiveCharts(view, 3, false);
    const grads = await p.page.evaluate(() => (window as unknown as { fingradDemo: { run: { grads: number[][] } } }).fingradDemo.run.grads);
    expect(grads).toHaveLength(6);
    // Each sigmoid passes at most 1/4 of the gradient back: the first weight's norm is far below the last hidden one's.
    const first = grads[0]?.[0] as number;
    const last = grads[4]?.[0] as number;
    expect(first).toBeLessThan(last / 10);
    expect(await p.page.textContent('#dead-chart')).toMatch(/no ReLU layers/);
    await finish(p, 'credit-vanishing');
  });

  it.skipIf(!haveChromium)('stop ends a run mid-way; the next run starts a fresh worker', async () => {
    const p = await openPage(browser, `${isolated.origin}/`);
    await p.page.fill('#rows', '3000');
    await p.page.fill('#epochs', '200');
    await p.page.click('#train');
    await p.page.waitForFunction(() => (window as unknown as { fingradDemo: { run: { epochs: number[] } } }).fingradDemo.run.epochs.length >= 2, undefined, { timeout: 20_000 });
    await p.page.click('#stop');
    expect(await p.page.textContent('#status')).toMatch(/^Stopped after \d+ of 200 epochs/);
    expect(await p.page.isEnabled('#train')).toBe(true);
    const view = await train(p, 'shapes', { rows: '200', epochs: '2' });
    expectLiveCharts(view, 2);
    await finish(p, 'stopped-then-shapes');
  });

  it.skipIf(!haveChromium)('forecast: an LSTM trains without cross-origin isolation (one thread)', async () => {
    const p = await openPage(browser, `${plain.origin}/`);
    const view = await train(p, 'forecast', { rows: '500', epochs: '4', cell: 'lstm', lr: '0.01', batch: '32' });
    expect(view.isolated).toBe(false);
    expect(view.backend).toMatch(/private memory/);
    expectLiveCharts(view, 4, false);
    expect(view.results.map((r) => r.model)).toEqual(['RecurrentForecaster (LSTM)', 'naive (last value)']);
    expect(view.points['result-chart']).toBeGreaterThan(50);
    // The LSTM's recurrent weights: no ReLU, so every entry is smooth.
    await expectGradcheckPasses(p.page, 'rnn.weight_hh_l0');
    await finish(p, 'forecast');
  });

  it.skipIf(!haveChromium)('shapes: a 2-D CNN trains and its charts update', async () => {
    const p = await openPage(browser, `${isolated.origin}/`);
    const view = await train(p, 'shapes', { rows: '300', epochs: '4', lr: '0.01', batch: '32' });
    expectLiveCharts(view, 4);
    expect(view.results.map((r) => r.model)).toEqual(['CNN2dClassifier']);
    await finish(p, 'shapes');
  });

  it.skipIf(!haveChromium)('anomaly: a VAE trains and scores the held-out transactions', async () => {
    const p = await openPage(browser, `${isolated.origin}/`);
    const view = await train(p, 'anomaly', { rows: '1500', epochs: '10', lr: '0.01', batch: '64' });
    expectLiveCharts(view, 10);
    expect(view.results.map((r) => r.model)).toEqual(['VAE']);
    expect(view.results[0]?.cells[0]).toBeGreaterThan(0.6); // ROC AUC of the anomaly score
    expect(view.points['result-chart']).toBe(375);
    await finish(p, 'anomaly');
  });

  it.skipIf(!haveChromium)('csv: a file given to the file input is parsed and trained on in the page', async () => {
    const p = await openPage(browser, `${isolated.origin}/`);
    await p.page.selectOption('#task', 'csv');
    expect(await p.page.textContent('#csv-fields')).toMatch(/never leaves your machine/);
    // A small credit-like file: numeric, categorical and missing values; the label depends on income and debt.
    let seed = 7;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const lines = ['income,debt,region,age,defaulted'];
    for (let i = 0; i < 400; i++) {
      const income = 20 + 80 * rand();
      const debt = 50 * rand();
      const label = debt / income + 0.3 * (rand() - 0.5) > 0.4 ? 'yes' : 'no';
      lines.push([i % 17 === 0 ? '' : income.toFixed(1), debt.toFixed(1), ['north', 'south', 'east'][i % 3], String(20 + (i % 50)), label].join(','));
    }
    await p.page.setInputFiles('#csv-file', { name: 'loans.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await p.page.waitForSelector('#csv-target option[value="defaulted"]', { state: 'attached' });
    await p.page.selectOption('#csv-target', 'defaulted');
    const view = await train(p, 'csv', { epochs: '12', lr: '0.01', batch: '32', hidden: '8' });
    expectLiveCharts(view, 12);
    expect(await p.page.textContent('#data')).toMatch(/loans\.csv: 400 rows/);
    expect(view.results.map((r) => r.model)).toEqual(['MLPClassifier']);
    expect(view.results[0]?.cells[0]).toBeGreaterThan(0.7); // accuracy
    await p.page.screenshot({ path: join(ARTIFACTS, 'csv-classification.png'), fullPage: true });

    // A numeric target of many values: a regression, scored by RMSE and R².
    const rows = ['size,rooms,district,price'];
    for (let i = 0; i < 300; i++) {
      const size = 40 + 120 * rand();
      const rooms = 1 + Math.floor(size / 35);
      rows.push([size.toFixed(0), String(rooms), ['old', 'new'][i % 2], (2 * size + 30 * (i % 2) + 10 * rand()).toFixed(1)].join(','));
    }
    // This one is dropped on the page, as a user would.
    const dataTransfer = await p.page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'flats.csv', { type: 'text/csv' }));
      return dt;
    }, rows.join('\n'));
    await p.page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await p.page.waitForSelector('#csv-target option[value="price"]', { state: 'attached' });
    await p.page.selectOption('#csv-target', 'price');
    const regression = await train(p, 'csv', { epochs: '12' });
    expectLiveCharts(regression, 12);
    expect(regression.results.map((r) => r.model)).toEqual(['MLPRegressor']);
    expect(regression.results[0]?.cells[1]).toBeGreaterThan(0.5); // R²
    await finish(p, 'csv');
  });
});
