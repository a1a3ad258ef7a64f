// bench/results.json: every `npm run bench` run, appended, never overwritten. Each run keeps the
// date, the command, the commit, the machine (with its load average before and after, since the
// machine is shared) and each suite's figures with their rounds' raw medians, so that a figure
// the README quotes can be traced to the run that produced it and set beside the runs around it.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ValueError } from '../../src/errors.js';

/** One run of bench/run.ts. */
export interface BenchRun {
  date: string;
  [key: string]: unknown;
}

export interface ResultsFile {
  runs: BenchRun[];
}

const isRun = (v: unknown): v is BenchRun =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { date?: unknown }).date === 'string';

/**
 * The runs recorded in `path` (none when it does not exist). A file in the older one-run form
 * (a single run object, as bench/run.ts wrote before it kept a history) reads as a history of that
 * one run. Anything else is refused, naming the file, rather than read as empty and overwritten.
 */
export function readRuns(path: string): BenchRun[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`bench results: ${path} is not JSON (${(e as Error).message}); move it aside or pass --out`);
  }
  if (isRun(parsed)) return [parsed];
  const runs = (parsed as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(runs)) {
    throw new ValueError(`bench results: ${path} holds neither a "runs" list nor one run; move it aside or pass --out`);
  }
  runs.forEach((r, i) => {
    if (!isRun(r)) throw new ValueError(`bench results: ${path} runs[${i}] is not a run (an object with a "date" string)`);
  });
  return runs as BenchRun[];
}

/**
 * Appends `run` to the history in `path` and returns how many runs it now holds. The file is
 * written beside itself and renamed over, so a run interrupted while writing loses nothing.
 */
export function appendRun(path: string, run: BenchRun): number {
  if (!isRun(run)) throw new ValueError('bench results: a run must be an object with a "date" string');
  const runs = [...readRuns(path), run];
  const file: ResultsFile = { runs };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(tmp, path);
  return runs.length;
}
