// Shapley-value attributions with an interventional value function: the worth of a coalition S
// of features for row x is the mean model output over background rows b with x's values on S
// and b's elsewhere, v(S) = E_b f(x_S, b_S̄). Then φ₀ = v(∅) is the base value and Σφ = f(x) − φ₀.
//
// kernelShap (Lundberg & Lee 2017) finds φ as the weighted least-squares fit of v(S) ≈ φ₀ + Σ_{j∈S} φ_j
// under the Shapley kernel w(S) = (M−1) / (C(M,|S|)·|S|·(M−|S|)), with additivity imposed by
// eliminating the last φ. With M ≤ maxExact groups every coalition is enumerated and the result
// is the exact Shapley value of v; beyond that coalitions are sampled by size from the kernel,
// in complementary pairs. linearShap is the closed form for a linear model f = w·x + c with the
// same value function: φ_j = w_j·(x_j − mean_b x_j), summed over a group's columns. For a
// Pipeline whose model is linear in its encoded features, and whose steps encode each raw
// column on its own (imputers, scalers, encoders do), v is additive over raw columns, so
// φ_j = mean_b f(x_j, b_−j) − mean_b f(b) is exact: one batch of background rows per feature.
import { ArgumentError, ShapeError, ValueError, dataRng } from '../../index.js';
import { is, readOptions } from '../../validate.js';
import { solve } from '../dense.js';
import { Pipeline } from '../pipeline.js';
import { type ColumnData, type DataLike, type FeatureGroup, type Frame, type ModelOutput, checkSameColumns, emptyColumn, readFrame, readGroups, readMatrix, toScorer } from './predictor.js';

export interface ShapValues {
  featureNames: string[];
  /** φ per explained row and feature (group): [row][feature]. */
  values: Float64Array[];
  /** φ₀: the mean output over the background. */
  baseValue: number;
  /** The model's output for each explained row (= baseValue + Σφ). */
  outputs: Float64Array;
  /** True when every coalition was evaluated (exact Shapley values of v). */
  exact: boolean;
}

export interface KernelShapOptions {
  featureNames?: string[];
  groups?: FeatureGroup[];
  /** Which model output is explained (default 'proba': the probability of class 1). */
  output?: ModelOutput;
  /** Enumerate all coalitions up to this many features (default 12). */
  maxExact?: number;
  /** Coalitions sampled when there are more features (default 2·M + 2048). */
  nSamples?: number;
  seed?: number;
}

