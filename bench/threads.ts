// What limits 2-thread scaling: `npx tsx bench/threads.ts [--rounds 15] [--sizes 256,512,1024]
// [--probes split,capacity,scaling,guard,sharing,wake]`. Six probes, each
// interleaved so that load from other processes hits every variant alike:
//   split   the CPU time of a product cut into the blocks a thread count makes, run one after
//           another on this thread, over the CPU time of the whole product: the work a split
//           adds (duplicated packing, shorter loops), free of scheduling noise;
//   capacity the machine's own 2-core throughput: two independent products at once (one per
//           thread, nothing shared) against one alone; 2 threads on one product can at best
//           match it;
//   scaling 1 thread (the kernel called directly) vs 2 threads: each block packing its own B
//           at 2 blocks per thread (the rule before B was packed once), B packed once in 2 and
//           4 equal blocks per thread, and B packed once in guided blocks that shrink as they
//           go (shipped from 512³; 2 equal per thread below) (gemmPlan; the load guard off, so
//           every call is shared);
//   guard   the shipped plan with the load guard off and on (a size that loses runs on one
//           thread for a while), in the same rounds;
//   sharing a short wide product cut into column blocks, C's cuts on cache-line edges or inside
//           lines (false sharing of the output's edge lines), 2 threads;
//   wake    a product of ~30 µs on 2 threads right after the last one (the worker still spins)
//           and after a 2 ms pause (it sleeps in Atomics.wait): the share of calls in which the
//           worker took part and the median time, against 1 thread.
// It also prints how many processes were runnable meanwhile (Linux /proc/stat): on the shared
// 2-core machine a second thread helps only when the second core is free.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as fg from '../src/index.js';
import { runParallel, threadGuard } from '../src/backend/threads.js';
import { heap, kernels } from '../src/backend/wasm.js';
import { gemm, gemmPlan } from '../src/kernels/gemm.js';
import { GemmTaskLayout } from '../src/backend/generated/opcodes.js';
import { median } from './support/measure.js';

const PROBES = ['split', 'capacity', 'scaling', 'guard', 'sharing', 'wake'];
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, sizes: { type: 'string', default: '256,512,1024' }, probes: { type: 'string', default: PROBES.join(',') } } });
const probes = new Set(args.probes.split(','));
const unknown = [...probes].filter((p) => !PROBES.includes(p));
if (unknown.length > 0) throw new Error(`--probes: unknown ${unknown.join(', ')} (known: ${PROBES.join(', ')})`);
const rounds = Number(args.rounds);
const sizes = args.sizes.split(',').map(Number);

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const runnable: number[] = [];
function sampleLoad(): void {
  try {
    const m = /procs_running (\d+)/.exec(readFileSync('/proc/stat', 'utf8'));
    if (m) runnable.push(Number(m[1]));
  } catch {
    // not Linux: no figure
  }
}

await fg.ready();
if ((await fg.setNumThreads(2)) !== 2) throw new Error('threads unavailable (no shared memory)');
threadGuard.enabled = false;
const k = kernels();

interface Product {
  n: number;
  a: fg.Tensor;
  b: fg.Tensor;
  c: fg.Tensor;
  scratch: number;
  scratchBytes: number;
  /** Other heap blocks made for it (address, bytes), released with it. */
  temps: Array<[number, number]>;
  /** One thread: the kernel itself. */
  single: () => void;
  /** Through src/ops/gemm.ts on the current thread count. */
  shared: () => void;
}

function product(n: number): Product {
  const a = fg.keep(fg.randn([n, n]));
  const b = fg.keep(fg.randn([n, n]));
  const c = fg.keep(fg.zeros([n, n]));
  const scratchBytes = k.gemm_scratch_bytes(n, n, n);
  const scratch = heap().alloc(scratchBytes);
  return {
    n, a, b, c, scratch, scratchBytes, temps: [],
    single: () => k.gemm_f32(n, n, n, a.ptr, n, 1, b.ptr, n, 1, c.ptr, n, 0, scratch),
    shared: () => gemm({ m: n, n, k: n, a: a.ptr, rsA: n, csA: 1, b: b.ptr, rsB: n, csB: 1, c: c.ptr, ldc: n }),
  };
}

