// Worker threads over the shared memory: threaded products equal single-thread ones bit for bit,
// the thread count round-trips, a kernel trap in a worker surfaces as an error, the process still
// exits on its own, and a private memory falls back to one thread with a warning.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { guidedCuts } from '../../src/backend/cuts.js';
import { judgeDispatch, MAX_SHARES, runParallel, threadGuard, threadStats, threadsPay } from '../../src/backend/threads.js';
import { heap, kernels } from '../../src/backend/wasm.js';
import { gemm, gemmPlan } from '../../src/kernels/gemm.js';
import { bitDiffs, lastJson, runNode, runWorkload } from './products.js';

// These tests count dispatches: every product above the threshold must be shared out, so the
// load guard (which keeps a size that just lost on one thread) is off here and tested below.
threadGuard.enabled = false;

afterAll(async () => {
  threadGuard.enabled = true;
  await fg.setNumThreads(1);
});

describe('setNumThreads', () => {
  it('starts on one thread and round-trips the count', async () => {
    expect(fg.getNumThreads()).toBe(1);
    await expect(fg.setNumThreads(2)).resolves.toBe(2);
    expect(fg.getNumThreads()).toBe(2);
    await expect(fg.setNumThreads(3)).resolves.toBe(3);
    await expect(fg.setNumThreads(2)).resolves.toBe(2);
    await expect(fg.setNumThreads(1)).resolves.toBe(1);
    expect(fg.getNumThreads()).toBe(1);
  });

  it('rejects a count that is not an integer from 1 to 64', async () => {
    for (const n of [0, -1, 1.5, Number.NaN, 65]) {
      await expect(fg.setNumThreads(n)).rejects.toThrow(fg.ValueError);
    }
    await expect(fg.setNumThreads(0)).rejects.toThrow(/setNumThreads: n must be an integer from 1 to 64, got 0/);
    expect(fg.getNumThreads()).toBe(1);
  });
});

