// CSV in and the Table: separators, quotes, missing markers, type inference and overrides, and
// every bad-data case of the issue naming the file, the file line and the column.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvError, Table, parseCsv, readCsv } from '../../src/finance/index.js';
import { UnknownOptionError, memoryStats } from '../../src/index.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fingrad-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

/** The CsvError a call throws (fails the test when it does not throw one). */
async function csvError(run: () => unknown): Promise<CsvError> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error('expected a CsvError');
}

describe('parseCsv', () => {
  it('reads a header, quoted fields, missing markers and infers types', () => {
    const text = 'age,job,income,owner,default\n31,"clerk, senior",1200.5,true,no\nNA,"say ""hi""",?,false,yes\n\n45,,3e3,,no\n';
    const { table, y, report } = parseCsv(text, { target: 'default' });
    expect(table.columnNames).toEqual(['age', 'job', 'income', 'owner']);
    expect(table.types).toEqual({ age: 'numeric', job: 'categorical', income: 'numeric', owner: 'boolean' });
    expect(Array.from(table.numeric('age'))).toEqual([31, NaN, 45]);
    expect(table.column('job')).toEqual(['clerk, senior', 'say "hi"', null]);
    expect(Array.from(table.numeric('income'))).toEqual([1200.5, NaN, 3000]);
    expect(Array.from(table.numeric('owner'))).toEqual([1, 0, NaN]);
    expect(y).toEqual(['no', 'yes', 'no']);
    expect(report).toMatchObject({ rows: 3, blankLines: 1, missing: { age: 1, job: 1, income: 1, owner: 1, default: 0 } });
  });

  it.each([
    [';', 'a;b;y\n1;x;0\n2;y;1\n'],
    ['\t', 'a\tb\ty\n1\tx\t0\n2\ty\t1\n'],
    [',', 'a,b,y\r\n1,x,0\r\n2,y,1\r\n'],
  ])('guesses the separator %j', (_sep, text) => {
    const { table, y } = parseCsv(text, { target: 'y' });
    expect(Array.from(table.numeric('a'))).toEqual([1, 2]);
    expect(table.column('b')).toEqual(['x', 'y']);
    expect(y).toEqual([0, 1]);
  });

  it('takes type overrides, column names without a header, and custom NA markers', () => {
    const { table } = parseCsv('1 A 7\n2 B -\n', { delimiter: ' ', header: false, columnNames: ['code', 'grade', 'v'], types: { code: 'categorical' }, naValues: ['-'] });
    expect(table.types).toEqual({ code: 'categorical', grade: 'categorical', v: 'numeric' });
    expect(table.column('code')).toEqual(['1', '2']);
    expect(Array.from(table.numeric('v'))).toEqual([7, NaN]);
  });

  it('checks its options with did-you-mean', () => {
    expect(() => parseCsv('a\n1\n', { na_values: ['x'] } as never)).toThrow(UnknownOptionError);
    expect(() => parseCsv('a\n1\n', { na_values: ['x'] } as never)).toThrow(/did you mean 'naValues'/);
  });
});

