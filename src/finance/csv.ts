// CSV in: papaparse splits the text (quotes, separators, embedded newlines); this file turns the
// cells into a typed Table and reports every oddity as an error that names the file, the file
// line (as an editor counts it, header = line 1) and the column. Nothing is dropped or imputed:
// missing markers become NaN / null and their counts come back in `report`.
// Node's fs is imported on first use through a computed specifier (as src/io/file.ts does), so
// browser bundles stay free of it; papaparse itself uses no eval / new Function (strict CSP).
import Papa from 'papaparse';
import { FingradError, ValueError } from '../index.js';
import { is, readOptions } from '../validate.js';
import { type ColumnType, type ColumnValues, Table } from './table.js';

/** A CSV that cannot be read as asked; `file`, `line` and `column` say where (when known). */
export class CsvError extends FingradError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
  }
}

/** pandas' default missing markers plus '?' (UCI files). */
export const DEFAULT_NA_VALUES: readonly string[] = ['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A', '?'];

export interface CsvOptions {
  /** Separator: ',', ';', '\t', ' ', '|' …; default: guessed among , ; tab |. */
  delimiter?: string;
  /** The first line names the columns (default true). */
  header?: boolean;
  /** Column names when there is no header (or to rename the header's). */
  columnNames?: string[];
  /** The column to predict: returned as `y`, not in `table`. */
  target?: string;
  /** 'classification' (default when a target is given): the target needs two classes or more. */
  task?: 'classification' | 'regression';
  /** Per-column types, overriding inference. */
  types?: Record<string, ColumnType>;
  /** Strings read as missing (default DEFAULT_NA_VALUES); compared after trimming spaces. */
  naValues?: string[];
  /** Rows used to infer column types (default 1000); later rows must fit the inferred type. */
  inferRows?: number;
  /** Name used in messages for sources that are not files (default '<string>', '<bytes>', '<stream>'). */
  name?: string;
}

/** What readCsv returns: the features, the target, and what was found on the way. */
export interface CsvData {
  table: Table;
  /** The target column (numbers for numeric targets, strings otherwise); undefined without `target`. */
  y?: number[] | string[];
  target?: string;
  report: {
    file: string;
    rows: number;
    /** Blank lines skipped (they hold no row). */
    blankLines: number;
    /** Missing values per column (target included). */
    missing: Record<string, number>;
    types: Record<string, ColumnType>;
  };
}

/** Web ReadableStream or Node Readable (anything async-iterable over bytes or strings). */
export type CsvStream = ReadableStream<Uint8Array | string> | AsyncIterable<Uint8Array | string>;
export type CsvSource = string | URL | Uint8Array | ArrayBuffer | CsvStream;

/** The checks of CsvOptions (shared with readCsvChunks). */
export const CSV_OPTIONS = {
  delimiter: is.string,
  header: is.boolean,
  columnNames: is.list(is.string, { minLength: 1 }),
  target: is.string,
  task: is.oneOf(['classification', 'regression'] as const),
  types: is.any,
  naValues: is.list(is.string),
  inferRows: is.int({ min: 1 }),
  name: is.string,
} as const;
const spec = CSV_OPTIONS;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

async function readFile(path: string): Promise<string> {
  const specifier = ['node', 'fs/promises'].join(':');
  // Outside Node (a browser) the import would fail, and under a CSP also log a violation: ask first.
  if ((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === undefined) {
    throw new CsvError(`readCsv: cannot read the path '${path}' here (no file system: a browser?); pass the CSV as text, bytes or a stream (fetch(url).then((r) => r.body))`, path);
  }
  const fs = (await import(/* @vite-ignore */ specifier)) as typeof import('node:fs/promises');
  try {
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new CsvError(`readCsv: cannot read '${path}': ${why}`, path);
  }
}

async function readStream(stream: CsvStream): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  const take = (chunk: Uint8Array | string): void => {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  };
  if (typeof (stream as ReadableStream).getReader === 'function' && !(Symbol.asyncIterator in stream)) {
    const reader = (stream as ReadableStream<Uint8Array | string>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      take(value);
    }
  } else {
    for await (const chunk of stream as AsyncIterable<Uint8Array | string>) take(chunk);
  }
  return text + decoder.decode();
}

/**
 * Reads a CSV from a file path (Node; a string without a line break is taken as a path), CSV
 * text (a string with a line break), bytes, or a stream (Web ReadableStream or Node Readable).
 * See `parseCsv` for what is checked.
 */
