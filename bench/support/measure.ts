// Timing with tinybench: every figure is a median over many runs (the machine is shared and
// noisy), with the run count kept so readers can judge it.
import { Bench } from 'tinybench';
import { renderTable } from '../../src/cli/table.js';

export interface Timing {
  /** Median milliseconds per call. */
  medianMs: number;
  samples: number;
}

/** Median time of `fn` over at least `timeMs` of runs (after a warm-up). */
export async function measure(fn: () => unknown, timeMs = 600): Promise<Timing> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs / 3), iterations: 5 });
  bench.add('task', fn);
  await bench.run();
  const task = bench.tasks[0];
  const result = task?.result as { state: string; latency?: { p50: number; samplesCount?: number }; error?: unknown } | undefined;
  if (!result || result.state !== 'completed' || !result.latency) {
    throw new Error(`benchmark task failed: ${String(result?.error ?? result?.state)}`);
  }
  return { medianMs: result.latency.p50, samples: result.latency.samplesCount ?? 0 };
}

export const gflops = (flops: number, ms: number): number => flops / ms / 1e6;

/** The median (the mean of the two middle values for an even count). */
export function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Prints rows as an aligned text table under a title. */
export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  console.log(`\n${title}\n${renderTable(header, rows)}`);
}
