// The allocator (src/backend/memory.ts) on its own memory: nanoseconds per alloc + release pair
// for the patterns ops produce. "repeat" is a training step whose sizes recur exactly (parked
// blocks come straight back); "cycle" shifts sizes through 50 variants (each soon has its own
// parked blocks); "fresh" almost never repeats a size, so requests take memory above the top
// until the heap is full, then merge the parked blocks and split merged ones (the TLSF path);
// "large" frees blocks above the parking limit, which merge at once.
import { LinearMemory } from '../src/backend/memory.js';
import { measure } from './support/measure.js';

export interface AllocatorRow {
  pattern: string;
  /** Median nanoseconds per alloc + release pair. */
  nsPerPair: number;
  /** Heap growth during the measured runs, after one warm-up step (0: blocks are reused). */
  heapGrowthBytes: number;
}

const STEP = [256, 4096, 65536, 128, 1 << 20, 800_000, 12_345, 64, 4, 33_000];
const STEPS_PER_RUN = 100;

const PATTERNS: Array<{ name: string; size: (step: number, i: number) => number }> = [
  { name: 'repeat (a training step)', size: (_, i) => STEP[i] as number },
  { name: 'cycle (50 variants of each size)', size: (step, i) => (STEP[i] as number) + ((step * 7 + i * 13) % 50) * 64 },
  { name: 'fresh (sizes rarely repeat)', size: (step, i) => (STEP[i] as number) + ((step * 7919 + i * 13) % 4099) * 64 },
  { name: 'large (8-23 MiB, merged at once)', size: (step, i) => (8 + ((step + i) % 16)) * 2 ** 20 },
];

export async function benchAllocator(timeMs: number): Promise<AllocatorRow[]> {
  const rows: AllocatorRow[] = [];
  for (const { name, size } of PATTERNS) {
    const h = new LinearMemory(new WebAssembly.Memory({ initial: 256, maximum: 65536 }), 1024, 65536);
    const ptrs: number[] = [];
    const bytes: number[] = [];
    let step = 0;
    const oneStep = (): void => {
      for (let i = 0; i < STEP.length; i++) {
        bytes[i] = size(step, i);
        ptrs[i] = h.alloc(bytes[i] as number);
      }
      // Out of allocation order, as a tidy scope frees.
      for (let i = STEP.length - 1; i >= 0; i -= 2) h.release(ptrs[i] as number, bytes[i] as number);
      for (let i = STEP.length - 2; i >= 0; i -= 2) h.release(ptrs[i] as number, bytes[i] as number);
      step++;
    };
    for (let s = 0; s < 50; s++) oneStep(); // every shift of "vary" and "large" seen once
    const heapBefore = h.heapBytes;
    const t = await measure(() => {
      for (let s = 0; s < STEPS_PER_RUN; s++) oneStep();
    }, timeMs);
    rows.push({ pattern: name, nsPerPair: (t.medianMs * 1e6) / (STEPS_PER_RUN * STEP.length), heapGrowthBytes: h.heapBytes - heapBefore });
  }
  return rows;
}
