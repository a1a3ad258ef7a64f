// Checkpoints written before the model framework was unified (scripts/fixtures/old-checkpoints.ts,
// run at commit baee514: deep models saved {kind, ...settings, fitted}, LinearSVM saved loss
// 'squared_hinge') still load, predict what they predicted when saved, and save again in
// today's shape {kind, options, fitted}.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

const dir = new URL('../fixtures/checkpoints/', import.meta.url);
const { probe, expected } = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as {
  probe: { rows: number[][]; series: number[][][] };
  expected: Record<string, { shape: number[]; values: number[] }>;
};

type Any = fg.Estimator & Record<string, (x: unknown) => fg.Tensor>;
const predictors: Record<string, (m: Any) => fg.Tensor> = {
  MLPClassifier: (m) => m.predictProba!(probe.rows),
  MLPRegressor: (m) => m.predict!(probe.rows),
  CNN1dForecaster: (m) => m.predict!(probe.series),
  RecurrentForecaster: (m) => m.predict!(probe.series),
  VAE: (m) => m.anomalyScore!(probe.rows),
  LinearSVM: (m) => m.predictProba!(probe.rows),
  LogisticRegression: (m) => m.predictProba!(probe.rows),
};

describe('checkpoints saved in the old config shapes', () => {
  it.each(Object.keys(expected))('%s loads and predicts as when it was saved', (kind) => {
    const bytes = readFileSync(new URL(`${kind}.safetensors`, dir));
    const old = fg.readCheckpoint(bytes).config as unknown as Record<string, unknown>;
    expect(old.kind).toBe(kind);
    const m = fg.loadModel<Any>(bytes);
    const want = expected[kind]!;
    fg.tidy(() => {
      const p = predictors[kind]!(m);
      expect([...p.shape]).toEqual(want.shape);
      // The few-row host path computes in float64 where the saved values came from float32 kernels.
      const got = p.toFloat32Array();
      want.values.forEach((v, i) => expect(Math.abs((got[i] as number) - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
    });
    const config = (m as unknown as { config(): Record<string, unknown> }).config();
    expect(Object.keys(config).sort()).toEqual(['fitted', 'kind', 'options']);
    if (kind === 'LinearSVM') expect((config.options as { loss: string }).loss).toBe('squaredHinge');
    // What it saves now loads back to the same model.
    const again = fg.loadModel<Any>(fg.saveModel(m));
    expect((again as unknown as { config(): unknown }).config()).toEqual(config);
    m.dispose();
    again.dispose();
  });
});
