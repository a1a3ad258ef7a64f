// The one entry to the GEMM kernel for ops (matmul, linear, conv): allocates the packing
// scratch the kernel needs and passes strided operands. Kernel: assembly/gemm.ts.
//
// With more than one thread (setNumThreads) a large product is cut into shares, each run by
// gemm_tasks_f32 with its own scratch on whichever thread claims it (src/backend/threads.ts):
// - one product tall enough (packedRows) has B packed once, by all threads, then C cut into
//   row blocks, from 512³ ones that shrink as they go (guidedCuts): a block packs only its rows
//   of A, which one call packs too, so small blocks cost nothing extra, a thread whose core runs
//   slow simply claims fewer of them, and the last blocks are small;
// - a batch of products with distinct outputs is dealt out whole, in up to 4 shares per thread;
// - otherwise C is cut into blocks (one per thread, two from 256³ on: FINER_SPLIT_MACS) in the
//   grid that packs least: rows (each packs all of B and its rows of A) or columns (all of A,
//   its columns of B).
// Cuts fall on the kernel's 4×8 tile, which keeps every element's arithmetic as in one call:
// the threaded result equals the single-thread one bit for bit. A column cut may fall inside a
// cache line of C, which both threads then write; it cost nothing measurable (bench/threads.ts
// sharing, two runs: 0.96–1.04 of the time with every cut on a line edge), as C is written once
// per 256-deep slice of k.
import { cuts, guidedCuts } from '../backend/cuts.js';
import { type DispatchTiming, getNumThreads, judgeDispatch, MAX_SHARES, runParallel, type TaskArgs, threadsPay } from '../backend/threads.js';
import { GemmPackLayout, GemmTaskLayout, GemmTile } from '../backend/generated/opcodes.js';
import { heap, kernels } from '../backend/wasm.js';

export interface GemmArgs {
  m: number;
  n: number;
  k: number;
  /** Byte address of A and its element strides (row i, column p). */
  a: number;
  rsA: number;
  csA: number;
  /** Byte address of B and its element strides (row p, column j). */
  b: number;
  rsB: number;
  csB: number;
  /** Byte address of C (row-major, leading dimension ldc). */
  c: number;
  ldc: number;
  /** Add into C instead of overwriting it. */
  accumulate?: boolean;
  /** Then C[i, j] = act(C[i, j] + bias[j]): fused into the kernel's tile stores. */
  epilogue?: Epilogue;
}

/** A bias row (byte address, 0 for none) and an activation (ACT_* of assembly/gemm.ts). */
export interface Epilogue {
  bias: number;
  act: number;
  /** Slope of the leaky ReLU. */
  alpha: number;
}

/** Sizes and strides shared by every product of a batch. */
export type GemmLayout = Omit<GemmArgs, 'a' | 'b' | 'c' | 'accumulate' | 'epilogue'>;

/** One product of a batch: byte addresses of its operands, and whether it adds into C. */
export interface GemmCall {
  a: number;
  b: number;
  c: number;
  accumulate: boolean;
}

/**
 * Multiply-adds (over a whole batch) from which threads are used: waking a worker and the
 * duplicated packing cost tens of microseconds, about what a 90³ product takes on one thread
 * (measured crossover on 2 cores: 2 threads win from ~90³; 1.2× at 96³, 1.5× at 128³).
 */
export const PARALLEL_MIN_MACS = 1 << 20;

// The kernel's register tile (assembly/opcodes.ts): row cuts fall on multiples of MR, column
// cuts on multiples of NR; and the i32 per product in a gemm_tasks_f32 list.
const { MR, NR } = GemmTile;
const TASK_INTS = GemmTaskLayout.Ints;
const PACK_INTS = GemmPackLayout.Ints;

/** C (+)= A·B through the SIMD kernel. */
export function gemm(g: GemmArgs): void {
  gemmBatch(g, [{ a: g.a, b: g.b, c: g.c, accumulate: g.accumulate ?? false }], g.epilogue);
}

/**
 * Runs products of one layout in turn (on several threads when they are large). Two products
 * write either the same C (later ones accumulating) or disjoint ones.
 */
