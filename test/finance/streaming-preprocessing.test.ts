// partialFit over chunks against fit on all rows: means and variances equal up to rounding,
// minimum, maximum, categories (with infrequent grouping) and imputation means exactly; the
// median sketch within its stated rank bound, and exact while the stream fits the reservoir.
import { describe, expect, it } from 'vitest';
import { type CsvData, MinMaxScaler, OneHotEncoder, Pipeline, SimpleImputer, StandardScaler, Table, WoEEncoder, applicantsCsv, generateApplicants, parseCsv, readCsvChunks } from '../../src/finance/index.js';
import { ReservoirQuantiles } from '../../src/finance/quantile-sketch.js';
import { ValueError, dataRng, gaussian } from '../../src/index.js';

const text = applicantsCsv(generateApplicants(12_000, 3));
const whole = parseCsv(text, { target: 'default' }).table.drop(['id']);
const numeric = whole.columnNames.filter((c) => whole.typeOf(c) !== 'categorical');
const categorical = whole.columnNames.filter((c) => whole.typeOf(c) === 'categorical');

async function chunks(chunkRows: number): Promise<Table[]> {
  const out: Table[] = [];
  for await (const c of readCsvChunks(text, { target: 'default', chunkRows }) as AsyncIterable<CsvData>) out.push(c.table.drop(['id']));
  return out;
}

function closeArrays(a: ArrayLike<number>, b: ArrayLike<number>, rel = 1e-12): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (Number.isNaN(b[i] as number)) expect(a[i]).toBeNaN();
  else expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b[i] as number)));
}

describe('partialFit over chunks equals fit on all rows', () => {
  it('StandardScaler: mean and variance up to rounding, with missing values', async () => {
    const full = new StandardScaler().fit(whole.select(numeric));
    const s = new StandardScaler();
    for (const c of await chunks(997)) s.partialFit(c.select(numeric));
    closeArrays(s.mean, full.mean);
    closeArrays(s.var, full.var, 1e-10);
    closeArrays(s.scale, full.scale, 1e-10);
    expect(Array.from(s.nSamplesSeen)).toEqual(numeric.map((c) => whole.nRows - (whole.missingCounts()[c] as number)));
    closeArrays(s.transform(whole.select(numeric)).toMatrix(), full.transform(whole.select(numeric)).toMatrix(), 1e-9);
  });

  it('StandardScaler: large offsets do not cancel (pairwise merge)', () => {
    const v = Float64Array.from({ length: 3000 }, (_, i) => 1e9 + (i % 7));
    const full = new StandardScaler().fit(new Table([{ name: "v", type: "numeric", values: v }]));
    const s = new StandardScaler();
    for (let i = 0; i < 3000; i += 100) s.partialFit(new Table([{ name: 'v', type: 'numeric', values: v.slice(i, i + 100) }]));
    closeArrays(s.var, full.var, 1e-9);
  });

  it('MinMaxScaler: exact', async () => {
    const full = new MinMaxScaler({ featureRange: [-1, 1] }).fit(whole.select(numeric));
    const s = new MinMaxScaler({ featureRange: [-1, 1] });
    for (const c of await chunks(1500)) s.partialFit(c.select(numeric));
    expect(s.toJSON()).toEqual(full.toJSON());
  });

  it('SimpleImputer mean, mostFrequent, constant and indicators: exact', async () => {
    const parts = await chunks(1111);
    for (const [opts, cols] of [[{ strategy: 'mean', addIndicator: true }, numeric], [{ strategy: 'mostFrequent', addIndicator: true }, whole.columnNames], [{ strategy: 'constant' }, whole.columnNames]] as const) {
      const full = new SimpleImputer(opts).fit(whole.select(cols));
      const s = new SimpleImputer(opts);
      for (const c of parts) s.partialFit(c.select(cols));
      expect(s.toJSON()).toEqual(full.toJSON());
    }
  });

  it('SimpleImputer median: exact while the column fits the sketch', async () => {
    const full = new SimpleImputer({ strategy: 'median' }).fit(whole.select(numeric));
    const s = new SimpleImputer({ strategy: 'median' });
    for (const c of await chunks(2000)) s.partialFit(c.select(numeric));
    expect(s.statistics).toEqual(full.statistics);
  });

  it('OneHotEncoder: categories and infrequent grouping exact', async () => {
    for (const opts of [{}, { minFrequency: 0.02, handleUnknown: 'infrequentIfExist' }, { maxCategories: 3 }] as const) {
      const full = new OneHotEncoder(opts).fit(whole.select(categorical));
      const s = new OneHotEncoder(opts);
      for (const c of await chunks(700)) s.partialFit(c.select(categorical));
      expect(s.toJSON()).toEqual(full.toJSON());
      expect(s.getFeatureNamesOut()).toEqual(full.getFeatureNamesOut());
    }
  });

  it('fit after partialFit starts over; a chunk with other columns, a categorical mean and an all-rows step are errors', async () => {
    const [a, b] = await chunks(3000);
    const s = new StandardScaler().partialFit((a as Table).select(['age']));
    expect(() => s.partialFit((b as Table).select(['income']))).toThrow(/earlier chunks had age/);
    s.fit((b as Table).select(['income'])).partialFit((a as Table).select(['age']));
    expect(Array.from(s.nSamplesSeen)).toEqual([3000]);
    expect(() => new SimpleImputer().partialFit((a as Table).select(['housing']))).toThrow(ValueError);
    expect(() => new WoEEncoder().partialFit((a as Table).select(['housing']), new Float64Array(3000))).toThrow(/needs all rows at once/);
    expect(() => new Pipeline([['scale', new StandardScaler()]]).partialFit((a as Table).select(['age']))).toThrow(/partialFitSteps/);
    const empty = new SimpleImputer().partialFit(new Table([{ name: 'v', type: 'numeric', values: new Float64Array([NaN]) }]));
    expect(() => empty.transform(new Table([{ name: 'v', type: 'numeric', values: new Float64Array([NaN]) }]))).toThrow(/no observed value/);
  });
});

