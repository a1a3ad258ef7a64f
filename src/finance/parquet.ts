// Parquet in chunks through hyparquet (pure JavaScript, no eval: it loads under a strict CSP in
// browsers; test/finance/parquet-csp.test.ts greps the bundle). The file is read a row group at
// a time (a row group's column chunks are Parquet's unit of compression, so memory holds one row
// group), and each row group is cut into chunks of `chunkRows`. A path is read with ranged
// reads of the file (Node), so only the footer and one row group are ever in memory; browsers
// pass an ArrayBuffer or any {byteLength, slice(start, end)} (hyparquet's asyncBufferFromUrl
// reads a URL with range requests). Column types come from the schema: booleans, numbers
// (integers of any width, floats, decimals as hyparquet converts them) and UTF-8 strings;
// nested columns are not read.
import type { AsyncBuffer } from 'hyparquet';
import { FingradError, ValueError } from '../index.js';
import { is, readOptions } from '../validate.js';
import type { CsvData } from './csv.js';
import { type ColumnType, type ColumnValues, Table } from './table.js';

/** A Parquet file that cannot be read as asked; `row` (0-based, in the file) and `column` say where when known. */
export class ParquetError extends FingradError {
  constructor(
    message: string,
    readonly file: string,
    readonly row?: number,
    readonly column?: string,
  ) {
    super(message);
  }
}

export interface ParquetChunkOptions {
  /** Rows per chunk (default 65536); chunks never straddle row groups. */
  chunkRows?: number;
  /** Columns to read (default all top-level columns). */
  columns?: string[];
  /** The column to predict: returned as `y`, not in `table`. */
  target?: string;
  /** Per-column types overriding the schema's ('categorical' for integer codes, say). */
  types?: Record<string, ColumnType>;
  /** Name used in messages when the source is not a path (default '<parquet>'). */
  name?: string;
}

export type ParquetSource = string | ArrayBuffer | Uint8Array | AsyncBuffer;

const spec = { chunkRows: is.int({ min: 1 }), columns: is.list(is.string, { minLength: 1 }), target: is.string, types: is.any, name: is.string } as const;