export function gemmBatch(g: GemmLayout, calls: readonly GemmCall[], epilogue?: Epilogue): void {
  if (calls.length === 0 || g.m === 0 || g.n === 0) return;
  const k = kernels();
  const threads = getNumThreads();
  const macs = calls.length * g.m * g.n * g.k;
  // threadsPay: a size that recently lost on threads (a busy core) stays on this one for a while.
  if (threads > 1 && g.k > 0 && macs >= PARALLEL_MIN_MACS && threadsPay('gemm', macs)) {
    const rows = calls.length === 1 ? packedRows(g, threads) : null;
    if (rows !== null) {
      judgeDispatch('gemm', macs, runPackedRows(g, calls[0] as GemmCall, rows, threads));
      if (epilogue) applyEpilogue(g, calls, epilogue);
      return;
    }
    const shares = planShares(g, calls, threads);
    if (shares.length > 1) {
      judgeDispatch('gemm', macs, runShares(g.k, shares));
      if (epilogue) applyEpilogue(g, calls, epilogue);
      return;
    }
  }
  // Fused into the kernel for one product; after a batch (whose products may add into one C)
  // a pass over each distinct output.
  const fused = epilogue !== undefined && calls.length === 1 ? epilogue : undefined;
  const bytes = k.gemm_scratch_bytes(g.m, g.n, g.k);
  const h = heap();
  const scratch = h.alloc(bytes);
  try {
    for (const call of calls) {
      if (fused) {
        k.gemm_bias_act_f32(g.m, g.n, g.k, call.a, g.rsA, g.csA, call.b, g.rsB, g.csB, call.c, g.ldc, call.accumulate ? 1 : 0, scratch, fused.bias, fused.act, fused.alpha);
      } else {
        k.gemm_f32(g.m, g.n, g.k, call.a, g.rsA, g.csA, call.b, g.rsB, g.csB, call.c, g.ldc, call.accumulate ? 1 : 0, scratch);
      }
    }
  } finally {
    h.release(scratch, bytes);
  }
  if (epilogue && !fused) applyEpilogue(g, calls, epilogue);
}

function applyEpilogue(g: GemmLayout, calls: readonly GemmCall[], e: Epilogue): void {
  const k = kernels();
  for (const c of new Set(calls.map((call) => call.c))) k.bias_act_f32(c, g.ldc, g.m, g.n, e.bias, e.act, e.alpha);
}

/** One product (or block of one) as gemm_f32's arguments, k excepted. */
type Piece = Omit<GemmArgs, 'k' | 'accumulate'> & { accumulate: boolean };

/** The shares of the work, each a list of pieces run in order. */
function planShares(g: GemmLayout, calls: readonly GemmCall[], threads: number): Piece[][] {
  const whole = (call: GemmCall): Piece => ({ ...g, ...call });
  const L = calls.length;
  const distinct = new Set(calls.map((c) => c.c)).size === L;
  if (distinct && L >= threads && (L % threads === 0 || L >= 4 * threads)) {
    const count = Math.min(L >= 4 * threads ? 4 * threads : threads, MAX_SHARES);
    return Array.from({ length: count }, (_, t) =>
      calls.slice(Math.floor((L * t) / count), Math.floor((L * (t + 1)) / count)).map(whole));
  }
  // Blocks that pack their own B are equal ('guided' is for blocks over B packed once).
  const fixed = typeof gemmPlan.sharesPerThread === 'number' ? gemmPlan.sharesPerThread : null;
  const perThread = fixed ?? (L * g.m * g.n * g.k >= FINER_SPLIT_MACS ? 2 : 1);
  const [r, c] = grid(g.m, g.n, Math.min(threads * perThread, MAX_SHARES));
  // No piece of one row or column: it would take the kernel's matrix-vector path, whose
  // summation order differs.
  const rows = cuts(g.m, r, MR, 2);
  const cols = cuts(g.n, c, NR, 2);
  const shares: Piece[][] = [];
  for (let i = 0; i + 1 < rows.length; i++) {
    const r0 = rows[i] as number;
    for (let j = 0; j + 1 < cols.length; j++) {
      const c0 = cols[j] as number;
      shares.push(calls.map((call) => ({
        ...whole(call),
        m: (rows[i + 1] as number) - r0,
        n: (cols[j + 1] as number) - c0,
        a: call.a + 4 * r0 * g.rsA,
        b: call.b + 4 * c0 * g.csB,
        c: call.c + 4 * (r0 * g.ldc + c0),
      })));
    }
  }
  return shares;
}

