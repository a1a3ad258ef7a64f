import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendRun, readRuns } from '../../bench/support/results.js';
import { ValueError } from '../../src/errors.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'fingrad-results-'));

describe('bench/results.json history', () => {
  it('starts a history and appends to it in order, leaving no temporary file', () => {
    const d = dir();
    const path = join(d, 'results.json');
    expect(readRuns(path)).toEqual([]);
    expect(appendRun(path, { date: '2026-12-03T15:00:00.000Z', matmul: [{ shape: '64', fingrad: 40 }] })).toBe(1);
    expect(appendRun(path, { date: '2026-12-03T16:00:00.000Z', conv: [] })).toBe(2);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { runs: Array<{ date: string }> };
    expect(file.runs.map((r) => r.date)).toEqual(['2026-12-03T15:00:00.000Z', '2026-12-03T16:00:00.000Z']);
    expect(file.runs[0]).toEqual({ date: '2026-12-03T15:00:00.000Z', matmul: [{ shape: '64', fingrad: 40 }] });
    expect(readdirSync(d)).toEqual(['results.json']);
  });

  it('keeps a file in the older one-run form as the first run of the history', () => {
    const path = join(dir(), 'results.json');
    const old = { date: '2026-12-03T14:11:49.696Z', machine: { cores: 2 }, peakGflopsPerThread: 46.6 };
    writeFileSync(path, JSON.stringify(old));
    expect(readRuns(path)).toEqual([old]);
    appendRun(path, { date: '2026-12-03T15:00:00.000Z' });
    expect(readRuns(path)).toEqual([old, { date: '2026-12-03T15:00:00.000Z' }]);
  });

  it.each([
    ['not JSON', '{"runs": [', /is not JSON/],
    ['neither a history nor a run', '[1, 2]', /neither a "runs" list nor one run/],
    ['a run without a date', '{"runs": [{"date": "x"}, {"matmul": []}]}', /runs\[1\] is not a run/],
  ])('refuses a file that is %s and leaves it as it was', (_, text, message) => {
    const path = join(dir(), 'results.json');
    writeFileSync(path, text);
    expect(() => appendRun(path, { date: '2026-12-03T15:00:00.000Z' })).toThrow(ValueError);
    expect(() => readRuns(path)).toThrow(message);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('refuses a run without a date', () => {
    const path = join(dir(), 'results.json');
    expect(() => appendRun(path, { when: 'now' } as never)).toThrow(/must be an object with a "date" string/);
    expect(readRuns(path)).toEqual([]);
  });
});
