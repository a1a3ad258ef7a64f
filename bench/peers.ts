// fingrad beside jax-js (@jax-js/jax, Wasm device) and onnxruntime-web, in this Node process:
// matmul (fingrad on 1 and 2 threads, with this process's kernel build and with the other one in a
// child process, bench/peers/fingrad-build.ts; jax-js on one thread in this process, which has no global
// Worker, and with its worker pool on 2 workers in a child process given a Worker stand-in over
// worker_threads, bench/peers/web-worker.ts; PyTorch on one thread in a child process with
// OpenBLAS pinned to one thread), conv2d forward, MLP 20→32→16→1 training steps at batch 64 and 1024 (jax-js
// jit-compiled with a hand-written Adam), one-row inference latency p50/p99 (onnxruntime-web runs
// exportOnnx of the same weights) and cold start (a fresh Node process: import, ready/init, first
// 64² matmul). Engines alternate within each round, rounds rotate their order, every figure is
// the median of the rounds' medians, and each round's value is kept. The child-process peers are
// timed on request between fingrad's cells (bench/peers/child.ts), so they interleave too. The machine these ran on is
// shared: read ratios, not absolute figures.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import * as fg from '../src/index.js';
import { exportOnnx } from '../src/onnx/index.js';
import { PeerChild, TORCH_ENV, TORCH_ENV_2T, TORCH_PYTHONS } from './peers/child.js';
import { jaxConv2d, jaxMatmul, jaxMlp, type JaxModule } from './peers/jax.js';
import { gflops, measure, median } from './support/measure.js';
import { RELAXED_SIMD_FLAGS } from './support/relaxed-flag.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A timed engine: `run` is timed here; `time` is a child peer that times itself. */
type Cell = { name: string; setUp?: () => Promise<void> } & ({ run: () => unknown } | { time: (timeMs: number) => Promise<number> });


/** Median ms per call of each cell, over `rounds` rounds in rotating order. */
async function interleave(cells: Cell[], rounds: number, timeMs: number): Promise<Record<string, { ms: number; rounds: number[] }>> {
  const per: Record<string, number[]> = Object.fromEntries(cells.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[(i + r) % cells.length] as Cell;
      await cell.setUp?.();
      per[cell.name]?.push('run' in cell ? (await measure(cell.run, timeMs)).medianMs : await cell.time(timeMs));
    }
  }
  return Object.fromEntries(cells.map((c) => [c.name, { ms: median(per[c.name] ?? []), rounds: per[c.name] ?? [] }]));
}

// tinybench awaits a promise a task returns: async jax-js runners are timed to completion.
const oneThread = async (): Promise<void> => void (await fg.setNumThreads(1));
const twoThreads = async (): Promise<void> => void (await fg.setNumThreads(2));

export interface PeersResult {
  matmul: Array<{ size: number; gflops: Record<string, number>; roundsMs: Record<string, number[]> }>;
  conv2d: { name: string; gflops: Record<string, number>; roundsMs: Record<string, number[]> };
  training: Array<{ batch: number; samplesPerSecond: Record<string, number>; roundsMs: Record<string, number[]> }>;
  inference: Record<string, { p50Ms: number; p99Ms: number; calls: number }>;
  coldStartMs: Record<string, { medianMs: number; runs: number[] }>;
}

const here = (file: string): string => join(ROOT, 'bench', 'peers', file);

/**
 * jax-js on 2 workers, PyTorch on 1 and 2 threads and fingrad's other kernel build (relaxed SIMD
 * when this process runs plain SIMD, and the reverse), each in its own process; null where one
 * cannot start.
 */