export async function readCsv(source: CsvSource, options?: CsvOptions): Promise<CsvData> {
  const o = readOptions('readCsv', options, spec);
  if (typeof source === 'string' && !/[\r\n]/.test(source)) return parseCsv(await readFile(source), { ...options, name: o.name ?? source });
  if (source instanceof URL) return parseCsv(await readFile(source.pathname), { ...options, name: o.name ?? source.pathname });
  if (typeof source === 'string') return parseCsv(source, options);
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    return parseCsv(new TextDecoder('utf-8').decode(source), { ...options, name: o.name ?? '<bytes>' });
  }
  if (source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || typeof (source as ReadableStream).getReader === 'function')) {
    return parseCsv(await readStream(source), { ...options, name: o.name ?? '<stream>' });
  }
  throw new ValueError(`readCsv: source must be a path, CSV text, bytes or a stream, got ${typeof source}`);
}

const GUESSES = [',', ';', '\t', '|'];

// papaparse's own guess needs an average above two fields per row over rows that include the
// empty one after the last line break, so it misses two-column files; this one reads the first
// ten non-blank lines: a separator found equally often on each wins, else the most frequent on
// the header line (quoted separators can make counts differ), else ','.
export function guessDelimiter(body: string): string {
  const lines = body.split(/\r?\n/, 50).filter((l) => l.trim() !== '').slice(0, 10);
  let best = ',';
  let bestCount = 0;
  let bestSteady = false;
  for (const d of GUESSES) {
    const counts = lines.map((l) => l.split(d).length - 1);
    const first = counts[0] ?? 0;
    const steady = first > 0 && counts.every((c) => c === first);
    if ((steady && !bestSteady) || (steady === bestSteady && first > bestCount)) [best, bestCount, bestSteady] = [d, first, steady];
  }
  return best;
}

/** Parses CSV text (synchronous; see `readCsv` for files and streams). */
export function parseCsv(text: string, options?: CsvOptions): CsvData {
  return parseCsvPart(text, options) as CsvData;
}

/**
 * A run of whole records from the middle of a file (readCsvChunks): no header, the column names
 * and types of the first chunk, and the file line the run starts on, so errors name file lines.
 */
export interface CsvPart {
  names: string[];
  firstLine: number;
  delimiter: string;
  types: Record<string, ColumnType>;
  /** How the types were found, for messages ('inferred from the first chunk's 1000 rows'). */
  typesFrom: Record<string, string>;
}

