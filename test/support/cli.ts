// Running the built `fingrad` command as a user would: a spawned process, real files in a
// temporary folder, and the report files it writes opened in headless Chromium.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { haveChromium, launchChromium } from './chromium.js';

const MAIN = fileURLToPath(new URL('../../dist/node/cli/main.js', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `fingrad args…` (from dist/, built by `npm test`) and waits for it. */
export function fingrad(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: options.cwd, encoding: 'utf8', timeout: options.timeoutMs ?? 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary folder removed after the suite. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fingrad-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A user error as the CLI should print it: exit 2, one line on stderr, no stack trace. */
export function expectUserError(run: CliRun, expect: (v: unknown) => { toBe(x: unknown): void; toMatch(x: RegExp | string): void }, pattern: RegExp): void {
  if (run.status !== 2) console.error(`exit ${run.status}; stderr: ${run.stderr}`);
  expect(run.status).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines.length).toBe(1);
  expect(run.stderr).toMatch(pattern);
  expect(/\n\s+at /.test(run.stderr) ? 'stack trace' : 'none').toBe('none');
}

/** Opens a report file in Chromium; returns console errors and how many charts were drawn. */
export async function openReport(path: string): Promise<{ errors: string[]; charts: number; declared: number; external: boolean; shot: Buffer }> {
  const html = readFileSync(path, 'utf8');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${path}`);
    await page.waitForFunction(() => document.body.getAttribute('data-charts-rendered') !== null, undefined, { timeout: 20_000 });
    const declared = Number(await page.evaluate(() => document.body.getAttribute('data-charts-rendered')));
    const charts = await page.evaluate(() => document.querySelectorAll('.chart canvas').length);
    const shot = await page.screenshot({ fullPage: true });
    return { errors, charts, declared, external: /(src|href)=["']https?:/i.test(html), shot };
  } finally {
    await browser.close();
  }
}

export { haveChromium };
