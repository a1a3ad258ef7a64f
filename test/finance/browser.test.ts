// fingrad/finance in a browser: the entry bundles for the browser platform (no Node built-ins,
// no eval / new Function: papaparse included) and, in headless Chromium under a strict CSP, a
// pipeline saved in Node loads from its bytes and scores CSV rows read from a stream exactly
// as Node does.
import { describe, expect, it } from 'vitest';
import { ColumnTransformer, OneHotEncoder, Pipeline, StandardScaler, parseCsv, savePipeline } from '../../src/finance/index.js';
import { LogisticRegression } from '../../src/index.js';
import { CHROMIUM, bundleForBrowser, haveChromium, launchChromium, pageResult, serveModulePageForSuite } from '../support/chromium.js';

if (!haveChromium) console.warn(`browser test skipped: ${CHROMIUM} not found (apt-get install chromium)`);

const bundle = (): Promise<string> =>
  bundleForBrowser({ stdin: { contents: "export * from './src/finance/index.ts';\nexport { ready } from './src/index.ts';", resolveDir: process.cwd(), loader: 'ts' } });

const TRAIN = ['income;grade;label', ...Array.from({ length: 60 }, (_, i) => `${1000 + ((i * 37) % 50) * 40};${'ABC'[i % 3]};${((i * 37) % 50) * 40 + (i % 3) * 500 < 1200 ? 'bad' : 'good'}`)].join('\n');
const TEST = 'income;grade\n1200;A\n2500;C\n900;B\n3100;Z\n';

function fitted(): Pipeline {
  const { table, y } = parseCsv(TRAIN, { target: 'label' });
  return new Pipeline([
    ['prep', new ColumnTransformer([['num', new StandardScaler(), ['income']], ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), ['grade']]])],
    ['model', new LogisticRegression()],
  ]).fit(table, y as string[]);
}

describe('fingrad/finance browser build', () => {
  it('bundles without Node built-ins or eval', async () => {
    const code = await bundle();
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/from ["']node:/);
    expect(code).not.toMatch(/new Function|[=(,;:]\s*eval\(/);
  });

  describe.skipIf(!haveChromium)('in headless Chromium', () => {
    const p = fitted();
    const bytes = savePipeline(p);
    let b64 = '';
    for (const b of bytes) b64 += String.fromCharCode(b);
    const main = `import * as fin from './fingrad.js';
try {
  await fin.ready();
  const raw = atob(${JSON.stringify(btoa(b64))});
  const p = fin.loadPipeline(Uint8Array.from(raw, (c) => c.charCodeAt(0)));
  const stream = new Response(${JSON.stringify(TEST)}).body;
  const { table } = await fin.readCsv(stream);
  const pathError = await fin.readCsv('loans.csv').then(() => 'read', (e) => e.name + ': ' + e.message);
  window.result = { classes: p.classes, proba: p.predictProba(table), pred: p.predict(table), pathError };
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
`;
    const origin = serveModulePageForSuite({
      bundle,
      main,
      headers: () => ({ 'Content-Security-Policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'" }),
    });

    it('scores CSV rows from a stream exactly as Node does', async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        const result = await pageResult<unknown>(page, `${origin()}/index.html`);
        expect(errors).toEqual([]);
        const { table } = parseCsv(TEST);
        expect(result).toEqual({ classes: ['bad', 'good'], proba: p.predictProba(table), pred: p.predict(table), pathError: expect.stringMatching(/^CsvError: readCsv: cannot read the path 'loans.csv' here \(no file system/) });
      } finally {
        await browser.close();
      }
    });
  });
});
