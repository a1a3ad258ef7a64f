// The transformers against scikit-learn (test/fixtures/sklearn-preprocessing.json, written by
// scripts/fixtures/sklearn_preprocessing.py): fitted on a small mixed table with missing values,
// applied to new rows with unseen categories; output values and feature names.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ColumnTransformer,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  SimpleImputer,
  StandardScaler,
  Table,
  type Transformer,
  transformerFromJSON,
} from '../../src/finance/index.js';
import { NotFittedError, UnknownOptionError, ValueError } from '../../src/index.js';

type Cell = number | string | null;
interface Applied {
  train: Cell[][];
  test: Cell[][];
  names: string[];
}
const F = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sklearn-preprocessing.json'), 'utf8')) as {
  train: Record<string, Cell[]>;
  test: Record<string, Cell[]>;
  numeric: string[];
  categorical: string[];
  standardScaler: Applied;
  minMaxScaler: Applied;
  imputer: Record<string, Applied>;
  oneHot: Record<string, Applied & { categories: Cell[][] }>;
  ordinal: Applied;
  oneHotGiven: Applied;
  ordinalGiven: Applied;
};

const types = { income: 'numeric', age: 'numeric', const: 'numeric', job: 'categorical', city: 'categorical' } as const;
const train = Table.fromColumns(F.train as Record<string, (number | string | null)[]>, { types });
const test = Table.fromColumns(F.test as Record<string, (number | string | null)[]>, { types });

/** Rows of a table (null for NaN / missing) to compare with the fixture's rows. */
function rows(t: Table): Cell[][] {
  return Array.from({ length: t.nRows }, (_, i) => t.columnNames.map((c) => {
    const v = t.column(c)[i] as number | string | null;
    return typeof v === 'number' && Number.isNaN(v) ? null : v;
  }));
}

