// Splitters against scikit-learn (test/fixtures/sklearn-preprocessing.json): KFold,
// StratifiedKFold and TimeSeriesSplit folds exactly; trainTestSplit's stratified class counts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KFold, StratifiedKFold, TimeSeriesSplit, trainTestSplit, type Fold } from '../../src/finance/index.js';
import { UnknownOptionError } from '../../src/index.js';

interface Pair {
  train: number[];
  test: number[];
}
const F = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sklearn-preprocessing.json'), 'utf8')) as {
  kfold: Record<string, Pair[]>;
  stratifiedKFold: { y: number[]; '3': Pair[] };
  timeSeriesSplit: Record<string, Pair[]>;
  trainTestSplit: { y: number[]; testSize: number; testCounts: number[]; trainCounts: number[] }[];
};

const plain = (folds: Fold[]): Pair[] => folds.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }));

describe('splitters equal sklearn', () => {
  it('KFold', () => {
    expect(plain(new KFold(5).split(40))).toEqual(F.kfold['5']);
    expect(plain(new KFold(3).split(17))).toEqual(F.kfold['3']);
  });
  it('StratifiedKFold', () => {
    expect(plain(new StratifiedKFold(3).split(F.stratifiedKFold.y.length, F.stratifiedKFold.y))).toEqual(F.stratifiedKFold['3']);
  });
  it('TimeSeriesSplit: expanding, with a gap, rolling with a test size', () => {
    expect(plain(new TimeSeriesSplit(5).split(23))).toEqual(F.timeSeriesSplit['default']);
    expect(plain(new TimeSeriesSplit(3, { gap: 2 }).split(20))).toEqual(F.timeSeriesSplit['gap']);
    expect(plain(new TimeSeriesSplit(4, { maxTrainSize: 5, testSize: 3, gap: 1 }).split(30))).toEqual(F.timeSeriesSplit['rolling']);
  });
  it('trainTestSplit: stratified class counts', () => {
    F.trainTestSplit.forEach(({ y, testSize, testCounts, trainCounts }, c) => {
      for (const seed of [0, 1, 2]) {
        const { trainIndex, testIndex } = trainTestSplit(y.length, { testSize, stratify: y, seed });
        const counts = (idx: Int32Array): number[] => testCounts.map((_, k) => Array.from(idx).filter((i) => y[i] === k).length);
        if (c < 2) {
          expect(counts(testIndex)).toEqual(testCounts);
          expect(counts(trainIndex)).toEqual(trainCounts);
        } else {
          // A tie of remainders (50/50 into 25 rows): sklearn breaks it at random; either side gets the odd row.
          expect([...counts(testIndex)].sort()).toEqual([...testCounts].sort());
        }
        expect(new Set([...trainIndex, ...testIndex]).size).toBe(trainIndex.length + testIndex.length);
      }
    });
  });
});

describe('seeded shuffles and checks', () => {
  it('same seed, same split; another seed, another split; folds partition the rows', () => {
    const a = plain(new KFold(4, { shuffle: true, seed: 3 }).split(30));
    expect(plain(new KFold(4, { shuffle: true, seed: 3 }).split(30))).toEqual(a);
    expect(plain(new KFold(4, { shuffle: true, seed: 4 }).split(30))).not.toEqual(a);
    expect(a.flatMap((f) => f.test).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const s = trainTestSplit(100, { seed: 5 });
    expect([s.trainIndex.length, s.testIndex.length]).toEqual([75, 25]);
    expect(trainTestSplit(100, { seed: 5 })).toEqual(s);
    expect(trainTestSplit(10, { shuffle: false, testSize: 3 }).testIndex).toEqual(Int32Array.from([7, 8, 9]));
    const y = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 'bad' : 'good'));
    for (const f of new StratifiedKFold(4, { shuffle: true, seed: 1 }).split(60, y)) expect(Array.from(f.test).filter((i) => y[i] === 'bad').length).toBe(5);
  });
  it('no training window touches its test window', () => {
    for (const f of new TimeSeriesSplit(5, { gap: 3, maxTrainSize: 10 }).split(100)) {
      expect((f.test[0] as number) - (f.train[f.train.length - 1] as number)).toBe(4);
      expect(f.train.length).toBe(10);
    }
  });
  it('errors', () => {
    expect(() => new KFold(5, { random_state: 1 } as never)).toThrow(UnknownOptionError);
    expect(() => new KFold(1)).toThrow(/nSplits must be an integer >= 2/);
    expect(() => new KFold(5).split(3)).toThrow(/nSplits 5 is more than the 3 rows/);
    expect(() => new TimeSeriesSplit(5, { gap: 10 }).split(20)).toThrow(/too few/);
    expect(() => trainTestSplit(4, { stratify: [0, 0, 0, 1] })).toThrow(/class 1 has 1 row/);
  });
});