/** parseCsv, or with `part` one chunk of a file (null when it holds no rows, only blank lines). */
export function parseCsvPart(text: string, options?: CsvOptions, part?: CsvPart): CsvData | null {
  const o = readOptions('parseCsv', options, spec);
  const file = o.name ?? '<string>';
  const fail = (msg: string, line?: number, column?: string): never => {
    throw new CsvError(`${file}${line === undefined ? '' : `, line ${line}`}${column === undefined ? '' : `, column '${column}'`}: ${msg}`, file, line, column);
  };
  if (typeof text !== 'string') throw new ValueError(`parseCsv: text must be a string, got ${typeof text}`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const na = new Set(o.naValues ?? DEFAULT_NA_VALUES);
  const header = o.header ?? true;

  // Rows with the file line each starts on: papaparse's cursor is the offset after the row.
  const rows: string[][] = [];
  const lines: number[] = [];
  let blankLines = 0;
  let cursor = 0;
  let line = part?.firstLine ?? 1;
  Papa.parse<string[]>(body, {
    delimiter: part?.delimiter ?? o.delimiter ?? guessDelimiter(body),
    skipEmptyLines: false,
    step: (r) => {
      const row = r.data;
      const end = r.meta.cursor;
      // The empty "row" after the final line break is the end of the file, not a blank line.
      if (row.length === 1 && (row[0] as string).trim() === '') blankLines += end < body.length ? 1 : 0;
      else {
        const last = row.length - 1;
        row[last] = (row[last] as string).replace(/\r$/, '');
        rows.push(row);
        lines.push(line);
      }
      for (let i = cursor; i < end; i++) if (body.charCodeAt(i) === 10) line++;
      cursor = end;
    },
  });
  if (rows.length === 0 && part !== undefined) return null;
  if (rows.length === 0) fail('the file is empty (no header, no rows)');
  let names: string[];
  let start = 0;
  if (part !== undefined) {
    names = part.names;
  } else if (header) {
    names = (rows[0] as string[]).map((s) => s.trim());
    start = 1;
    if (o.columnNames !== undefined) {
      if (o.columnNames.length !== names.length) fail(`columnNames has ${o.columnNames.length} names but the header has ${names.length} columns`, 1);
      names = o.columnNames;
    }
  } else {
    names = o.columnNames ?? (rows[0] as string[]).map((_, j) => `x${j}`);
  }
  names.forEach((n, j) => {
    if (n === '') fail(`column ${j + 1} of the header has no name`, 1);
    if (names.indexOf(n) !== j) fail(`column name '${n}' appears twice`, header ? 1 : undefined, n);
  });
  const n = rows.length - start;
  if (n === 0) fail(`the file has a header (${names.join(', ')}) but no data rows`, header ? 2 : 1);
  for (let i = start; i < rows.length; i++) {
    const len = (rows[i] as string[]).length;
    if (len !== names.length) {
      const col = len < names.length ? names[len] : undefined;
      fail(`row has ${len} fields but the header has ${names.length}${col === undefined ? '' : ` (no value for '${col}' onwards)`}`, lines[i], col);
    }
  }
  if (o.target !== undefined && !names.includes(o.target)) fail(`target column '${o.target}' is not in the file (columns: ${names.join(', ')})`, header ? 1 : undefined, o.target);
  const declared: Record<string, ColumnType> = { ...part?.types };
  if (o.types !== undefined && part === undefined) {
    for (const [k, v] of Object.entries(o.types as Record<string, unknown>)) {
      if (!names.includes(k)) fail(`types names column '${k}', which is not in the file (columns: ${names.join(', ')})`, undefined, k);
      declared[k] = is.oneOf(['numeric', 'categorical', 'boolean'] as const)(v, `parseCsv: types.${k}`);
    }
  }

  const inferRows = o.inferRows ?? 1000;
  const columns: { name: string; type: ColumnType; values: ColumnValues }[] = [];
  const missing: Record<string, number> = {};
  names.forEach((name, j) => {
    const cells = Array.from({ length: n }, (_, i) => ((rows[start + i] as string[])[j] as string).trim());
    let type = declared[name];
    if (type === undefined) {
      let numeric = true;
      let bool = true;
      for (let i = 0; i < Math.min(n, inferRows); i++) {
        const c = cells[i] as string;
        if (na.has(c)) continue;
        if (!NUMBER.test(c)) numeric = false;
        if (!TRUE.has(c) && !FALSE.has(c)) bool = false;
      }
      type = bool && !numeric ? 'boolean' : numeric ? 'numeric' : 'categorical';
      if (bool && numeric) type = 'numeric'; // only missing values seen
    }
    let m = 0;
    let values: ColumnValues;
    if (type === 'categorical') {
      values = cells.map((c) => (na.has(c) ? (m++, null) : c));
    } else {
      const inferred = part?.typesFrom[name];
      const how = inferred ?? (declared[name] !== undefined ? 'declared' : `inferred from the first ${Math.min(n, inferRows)} rows`);
      const fix = declared[name] !== undefined && inferred === undefined ? '' : `; declare types: {'${name}': 'categorical'} or list the marker in naValues`;
      values = Float64Array.from(cells, (c, i) => {
        if (na.has(c)) return m++, NaN;
        if (type === 'numeric' && NUMBER.test(c)) return Number(c);
        if (type === 'boolean' && (TRUE.has(c) || FALSE.has(c))) return TRUE.has(c) ? 1 : 0;
        return fail(`value ${JSON.stringify(c)} is not ${type === 'numeric' ? 'a number' : 'true/false'} but the column is ${type} (${how})${fix}`, lines[start + i], name);
      });
    }
    missing[name] = m;
    columns.push({ name, type, values });
  });

  let y: number[] | string[] | undefined;
  const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
  if (o.target !== undefined) {
    const t = columns.find((c) => c.name === o.target) as (typeof columns)[number];
    const firstMissing = t.values.findIndex((v: number | string | null) => v === null || (typeof v === 'number' && Number.isNaN(v)));
    if (firstMissing >= 0) fail(`the target is missing (${missing[t.name]} rows in all); drop or label those rows first`, lines[start + firstMissing], t.name);
    y = t.values instanceof Float64Array ? Array.from(t.values) : (t.values as string[]).slice();
    if ((o.task ?? 'classification') === 'classification' && part === undefined) {
      const classes = new Set<number | string>(y);
      if (classes.size < 2) fail(`the target has a single class (${JSON.stringify([...classes][0])}) in all ${n} rows (lines ${lines[start]}–${lines[rows.length - 1]}); a classifier needs two or more`, undefined, t.name);
    }
  }
  const table = new Table(columns.filter((c) => c.name !== o.target));
  return {
    table,
    ...(y === undefined ? {} : { y, target: o.target }),
    report: { file, rows: n, blankLines, missing, types },
  };
}
