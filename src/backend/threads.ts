// Worker threads over the one shared WebAssembly.Memory (the `-mt` builds). Each worker
// instantiates the main thread's compiled module over the same memory, so a kernel runs on any
// thread with the same pointers; kernels never allocate, so threads writing disjoint outputs can
// run kernels at once. Kernel calls stay synchronous: `runParallel` publishes the shares of a
// job in a control block in shared memory (worker-source.ts has the layout), wakes the workers,
// claims shares itself like any worker, and blocks until all are done (Atomics.wait in Node; a
// spin on Atomics.load on a browser main thread, which may not block). A worker that the OS has
// not scheduled yet therefore delays nothing: on a loaded machine the calling thread takes its
// share and a product runs at single-thread speed instead of waiting for a time slice.
//
// Data segments: instantiating the module in a worker re-applies its active data segments to the
// shared memory, while the main thread may be running kernels. That is harmless because the
// builds leave zero-initialised static data (kernel scratch such as losses.ts's lanes) to the
// fresh memory (asconfig.json zeroFilledMemory), and the segments that remain are read-only
// tables: the worker writes the bytes that are already there.
//
// Threads are opt-in: fingrad runs on one thread until `await setNumThreads(n)` starts n - 1
// workers (lazily: nothing starts at import or at `ready()`). Node workers are unref()'d, so they
// never keep the process alive. Where memory cannot be shared (no SharedArrayBuffer, e.g. a page
// that is not cross-origin isolated) or workers cannot start (a CSP without `worker-src blob:`),
// setNumThreads warns once and stays on one thread.
import { BackendError, ValueError } from '../errors.js';
import { compiledModule, heap, isNode, kernels } from './wasm.js';
import {
  ARGS, browserWorkerSource, CLAIM, CONTROL_BYTES, DONE, FAILED, GEN, KERNEL, LIMIT, MAX_SHARES, nodeWorkerSource, SHARES,
  TASK_KERNELS, WORKER_SPIN,
} from './worker-source.js';

/** A kernel a worker can run (three i32 arguments). */
export type TaskKernel = (typeof TASK_KERNELS)[number];

/** Its arguments for one share of the work. */
export type TaskArgs = readonly [number, number, number];

/** Upper bound of setNumThreads. */
export const MAX_THREADS = 64;

export { MAX_SHARES };

// Main-thread polls of DONE before it blocks: the last share usually ends within microseconds of
// the main thread's, and a futex wake costs more than that.
const MAIN_SPIN = 20_000;

interface WorkerHandle {
  /** Its index (1 … threads - 1): it leaves when LIMIT drops to it or below. */
  index: number;
  /** Resolves once the thread has stopped. */
  terminate(): Promise<void>;
}

let control = 0;
const workers: WorkerHandle[] = [];
let threads = 1;
let queue: Promise<unknown> = Promise.resolve();
let warned = false;
let mainCanBlock: boolean | null = null;
const stats = { dispatches: 0, workerShares: 0 };

/** runParallel calls so far, and how many of their shares workers ran (for tests and benchmarks). */
export function threadStats(): { dispatches: number; workerShares: number } {
  return { ...stats };
}

/** Threads that kernels use (the calling thread included): 1 until setNumThreads. */
export function getNumThreads(): number {
  return threads;
}

/**
 * Sets how many threads large matrix products (matmul, linear, convolution) use, the calling
 * thread included, and starts or stops worker threads to match. Resolves with the number in use:
 * `n`, or 1 where threads are unavailable (a warning says why, once). Needs `await ready()`.
 * Default 1; `navigator.hardwareConcurrency` or `os.availableParallelism()` is the usual choice.
 */
export function setNumThreads(n: number): Promise<number> {
  const next = queue.then(() => resize(n));
  queue = next.catch(() => undefined);
  return next;
}

function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  console.warn(`fingrad: ${message}; running on 1 thread`);
}

async function resize(n: number): Promise<number> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new ValueError(`setNumThreads: n must be an integer from 1 to ${MAX_THREADS}, got ${n}`);
  }
  const { module, memory, shared } = compiledModule();
  if (n > 1 && !shared) {
    warnOnce('threads need a shared WebAssembly.Memory (SharedArrayBuffer: Node, or a cross-origin isolated page)');
    return threads;
  }
  if (n < workers.length + 1) {
    await stop(n, workers.splice(n - 1));
  } else if (n > workers.length + 1) {
    if (control === 0) control = heap().alloc(CONTROL_BYTES);
    Atomics.store(heap().i32, (control >>> 2) + LIMIT, MAX_THREADS);
    const first = workers.length + 1;
    const starting = Array.from({ length: n - first }, (_, i) => startWorker(first + i, module, memory));
    const settled = await Promise.allSettled(starting);
    const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) {
      await stop(first, started);
      warnOnce(`worker threads could not start (${String(failed.reason)})`);
      return threads;
    }
    workers.push(...started);
  }
  threads = workers.length + 1;
  return threads;
}

