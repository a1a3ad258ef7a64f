// One-row scoring latency through the estimators' public methods (Issue #13 point 3: a credit
// service scores one applicant at a time; target p99 ≤ 10 µs), the models alternating call by
// call so a noisy neighbour hits all alike; and the batch path against the bare nn forward
// (GEMM) on 1024 rows, which the few-row host path must not slow down.
import * as fg from '../src/index.js';
import { measure } from './support/measure.js';

export interface LatencyResult {
  /** Microseconds per one-row call: median and 99th percentile. */
  oneRow: Record<string, { p50Us: number; p99Us: number; calls: number }>;
  /** 1024 rows: MLPClassifier.predictProba and the same network's forward + softmax, median ms. */
  batch: { rows: number; predictProbaMs: number; forwardMs: number };
}

export async function benchPredictLatency(calls = 20000, timeMs = 1000): Promise<LatencyResult> {
  const d = 20;
  const n = 2000;
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const x: number[][] = Array.from({ length: n }, () => Array.from({ length: d }, rand));
  const y = x.map((r) => (r[0]! + r[1]! - r[2]! > 0 ? 1 : 0));
  const logit = new fg.LogisticRegression().fit(x, y);
  const svm = new fg.LinearSVM().fit(x, y);
  const mlp = new fg.MLPClassifier({ hiddenLayerSizes: [32, 16], maxIter: 5, seed: 1 }).fit(x, y);
  const row = [x[3]!];
  const engines: Record<string, () => unknown> = {
    'LogisticRegression.predictProba': () => fg.tidy(() => logit.predictProba(row).data[1]),
    'LinearSVM.predictProba': () => fg.tidy(() => svm.predictProba(row).data[1]),
    'LinearSVM.decisionFunction': () => fg.tidy(() => svm.decisionFunction(row).data[0]),
    'MLPClassifier.predictProba': () => fg.tidy(() => mlp.predictProba(row).data[1]),
    'MLPClassifier.predict': () => fg.tidy(() => mlp.predict(row).data[0]),
    // Reference: the same network through nn (tensor in, kernels per layer, no checks).
    'nn forward of the MLP': () => fg.noGrad(() => fg.tidy(() => mlp.forward(fg.tensor(row)).data[0])),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(engines).map((k) => [k, []]));
  const warm = 2000;
  for (let i = 0; i < calls + warm; i++) {
    for (const [name, run] of Object.entries(engines)) {
      const t0 = performance.now();
      run();
      if (i >= warm) times[name]?.push(performance.now() - t0);
    }
  }
  const q = (v: number[], p: number): number => 1000 * ([...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(p * v.length))] as number);
  const oneRow = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { p50Us: q(v, 0.5), p99Us: q(v, 0.99), calls: v.length }]));

  const rows = 1024;
  const xb = fg.keep(fg.tensor(x.slice(0, rows)));
  const predictProbaMs = (await measure(() => fg.tidy(() => mlp.predictProba(xb).data[0]), timeMs)).medianMs;
  const forwardMs = (await measure(() => fg.noGrad(() => fg.tidy(() => fg.softmax(fg.concat([fg.zeros([rows, 1]), mlp.forward(xb)], 1), 1).data[0])), timeMs)).medianMs;
  xb.dispose();
  for (const m of [logit, svm, mlp]) m.dispose();
  return { oneRow, batch: { rows, predictProbaMs, forwardMs } };
}
