// Train/test splits and cross-validation splitters with scikit-learn's rules: the same fold
// sizes, the same order of indices (both sides ascending, as sklearn's masks give them), the
// same stratified allocation (StratifiedKFold's round-robin over sorted labels; trainTestSplit's
// largest-remainder `_approximate_mode`, train first). Unshuffled splits equal sklearn's exactly.
// Shuffles are seeded (fingrad's dataRng, mulberry32), not numpy's Mersenne Twister: a seed gives
// the same split on every run and platform, but not the split numpy gives for that seed.
import { ValueError, dataRng, permutation } from '../index.js';
import { is, readOptions } from '../validate.js';
import { Table } from './table.js';

/** One fold: row indices for training and for testing, each ascending. */
export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/** A cross-validation splitter (KFold, StratifiedKFold, TimeSeriesSplit). */
export interface Splitter {
  readonly nSplits: number;
  /** The folds of `n` rows (labels `y` for stratified splitters). */
  split(n: number | { length: number } | Table, y?: ArrayLike<string | number>): Fold[];
}

type LabelList = ArrayLike<string | number>;

function rowsOf(where: string, x: number | { length: number } | Table): number {
  const n = typeof x === 'number' ? x : x instanceof Table ? x.nRows : x?.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ValueError(`${where}: x must be a row count, a Table or an array of rows`);
  return n;
}

/** Each label's code, codes numbered by first appearance (as sklearn's StratifiedKFold encodes). */
function encodeByAppearance(y: LabelList): { codes: Int32Array; counts: number[] } {
  const pos = new Map<string | number, number>();
  const counts: number[] = [];
  const codes = Int32Array.from(Array.from(y), (v) => {
    let k = pos.get(v);
    if (k === undefined) pos.set(v, (k = counts.push(0) - 1));
    counts[k] = (counts[k] as number) + 1;
    return k;
  });
  return { codes, counts };
}

function foldsFromTestCodes(testFold: Int32Array, k: number): Fold[] {
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    testFold.forEach((g, i) => (g === f ? test : train).push(i));
    return { train: Int32Array.from(train), test: Int32Array.from(test) };
  });
}

const kfoldSpec = { shuffle: is.boolean, seed: is.int() } as const;

function checkSplits(where: string, nSplits: unknown): number {
  return is.int({ min: 2 })(nSplits, `${where}: nSplits`);
}

/** K folds of consecutive rows (after a seeded shuffle when `shuffle`); the first n mod k folds one row larger. */
export class KFold implements Splitter {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly seed: number;

  constructor(nSplits = 5, options?: { shuffle?: boolean; seed?: number }) {
    this.nSplits = checkSplits('KFold', nSplits);
    const o = readOptions('KFold', options, kfoldSpec);
    this.shuffle = o.shuffle ?? false;
    this.seed = o.seed ?? 0;
  }

  split(x: number | { length: number } | Table): Fold[] {
    const n = rowsOf('KFold.split', x);
    const k = this.nSplits;
    if (k > n) throw new ValueError(`KFold.split: nSplits ${k} is more than the ${n} rows`);
    const order = this.shuffle ? permutation(n, dataRng(this.seed)) : Int32Array.from({ length: n }, (_, i) => i);
    const testFold = new Int32Array(n);
    let start = 0;
    for (let f = 0; f < k; f++) {
      const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
      for (let i = start; i < start + size; i++) testFold[order[i] as number] = f;
      start += size;
    }
    return foldsFromTestCodes(testFold, k);
  }
}

/** K folds keeping each class's share (sklearn ≥ 0.22's allocation: labels sorted, dealt round-robin to the folds). */
export class StratifiedKFold implements Splitter {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly seed: number;

  constructor(nSplits = 5, options?: { shuffle?: boolean; seed?: number }) {
    this.nSplits = checkSplits('StratifiedKFold', nSplits);
    const o = readOptions('StratifiedKFold', options, kfoldSpec);
    this.shuffle = o.shuffle ?? false;
    this.seed = o.seed ?? 0;
  }

