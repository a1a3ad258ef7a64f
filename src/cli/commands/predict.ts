// `fingrad predict`: scores a CSV with a trained model, streaming: rows are read in chunks
// (readCsvChunks, with the training column types, so errors name the file line even after
// quoted line breaks), each chunk scored and written out before the next is read, so memory
// does not grow with the file. The output file appears only when complete.
import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import Papa from 'papaparse';
import * as fg from '../../index.js';
import { readCsvChunks } from '../../finance/csv-chunks.js';
import { UsageError, action, emit, intOption, streamFileAtomic } from '../command.js';
import { loadModelDir } from '../model-dir.js';

interface PredictFlags {
  model: string;
  data: string;
  out: string;
  id?: string;
  batchRows?: string;
  json?: boolean;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('score a CSV with a trained model, streaming (memory does not grow with the file); writes the score and the predicted class per row')
    .requiredOption('--model <dir>', 'a folder written by fingrad train --out')
    .requiredOption('--data <file.csv>', 'rows to score, with the training columns (the target may be absent)')
    .requiredOption('--out <file.csv>', 'where to write the predictions')
    .option('--id <column>', 'a column copied to the output to identify rows (default: the training --id column, if present)')
    .option('--batch-rows <n>', 'rows per batch', '8192')
    .option('--json', 'machine-readable summary')
    .action(action('predict', async (flags: PredictFlags) => {
      const batchRows = intOption('batch-rows', flags.batchRows, 8192);
      await fg.ready();
      const { pipeline, training } = await loadModelDir(flags.model);
      const need = Object.keys(training.data.columns);
      const types = training.data.columns;
      const positive = training.positiveClass;
      const k = (pipeline.classes ?? []).indexOf(positive);
      const t0 = performance.now();
      const header = await readHeader(flags.data);
      if (header === null) throw new UsageError(`${flags.data}: the file is empty`);
      const missing = need.filter((c) => !header.includes(c));
      if (missing.length > 0) throw new UsageError(`${flags.data}: columns the model was trained on are missing: ${missing.join(', ')}`);
      const idColumn = flags.id ?? (training.data.idColumn !== null && header.includes(training.data.idColumn) ? training.data.idColumn : null);
      if (idColumn !== null && !header.includes(idColumn)) throw new UsageError(`${flags.data}: no column '${idColumn}' for --id (columns: ${header.join(', ')})`);
      // The training types for the model's columns; any other column is read as text (only --id is used).
      const columnTypes = Object.fromEntries(header.map((c) => [c, types[c] ?? 'categorical']));
      let rowsDone = 0;
      await streamFileAtomic(flags.out, async (write) => {
        await write(`${Papa.unparse([[...(idColumn === null ? [] : [idColumn]), `P(${positive})`, 'predicted'].map(String)])}\n`);
        for await (const { table } of readCsvChunks(flags.data, { types: columnTypes, chunkRows: batchRows })) {
          const p = pipeline.predictProba(table.select(need));
          const ids = idColumn === null ? null : (table.column(idColumn) as ArrayLike<unknown>);
          const lines = p.map((row, i) => {
            const best = row.indexOf(Math.max(...row));
            const cells = [row[k] as number, (pipeline.classes ?? [])[best] as string | number];
            return Papa.unparse([ids === null ? cells : [ids[i] as string, ...cells]], { newline: '\n' });
          });
          await write(`${lines.join('\n')}\n`);
          rowsDone += table.nRows;
        }
      });
      const seconds = (performance.now() - t0) / 1000;
      const summary = { rows: rowsDone, seconds, rowsPerSecond: rowsDone / seconds, out: flags.out, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
      emit(flags.json, summary, () => console.log(`scored ${rowsDone} rows in ${seconds.toFixed(2)} s (${Math.round(summary.rowsPerSecond)} rows/s) → ${flags.out}`));
    }));
}


/** The header's column names (null for an empty file): the first line, read without reading the file. */
async function readHeader(path: string): Promise<string[] | null> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
      if (text.trim() === '') continue;
      return (Papa.parse<string[]>(text).data[0] ?? []).map((s) => s.trim());
    }
    return null;
  } finally {
    lines.close();
  }
}