function free(p: Product): void {
  heap().release(p.scratch, p.scratchBytes);
  for (const [ptr, bytes] of p.temps) heap().release(ptr, bytes);
  for (const t of [p.a, p.b, p.c]) t.dispose();
}

// The blocks of r × c cuts (rows on the 4-row tile, columns on the 8-column one), run in turn.
function blocks(p: Product, r: number, c: number): () => void {
  const { n } = p;
  return () => {
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) {
        const r0 = Math.round((n * i) / r / 4) * 4;
        const r1 = Math.round((n * (i + 1)) / r / 4) * 4;
        const c0 = Math.round((n * j) / c / 8) * 8;
        const c1 = Math.round((n * (j + 1)) / c / 8) * 8;
        k.gemm_f32(r1 - r0, c1 - c0, n, p.a.ptr + 4 * r0 * n, n, 1, p.b.ptr + 4 * c0, n, 1, p.c.ptr + 4 * (r0 * n + c0), n, 0, p.scratch);
      }
    }
  };
}

const TASK_INTS = GemmTaskLayout.Ints;
const TASK_BYTES = 4 * TASK_INTS;

/** Writes the gemm_tasks_f32 record of rows r0 … r1 − 1 of p's product at byte address `at`. */
function writeTask(p: Product, r0: number, r1: number, at: number, packed = 0): void {
  const { n } = p;
  heap().i32.set([r1 - r0, n, n, p.a.ptr + 4 * r0 * n, n, 1, p.b.ptr, n, 1, p.c.ptr + 4 * r0 * n, n, 0, packed], at >>> 2);
}

// B packed once (gemm_pack_b_tasks_f32, one range), then `r` row blocks over it, in turn. Its
// buffers live as long as the product's (free).
function packedBlocks(p: Product, r: number): () => void {
  const { n } = p;
  const packedBytes = k.gemm_packed_b_bytes(n, n);
  const packed = heap().alloc(packedBytes);
  const listBytes = 8 * 4 + r * TASK_BYTES;
  const list = heap().alloc(listBytes);
  p.temps.push([packed, packedBytes], [list, listBytes]);
  const i32 = heap().i32;
  i32.set([n, n, p.b.ptr, n, 1, packed, 0, n], list >>> 2);
  for (let i = 0; i < r; i++) {
    const r0 = Math.round((n * i) / r / 4) * 4;
    const r1 = Math.round((n * (i + 1)) / r / 4) * 4;
    writeTask(p, r0, r1, list + 32 + i * TASK_BYTES, packed);
  }
  return () => {
    k.gemm_pack_b_tasks_f32(list, 1, 0);
    k.gemm_tasks_f32(list + 32, r, p.scratch);
  };
}

/** Median per-call time of each variant over interleaved rounds (clock: wall or CPU). */
function interleave(variants: Record<string, () => void>, clock: () => number, budgetMs = 20): Record<string, number[]> {
  const first = Object.values(variants)[0] as () => void;
  const t0 = performance.now();
  first();
  const reps = Math.max(1, Math.round(budgetMs / Math.max(0.02, performance.now() - t0)));
  const out: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    sampleLoad();
    for (const [name, fn] of Object.entries(variants)) {
      const t = clock();
      for (let i = 0; i < reps; i++) fn();
      (out[name] ??= []).push((clock() - t) / reps);
    }
  }
  return out;
}

if (probes.has('split')) {
  console.log(`split: CPU time of the blocks run in turn / the whole product (median of ${rounds} interleaved rounds)`);
  for (const n of sizes) {
    const p = product(n);
    const grids: Record<string, () => void> = { whole: p.single, '1×2': blocks(p, 1, 2), '2×2': blocks(p, 2, 2), '2×4': blocks(p, 2, 4), 'packed 8×1': packedBlocks(p, 8) };
    const t = interleave(grids, cpuMs);
    const whole = t.whole as number[];
    console.log(`  ${n}³: whole ${median(whole).toFixed(3)} ms; ${Object.keys(grids).slice(1).map((g) => `${g} ${median((t[g] as number[]).map((v, i) => v / (whole[i] as number))).toFixed(3)}`).join(', ')}`);
    free(p);
  }
}