describe('threaded products', () => {
  it('equal the single-thread results bit for bit (2 and 3 threads)', async () => {
    await fg.setNumThreads(1);
    const serialStart = threadStats().dispatches;
    const single = fg.tidy(() => runWorkload(fg));
    expect(threadStats().dispatches).toBe(serialStart);
    const start = threadStats();
    for (const n of [2, 3]) {
      await fg.setNumThreads(n);
      const before = threadStats().dispatches;
      const threaded = fg.tidy(() => runWorkload(fg));
      // Every product of the workload (3 per matmul/linear/conv: forward, two gradients) was shared out.
      expect(threadStats().dispatches - before).toBeGreaterThanOrEqual(3 * 11);
      expect(Object.keys(threaded)).toEqual(Object.keys(single));
      for (const [name, v] of Object.entries(single)) {
        expect({ name, threads: n, diffs: bitDiffs(threaded[name] as Float32Array, v) }).toEqual({ name, threads: n, diffs: 0 });
      }
    }
    // Workers took some of the ~70 dispatches' shares (the main thread takes the shares of a
    // worker that is slow to wake, so on a loaded machine not all).
    expect(threadStats().workerShares - start.workerShares).toBeGreaterThan(0);
  });

  it('cut a product over B packed once into row blocks that shrink as they go (guided cuts) from 512³', () => {
    expect(gemmPlan).toEqual({ sharesPerThread: null, packB: true, packedBMaxBytes: 64 * 2 ** 20 });
    // 512 rows on 2 threads: each block a quarter of the rows left, on the 4-row tile, ≥ 8 rows.
    expect(guidedCuts(512, 4, 4, 8)).toEqual([0, 128, 224, 296, 352, 392, 424, 448, 464, 476, 488, 496, 504, 512]);
    for (const [size, fraction, align, minPiece] of [[512, 4, 4, 8], [1000, 4, 4, 8], [37, 4, 4, 8], [18, 2, 4, 8], [16, 4, 4, 8], [15, 4, 4, 8], [1e6, 1.01, 4, 8], [9, 3, 1, 1]] as const) {
      const at = guidedCuts(size, fraction, align, minPiece);
      const pieces = at.slice(1).map((x, i) => x - (at[i] as number));
      expect(at[0]).toBe(0);
      expect(at[at.length - 1]).toBe(size);
      expect(pieces.length).toBeLessThanOrEqual(MAX_SHARES);
      for (const p of pieces) expect(p).toBeGreaterThanOrEqual(Math.min(minPiece, size));
      for (const x of at.slice(1, -1)) expect(x % align).toBe(0);
      // Never growing, but for the last piece, which takes what is left.
      for (let i = 1; i < pieces.length - 1; i++) expect(pieces[i]).toBeLessThanOrEqual(pieces[i - 1] as number);
    }
    expect(guidedCuts(15, 4, 4, 8)).toEqual([0, 15]);
  });

  it('equal them bit for bit when a product is cut into guided blocks or 2, 4 or 8 equal blocks per thread, with B packed once or by each block', async () => {
    await fg.setNumThreads(1);
    const single = fg.tidy(() => runWorkload(fg));
    await fg.setNumThreads(2);
    try {
      for (const packB of [true, false]) {
        for (const perThread of ['guided', 2, 4, 8] as const) {
          Object.assign(gemmPlan, { packB, sharesPerThread: perThread });
          const threaded = fg.tidy(() => runWorkload(fg));
          for (const [name, v] of Object.entries(single)) {
            expect({ name, packB, perThread, diffs: bitDiffs(threaded[name] as Float32Array, v) }).toEqual({ name, packB, perThread, diffs: 0 });
          }
        }
      }
    } finally {
      Object.assign(gemmPlan, { packB: true, sharesPerThread: null });
    }
  });

  it('pack B once into the layout the kernel packs block by block: every column range, stride layout and block edge', () => {
    // On one thread, straight through the kernels: B packed in column ranges (cuts on the 8-wide
    // tile, one across the edge of the first 2048-wide block, the last ending at an odd n), then row blocks over it, equal
    // gemm_f32 on the whole product bit for bit; over 2 KC slices of k, with B row-major and
    // column-major (a transposed operand) and C accumulated into.
    const k = kernels();
    const h = heap();
    for (const [m, kk, n, colMajorB, accumulate] of [[37, 600, 2061, false, 0], [20, 257, 45, true, 1], [20, 257, 45, false, 1], [20, 257, 45, true, 0], [20, 100, 45, true, 0], [9, 3, 8, false, 0]] as const) {
      fg.tidy(() => {
        const a = fg.randn([m, kk]);
        const b = colMajorB ? fg.randn([n, kk]) : fg.randn([kk, n]);
        const [rsB, csB] = colMajorB ? [1, kk] : [n, 1];
        const c0 = fg.randn([m, n]);
        const want = fg.add(c0, 0);
        const got = fg.add(c0, 0);
        const scratchBytes = k.gemm_scratch_bytes(m, n, kk);
        const scratch = h.alloc(scratchBytes);
        const packedBytes = k.gemm_packed_b_bytes(n, kk);
        const packed = h.alloc(packedBytes);
        const ranges = [0, ...[8, 2000].filter((j) => j < n), n];
        const rows = [0, 4, m];
        const list = h.alloc(4 * (8 * ranges.length + 13 * rows.length));
        try {
          k.gemm_f32(m, n, kk, a.ptr, kk, 1, b.ptr, rsB, csB, want.ptr, n, accumulate, scratch);
          const i32 = h.i32;
          let at = list >>> 2;
          for (let r = 0; r + 1 < ranges.length; r++) {
            i32.set([n, kk, b.ptr, rsB, csB, packed, ranges[r] as number, ranges[r + 1] as number], at);
            at += 8;
          }
          k.gemm_pack_b_tasks_f32(list, ranges.length - 1, 0);
          const blocks = at * 4;
          for (let r = 0; r + 1 < rows.length; r++) {
            const r0 = rows[r] as number;
            i32.set([(rows[r + 1] as number) - r0, n, kk, a.ptr + 4 * r0 * kk, kk, 1, b.ptr, rsB, csB, got.ptr + 4 * r0 * n, n, accumulate, packed], at);
            at += 13;
          }
          k.gemm_tasks_f32(blocks, rows.length - 1, scratch);
          expect({ m, kk, n, diffs: bitDiffs(got.data, want.data) }).toEqual({ m, kk, n, diffs: 0 });
          expect(fg.sub(got, c0).abs().max().item()).toBeGreaterThan(0);
        } finally {
          h.release(list, 4 * (8 * ranges.length + 13 * rows.length));
          h.release(packed, packedBytes);
          h.release(scratch, scratchBytes);
        }
      });
    }
  });

  it('a tall product on 2 threads packs B once and hands out several row blocks per thread; a B over packedBMaxBytes is packed by each block', async () => {
    await fg.setNumThreads(1);
    const a = fg.keep(fg.randn([300, 200]));
    const b = fg.keep(fg.randn([200, 100]));
    const want = fg.keep(fg.matmul(a, b));
    const c = fg.keep(fg.zeros([300, 100]));
    await fg.setNumThreads(2);
    try {
      const before = threadStats();
      gemm({ m: 300, n: 100, k: 200, a: a.ptr, rsA: 200, csA: 1, b: b.ptr, rsB: 100, csB: 1, c: c.ptr, ldc: 100 });
      // Two dispatches: the packing of B (a column range per thread), then 2 × 2 row blocks.
      expect(threadStats().dispatches - before.dispatches).toBe(2);
      expect(bitDiffs(c.data, want.data)).toBe(0);
      // A B larger than packedBMaxBytes is packed by each block instead: one dispatch.
      gemmPlan.packedBMaxBytes = 200 * 100 * 4 - 4;
      const again = threadStats();
      gemm({ m: 300, n: 100, k: 200, a: a.ptr, rsA: 200, csA: 1, b: b.ptr, rsB: 100, csB: 1, c: c.ptr, ldc: 100 });
      expect(threadStats().dispatches - again.dispatches).toBe(1);
      expect(bitDiffs(c.data, want.data)).toBe(0);
    } finally {
      gemmPlan.packedBMaxBytes = 64 * 2 ** 20;
      for (const t of [a, b, want, c]) t.dispose();
    }
  });

  it('back-to-back dispatches with the worker asleep in between: no share runs twice and none is lost', () => {
    // A 128³ product on 2 threads is two dispatches (B packed in 2 shares, then 4 row blocks),
    // here accumulated into one C, with pauses around the worker's spin so that it often wakes
    // late. A worker still claiming in the previous dispatch once took a share of the next: run
    // twice (C off by one product) and counted once too often (the caller then waited forever;
    // without the fix this test failed in 3 of 4 runs, the child timing out). Small integers
    // keep every sum exact.
    const gemmUrl = new URL('../../src/kernels/gemm.ts', import.meta.url).href;
    const threadsUrl = new URL('../../src/backend/threads.ts', import.meta.url).href;
    const r = runNode(`
      const { gemm } = await import(${JSON.stringify(gemmUrl)});
      const { threadGuard } = await import(${JSON.stringify(threadsUrl)});
      await fg.ready();
      await fg.setNumThreads(2);
      threadGuard.enabled = false;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      const n = 128;
      const ints = (len, s) => Float32Array.from({ length: len }, (_, i) => ((i * s) % 7) - 3);
      const a = fg.tensor(ints(n * n, 7919), [n, n]);
      const b = fg.tensor(ints(n * n, 104729), [n, n]);
      const want = fg.matmul(a, b).data;
      const c = fg.zeros([n, n]);
      const t0 = Date.now();
      let calls = 0;
      for (; Date.now() - t0 < 4000; calls++) {
        Atomics.wait(pause, 0, 0, (calls % 4) * 0.1);
        gemm({ m: n, n, k: n, a: a.ptr, rsA: n, csA: 1, b: b.ptr, rsB: n, csB: 1, c: c.ptr, ldc: n, accumulate: true });
      }
      let wrong = 0;
      const got = c.data;
      for (let i = 0; i < got.length; i++) if (got[i] !== calls * want[i]) wrong++;
      console.log(JSON.stringify({ calls, wrong }));
      process.exit(0);
    `);
    expect(r.status, r.stderr).toBe(0);
    const { calls, wrong } = lastJson<{ calls: number; wrong: number }>(r);
    expect(calls).toBeGreaterThan(500);
    expect(wrong).toBe(0);
  });

  it('a job kind and size whose dispatches lost twice in a row runs on one thread for 16 calls, then threads are tried again', () => {
    threadGuard.enabled = true;
    try {
      const macs = 3 << 24;
      expect(threadsPay('gemm', macs)).toBe(true);
      // The calling thread ran 1 of 2 shares in 1 ms, then waited 0.5 ms: 1.5 < 2 ms alone, a win.
      judgeDispatch('gemm', macs, { shares: 2, publishMs: 0, own: 1, ownWork: 0.5, ownMs: 1, waitMs: 0.5 });
      expect(threadsPay('gemm', macs)).toBe(true);
      // It waited 3 ms for the worker's share: alone it would have been done after 2 ms. Once
      // may be a time slice lost; twice in a row sends the size to one thread.
      judgeDispatch('gemm', macs, { shares: 2, publishMs: 0, own: 1, ownWork: 0.5, ownMs: 1, waitMs: 3 });
      expect(threadsPay('gemm', macs)).toBe(true);
      judgeDispatch('gemm', macs, { shares: 2, publishMs: 0, own: 1, ownWork: 0.5, ownMs: 1, waitMs: 3 });
      expect(Array.from({ length: 16 }, () => threadsPay('gemm', macs))).toEqual(new Array(16).fill(false));
      expect(threadsPay('gemm', 2 * macs)).toBe(true); // another size is judged on its own
      expect(threadsPay('conv forward', macs)).toBe(true); // and another kind
      expect(threadsPay('gemm', macs)).toBe(true);
    } finally {
      threadGuard.enabled = false;
    }
  });

  it('report what part of the work the calling thread ran, from each share\'s work when they are unequal', async () => {
    await fg.setNumThreads(2);
    // Empty task lists (no products): share 0 is always the caller's.
    for (let i = 0; i < 20; i++) {
      const t = runParallel('gemm_tasks_f32', [[0, 0, 0], [0, 0, 0], [0, 0, 0]], [3, 2, 1]);
      const possible = { 1: [3 / 6], 2: [5 / 6, 4 / 6], 3: [1] }[t.own] ?? [];
      expect(possible.some((w) => Math.abs(w - t.ownWork) < 1e-12), `own ${t.own}, ownWork ${t.ownWork}`).toBe(true);
      const equal = runParallel('gemm_tasks_f32', [[0, 0, 0], [0, 0, 0]]);
      expect(equal.ownWork).toBeCloseTo(equal.own / 2, 12);
    }
    expect(() => runParallel('gemm_tasks_f32', [[0, 0, 0], [0, 0, 0]], [1])).toThrow(/one positive figure per share \(2 shares\), got \[1\]/);
    expect(() => runParallel('gemm_tasks_f32', [[0, 0, 0], [0, 0, 0]], [1, 0])).toThrow(/got \[1, 0\]/);
  });

  it('judge a dispatch of unequal shares by the work the calling thread ran, not by its count of shares', () => {
    threadGuard.enabled = true;
    try {
      const macs = 9 << 24;
      // Guided blocks: the caller ran 7 of 13 shares, half the work, in 1 ms (2 ms alone), then
      // waited 0.95 ms: a win. Counted as 7/13 of the work it would be 1.86 ms alone: a loss.
      for (let i = 0; i < 4; i++) judgeDispatch('gemm', macs, { shares: 13, publishMs: 0, own: 7, ownWork: 0.5, ownMs: 1, waitMs: 0.95 });
      expect(threadsPay('gemm', macs)).toBe(true);
      // The same caller waiting 1.1 ms loses, twice, and the size goes to one thread.
      for (let i = 0; i < 2; i++) judgeDispatch('gemm', macs, { shares: 13, publishMs: 0, own: 7, ownWork: 0.5, ownMs: 1, waitMs: 1.1 });
      expect(threadsPay('gemm', macs)).toBe(false);
    } finally {
      threadGuard.enabled = false;
    }
  });

  it('a timing without a share of the caller\'s is judged by its earlier pace, and the dispatch is timed from the call', () => {
    threadGuard.enabled = true;
    try {
      const macs = 5 << 24;
      // No pace known yet: a dispatch without a share of the caller's is not judged.
      judgeDispatch('gemm', macs, { shares: 2, publishMs: 9, own: 0, ownWork: 0, ownMs: 0, waitMs: 0 });
      judgeDispatch('gemm', macs, { shares: 2, publishMs: 9, own: 0, ownWork: 0, ownMs: 0, waitMs: 0 });
      expect(threadsPay('gemm', macs)).toBe(true);
      // A win at 1 ms per share sets the pace; then the caller lost its core while waking the
      // worker (3 ms before its first claim, every share done by then): 3 > 2 ms alone, twice.
      judgeDispatch('gemm', macs, { shares: 2, publishMs: 0.1, own: 1, ownWork: 0.5, ownMs: 1, waitMs: 0.2 });
      expect(threadsPay('gemm', macs)).toBe(true);
      judgeDispatch('gemm', macs, { shares: 2, publishMs: 3, own: 0, ownWork: 0, ownMs: 0, waitMs: 0 });
      expect(threadsPay('gemm', macs)).toBe(true);
      judgeDispatch('gemm', macs, { shares: 2, publishMs: 3, own: 0, ownWork: 0, ownMs: 0, waitMs: 0 });
      expect(threadsPay('gemm', macs)).toBe(false);
      // A share slowed down as a whole does not excuse the dispatch: the pace rises by an eighth.
      const other = 7 << 24;
      judgeDispatch('gemm', other, { shares: 2, publishMs: 0, own: 1, ownWork: 0.5, ownMs: 1, waitMs: 0 });
      judgeDispatch('gemm', other, { shares: 2, publishMs: 0, own: 1, ownWork: 0.5, ownMs: 9, waitMs: 0.5 });
      judgeDispatch('gemm', other, { shares: 2, publishMs: 0, own: 1, ownWork: 0.5, ownMs: 9, waitMs: 0.5 });
      expect(threadsPay('gemm', other)).toBe(false);
    } finally {
      threadGuard.enabled = false;
    }
  });

  it('see memory that grew after the workers started', async () => {
    await fg.setNumThreads(1);
    const a = fg.randn([300, 200]);
    const b = fg.randn([200, 310]);
    const expected = a.matmul(b).data.slice();
    await fg.setNumThreads(2);
    const h = heap();
    const before = h.heapBytes;
    const filler = h.alloc(before); // grows memory: blocks allocated from now on start past `before`
    const spare: fg.Tensor[] = []; // free blocks below `before` are used up first
    const copies = [a, b].map((t) => {
      while (spare.length < 10_000) {
        const c = fg.tensor(t.data.slice(), t.shape);
        if (c.ptr >= before) return c;
        spare.push(c);
      }
      throw new Error('no block past the old end of memory');
    });
    const [a2, b2] = copies as [fg.Tensor, fg.Tensor];
    expect(bitDiffs(a2.matmul(b2).data, expected)).toBe(0);
    for (const t of [...spare, a2, b2]) t.dispose();
    h.release(filler, before);
  });

  it('turn a kernel trap on any thread into an error, and the pool keeps working', async () => {
    await fg.setNumThreads(2);
    // Task lists far past the end of memory: gemm_tasks_f32 traps there, on whichever thread
    // claimed the share (a worker's trap is a BackendError, the main thread's its RuntimeError).
    for (let i = 0; i < 20; i++) {
      expect(() => runParallel('gemm_tasks_f32', [[0x7ff00000, 1, 0], [0x7ff00000, 1, 0], [0x7ff00000, 1, 0]])).toThrow(/worker thread failed|out of bounds/);
    }
    const a = fg.randn([200, 200]);
    const single = fg.tensor(a.data.slice(), a.shape);
    const threaded = a.matmul(a).data.slice();
    await fg.setNumThreads(1);
    expect(bitDiffs(single.matmul(single).data, threaded)).toBe(0);
  });
});

