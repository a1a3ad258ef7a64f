// readParquetChunks: a Parquet file of generated applicants (several row groups, missing values,
// strings, booleans, 64-bit integers) reads chunk by chunk to the same table as the CSV read
// whole; pandas' own test file reads too; errors name the file, the row and the column.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CsvData, ParquetError, applicantsCsv, generateApplicants, parseCsv, readParquetChunks } from '../../src/finance/index.js';
import { UnknownOptionError } from '../../src/index.js';
import { type ParquetColumn, writeParquet } from '../support/parquet-writer.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fingrad-parquet-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(it: AsyncIterable<CsvData>): Promise<CsvData[]> {
  const out: CsvData[] = [];
  for await (const c of it) out.push(c);
  return out;
}

const a = generateApplicants(2500, 5);
const kinds: Record<string, ParquetColumn['type']> = { id: 'string', age: 'int64', income: 'double', employment: 'string', housing: 'string', purpose: 'string', region: 'string', utilisation: 'double', latePayments: 'int64', debtRatio: 'double', monthsAtAddress: 'double', coApplicant: 'boolean', default: 'int64' };
const bytes = writeParquet(Object.entries(a.columns).map(([name, values]) => ({ name, type: kinds[name] as ParquetColumn['type'], values: values as ParquetColumn['values'] })), 1000);

describe('readParquetChunks', () => {
  it('equals the CSV read whole, for several chunk sizes, from a path and from bytes', async () => {
    const whole = parseCsv(applicantsCsv(a), { target: 'default' });
    const path = join(dir, 'applicants.parquet');
    await writeFile(path, bytes);
    for (const [src, chunkRows, count] of [[path, 400, 8], [bytes, 1000, 3], [bytes.slice().buffer, 65536, 3]] as const) {
      const chunks = await collect(readParquetChunks(src, { target: 'default', chunkRows }));
      expect(chunks.length).toBe(count);
      expect(chunks.flatMap((c) => c.table.toRows())).toEqual(whole.table.toRows());
      expect(chunks.flatMap((c) => c.y as number[])).toEqual(whole.y);
      expect(chunks[0]?.report.types).toEqual(whole.report.types);
    }
  });

  it('reads chosen columns and overrides a type', async () => {
    const [first] = await collect(readParquetChunks(bytes, { columns: ['age', 'region', 'latePayments'], types: { latePayments: 'categorical' }, chunkRows: 5 }));
    expect(first?.table.columnNames).toEqual(['age', 'region', 'latePayments']);
    expect(first?.table.typeOf('latePayments')).toBe('categorical');
    expect(first?.table.column('age')).toEqual(Float64Array.from(a.columns.age.slice(0, 5)));
  });

  it('names the file, row and column of a missing target, an unknown column, a bad file', async () => {
    const withGap = writeParquet([{ name: 'x', type: 'double', values: [1, 2, 3, 4] }, { name: 'y', type: 'int64', values: [0, 1, null, 1] }], 2);
    const e = await collect(readParquetChunks(withGap, { target: 'y', name: 'gap.parquet' })).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ParquetError);
    expect((e as ParquetError).row).toBe(2);
    expect((e as ParquetError).column).toBe('y');
    expect((e as ParquetError).message).toMatch(/^gap\.parquet, row 2, column 'y'/);
    await expect(collect(readParquetChunks(withGap, { columns: ['z'] }))).rejects.toThrow(/no column 'z' \(columns: x, y\)/);
    await expect(collect(readParquetChunks(new TextEncoder().encode('a,b\n1,2\n')))).rejects.toThrow(ParquetError);
    await expect(collect(readParquetChunks(join(dir, 'none.parquet')))).rejects.toThrow(/no such file/);
    await expect(collect(readParquetChunks(bytes, { chunk: 3 } as never))).rejects.toThrow(UnknownOptionError);
  });

  const pandasFile = '/usr/lib/python3/dist-packages/pandas/tests/io/data/parquet/simple.parquet';
  it.skipIf(!existsSync(pandasFile))('reads a file written by another writer (pandas test data: INT64 and UTF8, snappy)', async () => {
    const [c] = await collect(readParquetChunks(pandasFile));
    expect(c?.table.toRows()).toEqual([{ A: 1, B: 'foo' }, { A: 2, B: 'foo' }, { A: 3, B: 'foo' }]);
  });
});