/**
 * Workers from index `limit` up leave their loop; `list` are terminated, and it resolves once
 * they have stopped. In Node terminate() takes effect later, and a worker that had not yet seen
 * LIMIT drop could see it raised again by the next setNumThreads and claim a share that the
 * termination then cuts short; waiting for the exit leaves no such window.
 */
async function stop(limit: number, list: WorkerHandle[]): Promise<void> {
  const i32 = heap().i32;
  const base = control >>> 2;
  Atomics.store(i32, base + LIMIT, limit);
  Atomics.add(i32, base + GEN, 1); // the claim word keeps the old generation: nothing is claimed
  Atomics.notify(i32, base + GEN);
  await Promise.all(list.map((w) => w.terminate()));
}

interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: number;
  index: number;
  kernels: readonly string[];
  spin: number;
}

interface WorkerReply {
  ready?: boolean;
  error?: string;
}

// Computed, so that bundlers for the browser neither resolve nor include it.
const NODE_WORKER_MODULE = ['node', 'worker_threads'].join(':');

async function startWorker(index: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<WorkerHandle> {
  const init: WorkerInit = { module, memory, control, index, kernels: TASK_KERNELS, spin: WORKER_SPIN };
  if (isNode()) {
    const { Worker } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_WORKER_MODULE)) as typeof import('node:worker_threads');
    const w = new Worker(nodeWorkerSource, { eval: true, name: `fingrad-${index}` });
    try {
      await new Promise<void>((resolve, reject) => {
        w.once('message', (m: WorkerReply) => (m.ready === true ? resolve() : reject(new Error(m.error))));
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`worker exited with code ${code}`)));
        w.postMessage(init);
      });
    } catch (e) {
      void w.terminate();
      throw e;
    }
    w.removeAllListeners();
    // A worker error after start would otherwise be an uncaught exception on the main thread.
    w.on('error', (e) => console.error(`fingrad: worker thread ${index} failed:`, e));
    w.unref();
    return { index, terminate: () => w.terminate().then(() => undefined) };
  }
  if (typeof Worker === 'undefined') throw new Error('no Worker in this environment');
  const url = URL.createObjectURL(new Blob([browserWorkerSource], { type: 'text/javascript' }));
  const w = new Worker(url, { name: `fingrad-${index}` });
  try {
    await new Promise<void>((resolve, reject) => {
      w.onmessage = (e: MessageEvent<WorkerReply>) => (e.data.ready === true ? resolve() : reject(new Error(e.data.error)));
      w.onerror = (e) => reject(new Error(e.message || 'worker failed to load (a CSP without worker-src blob:?)'));
      w.postMessage(init);
    });
  } catch (e) {
    w.terminate();
    throw e;
  } finally {
    URL.revokeObjectURL(url);
  }
  w.onmessage = null;
  w.onerror = (e) => console.error(`fingrad: worker thread ${index} failed:`, e.message);
  return {
    index,
    terminate: () => {
      w.terminate(); // immediate in browsers
      return Promise.resolve();
    },
  };
}

// A browser's main thread may not block: Atomics.wait throws there (before looking at values).
function canBlock(i32: Int32Array): boolean {
  if (mainCanBlock === null) {
    try {
      Atomics.wait(i32, (control >>> 2) + DONE, -1, 0);
      mainCanBlock = true;
    } catch {
      mainCanBlock = false;
    }
  }
  return mainCanBlock;
}

/**
 * Runs `kernel(...shares[s])` for every share s, spread over the calling thread and the workers:
 * each thread claims shares until none is left, so a worker that is slow to wake costs nothing.
 * Returns when all are done. Shares must write disjoint memory. Synchronous, like every kernel
 * call; at most MAX_SHARES shares. `work`, when the shares are not near-equal, gives each one's
 * relative work, so that the timing says what part of it the calling thread ran.
 */