async function startChildren(): Promise<{ jax2: PeerChild | null; torch: PeerChild | null; torch2: PeerChild | null; other: PeerChild | null }> {
  const jax2 = await PeerChild.start('jax-js 2 workers', process.execPath, ['--import', 'tsx', here('jax-workers.ts')], { JAX_WORKERS: '2' });
  const build = fg.backendInfo()?.relaxedSimd === true ? 'simd' : 'relaxed';
  const flag = build === 'relaxed' ? RELAXED_SIMD_FLAGS : [];
  const other = await PeerChild.start(`fingrad ${build}`, process.execPath, [...flag, '--import', 'tsx', here('fingrad-build.ts')], { FINGRAD_BUILD: build });
  let torch: PeerChild | null = null;
  let torch2: PeerChild | null = null;
  for (const python of TORCH_PYTHONS) {
    torch = await PeerChild.start('PyTorch', python, [here('torch_peer.py')], TORCH_ENV);
    if (!torch) continue;
    torch2 = await PeerChild.start('PyTorch 2 threads', python, [here('torch_peer.py')], TORCH_ENV_2T);
    break;
  }
  return { jax2, torch, torch2, other };
}

export async function benchPeers(jax: JaxModule, timeMs: number, rounds = 3): Promise<PeersResult> {
  const result: Partial<PeersResult> = {};
  const canThread = (await fg.setNumThreads(2)) === 2;
  await fg.setNumThreads(1);
  const { jax2, torch, torch2, other } = await startChildren();
  const child = (name: string, peer: PeerChild | null, request: Record<string, unknown>): Cell[] =>
    peer ? [{ name, setUp: oneThread, time: (ms: number) => peer.time({ ...request, timeMs: ms }) }] : [];

  result.matmul = [];
  for (const size of [256, 512, 1024]) {
    const a = fg.keep(fg.randn([size, size]));
    const b = fg.keep(fg.randn([size, size]));
    const j = jaxMatmul(jax, size, size, size);
    const fgRun = (): void => fg.tidy(() => void fg.matmul(a, b));
    const cells: Cell[] = [
      { name: 'fingrad 1t', setUp: oneThread, run: fgRun },
      ...(canThread ? [{ name: 'fingrad 2t', setUp: twoThreads, run: fgRun }] : []),
      { name: 'jax-js', setUp: oneThread, run: j.run },
      ...child('jax-js 2w', jax2, { op: 'matmul', size }),
      ...child('PyTorch 1t', torch, { op: 'matmul', size }),
      ...child('PyTorch 2t', torch2, { op: 'matmul', size }),
      ...child(`${other?.name} 1t`, other, { op: 'matmul', size, threads: 1 }),
      ...(canThread ? child(`${other?.name} 2t`, other, { op: 'matmul', size, threads: 2 }) : []),
    ];
    const r = await interleave(cells, rounds, timeMs);
    result.matmul.push({ size, gflops: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, gflops(2 * size ** 3, v.ms)])), roundsMs: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.rounds])) });
    a.dispose();
    b.dispose();
    j.dispose();
  }

  {
    const x = fg.keep(fg.randn([8, 16, 32, 32]));
    const w = fg.keep(fg.randn([32, 16, 3, 3], { std: 0.1 }));
    const j = jaxConv2d(jax, [8, 16, 32, 32], [32, 16, 3, 3], [1, 1]);
    const fgRun = (): void => fg.tidy(() => void fg.conv2d(x, w, undefined, { padding: 1 }));
    const r = await interleave([
      { name: 'fingrad 1t', setUp: oneThread, run: fgRun },
      ...(canThread ? [{ name: 'fingrad 2t', setUp: twoThreads, run: fgRun }] : []),
      { name: 'jax-js', setUp: oneThread, run: j.run },
      ...child('jax-js 2w', jax2, { op: 'conv2d', input: [8, 16, 32, 32], weight: [32, 16, 3, 3], padding: [1, 1] }),
    ], rounds, timeMs);
    const flops = 2 * 8 * 32 * 32 * 32 * 16 * 9;
    result.conv2d = { name: 'conv2d b8 32×32×16→32 3×3 p1', gflops: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, gflops(flops, v.ms)])), roundsMs: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.rounds])) };
    x.dispose();
    w.dispose();
    j.dispose();
  }

  await fg.setNumThreads(1);
  result.training = [];
  for (const batch of [64, 1024]) {
    fg.manualSeed(3);
    const model = new fg.nn.Sequential(new fg.nn.Linear(20, 32), new fg.nn.ReLU(), new fg.nn.Linear(32, 16), new fg.nn.ReLU(), new fg.nn.Linear(16, 1));
    const opt = new fg.optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = fg.keep(fg.randn([batch, 20]));
    const y = fg.keep(fg.randn([batch, 1]));
    const j = jaxMlp(jax, [20, 32, 16], batch);
    const r = await interleave([
      { name: 'fingrad', run: () => { fg.tidy(() => fg.mseLoss(model.forward(x), y).backward()); opt.step(); opt.zeroGrad(); } },
      { name: 'jax-js', run: j.step },
      ...child('PyTorch 1t', torch, { op: 'mlp', batch }),
    ], rounds, timeMs);
    result.training.push({ batch, samplesPerSecond: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, (1000 * batch) / v.ms])), roundsMs: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.rounds])) });
    x.dispose();
    y.dispose();
    j.dispose();
  }

  jax2?.close();
  other?.close();
  torch?.close();
  torch2?.close();

  // Last: once onnxruntime has started, jax-js cannot link a kernel it compiles afterwards.
  result.inference = await inferenceLatency(jax);
  result.coldStartMs = coldStart(rounds + 2);
  return result as PeersResult;
}