  split(x: number | { length: number } | Table, y?: LabelList): Fold[] {
    const where = 'StratifiedKFold.split';
    const n = rowsOf(where, x);
    if (y === undefined || y.length !== n) throw new ValueError(`${where}: needs one label per row (${n}), got ${y === undefined ? 'none' : y.length}`);
    const k = this.nSplits;
    const { codes, counts } = encodeByAppearance(y);
    if (counts.every((c) => c < k)) throw new ValueError(`${where}: nSplits ${k} is more than the rows of every class (largest class: ${Math.max(...counts)})`);
    const sorted = Int32Array.from(codes).sort();
    const rand = dataRng(this.seed);
    const testFold = new Int32Array(n);
    counts.forEach((_, c) => {
      // allocation[f][c] = rows of class c among sorted[f], sorted[f + k], …
      const folds: number[] = [];
      for (let f = 0; f < k; f++) {
        let m = 0;
        for (let i = f; i < n; i += k) if (sorted[i] === c) m++;
        for (let j = 0; j < m; j++) folds.push(f);
      }
      const order = this.shuffle ? permutation(folds.length, rand) : null;
      let j = 0;
      codes.forEach((code, i) => {
        if (code === c) testFold[i] = folds[order === null ? j++ : (order[j++] as number)] as number;
      });
    });
    return foldsFromTestCodes(testFold, k);
  }
}

export interface TimeSeriesSplitOptions {
  /** Longest training window: set it for a rolling window (default: expanding, from row 0). */
  maxTrainSize?: number;
  /** Rows per test window (default ⌊n / (nSplits + 1)⌋). */
  testSize?: number;
  /** Rows left out between the end of training and the start of testing (an embargo). Default 0. */
  gap?: number;
}

/** Forward-chaining folds over rows in time order: every training row precedes its test window by more than `gap` rows. */
export class TimeSeriesSplit implements Splitter {
  readonly nSplits: number;
  readonly maxTrainSize: number | undefined;
  readonly testSize: number | undefined;
  readonly gap: number;

  constructor(nSplits = 5, options?: TimeSeriesSplitOptions) {
    this.nSplits = checkSplits('TimeSeriesSplit', nSplits);
    const o = readOptions('TimeSeriesSplit', options, { maxTrainSize: is.int({ min: 1 }), testSize: is.int({ min: 1 }), gap: is.int({ min: 0 }) });
    this.maxTrainSize = o.maxTrainSize;
    this.testSize = o.testSize;
    this.gap = o.gap ?? 0;
  }

  split(x: number | { length: number } | Table): Fold[] {
    const where = 'TimeSeriesSplit.split';
    const n = rowsOf(where, x);
    const k = this.nSplits;
    if (k + 1 > n) throw new ValueError(`${where}: ${k} splits need at least ${k + 1} rows, got ${n}`);
    const testSize = this.testSize ?? Math.floor(n / (k + 1));
    if (n - this.gap - testSize * k <= 0) throw new ValueError(`${where}: ${n} rows are too few for ${k} test windows of ${testSize} rows after a gap of ${this.gap}`);
    const range = (a: number, b: number): Int32Array => Int32Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
    const folds: Fold[] = [];
    for (let start = n - k * testSize; start < n; start += testSize) {
      const end = start - this.gap;
      const from = this.maxTrainSize !== undefined && this.maxTrainSize < end ? end - this.maxTrainSize : 0;
      folds.push({ train: range(from, end), test: range(start, start + testSize) });
    }
    return folds;
  }
}

export interface TrainTestSplitOptions {
  /** Share (0–1) or number of test rows. Default 0.25 (the complement of trainSize when that is given). */
  testSize?: number;
  /** Share (0–1) or number of training rows. Default: the rest. */
  trainSize?: number;
  /** Shuffle before splitting (default true); false takes the first rows for training. */
  shuffle?: boolean;
  /** Labels whose class shares both sides keep. */
  stratify?: LabelList;
  /** Seed of the shuffle (default 0). */
  seed?: number;
}

function count(where: string, name: string, v: number, n: number, round: (x: number) => number): number {
  if (v > 0 && v < 1) return round(v * n);
  if (Number.isInteger(v) && v >= 1 && v < n) return v;
  throw new ValueError(`${where}: ${name} ${v} must be a share in (0, 1) or a row count in [1, ${n - 1}]`);
}

