// CSV in chunks, for files larger than memory: the text is read piece by piece (a Node file
// stream, a Web ReadableStream or any async iterable), cut at record boundaries (a line break
// outside quotes: RFC 4180 escapes a quote as "", so quote parity tells inside from outside),
// and each run of `chunkRows` records goes through the same parser as parseCsv. Column types
// are inferred on the first chunk (or given) and then fixed, so a later value that does not fit
// is an error naming its file line; every chunk is a CsvData of its own. Memory holds one chunk.
import { ValueError } from '../index.js';
import { is, readOptions } from '../validate.js';
import { CSV_OPTIONS, type CsvData, CsvError, type CsvOptions, type CsvPart, type CsvSource, type CsvStream, guessDelimiter, parseCsvPart } from './csv.js';

export interface CsvChunkOptions extends CsvOptions {
  /** Records per chunk (default 65536); the last chunk holds the rest. */
  chunkRows?: number;
}

const spec = { chunkRows: is.int({ min: 1 }), ...CSV_OPTIONS } as const;

async function* fileText(path: string): AsyncGenerator<string> {
  if ((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === undefined) {
    throw new CsvError(`readCsvChunks: cannot read the path '${path}' here (no file system: a browser?); pass a stream (fetch(url).then((r) => r.body))`, path);
  }
  const fs = (await import(/* @vite-ignore */ ['node', 'fs'].join(':'))) as typeof import('node:fs');
  try {
    yield* fs.createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new CsvError(`readCsvChunks: cannot read '${path}': ${why}`, path);
  }
}

async function* streamText(stream: CsvStream): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  const text = (chunk: Uint8Array | string): string => (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  if (typeof (stream as ReadableStream).getReader === 'function' && !(Symbol.asyncIterator in stream)) {
    const reader = (stream as ReadableStream<Uint8Array | string>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield text(value);
    }
  } else {
    for await (const chunk of stream as AsyncIterable<Uint8Array | string>) yield text(chunk);
  }
  yield decoder.decode();
}

function sourceText(source: CsvSource): { text: AsyncGenerator<string>; name: string } {
  if (typeof source === 'string' && !/[\r\n]/.test(source)) return { text: fileText(source), name: source };
  if (source instanceof URL) return { text: fileText(source.pathname), name: source.pathname };
  if (typeof source === 'string') return { text: (async function* () { yield source; })(), name: '<string>' };
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    return { text: streamText((async function* () { yield bytes; })()), name: '<bytes>' };
  }
  if (source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || typeof (source as ReadableStream).getReader === 'function')) {
    return { text: streamText(source), name: '<stream>' };
  }
  throw new ValueError(`readCsvChunks: source must be a path, CSV text, bytes or a stream, got ${typeof source}`);
}

/**
 * Reads a CSV chunk by chunk (see the file comment): each chunk is a CsvData (`table`, `y`,
 * `report` with the chunk's rows). Same sources and options as readCsv, plus `chunkRows`.
 * Checks that need the whole file (a target with two classes) are left to the caller.
 */
export async function* readCsvChunks(source: CsvSource, options?: CsvChunkOptions): AsyncGenerator<CsvData> {
  const o = readOptions('readCsvChunks', options, spec);
  const { chunkRows: _, ...csvOptions } = options ?? {};
  const chunkRows = o.chunkRows ?? 65536;
  const { text, name: sourceName } = sourceText(source);
  const name = o.name ?? sourceName;
  const parseOptions: CsvOptions = { ...csvOptions, name, task: 'regression' };
  let part: CsvPart | null = null;
  let nextLine = 1;
  let pending = '';
  let scanned = 0;
  let quoted = false;
  let records = 0;
  const wanted = (): number => chunkRows + (part === null && (o.header ?? true) ? 1 : 0);

  const parse = (block: string): CsvData | null => {
    const firstLine = nextLine;
    for (let i = 0; i < block.length; i++) if (block.charCodeAt(i) === 10) nextLine++;
    if (part !== null) return parseCsvPart(block, parseOptions, { ...part, firstLine });
    const data = parseCsvPart(block, { ...parseOptions, delimiter: o.delimiter ?? guessDelimiter(block) }) as CsvData;
    const types = data.report.types;
    const inferred = `inferred from the first ${Math.min(data.report.rows, o.inferRows ?? 1000)} rows`;
    const declared = (o.types ?? {}) as Record<string, unknown>;
    part = {
      names: Object.keys(types),
      firstLine: 0,
      delimiter: o.delimiter ?? guessDelimiter(block),
      types,
      typesFrom: Object.fromEntries(Object.keys(types).map((c) => [c, c in declared ? 'declared' : inferred])),
    };
    return data;
  };

  for await (const piece of text) {
    pending += piece;
    for (let i = scanned; i < pending.length; i++) {
      const c = pending.charCodeAt(i);
      if (c === 34) quoted = !quoted;
      else if (c === 10 && !quoted && ++records >= wanted()) {
        const data = parse(pending.slice(0, i + 1));
        pending = pending.slice(i + 1);
        i = -1;
        records = 0;
        if (data !== null) yield data;
      }
    }
    scanned = pending.length;
  }
  if (part === null || pending.trim() !== '') {
    const data = parse(pending);
    if (data !== null) yield data;
  }
}