/** p50 / p99 of one-row predictions, the engines alternating call by call. */
async function inferenceLatency(jax: JaxModule, calls = 3000): Promise<PeersResult['inference']> {
  fg.manualSeed(5);
  const model = new fg.nn.Sequential(new fg.nn.Linear(20, 32), new fg.nn.ReLU(), new fg.nn.Linear(32, 16), new fg.nn.ReLU(), new fg.nn.Linear(16, 1));
  const j = jaxMlp(jax, [20, 32, 16], 1);
  const row = new Float32Array(20).map(() => Math.random() - 0.5);
  // jax-js compiles its kernel before onnxruntime starts: compiled after, it failed to link
  // ("memory import 0 has no maximum limit", jax-js 0.1.25 + onnxruntime-web 1.x in Node 20).
  await j.predict(row);
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(exportOnnx(model, { inputShape: [20] }), { executionProviders: ['wasm'] });
  const inputName = session.inputNames[0] as string;
  const engines: Record<string, () => Promise<unknown> | unknown> = {
    fingrad: () => fg.noGrad(() => fg.tidy(() => model.forward(fg.tensor(row, [1, 20])).item())),
    'jax-js': () => j.predict(row),
    'onnxruntime-web': () => session.run({ [inputName]: new ort.Tensor('float32', row, [1, 20]) }),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(engines).map((k) => [k, []]));
  for (let i = 0; i < calls + 200; i++) {
    for (const [name, run] of Object.entries(engines)) {
      const t0 = performance.now();
      await run();
      if (i >= 200) times[name]?.push(performance.now() - t0); // the first 200 warm up
    }
  }
  await session.release();
  j.dispose();
  const q = (v: number[], p: number): number => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(p * v.length))] as number;
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { p50Ms: q(v, 0.5), p99Ms: q(v, 0.99), calls: v.length }]));
}

// Each child prints the ms from its first line to the end of the first op's result. Both import
// by package name, as an application would: fingrad (a self-reference from this repository) gets
// its exports' `node` build, dist/node/.
const COLD: Record<string, string> = {
  fingrad: `const t0 = performance.now(); const fg = await import('fingrad'); await fg.ready();
const a = fg.ones([64, 64]); a.matmul(a).data; console.log(performance.now() - t0);`,
  'jax-js': `const t0 = performance.now(); const jax = await import('@jax-js/jax'); await jax.init('wasm'); jax.defaultDevice('wasm');
const a = jax.numpy.ones([64, 64]); await jax.numpy.matmul(a.ref, a).data(); console.log(performance.now() - t0);`,
};

function coldStart(runs: number): PeersResult['coldStartMs'] {
  const per: Record<string, number[]> = Object.fromEntries(Object.keys(COLD).map((k) => [k, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, code] of Object.entries(COLD)) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
      per[name]?.push(Number(out.trim().split('\n').pop()));
    }
  }
  return Object.fromEntries(Object.entries(per).map(([k, v]) => [k, { medianMs: median(v), runs: v }]));
}