const kernelSpec = {
  featureNames: is.list(is.string),
  groups: is.list(is.any as never),
  output: is.oneOf(['proba', 'decision', 'predict'] as const),
  maxExact: is.int({ min: 1, max: 20 }),
  nSamples: is.int({ min: 1 }),
  seed: is.int(),
};

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Coalitions (as membership masks over M groups) with their kernel weights. */
function coalitions(M: number, exact: boolean, nSamples: number, seed: number): { masks: Uint8Array[]; weights: number[] } {
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  const kernel = (s: number): number => (M - 1) / (binom(M, s) * s * (M - s));
  if (exact) {
    for (let bits = 1; bits < 2 ** M - 1; bits++) {
      const mask = Uint8Array.from({ length: M }, (_, j) => (bits >> j) & 1);
      masks.push(mask);
      weights.push(kernel(mask.reduce((a, v) => a + v, 0)));
    }
    return { masks, weights };
  }
  // Sample sizes s with probability ∝ C(M,s)·w(s) = (M−1)/(s(M−s)), then a uniform subset of
  // that size and its complement; each sampled pair carries equal weight.
  const sizeWeights = Array.from({ length: M - 1 }, (_, i) => (M - 1) / ((i + 1) * (M - i - 1)));
  const total = sizeWeights.reduce((a, v) => a + v, 0);
  const rand = dataRng(seed);
  for (let k = 0; k < Math.ceil(nSamples / 2); k++) {
    let u = rand() * total;
    let s = 1;
    while (s < M - 1 && u > (sizeWeights[s - 1] as number)) u -= sizeWeights[s++ - 1] as number;
    const idx = Array.from({ length: M }, (_, j) => j);
    for (let i = 0; i < s; i++) {
      const j = i + Math.floor(rand() * (M - i));
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    const mask = new Uint8Array(M);
    for (let i = 0; i < s; i++) mask[idx[i] as number] = 1;
    masks.push(mask, mask.map((v) => 1 - v));
    weights.push(1, 1);
  }
  return { masks, weights };
}

/** KernelSHAP attributions of `model` for each row of `x` against a background sample. */
export function kernelShap(model: unknown, x: DataLike, background: DataLike, options?: KernelShapOptions): ShapValues {
  const where = 'kernelShap';
  const o = readOptions(where, options, kernelSpec);
  const xs = readFrame(where, 'x', x, o.featureNames);
  const bg = readFrame(where, 'background', background, o.featureNames);
  checkSameColumns(where, xs, bg, ['x', 'the background']);
  const groups = readGroups(where, xs, o.groups as FeatureGroup[] | undefined);
  const M = groups.length;
  if (M < 2) throw new ArgumentError(`${where}: needs at least two features (or groups) to share out, got ${M}`, where, 'groups');
  const score = toScorer(where, model, xs, o.output ?? 'proba');
  const exact = M <= (o.maxExact ?? 12);
  const { masks, weights } = coalitions(M, exact, o.nSamples ?? 2 * M + 2048, o.seed ?? 0);
  const B = bg.rows;
  const bgOut = score(bg.columns, B);
  const base = bgOut.reduce((a, v) => a + v, 0) / B;
  const fx = score(xs.columns, xs.rows);
  const groupOf = new Int32Array(xs.columns.length).fill(-1);
  groups.forEach((g, j) => g.columns.forEach((c) => (groupOf[c] = j)));

  // The regression's normal equations depend only on the coalitions: form them once.
  // Unknowns φ_0 … φ_{M−2}; φ_{M−1} = Δ − Σ others. Regressor z_j − z_{M−1}.
  const K = M - 1;
  const gram = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  masks.forEach((mask, s) => {
    const w = weights[s] as number;
    const last = mask[M - 1] as number;
    for (let a = 0; a < K; a++) {
      const za = (mask[a] as number) - last;
      if (za === 0) continue;
      for (let b = 0; b < K; b++) (gram[a] as number[])[b] = ((gram[a] as number[])[b] as number) + w * za * ((mask[b] as number) - last);
    }
  });

  const values: Float64Array[] = [];
  const rows = masks.length * B;
  for (let r = 0; r < xs.rows; r++) {
    // Row s·B + b: x's values for the features in coalition s, background row b's elsewhere.
    const columns = xs.columns.map((col, c) => {
      const out = emptyColumn(col, rows);
      const g = groupOf[c] as number;
      const bc = bg.columns[c] as ColumnData;
      masks.forEach((mask, s) => {
        const take = g >= 0 && mask[g] === 1;
        for (let b = 0; b < B; b++) (out as unknown[])[s * B + b] = take ? col[r] : bc[b];
      });
      return out;
    });
    const out = score(columns, rows);
    const delta = (fx[r] as number) - base;
    const rhs = new Array<number>(K).fill(0);
    masks.forEach((mask, s) => {
      let v = 0;
      for (let b = 0; b < B; b++) v += out[s * B + b] as number;
      const target = v / B - base - (mask[M - 1] as number) * delta;
      const w = weights[s] as number;
      const last = mask[M - 1] as number;
      for (let a = 0; a < K; a++) rhs[a] = (rhs[a] as number) + w * ((mask[a] as number) - last) * target;
    });
    const phi = solve(gram, rhs);
    if (phi === null) throw new ValueError(`${where}: the sampled coalitions do not identify every feature; raise nSamples`);
    values.push(Float64Array.from([...phi, delta - phi.reduce((a, v) => a + v, 0)]));
  }
  return { featureNames: groups.map((g) => g.name), values, baseValue: base, outputs: fx, exact };
}

export interface LinearShapOptions {
  featureNames?: string[];
  groups?: FeatureGroup[];
}

/**
 * Exact SHAP values of a linear score f(x) = coef·x + intercept (a logistic model's log-odds)
 * against a background sample: φ_j = coef_j·(x_j − mean_b x_j). `model` is a fitted binary
 * linear model (its coef[0] and intercept[0]) or `{ coef, intercept }`.
 */
export function linearShap(model: unknown, x: DataLike, background: DataLike, options?: LinearShapOptions): ShapValues {
  const where = 'linearShap';
  const o = readOptions(where, options, { featureNames: is.list(is.string), groups: is.list(is.any as never) });
  if (model instanceof Pipeline) return pipelineLinearShap(where, model, readFrame(where, 'x', x), readFrame(where, 'background', background), o.groups as FeatureGroup[] | undefined);
  const xs = readMatrix(where, 'x', x);
  const bg = readMatrix(where, 'background', background);
  if (bg.cols !== xs.cols) throw new ShapeError(`${where}: x has ${xs.cols} columns but the background ${bg.cols}`);
  const m = model as { coef?: unknown; intercept?: unknown } | null;
  const coefRaw = Array.isArray(m?.coef) && Array.isArray(m?.coef[0]) ? (m?.coef as number[][])[0] : m?.coef;
  const intRaw = Array.isArray(m?.intercept) ? (m?.intercept as number[])[0] : m?.intercept;
  if (!Array.isArray(coefRaw) && !ArrayBuffer.isView(coefRaw)) throw new ArgumentError(`${where}: model must be a fitted binary linear model, a Pipeline ending in one, or { coef, intercept }`, where, 'model');
  const coef = Float64Array.from(coefRaw as ArrayLike<number>);
  if (coef.length !== xs.cols) throw new ShapeError(`${where}: the model has ${coef.length} coefficients but x has ${xs.cols} columns`);
  const intercept = typeof intRaw === 'number' ? intRaw : 0;
  const frame = readFrame(where, 'x', x, o.featureNames);
  const groups = readGroups(where, frame, o.groups as FeatureGroup[] | undefined);
  const mean = new Float64Array(xs.cols);
  for (let b = 0; b < bg.rows; b++) for (let c = 0; c < bg.cols; c++) mean[c] = (mean[c] as number) + (bg.data[b * bg.cols + c] as number) / bg.rows;
  const base = intercept + coef.reduce((a, w, c) => a + w * (mean[c] as number), 0);
  const values: Float64Array[] = [];
  const outputs = new Float64Array(xs.rows);
  for (let r = 0; r < xs.rows; r++) {
    const phi = Float64Array.from(groups, (g) => g.columns.reduce((a, c) => a + (coef[c] as number) * ((xs.data[r * xs.cols + c] as number) - (mean[c] as number)), 0));
    values.push(phi);
    outputs[r] = base + phi.reduce((a, v) => a + v, 0);
  }
  return { featureNames: groups.map((g) => g.name), values, baseValue: base, outputs, exact: true };
}

// Exact SHAP of a pipeline's linear decision function over its raw columns (see the header).
function pipelineLinearShap(where: string, p: Pipeline, xs: Frame, bg: Frame, groupOpt: FeatureGroup[] | undefined): ShapValues {
  const coef = (p.model as { coef?: unknown }).coef;
  if (!Array.isArray(coef) || (p.classes !== null && p.classes.length !== 2)) {
    throw new ArgumentError(`${where}: the pipeline's model must be a binary linear model (LogisticRegression, LinearSVM); use kernelShap for others`, where, 'model');
  }
  checkSameColumns(where, xs, bg, ['x', 'the background']);
  const groups = readGroups(where, xs, groupOpt);
  const score = toScorer(where, p, xs, 'decision');
  const B = bg.rows;
  const bgOut = score(bg.columns, B);
  const base = bgOut.reduce((a, v) => a + v, 0) / B;
  const fx = score(xs.columns, xs.rows);
  const values = Array.from({ length: xs.rows }, () => new Float64Array(groups.length));
  // All rows at once: block r·B + b is background row b with group j's columns from row r.
  groups.forEach((g, j) => {
    const rows = xs.rows * B;
    const columns = bg.columns.map((bc, c) => {
      const out = emptyColumn(bc, rows);
      const mine = g.columns.includes(c);
      for (let r = 0; r < xs.rows; r++) for (let b = 0; b < B; b++) (out as unknown[])[r * B + b] = mine ? (xs.columns[c] as ColumnData)[r] : bc[b];
      return out;
    });
    const out = score(columns, rows);
    for (let r = 0; r < xs.rows; r++) {
      let v = 0;
      for (let b = 0; b < B; b++) v += out[r * B + b] as number;
      (values[r] as Float64Array)[j] = v / B - base;
    }
  });
  return { featureNames: groups.map((g) => g.name), values, baseValue: base, outputs: fx, exact: true };
}