if (probes.has('capacity')) {
  console.log(`\ncapacity: wall time of one product alone / two independent ones at once on 2 threads, median of ${rounds} interleaved rounds`);
  for (const n of sizes) {
    const p = product(n);
    const q = product(n);
    const list = heap().alloc(2 * TASK_BYTES);
    writeTask(p, 0, n, list);
    writeTask(q, 0, n, list + TASK_BYTES);
    let alone = 0;
    const t = interleave({
      '1t': p.single,
      pair: () => {
        if (runParallel('gemm_tasks_f32', [[list, 1, p.scratch], [list + TASK_BYTES, 1, q.scratch]]).own === 2) alone++;
      },
    }, () => performance.now(), 40);
    const one = t['1t'] as number[];
    const cap = median(one.map((v, i) => (2 * v) / ((t.pair as number[])[i] as number)));
    console.log(`  ${n}³: 1t ${median(one).toFixed(3)} ms; 2 products in ${median(t.pair as number[]).toFixed(3)} ms: ${cap.toFixed(2)}× the work of one thread (the calling thread ran both in ${alone} calls)`);
    heap().release(list, 2 * TASK_BYTES);
    free(p);
    free(q);
  }
}

if (probes.has('scaling')) {
  console.log(`\nscaling: wall time, 1 thread / 2 threads per round, median of ${rounds} interleaved rounds`);
  const plans: Record<string, { packB: boolean; sharesPerThread: number | 'guided' }> = {
    'own B ×2': { packB: false, sharesPerThread: 2 },
    'packed ×2': { packB: true, sharesPerThread: 2 },
    'packed ×4': { packB: true, sharesPerThread: 4 },
    'packed, guided': { packB: true, sharesPerThread: 'guided' },
  };
  for (const n of sizes) {
    const p = product(n);
    const variants: Record<string, () => void> = { '1t': p.single };
    for (const [name, plan] of Object.entries(plans)) {
      variants[name] = () => {
        Object.assign(gemmPlan, plan);
        p.shared();
      };
    }
    const t = interleave(variants, () => performance.now(), 40);
    const one = t['1t'] as number[];
    console.log(`  ${n}³: 1t ${median(one).toFixed(3)} ms; ${Object.keys(plans).map((name) => `${name} ${median(one.map((v, i) => v / ((t[name] as number[])[i] as number))).toFixed(2)}×`).join(', ')}`);
    // Guided blocks against equal ones: 2 per thread below 512³ and 4 from there (the rule before).
    const equal = t[n * n * n >= 1 << 27 ? 'packed ×4' : 'packed ×2'] as number[];
    const g = t['packed, guided'] as number[];
    console.log(`    equal blocks / guided, per round: median ${median(equal.map((v, i) => v / (g[i] as number))).toFixed(3)}, guided faster in ${g.filter((v, i) => v < (equal[i] as number)).length} of ${g.length} rounds`);
    free(p);
  }
}
Object.assign(gemmPlan, { packB: true, sharesPerThread: null }); // the shipped rule for the probes below

if (probes.has('guard')) {
  console.log(`\nguard: wall time, 1 thread / 2 threads (the shipped plan) with the load guard off and on (src/backend/threads.ts), median of ${rounds} interleaved rounds`);
  for (const n of sizes) {
    const p = product(n);
    const t = interleave({
      '1t': p.single,
      off: () => {
        threadGuard.enabled = false;
        p.shared();
      },
      on: () => {
        threadGuard.enabled = true;
        p.shared();
      },
    }, () => performance.now(), 40);
    const one = t['1t'] as number[];
    const ratio = (name: string): string => median(one.map((v, i) => v / ((t[name] as number[])[i] as number))).toFixed(2);
    console.log(`  ${n}³: 1t ${median(one).toFixed(3)} ms; 2 threads, guard off ${ratio('off')}×, on ${ratio('on')}×`);
    free(p);
  }
}
threadGuard.enabled = false;