describe('ReservoirQuantiles', () => {
  function exactQuantile(sorted: Float64Array, q: number): number {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    return lo + 1 < sorted.length ? (sorted[lo] as number) + (pos - lo) * ((sorted[lo + 1] as number) - (sorted[lo] as number)) : (sorted[lo] as number);
  }

  it('is exact while the stream fits the reservoir', () => {
    const rand = dataRng(1);
    const v = Float64Array.from({ length: 999 }, () => gaussian(rand));
    const sk = new ReservoirQuantiles(1000);
    sk.update(v.subarray(0, 500));
    sk.update(v.subarray(500));
    const sorted = v.slice().sort();
    for (const q of [0, 0.1, 0.5, 0.77, 1]) expect(sk.quantile(q)).toBe(exactQuantile(sorted, q));
  });

  it('keeps the rank error within the stated bound on a long skewed stream', () => {
    const rand = dataRng(2);
    const n = 200_000;
    const v = Float64Array.from({ length: n }, () => Math.exp(2 * gaussian(rand)));
    const capacity = 4096;
    const eps = ReservoirQuantiles.rankError(capacity);
    const sorted = v.slice().sort();
    for (const seed of [0, 1, 2]) {
      const sk = new ReservoirQuantiles(capacity, seed);
      for (let i = 0; i < n; i += 5000) sk.update(v.subarray(i, i + 5000));
      expect(sk.count).toBe(n);
      for (const q of [0.01, 0.25, 0.5, 0.9, 0.99]) {
        const got = sk.quantile(q);
        // Rank of the returned value in the stream (first index above it).
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((sorted[mid] as number) <= got) lo = mid + 1;
          else hi = mid;
        }
        expect(Math.abs(lo / n - q)).toBeLessThanOrEqual(eps);
      }
    }
    expect(eps).toBeCloseTo(Math.sqrt(Math.log(2e6) / 8192), 12);
  });

  it('skips NaN and rejects a bad q', () => {
    const sk = new ReservoirQuantiles(10);
    expect(sk.quantile(0.5)).toBeNaN();
    sk.update([NaN, 3, NaN, 1]);
    expect(sk.count).toBe(2);
    expect(sk.quantile(0.5)).toBe(2);
    expect(() => sk.quantile(1.5)).toThrow();
  });
});