async function fileBuffer(path: string): Promise<AsyncBuffer> {
  if ((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === undefined) {
    throw new ParquetError(`readParquetChunks: cannot read the path '${path}' here (no file system: a browser?); pass an ArrayBuffer or hyparquet's asyncBufferFromUrl(url)`, path);
  }
  const fs = (await import(/* @vite-ignore */ ['node', 'fs/promises'].join(':'))) as typeof import('node:fs/promises');
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ParquetError(`readParquetChunks: cannot read '${path}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, path);
  }
  const { size } = await handle.stat();
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const bytes = new Uint8Array(end - start);
      await handle.read(bytes, 0, bytes.length, start);
      return bytes.buffer;
    },
    // Closed by the reader when done.
    close: () => handle.close(),
  } as AsyncBuffer & { close(): Promise<void> };
}

function schemaType(el: { type?: string; converted_type?: string; logical_type?: { type?: string } }): ColumnType | null {
  if (el.type === 'BOOLEAN') return 'boolean';
  if (el.type === 'BYTE_ARRAY' && (el.converted_type === 'UTF8' || el.logical_type?.type === 'STRING' || el.converted_type === 'ENUM')) return 'categorical';
  if (['INT32', 'INT64', 'FLOAT', 'DOUBLE'].includes(el.type ?? '') || el.converted_type === 'DECIMAL') return 'numeric';
  return null;
}

/**
 * Reads a Parquet file chunk by chunk: each chunk is a CsvData (`table`, `y` with `target`, and a
 * `report` with the chunk's rows, missing counts and types), the shape readCsvChunks gives.
 */
export async function* readParquetChunks(source: ParquetSource, options?: ParquetChunkOptions): AsyncGenerator<CsvData> {
  const o = readOptions('readParquetChunks', options, spec);
  const name = o.name ?? (typeof source === 'string' ? source : '<parquet>');
  const fail = (msg: string, row?: number, column?: string): never => {
    throw new ParquetError(`${name}${row === undefined ? '' : `, row ${row}`}${column === undefined ? '' : `, column '${column}'`}: ${msg}`, name, row, column);
  };
  let file: AsyncBuffer;
  if (typeof source === 'string') file = await fileBuffer(source);
  else if (source instanceof ArrayBuffer) file = source;
  else if (source instanceof Uint8Array) file = source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) as ArrayBuffer;
  else if (source !== null && typeof source === 'object' && typeof source.slice === 'function' && typeof source.byteLength === 'number') file = source;
  else throw new ValueError(`readParquetChunks: source must be a path, an ArrayBuffer, bytes or {byteLength, slice}, got ${typeof source}`);
  // Loaded on first use: hyparquet is ES-module only, and the CommonJS build (dist/cjs) would
  // require() a static import, which Node before 20.19 refuses for an ES module.
  const { parquetMetadataAsync, parquetRead } = await import('hyparquet');
  try {
    let metadata;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (e) {
      return fail(`not a readable Parquet file (${(e as Error).message})`);
    }
    // The schema is a tree listed depth first; the root's children are the columns.
    const schema = metadata.schema;
    const after = (k: number): number => {
      let j = k + 1;
      for (let c = 0; c < ((schema[k] as { num_children?: number }).num_children ?? 0); c++) j = after(j);
      return j;
    };
    const top: (typeof schema)[number][] = [];
    for (let i = 1; i < schema.length; i = after(i)) top.push(schema[i] as (typeof schema)[number]);
    const available = top.map((el) => el.name);
    const columns = o.columns ?? available;
    for (const c of columns) if (!available.includes(c)) fail(`no column '${c}' (columns: ${available.join(', ')})`, undefined, c);
    if (o.target !== undefined && !columns.includes(o.target)) fail(`target column '${o.target}' is not among the columns read (${columns.join(', ')})`, undefined, o.target);
    const declared = (o.types ?? {}) as Record<string, unknown>;
    const types = Object.fromEntries(columns.map((c) => {
      const el = top.find((e) => e.name === c) as (typeof top)[number];
      if ((el.num_children ?? 0) > 0) fail('nested columns are not read; list the flat ones in columns', undefined, c);
      const given = declared[c];
      const t = given !== undefined ? is.oneOf(['numeric', 'categorical', 'boolean'] as const)(given, `readParquetChunks: types.${c}`) : schemaType(el);
      return [c, t ?? fail(`Parquet type ${el.type}${el.converted_type ? ` (${el.converted_type})` : ''} is not read as a column; declare types: {'${c}': 'categorical'} or leave it out of columns`, undefined, c)];
    })) as Record<string, ColumnType>;
    const chunkRows = o.chunkRows ?? 65536;
    let groupStart = 0;
    for (const group of metadata.row_groups) {
      const groupRows = Number(group.num_rows);
      let rows: unknown[][] = [];
      await parquetRead({ file, metadata, columns, rowStart: groupStart, rowEnd: groupStart + groupRows, onComplete: (r: unknown[][]) => void (rows = r) });
      for (let s = 0; s < groupRows; s += chunkRows) {
        const part = rows.slice(s, s + chunkRows);
        yield toChunk(part, groupStart + s, columns, types, o.target, name, fail);
      }
      rows = [];
      groupStart += groupRows;
    }
  } finally {
    await (file as { close?: () => Promise<void> }).close?.();
  }
}

function toChunk(rows: unknown[][], first: number, columns: string[], types: Record<string, ColumnType>, target: string | undefined, file: string, fail: (msg: string, row?: number, column?: string) => never): CsvData {
  const missing: Record<string, number> = {};
  const cols: { name: string; type: ColumnType; values: ColumnValues }[] = columns.map((c, j) => {
    const type = types[c] as ColumnType;
    let m = 0;
    let values: ColumnValues;
    if (type === 'categorical') {
      values = rows.map((r) => {
        const v = r[j];
        return v === null || v === undefined ? (m++, null) : String(v);
      });
    } else {
      values = Float64Array.from(rows, (r, i) => {
        const v = r[j];
        if (v === null || v === undefined) return m++, NaN;
        if (typeof v === 'number') return v;
        if (typeof v === 'bigint') return Number(v);
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (v instanceof Date) return v.getTime();
        return fail(`value ${JSON.stringify(v)} is not a number but the column is ${type}`, first + i, c);
      });
    }
    missing[c] = m;
    return { name: c, type, values };
  });
  let y: number[] | string[] | undefined;
  if (target !== undefined) {
    const t = cols.find((c) => c.name === target) as (typeof cols)[number];
    const k = (t.values as ArrayLike<unknown>) instanceof Float64Array ? (t.values as Float64Array).findIndex(Number.isNaN) : (t.values as (string | null)[]).indexOf(null);
    if (k >= 0) fail('the target is missing; drop or label those rows first', first + k, target);
    y = t.values instanceof Float64Array ? Array.from(t.values) : (t.values as string[]).slice();
  }
  return {
    table: new Table(cols.filter((c) => c.name !== target)),
    ...(y === undefined ? {} : { y, target }),
    report: { file, rows: rows.length, blankLines: 0, missing, types },
  };
}