export function runParallel(kernel: TaskKernel, shares: readonly TaskArgs[], work?: readonly number[]): DispatchTiming {
  const n = shares.length;
  if (n > MAX_SHARES) throw new BackendError(`runParallel: ${n} shares, at most ${MAX_SHARES}`);
  if (n === 0) return { shares: 0, own: 0, ownWork: 0, publishMs: 0, ownMs: 0, waitMs: 0 };
  if (work !== undefined && (work.length !== n || !work.every((w) => w > 0))) {
    throw new BackendError(`runParallel: work needs one positive figure per share (${n} shares), got [${work.join(', ')}]`);
  }
  stats.dispatches++;
  const start = performance.now();
  const i32 = heap().i32;
  const base = control >>> 2;
  const gen = (Atomics.load(i32, base + GEN) + 1) | 0;
  // First the claim word takes the new generation, with nothing left to claim; only then do the
  // shares change. A worker still in the claim loop of the previous dispatch (woken late, after
  // the caller ran every share itself) then fails its compare-and-swap. Written after SHARES,
  // it could pass: it read the old word, then the new count, and claimed a share of this
  // dispatch under the old generation, which ran that share twice and counted one share too many
  // in DONE, so the caller waited forever (two dispatches in a row, 2 shares then 4, with the
  // worker asleep in between: threads.test.ts "back-to-back dispatches").
  Atomics.store(i32, base + CLAIM, ((gen & 0xffffff) << 8) | 0xff);
  shares.forEach((args, s) => i32.set(args, base + ARGS + 4 * s));
  i32[base + KERNEL] = TASK_KERNELS.indexOf(kernel);
  Atomics.store(i32, base + SHARES, n);
  Atomics.store(i32, base + DONE, 0);
  Atomics.store(i32, base + FAILED, 0);
  // Share 0 is the caller's before any worker can claim: a worker woken onto the caller's core
  // (a loaded machine) then cannot run every share while the caller waits to run again, and the
  // load guard always learns the caller's pace (bench/threads.ts: with 8 processes runnable on 2
  // cores the caller ran none of 256³'s two shares in ~75% of calls, at 0.8× one thread; in an
  // interleaved A/B at 7-23 runnable, 160³ took 0.74-0.90× the time it took before, 256³ and
  // 512³ 0.95-1.02×).
  Atomics.store(i32, base + CLAIM, ((gen & 0xffffff) << 8) | 1);
  Atomics.store(i32, base + GEN, gen);
  Atomics.notify(i32, base + GEN, n - 1);
  let error: unknown = null;
  const k = kernels();
  let ownWork = 0;
  const run = (a: number, b: number, c: number, share: number): void => {
    ownWork += work === undefined ? 1 : (work[share] as number);
    try {
      k[kernel](a, b, c);
    } catch (e) {
      error ??= e;
    }
  };
  const t0 = performance.now();
  run(i32[base + ARGS] as number, i32[base + ARGS + 1] as number, i32[base + ARGS + 2] as number, 0);
  if (Atomics.add(i32, base + DONE, 1) + 1 === n) Atomics.notify(i32, base + DONE);
  const own = 1 + claim(i32, base, gen, run);
  const t1 = performance.now();
  const block = canBlock(i32);
  let spins = 0;
  for (let done = Atomics.load(i32, base + DONE); done !== n; done = Atomics.load(i32, base + DONE)) {
    if (block && ++spins > MAIN_SPIN) Atomics.wait(i32, base + DONE, done);
  }
  stats.workerShares += n - own;
  if (error !== null) throw error;
  if (Atomics.load(i32, base + FAILED) !== 0) {
    throw new BackendError(`${kernel}: a worker thread failed (kernel trap)`);
  }
  const total = work === undefined ? n : work.reduce((a, b) => a + b, 0);
  return { shares: n, own, ownWork: ownWork / total, publishMs: t0 - start, ownMs: t1 - t0, waitMs: performance.now() - t1 };
}

/** How one runParallel call went on the calling thread. */
export interface DispatchTiming {
  shares: number;
  /**
   * Time from the call to the calling thread's first claim (publishing and waking): on a loaded
   * machine the woken worker may take the caller's core here and run every share itself.
   */
  publishMs: number;
  /** Shares the calling thread ran, their part of the dispatch's work (0–1), and the time it took. */
  own: number;
  ownWork: number;
  ownMs: number;
  /** Time it then waited for the workers' shares. */
  waitMs: number;
}

/** The claim loop of worker-source.ts, for the main thread; returns how many shares it ran. */
function claim(i32: Int32Array, base: number, gen: number, run: (a: number, b: number, c: number, share: number) => void): number {
  const tag = gen & 0xffffff;
  for (let ran = 0; ; ran++) {
    const word = Atomics.load(i32, base + CLAIM);
    if (word >>> 8 !== tag) return ran;
    const share = word & 0xff;
    const n = Atomics.load(i32, base + SHARES);
    if (share >= n) return ran;
    if (Atomics.compareExchange(i32, base + CLAIM, word, word + 1) !== word) {
      ran--;
      continue;
    }
    const at = base + ARGS + 4 * share;
    run(i32[at] as number, i32[at + 1] as number, i32[at + 2] as number, share);
    if (Atomics.add(i32, base + DONE, 1) + 1 === n) Atomics.notify(i32, base + DONE);
  }
}

