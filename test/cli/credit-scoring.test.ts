import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { runCreditScoring } from '../../src/cli/credit-scoring.js';

describe('main job: credit scoring', () => {
  it('trains three models, reports held-out metrics, and reloads the MLP exactly', async () => {
    const lines: string[] = [];
    const tmp = mkdtempSync(join(tmpdir(), 'fingrad-test-'));
    const out = join(tmp, 'mlp.safetensors');
    const before = fg.memoryStats().liveTensors;
    const result = await runCreditScoring({ rows: 3000, epochs: 10, seed: 3, out, report: join(tmp, 'r.html'), log: (l) => lines.push(l) });
    expect(result.metrics.map((m) => m.model)).toEqual(['LogisticRegression', 'LinearSVM', 'MLPClassifier']);
    for (const m of result.metrics) {
      expect(m.rocAuc).toBeGreaterThan(0.65);
      expect(m.ks).toBeGreaterThan(0.2);
      expect(m.logLoss).toBeLessThan(0.55);
    }
    expect(existsSync(result.reportPath)).toBe(true);
    expect(result.identicalAfterLoad).toBe(true);
    expect(result.gradcheckOk).toBe(true);
    expect(result.savedPath).toBe(out);
    expect(lines.filter((l) => /^ {2}epoch +\d+\/10 {2}loss/.test(l))).toHaveLength(10);
    expect(lines.join('\n')).toMatch(/model +ROC AUC +Gini +KS +avg precision +Brier +log loss/);
    expect(lines.join('\n')).toMatch(/missing values: income \d+/);
    expect(fg.memoryStats().liveTensors).toBe(before);
  });
});