function expectClose(got: Cell[][], want: Cell[][]): void {
  expect(got.length).toBe(want.length);
  got.forEach((row, i) =>
    row.forEach((v, j) => {
      const w = (want[i] as Cell[])[j] as Cell;
      if (typeof w === 'number' && typeof v === 'number') expect(Math.abs(v - w), `row ${i} column ${j}: ${v} vs ${w}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(w)));
      else expect(v, `row ${i} column ${j}`).toEqual(w);
    }),
  );
}

/** Fits on train[cols], checks train/test outputs and names, and that a JSON round trip transforms identically. */
function check(step: Transformer, cols: string[], want: Applied): void {
  const fitted = step.fit(train.select(cols));
  expect(fitted.getFeatureNamesOut()).toEqual(want.names);
  expectClose(rows(step.transform(train)), want.train);
  expectClose(rows(step.transform(test)), want.test);
  const back = transformerFromJSON(JSON.parse(JSON.stringify(step.toJSON())));
  expect(rows(back.transform(test))).toEqual(rows(step.transform(test)));
  expect(back.getFeatureNamesOut()).toEqual(want.names);
}

describe('against scikit-learn', () => {
  it('StandardScaler: population std, constant column at scale 1, NaN passed through', () => {
    check(new StandardScaler(), F.numeric, F.standardScaler);
  });
  it('MinMaxScaler with featureRange [-1, 2]', () => {
    check(new MinMaxScaler({ featureRange: [-1, 2] }), F.numeric, F.minMaxScaler);
  });
  it.each([
    ['mean', 'mean'],
    ['median', 'median'],
    ['mostFrequent', 'most_frequent'],
  ] as const)('SimpleImputer %s with missing indicators', (strategy, key) => {
    const imp = new SimpleImputer({ strategy, addIndicator: true });
    check(imp, F.numeric, F.imputer[key] as Applied);
    imp.transform(test);
    expect(imp.imputedCounts).toEqual({ income: 1, age: 1, const: 0 });
  });
  it('SimpleImputer mostFrequent on strings, constant on numbers', () => {
    check(new SimpleImputer({ strategy: 'mostFrequent' }), F.categorical, F.imputer['most_frequent_cat'] as Applied);
    check(new SimpleImputer({ strategy: 'constant', fillValue: -1 }), F.numeric, F.imputer['constant'] as Applied);
  });
  it.each([
    ['ignore', { handleUnknown: 'ignore' }],
    ['minFrequency', { handleUnknown: 'infrequentIfExist', minFrequency: 4 }],
    ['minFrequencyShare', { handleUnknown: 'infrequentIfExist', minFrequency: 0.2 }],
    ['maxCategories', { handleUnknown: 'infrequentIfExist', maxCategories: 3 }],
    ['dropFirst', { handleUnknown: 'ignore', drop: 'first' }],
    ['dropIfBinary', { handleUnknown: 'infrequentIfExist', maxCategories: 2, drop: 'ifBinary' }],
    ['dropFirstInfrequent', { handleUnknown: 'infrequentIfExist', minFrequency: 4, drop: 'first' }],
  ] as const)('OneHotEncoder %s: sorted categories, missing as a category, unknown and rare ones', (key, options) => {
    const enc = new OneHotEncoder(options);
    const want = F.oneHot[key] as Applied & { categories: Cell[][] };
    check(enc, F.categorical, want);
    expect(enc.categories).toEqual(want.categories);
  });
  it('OrdinalEncoder with an encoded value for unknown categories', () => {
    check(new OrdinalEncoder({ handleUnknown: 'useEncodedValue', unknownValue: -1 }), F.categorical, F.ordinal);
  });
});

describe('given categories', () => {
  it('keep their order, include categories absent from fit, and reject values outside them', () => {
    check(new OneHotEncoder({ categories: { city: ['Zug', 'Bern', 'Basel', 'Geneva'] } }), ['city'], F.oneHotGiven);
    check(new OrdinalEncoder({ categories: { city: ['Zug', 'Geneva', 'Bern', 'Basel'] } }), ['city'], F.ordinalGiven);
    expect(() => new OneHotEncoder({ categories: { city: ['Zug', 'Bern'] } }).fit(train.select(['city']))).toThrow(/column 'city' has "Basel" at row \d+, which is not among the given categories/);
    expect(() => new OneHotEncoder({ categories: { town: ['a'] } }).fit(train.select(['city']))).toThrow(/names column 'town'/);
  });
});

describe('errors', () => {
  it('unknown categories, categorical columns in a scaler, unfitted steps, snake_case options', () => {
    const enc = new OneHotEncoder().fit(train.select(['city']));
    expect(() => enc.transform(test)).toThrow(/column 'city' has category "Geneva" at row 1, not seen in fit/);
    expect(() => new StandardScaler().fit(train)).toThrow(/column 'job' is categorical/);
    expect(() => new StandardScaler().transform(train)).toThrow(NotFittedError);
    expect(() => new SimpleImputer({ add_indicator: true } as never)).toThrow(UnknownOptionError);
    expect(() => new SimpleImputer({ strategy: 'most_frequent' as never })).toThrow(/did you mean 'mostFrequent'/);
    expect(() => new SimpleImputer({ strategy: 'mean' }).fit(train.select(['job']))).toThrow(/strategy 'mean' needs numbers but column 'job' is categorical/);
    expect(() => new StandardScaler().fit(train.select(['age'])).transform(test.select(['income']))).toThrow(ValueError);
  });
});

describe('ColumnTransformer', () => {
  it('routes by type and by name, prefixes names, and equals its parts', () => {
    const ct = new ColumnTransformer([
      ['num', new StandardScaler(), { types: ['numeric'] }],
      ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), ['job', 'city']],
    ]);
    ct.fit(train);
    const names = ct.getFeatureNamesOut();
    expect(names).toEqual([...F.standardScaler.names.map((n) => `num__${n}`), ...(F.oneHot['ignore'] as Applied).names.map((n) => `cat__${n}`)]);
    const out = ct.transform(test);
    expect(out.columnNames).toEqual(names);
    expectClose(rows(out), F.standardScaler.test.map((r, i) => [...r, ...((F.oneHot['ignore'] as Applied).test[i] as Cell[])]));
    const back = transformerFromJSON(JSON.parse(JSON.stringify(ct.toJSON())));
    expect(rows(back.transform(test))).toEqual(rows(out));
    const pass = new ColumnTransformer([['cat', new OrdinalEncoder({ handleUnknown: 'useEncodedValue', unknownValue: -1 }), ['city']]], { remainder: 'passthrough' }).fit(train);
    expect(pass.getFeatureNamesOut()).toEqual(['cat__city', 'remainder__income', 'remainder__age', 'remainder__const', 'remainder__job']);
    const clone = ct.clone({ cat__handleUnknown: 'error' }) as ColumnTransformer;
    expect(clone.isFitted).toBe(false);
    expect(() => clone.fit(train).transform(test)).toThrow(/not seen in fit/);
    expect(() => new ColumnTransformer([['a', new StandardScaler(), ['age']], ['b', new MinMaxScaler(), ['age']]]).fit(train)).toThrow(/'age' is selected by both 'a' and 'b'/);
  });
});