/** sklearn's _approximate_mode: floor of each share, the rest to the largest remainders (ties in seeded random order). */
function approximateMode(counts: number[], draws: number, rand: () => number): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  const exact = counts.map((c) => (c / total) * draws);
  const out = exact.map(Math.floor);
  let need = draws - out.reduce((s, c) => s + c, 0);
  const rest = [...new Set(exact.map((e, i) => e - (out[i] as number)))].sort((a, b) => b - a);
  for (const r of rest) {
    if (need <= 0) break;
    const tied = exact.map((_, i) => i).filter((i) => (exact[i] as number) - (out[i] as number) === r);
    const pick = permutation(tied.length, rand);
    for (let j = 0; j < Math.min(need, tied.length); j++) {
      const c = tied[pick[j] as number] as number;
      out[c] = (out[c] as number) + 1;
    }
    need -= Math.min(need, tied.length);
  }
  return out;
}

/** Row indices of a train/test split, each ascending (sklearn's train_test_split of arange(n), sorted); pick rows with Table.take. */
export function trainTestSplit(x: number | { length: number } | Table, options?: TrainTestSplitOptions): { trainIndex: Int32Array; testIndex: Int32Array } {
  const where = 'trainTestSplit';
  const o = readOptions(where, options, { testSize: is.number({ min: 0, minOpen: true }), trainSize: is.number({ min: 0, minOpen: true }), shuffle: is.boolean, stratify: is.any, seed: is.int() });
  const n = rowsOf(where, x);
  const nTest = o.testSize !== undefined ? count(where, 'testSize', o.testSize, n, Math.ceil) : o.trainSize !== undefined ? n - count(where, 'trainSize', o.trainSize, n, Math.floor) : Math.ceil(0.25 * n);
  const nTrain = o.trainSize !== undefined ? count(where, 'trainSize', o.trainSize, n, Math.floor) : n - nTest;
  if (nTrain + nTest > n) throw new ValueError(`${where}: trainSize and testSize ask for ${nTrain} + ${nTest} rows but there are ${n}`);
  if (nTrain === 0 || nTest === 0) throw new ValueError(`${where}: ${n} rows give an empty ${nTrain === 0 ? 'training' : 'test'} set`);
  const rand = dataRng(o.seed ?? 0);
  const ascending = (a: number[]): Int32Array => Int32Array.from(a).sort();
  if (o.shuffle === false) {
    if (o.stratify !== undefined) throw new ValueError(`${where}: stratify needs shuffle: true`);
    return { trainIndex: Int32Array.from({ length: nTrain }, (_, i) => i), testIndex: Int32Array.from({ length: nTest }, (_, i) => nTrain + i) };
  }
  if (o.stratify === undefined) {
    const p = permutation(n, rand);
    return { testIndex: ascending(Array.from(p.subarray(0, nTest))), trainIndex: ascending(Array.from(p.subarray(nTest, nTest + nTrain))) };
  }
  const y = o.stratify as LabelList;
  if (y === null || typeof y !== 'object' || y.length !== n) throw new ValueError(`${where}: stratify must hold one label per row (${n})`);
  const labels = [...new Set(Array.from(y))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const members = labels.map((l) => Array.from(y).flatMap((v, i) => (v === l ? [i] : [])));
  const counts = members.map((m) => m.length);
  const small = counts.findIndex((c) => c < 2);
  if (small >= 0) throw new ValueError(`${where}: class ${JSON.stringify(labels[small])} has ${counts[small]} row; stratifying needs at least 2 per class`);
  if (nTrain < labels.length || nTest < labels.length) throw new ValueError(`${where}: ${nTrain} training and ${nTest} test rows cannot hold all ${labels.length} classes`);
  const nI = approximateMode(counts, nTrain, rand);
  const tI = approximateMode(counts.map((c, i) => c - (nI[i] as number)), nTest, rand);
  const train: number[] = [];
  const test: number[] = [];
  members.forEach((m, c) => {
    const p = permutation(m.length, rand);
    const rows = Array.from(p, (k) => m[k] as number);
    train.push(...rows.slice(0, nI[c]));
    test.push(...rows.slice(nI[c], (nI[c] as number) + (tI[c] as number)));
  });
  return { trainIndex: ascending(train), testIndex: ascending(test) };
}