/**
 * @internal Blocks per thread of one product (null: by size: over B packed once, guided cuts from
 * GUIDED_MACS and 2 equal blocks per thread below, FINER_SPLIT_MACS where each block packs its
 * own; 'guided' or a number of equal blocks per thread: fixed, for benchmarks and tests);
 * whether a tall product has B packed once (false: every block packs its own, as before); and
 * the most bytes B packed whole may take (a transient copy as large as B: 64 MiB, a 4096 × 4096
 * B; a larger one is packed block by block by each share, as one call does).
 */
export const gemmPlan: { sharesPerThread: number | 'guided' | null; packB: boolean; packedBMaxBytes: number } = {
  sharesPerThread: null,
  packB: true,
  packedBMaxBytes: 1 << 26,
};

/**
 * From 512³ multiply-adds, row blocks over B packed once shrink as they go (guidedCuts), each
 * 1/(2·threads) of the rows left: 128, 96, 72, 56, … 8 rows at 512³ on 2 threads. Blocks are
 * claimed in turn, so a thread whose core is slowed by another process takes fewer, and the other
 * waits at most for a small last block; a block adds no packing (bench/threads.ts split: B packed
 * once, then 8 row blocks run in turn, took 1.002, 1.023 and 0.971 of the whole product's CPU
 * time at 256³, 512³ and 1024³). Against the equal blocks before (2 per thread below 512³, 4
 * from there), wall time on 2 threads, bench/threads.ts scaling, 2026-12-03 16:52–16:56 UTC on
 * the shared 2-core VM, equal / guided per round, median of each run (rounds guided was faster):
 * 512³ 1.014 (18/25), 1.063 (21/25), 1.018 (16/25), 1.021 (18/25), 1.011 (19/31), 1.000 (15/31),
 * 1.012 (18/31), 1.052 (21/31), 1.029 (44/61), 1.038 (41/61), 1.039 (43/61); 1024³ 1.021
 * (24/31), 1.018 (23/31), 1.078 (28/31), 1.035 (23/31). At 256³ it did not help: 1.063 (18/25),
 * 1.086 (16/25), 0.962 (5/25), 0.988 (12/25), 1.007 (16/31), 1.080 (17/31), 1.040 (17/31), 0.961
 * (12/31), 0.991 (30/61), 0.950 (20/61), 0.988 (29/61), so below 512³ the blocks stay 2 equal
 * per thread. Pieces of 1/threads or 1/(4·threads) of the rest did no better (two runs, 2t/1t
 * at 512³: 1.89, 1.93 and 1.88, 1.91 against 1.90, 1.98). Packing B once had itself beaten
 * blocks that each pack their own (2t/1t, 4 runs on a loaded machine, own B at 2 per thread →
 * B packed once at 2 and 4 per thread: 512³ 1.55→1.74/1.83, 1.46→1.54/1.66, 1.65→1.70/1.86,
 * 1.04→1.48/1.61; 1024³ 1.79→1.79/1.96, 1.79→1.90/1.94, 1.93→1.96/1.98, 1.89→1.97/1.98).
 */
const GUIDED_MACS = 1 << 27;
const GUIDED_FRACTION_PER_THREAD = 2;

/**
 * Multiply-adds from which a product whose blocks pack their own B (too short for row blocks over
 * B packed once, or a batch adding into one C) is cut into 2 blocks per thread instead of 1: the
 * extra packing cost 0.5-2.4% of CPU time at 256³-1024³, and the finer split gained on a loaded
 * machine (4 interleaved runs of bench/threads.ts before B was packed once, e.g. 512³ 1.73→1.77
 * and 1.58→1.62, 1024³ 1.57→1.87).
 */
export const FINER_SPLIT_MACS = 1 << 24;

/** Least rows in a block: two of the kernel's tiles tall. */
const MIN_BLOCK_ROWS = 2 * MR;

/** The row cuts of one product over B packed once, or null when it is too short to cut so. */
function packedRows(g: GemmLayout, threads: number): number[] | null {
  if (!gemmPlan.packB || g.n < 2 || kernels().gemm_packed_b_bytes(g.n, g.k) > gemmPlan.packedBMaxBytes) return null;
  const perThread = gemmPlan.sharesPerThread ?? (g.m * g.n * g.k >= GUIDED_MACS ? 'guided' : 2);
  const rows = perThread === 'guided'
    ? guidedCuts(g.m, GUIDED_FRACTION_PER_THREAD * threads, MR, MIN_BLOCK_ROWS)
    : cuts(g.m, Math.min(threads * perThread, MAX_SHARES), MR, MIN_BLOCK_ROWS);
  return rows.length - 1 >= 2 * threads ? rows : null;
}

