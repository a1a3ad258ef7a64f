// The bytes a training page downloads stay under the budget (bench/bytes.ts measures them): a page
// using tensors, autograd, nn and optim, bundled with code splitting, fetches its JS and the one
// .wasm build it selects — never the base64 chunks, which are the fallback when the file is absent.
import { describe, expect, it } from 'vitest';
import { BYTES_BUDGET_GZIP, measureBrowserBytes } from '../../bench/bytes.js';
import { haveChromium } from '../support/chromium.js';

interface PageReport {
  info: { build: string };
  first: number;
  last: number;
}

describe('browser bytes', () => {
  it('the predicted download (entry, its static imports, one .wasm) is under budget', async () => {
    const r = await measureBrowserBytes({ useChromium: false });
    expect(r.files.map((f) => f.path)).toContain('generated/fingrad-relaxed.wasm');
    expect(r.files.some((f) => /wasm-(simd|relaxed)/.test(f.path))).toBe(false);
    expect(r.totalGzipBytes).toBeLessThanOrEqual(BYTES_BUDGET_GZIP);
    // The bundle holds all four builds; a page must not fetch them all.
    expect(r.bundle.reduce((s, f) => s + f.gzipBytes, 0)).toBeGreaterThan(2 * r.totalGzipBytes);
  }, 60_000);

  describe.skipIf(!haveChromium)('in headless Chromium', () => {
    it('the page trains, fetching its JS and one .wasm file, under budget', async () => {
      const r = await measureBrowserBytes();
      expect(r.measuredBy).toBe('chromium');
      const page = r.page as PageReport;
      expect(page.info.build).toBe('relaxed');
      expect(page.last).toBeLessThan(page.first / 4);
      expect(r.files.filter((f) => f.path.endsWith('.wasm')).map((f) => f.path)).toEqual(['generated/fingrad-relaxed.wasm']);
      expect(r.files.some((f) => /wasm-(simd|relaxed)/.test(f.path))).toBe(false);
      expect(r.totalGzipBytes).toBeLessThanOrEqual(BYTES_BUDGET_GZIP);
      const predicted = await measureBrowserBytes({ useChromium: false });
      expect(r.files.map((f) => f.path)).toEqual(predicted.files.map((f) => f.path));
    }, 120_000);

    it('without the .wasm files the page falls back to the embedded build chunk and trains alike', async () => {
      const withFiles = await measureBrowserBytes();
      const r = await measureBrowserBytes({ withoutWasmFiles: true });
      expect(r.files.some((f) => f.path.endsWith('.wasm'))).toBe(false);
      expect(r.files.filter((f) => /wasm-(simd|relaxed)/.test(f.path))).toHaveLength(1);
      expect(r.page).toEqual(withFiles.page);
      expect(r.totalGzipBytes).toBeGreaterThan(withFiles.totalGzipBytes);
    }, 120_000);
  });
});
