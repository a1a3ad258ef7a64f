// Matrix multiply GFLOP/s: fingrad vs a naive JS loop vs tfjs-wasm (XNNPACK), same shapes, same
// process. Both engines get fresh weights each call (training changes them every step), so
// neither can reuse packed weights.
import * as fg from '../src/index.js';
import { type Tf, useBackend } from './peers/tfjs.js';
import { gflops, measure, median } from './support/measure.js';

export interface MatmulRow {
  shape: string;
  m: number;
  k: number;
  n: number;
  fingrad: number;
  naiveJs: number | null;
  tfjsWasm: number | null;
}

function naiveMatmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) c[i * n + j] = 0;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p] as number;
      for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] as number) + av * (b[p * n + j] as number);
    }
  }
}

export async function benchMatmul(shapes: Array<[number, number, number]>, tf: Tf | null, timeMs: number): Promise<MatmulRow[]> {
  const rows: MatmulRow[] = [];
  if (tf) await useBackend(tf, 'wasm');
  for (const [m, k, n] of shapes) {
    const flops = 2 * m * k * n;
    const aData = new Float32Array(m * k).map(() => Math.random() - 0.5);
    const bData = new Float32Array(k * n).map(() => Math.random() - 0.5);
    const a = fg.keep(fg.tensor(aData, [m, k]));
    const b = fg.keep(fg.tensor(bData, [k, n]));
    const fgTime = await measure(() => {
      b.data.set(bData); // fresh weights: written into the same storage
      fg.tidy(() => {
        fg.matmul(a, b); // a block body: tidy keeps (leaks) a returned tensor
      });
    }, timeMs);
    let naive: number | null = null;
    if (flops <= 2 * 256 ** 3) {
      const c = new Float32Array(m * n);
      naive = gflops(flops, (await measure(() => naiveMatmul(aData, bData, c, m, k, n), timeMs)).medianMs);
    }
    let tfw: number | null = null;
    if (tf) {
      const ta = tf.tensor2d(aData, [m, k]);
      const t = await measure(() => {
        const tb = tf.tensor2d(bData, [k, n]);
        const c = tf.matMul(ta, tb);
        tf.dispose([tb, c]);
      }, timeMs);
      ta.dispose();
      tfw = gflops(flops, t.medianMs);
    }
    rows.push({ shape: `${m}×${k}·${k}×${n}`, m, k, n, fingrad: gflops(flops, fgTime.medianMs), naiveJs: naive, tfjsWasm: tfw });
    a.dispose();
    b.dispose();
  }
  return rows;
}

export interface ThreadsRow {
  shape: string;
  m: number;
  k: number;
  n: number;
  /** GFLOP/s (median of the rounds' medians) by thread count. */
  gflops: Record<number, number>;
  /** Each round's median GFLOP/s by thread count, in round order. */
  rounds: Record<number, number[]>;
}

/**
 * fingrad alone at several thread counts: the counts alternate over `rounds` rounds (in a
 * rotating order) per shape, and each figure is the median of its rounds' medians, so that load
 * from other processes on a shared machine hits every column alike. Leaves one thread set.
 */
export async function benchMatmulThreads(shapes: Array<[number, number, number]>, threadCounts: number[], timeMs: number, rounds = 5): Promise<ThreadsRow[]> {
  const rows: ThreadsRow[] = [];
  for (const [m, k, n] of shapes) {
    const bData = new Float32Array(k * n).map(() => Math.random() - 0.5);
    const a = fg.keep(fg.tensor(new Float32Array(m * k).map(() => Math.random() - 0.5), [m, k]));
    const b = fg.keep(fg.tensor(bData, [k, n]));
    const perRound: Record<number, number[]> = Object.fromEntries(threadCounts.map((t) => [t, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < threadCounts.length; i++) {
        const threads = threadCounts[(i + r) % threadCounts.length] as number;
        await fg.setNumThreads(threads);
        // No fresh copy of B here (unlike benchMatmul): fingrad packs B on every call anyway, and
        // the copy runs on the calling thread alone (1 MB at 512³: ~8% of a 2-thread product),
        // which would understate the threads' speedup.
        const t = await measure(() => {
          fg.tidy(() => {
            fg.matmul(a, b);
          });
        }, timeMs);
        perRound[threads]?.push(gflops(2 * m * k * n, t.medianMs));
      }
    }
    const gflopsBy = Object.fromEntries(threadCounts.map((t) => [t, median(perRound[t] ?? [])]));
    rows.push({ shape: `${m}×${k}·${k}×${n}`, m, k, n, gflops: gflopsBy, rounds: perRound });
    a.dispose();
    b.dispose();
  }
  await fg.setNumThreads(1);
  return rows;
}