/**
 * Packs B whole on all threads (column ranges), then runs the row blocks of C over it on all
 * threads (runShares); the timing returned is the second dispatch's, with the first's time
 * counted as publishing.
 */
function runPackedRows(g: GemmLayout, call: GemmCall, rows: number[], threads: number): DispatchTiming {
  const h = heap();
  const packCols = cuts(g.n, threads, NR, NR);
  const listBytes = (packCols.length - 1) * PACK_INTS * 4;
  const list = h.alloc(listBytes);
  const packedBytes = kernels().gemm_packed_b_bytes(g.n, g.k);
  const packed = h.alloc(packedBytes);
  try {
    const i32 = h.i32; // after every alloc: an allocation may grow memory and replace the view
    const packTasks = packCols.slice(1).map((j1, t): TaskArgs => {
      const at = (list >>> 2) + t * PACK_INTS;
      i32.set([g.n, g.k, call.b, g.rsB, g.csB, packed, packCols[t] as number, j1], at);
      return [at * 4, 1, 0];
    });
    const t0 = performance.now();
    runParallel('gemm_pack_b_tasks_f32', packTasks);
    const packMs = performance.now() - t0;
    const blocks = rows.slice(1).map((r1, t): Piece[] => {
      const r0 = rows[t] as number;
      return [{ ...g, ...call, m: r1 - r0, a: call.a + 4 * r0 * g.rsA, c: call.c + 4 * r0 * g.ldc }];
    });
    const timing = runShares(g.k, blocks, packed);
    return { ...timing, publishMs: timing.publishMs + packMs };
  } finally {
    h.release(list, listBytes);
    h.release(packed, packedBytes);
  }
}

/**
 * Rows × columns of blocks for `shares` blocks of an m × n product. A block packs its rows of A
 * (k·m/r floats) and its columns of B (k·n/c), so all blocks together pack k·(c·m + r·n): the
 * split that minimises it, with blocks no thinner than a tile.
 */
function grid(m: number, n: number, shares: number): [number, number] {
  let best: [number, number] = m >= n ? [shares, 1] : [1, shares];
  let cost = Infinity;
  for (let r = 1; r <= shares; r++) {
    if (shares % r !== 0) continue;
    const c = shares / r;
    if ((r > 1 && m < 2 * r * MR) || (c > 1 && n < 2 * c * NR)) continue;
    const packed = c * m + r * n;
    if (packed < cost) {
      cost = packed;
      best = [r, c];
    }
  }
  return best;
}

/**
 * Writes the pieces as gemm_tasks_f32 lists and runs the shares on all threads. packed: B packed
 * whole by gemm_pack_b_tasks_f32 for every piece (then pieces are row blocks of all n columns,
 * and their scratch holds no B), or 0.
 */
function runShares(k: number, shares: Piece[][], packed = 0): DispatchTiming {
  const kern = kernels();
  const h = heap();
  const count = shares.reduce((s, share) => s + share.length, 0);
  const listBytes = count * TASK_INTS * 4;
  const list = h.alloc(listBytes);
  const bytesFor = (p: Piece): number => (packed !== 0 ? kern.gemm_packed_scratch_bytes(p.m, k) : kern.gemm_scratch_bytes(p.m, p.n, k));
  const scratchBytes = shares.map((share) => Math.max(...share.map(bytesFor)));
  const scratch = scratchBytes.map((bytes) => h.alloc(bytes));
  try {
    const i32 = h.i32; // after every alloc: an allocation may grow memory and replace the view
    const tasks: TaskArgs[] = [];
    let at = list >>> 2;
    for (const [t, share] of shares.entries()) {
      tasks.push([at * 4, share.length, scratch[t] as number]);
      for (const p of share) {
        i32.set([p.m, p.n, k, p.a, p.rsA, p.csA, p.b, p.rsB, p.csB, p.c, p.ldc, p.accumulate ? 1 : 0, packed], at);
        at += TASK_INTS;
      }
    }
    // Guided blocks are unequal: the load guard weighs the calling thread's shares by their work.
    return runParallel('gemm_tasks_f32', tasks, shares.map((share) => share.reduce((w, p) => w + p.m * p.n, 0)));
  } finally {
    h.release(list, listBytes);
    scratch.forEach((ptr, t) => h.release(ptr, scratchBytes[t] as number));
  }
}