// Short wide products are cut into column blocks (too few rows for row blocks); a cut at a
// multiple of 8 floats may fall inside a 64-byte cache line of C, which both threads then write.
if (probes.has('sharing')) {
  console.log(`\nsharing: wall time on 2 threads of a short wide product (column blocks) with C's cuts on cache-line edges (C at a 64-byte address) / inside lines (C 32 bytes further), median of ${rounds} interleaved rounds`);
  for (const [m, n, kk] of [[16, 8192, 256], [16, 8192, 64], [24, 16384, 128]] as const) {
    const h = heap();
    const a = h.alloc(4 * m * kk), b = h.alloc(4 * kk * n), c = h.alloc(4 * m * n + 128);
    h.f32.fill(0.5, a >>> 2, (a >>> 2) + m * kk);
    h.f32.fill(0.25, b >>> 2, (b >>> 2) + kk * n);
    const edge = (c + 63) & ~63;
    const at = (cAddr: number) => (): void => gemm({ m, n, k: kk, a, rsA: kk, csA: 1, b, rsB: n, csB: 1, c: cAddr, ldc: n });
    const t = interleave({ edges: at(edge), inside: at(edge + 32) }, () => performance.now(), 40);
    const ratio = median((t.inside as number[]).map((v, i) => v / ((t.edges as number[])[i] as number)));
    console.log(`  ${m}×${kk}·${kk}×${n}: 2t ${median(t.edges as number[]).toFixed(3)} ms with cuts on line edges; inside lines / on edges ${ratio.toFixed(3)}`);
    h.release(a, 4 * m * kk);
    h.release(b, 4 * kk * n);
    h.release(c, 4 * m * n + 128);
  }
}

if (probes.has('wake')) {
  const wakeSizes = [96, 160, 256];
  console.log(`\nwake: products of ${wakeSizes.join('³, ')}³ on 2 threads (2 row blocks) right after the previous call, and after a 2 ms pause`);
  for (const n of wakeSizes) {
    const p = product(n);
    const list = heap().alloc(2 * TASK_BYTES);
    const scratch2 = heap().alloc(p.scratchBytes);
    const half = Math.round(n / 8) * 4;
    writeTask(p, 0, half, list);
    writeTask(p, half, n, list + TASK_BYTES);
    const pause = (ms: number): void => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        // busy: a timer would let the process sleep too
      }
    };
    for (const gap of [0, 2]) {
      const one: number[] = [];
      const two: number[] = [];
      let joined = 0;
      const waits: number[] = [];
      const owns: number[] = [];
      const calls = 20 * rounds;
      for (let r = 0; r < calls; r++) {
        sampleLoad();
        pause(gap);
        let t = performance.now();
        p.single();
        one.push(performance.now() - t);
        pause(gap);
        t = performance.now();
        const d = runParallel('gemm_tasks_f32', [[list, 1, p.scratch], [list + TASK_BYTES, 1, scratch2]]);
        two.push(performance.now() - t);
        if (d.own < d.shares) joined++;
        waits.push(d.waitMs);
        owns.push(d.ownMs);
      }
      const us = (v: number[]): string => (1000 * median(v)).toFixed(1);
      console.log(`  ${n}³, pause ${gap} ms: 1t ${us(one)} µs, 2t ${us(two)} µs (${(median(one) / median(two)).toFixed(2)}×); the worker took a share in ${((100 * joined) / calls).toFixed(0)}% of ${calls} calls; the calling thread ran its shares in ${us(owns)} µs, then waited ${us(waits)} µs`);
    }
    heap().release(list, 2 * TASK_BYTES);
    heap().release(scratch2, p.scratchBytes);
    free(p);
  }
}

if (runnable.length > 0) {
  const s = [...runnable].sort((a, b) => a - b);
  console.log(`\nrunnable processes while measuring (/proc/stat, ${s.length} samples): median ${median(s)}, max ${s[s.length - 1]}`);
}
threadGuard.enabled = true;
await fg.setNumThreads(1);
