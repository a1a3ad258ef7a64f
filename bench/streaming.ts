// Streaming benchmark (not a timed test): generated credit CSVs of 1 and 5 million rows, written
// in chunks; for each, one training epoch streamed from the file (preprocessing statistics by
// partialFit, one pass per step, then fitStream), one streamed scoring pass (file in, scores
// file out), and, where it fits, the same epoch with the file loaded whole. Each run is its own
// child process (bench/streaming-child.ts), so the peak RSS is that run's; the streamed peaks
// should not grow with the file, the whole-file one does. Minutes long: not in the default
// suites; `npm run bench -- --only streaming` (STREAMING_ROWS=1000000 for 1M only).
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applicantsCsv, generateApplicants } from '../src/finance/index.js';

export interface StreamingRun {
  rows: number;
  fileBytes: number;
  mode: 'train' | 'score' | 'whole';
  seconds: number;
  rowsPerSecond: number;
  /** Rows per second of the training epoch alone (train, whole). */
  epochRowsPerSecond?: number;
  statisticsSeconds?: number;
  epochSeconds?: number;
  scoreSeconds?: number;
  readSeconds?: number;
  peakRssBytes: number;
  wasmHeapBytes: number;
}

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  let failed: Error | null = null;
  out.on('error', (e) => void (failed = e));
  const write = (text: string): Promise<void> => (failed ? Promise.reject(failed) : new Promise((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve))));
  const step = 100_000;
  for (let s = 0, k = 0; s < rows; s += step, k++) {
    const text = applicantsCsv(generateApplicants(Math.min(step, rows - s), k));
    await write(k === 0 ? text : text.slice(text.indexOf('\n') + 1));
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

function child(mode: StreamingRun['mode'], file: string, dir: string): Omit<StreamingRun, 'rows' | 'fileBytes'> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./streaming-child.ts', import.meta.url).pathname, mode, file, dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`streaming ${mode} on ${file} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Omit<StreamingRun, 'rows' | 'fileBytes'>;
}

/** Runs the benchmark on files of `sizes` rows; the whole-file load only up to `wholeUpTo` rows. */
export async function benchStreaming(sizes = [1_000_000, 5_000_000], wholeUpTo = 1_000_000): Promise<StreamingRun[]> {
  const dir = await mkdtemp(join(tmpdir(), 'fingrad-streaming-'));
  const runs: StreamingRun[] = [];
  try {
    for (const rows of sizes) {
      const file = join(dir, `applicants-${rows}.csv`);
      await writeCsv(file, rows);
      const fileBytes = (await stat(file)).size;
      for (const mode of ['train', 'score', ...(rows <= wholeUpTo ? ['whole' as const] : [])] as const) {
        const r = child(mode, file, dir);
        runs.push({ ...r, rows, fileBytes, ...(r.epochSeconds ? { epochRowsPerSecond: rows / r.epochSeconds } : {}) });
        console.log(`  ${rows} rows, ${mode}: ${JSON.stringify(runs[runs.length - 1])}`);
      }
      await rm(file);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return runs;
}