describe('in a child process', () => {
  it('a threaded matmul does not keep Node alive', () => {
    const r = runNode(`
await fg.ready();
await fg.setNumThreads(2);
const a = fg.randn([512, 512]);
console.log(JSON.stringify({ threads: fg.getNumThreads(), sum: a.matmul(a).sum().item() }));
`);
    expect(r.status, r.stderr).toBe(0);
    expect(lastJson<{ threads: number; sum: number }>(r).threads).toBe(2);
    expect(r.ms).toBeLessThan(15_000); // tsx start-up included; a worker holding the process would hit the 60 s timeout
  });

  it('a private memory stays on one thread and warns once', () => {
    const r = runNode(`
const warnings = [];
console.warn = (m) => warnings.push(String(m));
const early = await fg.setNumThreads(2).then(() => null, (e) => e.name + ': ' + e.message);
const info = await fg.ready({ sharedMemory: false });
const first = await fg.setNumThreads(2);
const second = await fg.setNumThreads(4);
const a = fg.tensor([[1, 2], [3, 4]]);
const big = fg.ones([300, 300]);
console.log(JSON.stringify({ early, info, first, second, threads: fg.getNumThreads(), warnings, y: a.matmul(a).toArray(), big: big.matmul(big).sum().item() }));
`);
    expect(r.status, r.stderr).toBe(0);
    const out = lastJson<{ early: string; info: fg.BackendInfo; first: number; second: number; threads: number; warnings: string[]; y: number[][]; big: number }>(r);
    expect(out.early).toMatch(/^BackendError: .*call `await ready\(\)`/);
    expect(out.info.sharedMemory).toBe(false);
    expect(out.info.build).toMatch(/^(simd|relaxed)$/);
    expect([out.first, out.second, out.threads]).toEqual([1, 1, 1]);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatch(/shared WebAssembly.Memory.*running on 1 thread/);
    expect(out.y).toEqual([[7, 10], [15, 22]]);
    expect(out.big).toBe(300 ** 3);
  });
});
