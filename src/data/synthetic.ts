// Generated data sets with a known answer, for the ready-made models, their tests and the
// README examples: two moons and spirals (classification), a noisy multi-frequency sine
// (forecasting), delayed-copy sequences (recurrent memory), bars-vs-crosses images (2-D
// convolution) and Gaussian data on a low-dimensional plane with injected outliers (anomaly
// detection). Every generator is seeded (`dataRng`, independent of the tensor RNG), so the
// same options give the same data.
import { readOptions, is } from '../validate.js';
import { ValueError } from '../errors.js';
import { fromValues } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { dataRng, gaussian, permutation } from './rng.js';

/** Features and labels (or targets) as tensors; the caller owns (disposes) both. */
export interface SyntheticData {
  x: Tensor;
  y: Tensor;
}

function checkCount(op: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new ValueError(`${op}: ${name} must be an integer >= ${min}, got ${String(v)}`);
}

function checkNonNegative(op: string, name: string, v: number): void {
  if (!(v >= 0) || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number >= 0, got ${String(v)}`);
}

// Rows of `width` values written in `order`: row i of the result is generated row order[i].
function shuffledRows(values: Float32Array, width: number, order: Int32Array): Float32Array {
  const out = new Float32Array(values.length);
  order.forEach((src, i) => out.set(values.subarray(src * width, (src + 1) * width), i * width));
  return out;
}

export interface MoonsOptions {
  /** Points in total, split as evenly as possible between the two moons. Default 200. */
  n?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. Default 0.1. */
  noise?: number;
  seed?: number;
}

/**
 * Two interleaving half circles (scikit-learn's `make_moons`): class 0 on (cos t, sin t), class
 * 1 on (1 − cos t, 0.5 − sin t), t uniform in [0, π], plus noise; rows in a seeded random order.
 * x [n, 2], y [n] with labels 0/1.
 */
export function twoMoons(optionsArg: MoonsOptions = {}): SyntheticData {
  const op = 'twoMoons';
  // Keys and object shape checked here; each value is checked below where it is read.
  const options = readOptions(op, optionsArg, { n: is.any, noise: is.any, seed: is.any }) as MoonsOptions;
  const n = options.n ?? 200;
  const noise = options.noise ?? 0.1;
  checkCount(op, 'n', n, 2);
  checkNonNegative(op, 'noise', noise);
  const rand = dataRng(options.seed ?? 0);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  const outer = Math.ceil(n / 2);
  for (let i = 0; i < n; i++) {
    const inner = i >= outer;
    const t = Math.PI * rand();
    x[2 * i] = (inner ? 1 - Math.cos(t) : Math.cos(t)) + noise * gaussian(rand);
    x[2 * i + 1] = (inner ? 0.5 - Math.sin(t) : Math.sin(t)) + noise * gaussian(rand);
    y[i] = inner ? 1 : 0;
  }
  const order = permutation(n, rand);
  return { x: fromValues(op, shuffledRows(x, 2, order), [n, 2]), y: fromValues(op, shuffledRows(y, 1, order), [n]) };
}

export interface SpiralsOptions {
  /** Points in total, split as evenly as possible between the arms. Default 300. */
  n?: number;
  /** Arms, one class each. Default 2. */
  classes?: number;
  /** Turns each arm makes around the origin. Default 1. */
  turns?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. Default 0.05. */
  noise?: number;
  seed?: number;
}

/**
 * Interleaved spiral arms, one class per arm: arm k at radius r ∈ (0, 1] has angle
 * 2π·(turns·r + k/classes), plus noise; rows in a seeded random order. x [n, 2], y [n] with
 * labels 0 … classes − 1.
 */
export function spirals(optionsArg: SpiralsOptions = {}): SyntheticData {
  const op = 'spirals';
  // Keys and object shape checked here; each value is checked below where it is read.
  const options = readOptions(op, optionsArg, { n: is.any, classes: is.any, turns: is.any, noise: is.any, seed: is.any }) as SpiralsOptions;
  const n = options.n ?? 300;
  const classes = options.classes ?? 2;
  const turns = options.turns ?? 1;
  const noise = options.noise ?? 0.05;
  checkCount(op, 'classes', classes, 2);
  checkCount(op, 'n', n, classes);
  checkNonNegative(op, 'turns', turns);
  checkNonNegative(op, 'noise', noise);
  const rand = dataRng(options.seed ?? 0);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    const r = 0.05 + 0.95 * rand();
    const angle = 2 * Math.PI * (turns * r + k / classes);
    x[2 * i] = r * Math.cos(angle) + noise * gaussian(rand);
    x[2 * i + 1] = r * Math.sin(angle) + noise * gaussian(rand);
    y[i] = k;
  }
  const order = permutation(n, rand);
  return { x: fromValues(op, shuffledRows(x, 2, order), [n, 2]), y: fromValues(op, shuffledRows(y, 1, order), [n]) };
}

export interface SineOptions {
  /** Time steps. Default 1000. */
  length?: number;
  /** Period of each component, in steps. Default [30, 11]. */
  periods?: readonly number[];
  /** Amplitude of each component (one per period). Default 1 for the first, 0.5 for the others. */
  amplitudes?: readonly number[];
  /** Standard deviation of the Gaussian noise added to every step. Default 0.1. */
  noise?: number;
  seed?: number;
}

/**
 * A noisy multi-frequency sine: Σ_k a_k·sin(2π·t/p_k + φ_k) + noise, with phases φ_k drawn from
 * the seed. Returns the series (length values).
 */
export function noisySine(optionsArg: SineOptions = {}): Float32Array {
  const op = 'noisySine';
  // Keys and object shape checked here; each value is checked below where it is read.
  const options = readOptions(op, optionsArg, { length: is.any, periods: is.any, amplitudes: is.any, noise: is.any, seed: is.any }) as SineOptions;
  const length = options.length ?? 1000;
  const periods = options.periods ?? [30, 11];
  const amplitudes = options.amplitudes ?? periods.map((_, k) => (k === 0 ? 1 : 0.5));
  const noise = options.noise ?? 0.1;
  checkCount(op, 'length', length);
  checkNonNegative(op, 'noise', noise);
  if (periods.length === 0 || periods.some((p) => !(p > 0) || !Number.isFinite(p))) {
    throw new ValueError(`${op}: periods must be positive numbers, got [${periods.join(', ')}]`);
  }
  if (amplitudes.length !== periods.length || amplitudes.some((a) => !Number.isFinite(a))) {
    throw new ValueError(`${op}: amplitudes must be ${periods.length} finite numbers (one per period), got [${amplitudes.join(', ')}]`);
  }
  const rand = dataRng(options.seed ?? 0);
  const phases = periods.map(() => 2 * Math.PI * rand());
  const out = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    let v = 0;
    periods.forEach((p, k) => (v += (amplitudes[k] as number) * Math.sin((2 * Math.PI * t) / p + (phases[k] as number))));
    out[t] = v + noise * gaussian(rand);
  }
  return out;
}

export interface DelayedCopyOptions {
  /** Sequences. Default 500. */
  n?: number;
  /** Time steps per sequence. Default 20. */
  length?: number;
  /** k: the target at step t is the input at step t − k (0 before step k). Default 3. */
  delay?: number;
  seed?: number;
}

/**
 * The delayed-copy task: inputs uniform in [−1, 1], x [n, length, 1] (batch, time, features);
 * targets y [n, length] with y[:, t] = x[:, t − delay] (0 for t < delay). A model must
 * remember the last `delay` inputs to solve it.
 */
export function delayedCopy(optionsArg: DelayedCopyOptions = {}): SyntheticData {
  const op = 'delayedCopy';
  // Keys and object shape checked here; each value is checked below where it is read.
  const options = readOptions(op, optionsArg, { n: is.any, length: is.any, delay: is.any, seed: is.any }) as DelayedCopyOptions;
  const n = options.n ?? 500;
  const length = options.length ?? 20;
  const delay = options.delay ?? 3;
  checkCount(op, 'n', n);
  checkCount(op, 'length', length);
  checkCount(op, 'delay', delay, 0);
  if (delay >= length) throw new ValueError(`${op}: delay (${delay}) must be less than length (${length})`);
  const rand = dataRng(options.seed ?? 0);
  const x = new Float32Array(n * length);
  const y = new Float32Array(n * length);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < length; t++) x[i * length + t] = 2 * rand() - 1;
    for (let t = delay; t < length; t++) y[i * length + t] = x[i * length + t - delay] as number;
  }
  return { x: fromValues(op, x, [n, length, 1]), y: fromValues(op, y, [n, length]) };
}

export interface BarsAndCrossesOptions {
  /** Images, half of each class. Default 400. */
  n?: number;
  /** Height and width in pixels (at least 7). Default 12. */
  size?: number;
  /** Standard deviation of the Gaussian pixel noise. Default 0.2. */
  noise?: number;
  seed?: number;
}

/**
 * One-channel images of a bar (class 0: horizontal or vertical, 5 pixels long) or a cross
 * (class 1: a plus sign, arms of 2 around the centre: 5 pixels on each axis, 9 in all) at a
 * random position, with pixel noise; the classes differ in shape, not in where the ink is.
 * x [n, 1, size, size] with ink 1 on background 0, y [n] labels 0/1, in a seeded random order.
 */
export function barsAndCrosses(optionsArg: BarsAndCrossesOptions = {}): SyntheticData {
  const op = 'barsAndCrosses';
  // Keys and object shape checked here; each value is checked below where it is read.
  const options = readOptions(op, optionsArg, { n: is.any, size: is.any, noise: is.any, seed: is.any }) as BarsAndCrossesOptions;
  const n = options.n ?? 400;
  const size = options.size ?? 12;
  const noise = options.noise ?? 0.2;
  checkCount(op, 'n', n, 2);
  checkCount(op, 'size', size, 7);
  checkNonNegative(op, 'noise', noise);
  const rand = dataRng(options.seed ?? 0);
  const pixels = size * size;
  const x = new Float32Array(n * pixels);
  const y = new Float32Array(n);
  const pick = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  for (let i = 0; i < n; i++) {
    const img = x.subarray(i * pixels, (i + 1) * pixels);
    const cross = i % 2 === 1;
    const r = pick(2, size - 3);
    const c = pick(2, size - 3);
    if (cross) {
      for (let d = -2; d <= 2; d++) {
        img[(r + d) * size + c] = 1;
        img[r * size + c + d] = 1;
      }
    } else if (rand() < 0.5) {
      for (let d = -2; d <= 2; d++) img[r * size + c + d] = 1;
    } else {
      for (let d = -2; d <= 2; d++) img[(r + d) * size + c] = 1;
    }
    for (let p = 0; p < pixels; p++) img[p] = (img[p] as number) + noise * gaussian(rand);
    y[i] = cross ? 1 : 0;
  }
  const order = permutation(n, rand);
  return { x: fromValues(op, shuffledRows(x, pixels, order), [n, 1, size, size]), y: fromValues(op, shuffledRows(y, 1, order), [n]) };
}

export interface OutliersOptions {
  /** Rows in total. Default 1000. */
  n?: number;
  /** Features. Default 10. */
  dim?: number;
  /** Dimension of the plane the normal rows lie near. Default 2. */
  latentDim?: number;
  /** Share of rows replaced by outliers. Default 0.05. */
  outlierFraction?: number;
  /** Standard deviation of the normal rows' noise off the plane. Default 0.1. */
  noise?: number;
  seed?: number;
}

/**
 * Normal rows near a random `latentDim`-dimensional plane in `dim` dimensions (x = A·z + noise,
 * z ~ N(0, I), A with N(0, 1/latentDim) entries, so each feature has variance about 1), and
 * injected outliers drawn independently per feature with each feature's own spread: the
 * outliers look normal one column at a time and stand out only in how the columns go together.
 * x [n, dim], y [n] with 1 for an outlier (round(n·outlierFraction) of them, at random rows).
 */
export function gaussianWithOutliers(optionsArg: OutliersOptions = {}): SyntheticData {
  const op = 'gaussianWithOutliers';
  // Keys and object shape checked here; each value is checked below where it is read.
  const options = readOptions(op, optionsArg, { n: is.any, dim: is.any, latentDim: is.any, outlierFraction: is.any, noise: is.any, seed: is.any }) as OutliersOptions;
  const n = options.n ?? 1000;
  const dim = options.dim ?? 10;
  const latentDim = options.latentDim ?? 2;
  const fraction = options.outlierFraction ?? 0.05;
  const noise = options.noise ?? 0.1;
  checkCount(op, 'n', n);
  checkCount(op, 'dim', dim, 2);
  checkCount(op, 'latentDim', latentDim);
  if (latentDim >= dim) throw new ValueError(`${op}: latentDim (${latentDim}) must be less than dim (${dim})`);
  if (!(fraction >= 0 && fraction < 1)) throw new ValueError(`${op}: outlierFraction must be in [0, 1), got ${String(fraction)}`);
  checkNonNegative(op, 'noise', noise);
  const rand = dataRng(options.seed ?? 0);
  const a = Float64Array.from({ length: dim * latentDim }, () => gaussian(rand) / Math.sqrt(latentDim));
  const spread = Float64Array.from({ length: dim }, (_, j) => {
    let s = noise * noise;
    for (let k = 0; k < latentDim; k++) s += (a[j * latentDim + k] as number) ** 2;
    return Math.sqrt(s);
  });
  const outliers = new Set(Array.from(permutation(n, rand).subarray(0, Math.round(n * fraction))));
  const x = new Float32Array(n * dim);
  const y = new Float32Array(n);
  const z = new Float64Array(latentDim);
  for (let i = 0; i < n; i++) {
    if (outliers.has(i)) {
      y[i] = 1;
      for (let j = 0; j < dim; j++) x[i * dim + j] = (spread[j] as number) * gaussian(rand);
      continue;
    }
    for (let k = 0; k < latentDim; k++) z[k] = gaussian(rand);
    for (let j = 0; j < dim; j++) {
      let v = noise * gaussian(rand);
      for (let k = 0; k < latentDim; k++) v += (a[j * latentDim + k] as number) * (z[k] as number);
      x[i * dim + j] = v;
    }
  }
  return { x: fromValues(op, x, [n, dim]), y: fromValues(op, y, [n]) };
}