// ---- Threads only where they pay, judged from the last dispatches ----
//
// A worker whose core another process holds claims its share late, and the calling thread then
// waits for it: on the shared 2-core machine (load average 8-13) 128³ and 256³ products ran at
// 0.86-0.89× one thread on 2 threads, every round (conv2d b32 28×28×1→32 forward: 0.87×). A
// dispatch lost when the calling thread, had it run every share at its pace (see paces), would
// have finished before the dispatch did, counted from the call: waking a sleeping worker may
// cost the caller its core (bench/threads.ts, 8 runnable processes on 2 cores: a 96³ product
// after a 2 ms pause took 323 µs on 2 threads against 54 µs on one, the worker running both
// shares while the caller waited to run again). Jobs of one kind ('gemm', 'conv forward', …) and size (a
// power-of-two bucket of multiply-adds) that lost twice in a row then run on one thread for the
// next RETRY_AFTER calls, and then threads are tried again, so a core that frees up is taken back
// within a few calls. Results are the same bit for bit either way.

/**
 * Calls of a bucket kept on one thread after it lost. A backoff instead (4 calls, doubling to 64
 * while it keeps losing, back to 4 on a win) measured the same on 2026-12-03: 2 threads over 1 on
 * Node 20, medians of 8 alternating processes, 1.69 against 1.65 at 256³ and 1.78 against 1.79 at
 * 512³, where this rule sent 3-14% and 0-2% of the calls to one thread.
 */
const RETRY_AFTER = 16;
/**
 * Losses in a row that send a bucket to one thread: one alone is often a time slice taken from
 * the worker once (512³ on 2 threads, load average 13, 5 alternating rounds: 1.64× with threads
 * always, 1.36× when one loss sufficed; at load 19 both rules kept 128³ and 256³ at 0.99-1.01×
 * where threads always gave 0.85×).
 */
const LOSSES_TO_DECLINE = 2;
const singleFor = new Map<string, number>();
const losses = new Map<string, number>();
const bucketOf = (kind: string, macs: number): string => `${kind} ${Math.floor(Math.log2(Math.max(1, macs)))}`;

/** @internal Tests that count dispatches switch the guard off. */
export const threadGuard = { enabled: true };

/** Whether a job of this kind and size is to use threads now (else it runs on the calling thread). */
export function threadsPay(kind: string, macs: number): boolean {
  if (!threadGuard.enabled) return true;
  const bucket = bucketOf(kind, macs);
  const left = singleFor.get(bucket) ?? 0;
  if (left <= 0) return true;
  singleFor.set(bucket, left - 1);
  return false;
}

/**
 * The calling thread's time per multiply-add in a bucket (its own shares tell it, weighed by
 * their part of the job's work, which runParallel reports): each dispatch in which it ran shares lowers the pace to its own at
 * once or raises it by an eighth of the difference, so that a dispatch slowed down as a whole (a
 * time slice lost inside the caller's share) does not excuse itself.
 */
const paces = new Map<string, number>();

/** Records whether a threaded dispatch of this kind and size beat the calling thread alone. */
export function judgeDispatch(kind: string, macs: number, t: DispatchTiming): void {
  if (!threadGuard.enabled || t.shares === 0) return;
  const bucket = bucketOf(kind, macs);
  let pace = paces.get(bucket);
  if (t.own > 0 && t.ownWork > 0) {
    const now = t.ownMs / (t.ownWork * Math.max(1, macs));
    pace = pace === undefined || now < pace ? now : pace + (now - pace) / 8;
    paces.set(bucket, pace);
  }
  // A timing in which the caller ran no share (runParallel gives it share 0, so only one made
  // by hand) is judged by the pace of earlier dispatches; with none yet, not at all.
  if (pace === undefined) return;
  if (t.publishMs + t.ownMs + t.waitMs <= pace * Math.max(1, macs)) {
    losses.set(bucket, 0);
  } else if ((losses.get(bucket) ?? 0) + 1 >= LOSSES_TO_DECLINE) {
    losses.set(bucket, 0);
    singleFor.set(bucket, RETRY_AFTER);
  } else {
    losses.set(bucket, (losses.get(bucket) ?? 0) + 1);
  }
}
