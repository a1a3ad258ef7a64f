// The metrics on real data: the German credit file (../shared/data/german.data-numeric, 1000
// loans, label 1 good / 2 bad), scored by a rule rebuilt here (low checking-account status and
// long duration are risky), against scikit-learn's and scipy's values in the fixture.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { expectClose } from '../support/opcheck.js';

const here = dirname(fileURLToPath(import.meta.url));
const DATA = join(here, '..', '..', '..', 'shared', 'data', 'german.data-numeric');
interface German {
  rows: number;
  rocAuc: number;
  averagePrecision: number;
  ksScipy: number;
  rocCurve: { fpr: number[]; tpr: number[]; thresholds: number[] };
  bestThreshold: { threshold: number; cost: number };
}
const german = (JSON.parse(readFileSync(join(here, '..', 'fixtures', 'sklearn-metrics.json'), 'utf8')) as { german?: German }).german;
const present = existsSync(DATA) && german !== undefined;
if (!present) console.warn(`German credit metrics test skipped: ${existsSync(DATA) ? 'the fixture has no German case' : `${DATA} not found`}`);

describe.skipIf(!present)('metrics on the German credit file', () => {
  const rows = present ? readFileSync(DATA, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number)) : [];
  const y = rows.map((r) => r[r.length - 1] as number);
  const s = rows.map((r) => -(r[0] as number) + (r[1] as number) / 100);
  const g = german as German;
  const o = { posLabel: 2 };

  it('ranking metrics equal scikit-learn and scipy (heavy ties: 91 distinct scores in 1000)', () => {
    expect(y.length).toBe(g.rows);
    expectClose([fg.rocAuc(y, s, o)], [g.rocAuc], 1e-12, 0, 'rocAuc');
    expectClose([fg.averagePrecision(y, s, o)], [g.averagePrecision], 1e-12, 0, 'averagePrecision');
    expectClose([fg.ksStatistic(y, s, o).statistic], [g.ksScipy], 1e-12, 0, 'ks');
    const roc = fg.rocCurve(y, s, { ...o, dropIntermediate: false });
    for (const k of ['fpr', 'tpr', 'thresholds'] as const) expectClose(roc[k], g.rocCurve[k], 1e-12, 1e-15, k);
  });

  it('the documented 5:1 cost: accepting a bad loan costs 5, rejecting a good one 1', () => {
    const best = fg.bestThreshold(y, s, o);
    expect(best).toMatchObject(g.bestThreshold);
    expect(best.cost).toBeLessThan(300 * 5); // accepting everyone: 300 bad loans
    const t = fg.liftTable(y, s, o);
    expect(t[0]?.lift).toBeGreaterThan(1.5);
    expect(t[t.length - 1]?.cumulativeCapture).toBe(1);
  });
});
