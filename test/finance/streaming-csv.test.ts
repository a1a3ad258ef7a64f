// readCsvChunks: chunked reading equals whole reading for every source kind and chunk size,
// including quoted line breaks across chunk edges; types fixed from the first chunk; errors name
// the file line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvError, type CsvData, Table, applicantsCsv, generateApplicants, parseCsv, readCsvChunks } from '../../src/finance/index.js';
import { UnknownOptionError } from '../../src/index.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fingrad-chunks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(it: AsyncIterable<CsvData>): Promise<CsvData[]> {
  const out: CsvData[] = [];
  for await (const c of it) out.push(c);
  return out;
}

function concatRows(chunks: CsvData[]): { rows: Record<string, unknown>[]; y: unknown[] } {
  return { rows: chunks.flatMap((c) => c.table.toRows()), y: chunks.flatMap((c) => [...(c.y ?? [])] as unknown[]) };
}

async function csvError(run: () => Promise<unknown>): Promise<CsvError> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error('expected a CsvError');
}

const text = applicantsCsv(generateApplicants(3000, 7));

describe('readCsvChunks', () => {
  it('equals parseCsv on the whole file for several chunk sizes and every source kind', async () => {
    const whole = parseCsv(text, { target: 'default' });
    const path = join(dir, 'applicants.csv');
    await writeFile(path, text);
    const bytes = new TextEncoder().encode(text);
    const sources = [
      () => path,
      () => text,
      () => bytes,
      () => Readable.from([bytes.subarray(0, 1001), bytes.subarray(1001, 50_000), bytes.subarray(50_000)]),
      () => new Blob([bytes]).stream(),
    ];
    for (const chunkRows of [1, 999, 1000, 5000]) {
      for (const src of sources) {
        const chunks = await collect(readCsvChunks(src(), { target: 'default', chunkRows }));
        expect(chunks.length).toBe(Math.ceil(3000 / chunkRows));
        expect(chunks.every((c) => c.table.nRows <= chunkRows)).toBe(true);
        const got = concatRows(chunks);
        expect(got.rows).toEqual(whole.table.toRows());
        expect(got.y).toEqual(whole.y);
        for (const c of chunks) expect(c.report.types).toEqual(whole.report.types);
      }
    }
  });

  it('keeps quoted line breaks and quotes inside a record across piece and chunk edges', async () => {
    const csv = 'a,note,y\n1,"two\nlines",0\n2,"say ""hi""",1\n\n3,"x,\ny\nz",0\n4,plain,1';
    const pieces = csv.split('').map((ch) => ch);
    for (const chunkRows of [1, 2, 3]) {
      const chunks = await collect(readCsvChunks(Readable.from(pieces), { target: 'y', chunkRows }));
      expect(concatRows(chunks).rows).toEqual(parseCsv(csv, { target: 'y' }).table.toRows());
    }
  });

  it('reads CRLF line ends and a byte-order mark as parseCsv does', async () => {
    const csv = '\ufeffa;b;y\r\n1;x;0\r\n2;"p\r\nq";1\r\n3;z;0\r\n';
    const chunks = await collect(readCsvChunks(csv, { target: 'y', chunkRows: 2 }));
    expect(chunks.length).toBe(2);
    expect(concatRows(chunks).rows).toEqual(parseCsv(csv, { target: 'y' }).table.toRows());
    const e = await csvError(() => collect(readCsvChunks(`${csv}x;w;1\r\n`, { target: 'y', chunkRows: 2 })));
    expect(e.line).toBe(6);
  });

  it('fixes types from the first chunk and names the file line of a later value that does not fit', async () => {
    const csv = `x,y\n${Array.from({ length: 10 }, (_, i) => `${i},${i % 2}`).join('\n')}\n"multi\nline",1\nabc,0\n`;
    const path = join(dir, 'late.csv');
    await writeFile(path, csv);
    const e = await csvError(() => collect(readCsvChunks(path, { target: 'y', chunkRows: 4 })));
    expect(e.line).toBe(12);
    expect(e.column).toBe('x');
    expect(e.file).toBe(path);
    expect(e.message).toContain('inferred from the first 4 rows');
    // Declared types hold for every chunk.
    const ok = await collect(readCsvChunks(path, { target: 'y', chunkRows: 4, types: { x: 'categorical' } }));
    expect(ok.map((c) => c.table.typeOf('x'))).toEqual(['categorical', 'categorical', 'categorical']);
  });

  it('names the line of a short row and of a missing target in a later chunk', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => `${i},${i % 2}`);
    const short = await csvError(() => collect(readCsvChunks(`x,y\n${rows.join('\n')}\n5\n`, { target: 'y', chunkRows: 3 })));
    expect(short.line).toBe(10);
    const na = await csvError(() => collect(readCsvChunks(`x,y\n${rows.join('\n')}\n5,\n`, { target: 'y', chunkRows: 3 })));
    expect(na.line).toBe(10);
    expect(na.column).toBe('y');
  });

  it('reports an empty file, a missing file and unknown options', async () => {
    await csvError(() => collect(readCsvChunks(new Blob([]).stream())));
    const missing = await csvError(() => collect(readCsvChunks(join(dir, 'nope.csv'))));
    expect(missing.message).toContain('no such file');
    await expect(collect(readCsvChunks('a\n1\n', { chunkRow: 3 } as never))).rejects.toThrow(UnknownOptionError);
  });

  it('reads files without a header, with given names', async () => {
    const chunks = await collect(readCsvChunks('1,a\n2,b\n3,c\n', { header: false, columnNames: ['n', 's'], chunkRows: 2 }));
    expect(Table.prototype.toRows.call(chunks[1]?.table)).toEqual([{ n: 3, s: 'c' }]);
  });
});