describe('bad data names the file, the line and the column', () => {
  it('missing target column', async () => {
    const p = await file('nt.csv', 'a,b\n1,2\n');
    const e = await csvError(() => readCsv(p, { target: 'default' }));
    expect(e.message).toContain(p);
    expect(e.message).toMatch(/line 1, column 'default'.*not in the file/);
    expect([e.file, e.line, e.column]).toEqual([p, 1, 'default']);
  });

  it('empty file', async () => {
    const p = await file('empty.csv', '');
    const e = await csvError(() => readCsv(p));
    expect(e.message).toContain(`${p}: the file is empty`);
    const h = await file('header.csv', 'a,b\n');
    expect((await csvError(() => readCsv(h))).message).toMatch(/header \(a, b\) but no data rows/);
  });

  it('ragged row: the file line counts the header, quoted newlines and blank lines', async () => {
    const p = await file('ragged.csv', 'a,b,c\n1,"two\nlines",3\n\n4,5\n6,7,8\n');
    const e = await csvError(() => readCsv(p));
    expect(e.message).toBe(`${p}, line 5, column 'c': row has 2 fields but the header has 3 (no value for 'c' onwards)`);
    expect(e.line).toBe(5);
  });

  it('non-numeric value in a column declared numeric, and in one inferred numeric', async () => {
    const p = await file('nonnum.csv', 'a,b\n1,2\n3,x7\n');
    const e = await csvError(() => readCsv(p, { types: { b: 'numeric' } }));
    expect(e.message).toBe(`${p}, line 3, column 'b': value "x7" is not a number but the column is numeric (declared)`);
    const q = await file('late.csv', 'a,b\n1,2\n3,4\n5,oops\n');
    const f = await csvError(() => readCsv(q, { inferRows: 2 }));
    expect(f.message).toMatch(/line 4, column 'b': value "oops" is not a number .*inferred from the first 2 rows.*declare types/);
  });

  it('a target with one class, and a missing target value', async () => {
    const p = await file('one.csv', 'a,y\n1,good\n2,good\n');
    const e = await csvError(() => readCsv(p, { target: 'y' }));
    expect(e.message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, column 'y': the target has a single class \\("good"\\) in all 2 rows \\(lines 2–3\\)`));
    const q = await file('nay.csv', 'a,y\n1,good\n2,NA\n3,bad\n');
    expect((await csvError(() => readCsv(q, { target: 'y' }))).message).toMatch(/line 3, column 'y': the target is missing/);
  });

  it('a file that does not exist', async () => {
    const p = join(dir, 'nope.csv');
    const e = await csvError(() => readCsv(p));
    expect(e.message).toBe(`readCsv: cannot read '${p}': no such file`);
    expect(e.file).toBe(p);
  });
});

describe('sources', () => {
  const text = 'x,y\n1,a\n2,b\n';
  it('reads bytes, a Web stream and a Node stream alike', async () => {
    const bytes = new TextEncoder().encode(text);
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 5));
        c.enqueue(bytes.subarray(5));
        c.close();
      },
    });
    for (const source of [bytes, web, Readable.from([Buffer.from(bytes.subarray(0, 3)), Buffer.from(bytes.subarray(3))]), text]) {
      const { table, y } = await readCsv(source, { target: 'y' });
      expect(Array.from(table.numeric('x'))).toEqual([1, 2]);
      expect(y).toEqual(['a', 'b']);
    }
  });
});

describe('Table', () => {
  it('builds from rows and columns; select / drop / filter / head / describe / toTensor', () => {
    const t = Table.fromRows([
      { a: 1, b: 'x', c: true },
      { a: 2, b: 'y', c: false },
      { a: null, b: null, c: true },
      { a: 4, b: 'x', c: null },
    ]);
    expect(t.types).toEqual({ a: 'numeric', b: 'categorical', c: 'boolean' });
    const u = Table.fromColumns({ a: [1, 2, NaN, 4], b: ['x', 'y', null, 'x'], c: [true, false, true, null] });
    expect(u.toRows()).toEqual(t.toRows());
    expect(t.select(['b', 'a']).columnNames).toEqual(['b', 'a']);
    expect(t.drop(['b']).columnNames).toEqual(['a', 'c']);
    expect(t.filter([1, 0, 0, 1]).toRows()).toEqual([{ a: 1, b: 'x', c: true }, { a: 4, b: 'x', c: null }]);
    expect(t.head(2).nRows).toBe(2);
    const d = t.describe();
    expect(d['a']).toMatchObject({ count: 3, missing: 1, min: 1, max: 4 });
    expect(d['a']?.mean).toBeCloseTo(7 / 3, 12);
    expect(d['a']?.std).toBeCloseTo(Math.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 2), 12);
    expect(d['b']).toMatchObject({ count: 3, unique: 2, top: 'x' });
    expect(() => t.toTensor()).toThrow(/column 'b' is categorical/);
    expect(() => t.select(['a']).toTensor()).toThrow(/column 'a' has a missing value at row 2/);
    const live = memoryStats().liveTensors;
    const x = t.select(['a', 'c']).head(2).toTensor();
    expect(x.shape).toEqual([2, 2]);
    expect(x.toArray()).toEqual([[1, 1], [2, 0]]);
    x.dispose();
    expect(memoryStats().liveTensors).toBe(live);
    expect(() => t.select(['zz'])).toThrow(/no column 'zz'/);
    expect(() => Table.fromColumns({ a: [1, 2], b: [1] })).toThrow(/column 'b' has 1 rows/);
  });

  it('reads an Arrow-shaped table (the interface of apache-arrow, which is not installed here)', () => {
    const data: Record<string, unknown[]> = { id: [1n, 2n, 3n], grade: ['A', null, 'C'], ok: [true, false, null] };
    const arrow = {
      numRows: 3,
      schema: { fields: Object.keys(data).map((name) => ({ name })) },
      getChild: (name: string) => ({ get: (i: number) => data[name]?.[i] ?? null }),
    };
    const t = Table.fromArrow(arrow);
    expect(t.types).toEqual({ id: 'numeric', grade: 'categorical', ok: 'boolean' });
    expect(t.toRows()).toEqual([{ id: 1, grade: 'A', ok: true }, { id: 2, grade: null, ok: false }, { id: 3, grade: 'C', ok: null }]);
    expect(() => Table.fromArrow({} as never)).toThrow(/expected an Arrow table/);
  });
});
