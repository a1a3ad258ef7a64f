// `npm run bench`: prints tables and appends the run to bench/results.json (bench/support/results.ts).
// Every figure is a median; peers run in the same process so ratios compare like with like on a
// shared, noisy machine.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as fg from '../src/index.js';
import { benchBrowser, describeBrowser } from './browser.js';
import { BYTES_BUDGET_GZIP, measureBrowserBytes } from './bytes.js';
import { benchConv, benchConvThreads, type ConvCase } from './conv.js';
import { benchFinance } from './finance.js';
import { benchMatmul, benchMatmulThreads } from './matmul.js';
import { benchAllocator } from './memory.js';
import { measurePeak } from './peak.js';
import { benchPeers } from './peers.js';
import { benchPredictLatency } from './predict-latency.js';
import { loadJax } from './peers/jax.js';
import { loadTfjs } from './peers/tfjs.js';
import { benchStreaming } from './streaming.js';
import { printTable } from './support/measure.js';
import { appendRun } from './support/results.js';
import { benchTraining } from './train.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'peak,matmul,conv,train,memory,finance,browser,bytes,peers,latency' },
    out: { type: 'string', default: 'bench/results.json' },
  },
});
const suites = new Set(args.only.split(','));
const timeMs = args.quick ? 250 : 1000;

await fg.ready();
const tf = await loadTfjs();
/**
 * The commit the run measured, and whether tracked files other than the results file (which the
 * runs before this one changed) differed from it.
 */
function commit(): { sha: string; dirty: boolean } | null {
  try {
    const git = (...a: string[]): string => execFileSync('git', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const top = git('rev-parse', '--show-toplevel').trim();
    // Porcelain lines are "XY path"; the first may start with a space, so nothing is trimmed.
    const changed = git('status', '--porcelain', '--untracked-files=no').split('\n').filter((l) => l !== '');
    return { sha: git('rev-parse', 'HEAD').trim(), dirty: changed.some((l) => resolve(top, l.slice(3)) !== resolve(args.out)) };
  } catch {
    return null; // not a git checkout
  }
}

const results: Record<string, unknown> & { date: string } = {
  date: new Date().toISOString(),
  command: process.argv.length > 2 ? `npm run bench -- ${process.argv.slice(2).join(' ')}` : 'npm run bench',
  commit: commit(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, loadAverageAtStart: loadavg() },
  fingrad: fg.backendInfo(),
};

let peak = NaN;
if (suites.has('peak') || suites.has('matmul')) {
  peak = await measurePeak();
  results.peakGflopsPerThread = peak;
  console.log(`f32x4 mul+add peak, one thread: ${peak.toFixed(1)} GFLOP/s`);
}

if (suites.has('matmul')) {
  const square: Array<[number, number, number]> = [64, 128, 256, 512, 1024].map((s) => [s, s, s]);
  const training: Array<[number, number, number]> = [[256, 784, 128], [64, 20, 32], [64, 32, 20], [20, 64, 32]];
  const rows = await benchMatmul([...square, ...training], tf, timeMs);
  results.matmul = rows;
  printTable('matmul, 1 thread (GFLOP/s, median; fresh weights each call)', ['shape', 'fingrad', '% peak', 'naive JS', 'tfjs-wasm', 'fingrad/tfjs'], rows.map((r) => [
    r.shape, r.fingrad, (100 * r.fingrad) / peak, r.naiveJs ?? NaN, r.tfjsWasm ?? NaN, r.tfjsWasm ? r.fingrad / r.tfjsWasm : NaN,
  ]));
  if (await fg.setNumThreads(2) === 2) {
    const threadRows = await benchMatmulThreads([[128, 128, 128], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [256, 784, 128]], [1, 2], timeMs);
    results.matmulThreads = threadRows;
    printTable('matmul, 1 vs 2 threads (GFLOP/s, median of 5 alternating rounds; shared machine: noisy)', ['shape', '1 thread', '2 threads', 'speedup', '2 threads / tfjs-wasm'], threadRows.map((r) => {
      const tfw = rows.find((q) => q.shape === r.shape)?.tfjsWasm;
      const one = r.gflops[1] ?? NaN;
      const two = r.gflops[2] ?? NaN;
      return [r.shape, one, two, two / one, tfw ? two / tfw : NaN];
    }));
  } else {
    console.log('\nmatmul on 2 threads skipped: no shared memory');
  }
}

if (suites.has('conv')) {
  const cases: ConvCase[] = [
    { name: 'conv2d b32 28×28×1→32 3×3 p1', input: [32, 1, 28, 28], outChannels: 32, kernel: [3, 3], padding: [1, 1] },
    { name: 'conv2d b8 32×32×16→32 3×3 p1', input: [8, 16, 32, 32], outChannels: 32, kernel: [3, 3], padding: [1, 1] },
    { name: 'conv1d [64, 8, 30]→16 k3 p1', input: [64, 8, 1, 30], outChannels: 16, kernel: [1, 3], padding: [0, 1], oneD: true },
  ];
  const rows = await benchConv(cases, tf, timeMs);
  results.conv = rows;
  printTable('convolution, 1 thread (GFLOP/s, median)', ['case', 'forward', 'backward', 'bwd/fwd time', 'tfjs-wasm fwd', 'fwd ratio'], rows.map((r) => [
    r.name, r.forwardGflops, r.backwardGflops, r.backwardOverForward, r.tfjsWasmForwardGflops ?? NaN,
    r.tfjsWasmForwardGflops ? r.forwardGflops / r.tfjsWasmForwardGflops : NaN,
  ]));
  if (await fg.setNumThreads(2) === 2) {
    const threadRows = await benchConvThreads(cases, [1, 2], timeMs);
    results.convThreads = threadRows;
    printTable('convolution, 1 vs 2 threads (GFLOP/s, median of 3 alternating rounds)', ['case', 'fwd 1t', 'fwd 2t', 'fwd speedup', 'bwd 1t', 'bwd 2t', 'bwd speedup'], threadRows.map((r) => {
      const [f1, f2, b1, b2] = [r.forwardGflops[1], r.forwardGflops[2], r.backwardGflops[1], r.backwardGflops[2]].map((v) => v ?? NaN) as [number, number, number, number];
      return [r.name, f1, f2, f2 / f1, b1, b2, b2 / b1];
    }));
  } else {
    console.log('\nconvolution on 2 threads skipped: no shared memory');
  }
}

if (suites.has('train')) {
  const rows = await benchTraining(tf, args.quick);
  results.training = rows;
  printTable('training throughput, 1 thread (samples/s, median step)', ['workload', 'fingrad', 'tfjs-wasm', 'tfjs-cpu', 'PyTorch', 'vs tfjs', 'vs PyTorch', 'mem growth'], rows.map((r) => [
    r.name, r.fingrad, r.tfjsWasm ?? NaN, r.tfjsCpu ?? NaN, r.pytorch ?? NaN,
    r.fingrad / (r.tfjsWasm ?? r.tfjsCpu ?? NaN), r.pytorch ? r.fingrad / r.pytorch : NaN, `${r.memoryGrowthBytes} B`,
  ]));
}

if (suites.has('memory')) {
  const rows = await benchAllocator(timeMs);
  results.allocator = rows;
  printTable('allocator (ns per alloc + release pair, median)', ['pattern', 'ns', 'heap growth'], rows.map((r) => [
    r.pattern, r.nsPerPair, `${r.heapGrowthBytes} B`,
  ]));
}

if (suites.has('finance')) {
  const f = await benchFinance(timeMs);
  results.finance = f;
  printTable(`GARCH(1,1) maximum likelihood on ${f.series} (${f.days} days; ms, median)`, ['whole fit (fused float64 recursion)', 'L-BFGS iterations', 'one -log L + gradient as a graph of scalar ops'], [[f.garchFitMs, f.garchIterations, f.graphEvalMs]]);
}

if (suites.has('browser')) {
  const browser = await benchBrowser(args.quick ? { rounds: 3, minMs: 250, minRuns: 3 } : {}).catch((e: unknown) => {
    console.error(`\nbrowser suite failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
    return null;
  });
  if (browser) {
    results.browser = browser;
    console.log(`\n${describeBrowser(browser).join('\n')}`);
    printTable(`matmul in Chromium (GFLOP/s, median of ${browser.rounds} interleaved rounds; fresh weights each call)`, ['shape', 'fingrad 1t', 'fingrad 2t', 'tfjs 1t', 'tfjs 2t', 'fingrad 2t / tfjs 2t'], browser.rows.map((r) => [
      r.shape, r.fingrad1, r.fingrad2, r.tfjs1, r.tfjs2, r.fingrad2 / r.tfjs2,
    ]));
  }
}

// Minutes long, so not in the default list: npm run bench -- --only streaming
if (suites.has('streaming')) {
  const sizes = (process.env.STREAMING_ROWS ?? '1000000,5000000').split(',').map(Number);
  const runs = await benchStreaming(sizes);
  results.streaming = runs;
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
  printTable('streaming: generated credit CSV, one epoch (MLP 32 hidden, batch 256) / one scoring pass; each run in its own process', ['rows', 'file', 'run', 'seconds', 'rows/s (epoch or pass)', 'peak RSS', 'peak WASM heap'], runs.map((r) => [
    r.rows, mb(r.fileBytes), r.mode === 'whole' ? 'train, file loaded whole' : r.mode === 'train' ? 'train, streamed (stats passes + epoch)' : 'score, streamed', r.seconds, Math.round(r.epochRowsPerSecond ?? r.rowsPerSecond), mb(r.peakRssBytes), mb(r.wasmHeapBytes),
  ]));
}

if (suites.has('bytes')) {
  const bytes = await measureBrowserBytes();
  const fallback = await measureBrowserBytes({ withoutWasmFiles: true });
  results.browserBytes = { withWasmFiles: bytes, embeddedFallback: fallback, budgetGzipBytes: BYTES_BUDGET_GZIP };
  printTable(`bytes a training page downloads (tensors, autograd, nn, optim; esbuild, splitting, minified; counted by ${bytes.measuredBy})`, ['file', 'bytes', 'gzip -9'], [
    ...bytes.files.map((f) => [f.path, f.bytes, f.gzipBytes]),
    ['total', bytes.totalBytes, bytes.totalGzipBytes],
    ['total, no .wasm files (embedded fallback)', fallback.totalBytes, fallback.totalGzipBytes],
    ['budget (gzip)', '', BYTES_BUDGET_GZIP],
  ]);
}

if (suites.has('peers')) {
  const jax = await loadJax();
  if (jax === null) {
    console.log('\npeers suite skipped: jax-js did not start');
  } else {
    const p = await benchPeers(jax, timeMs, args.quick ? 3 : 5);
    results.peers = p;
    const note = 'median of alternating rounds; shared 2-core machine: noisy';
    const g = (r: { gflops: Record<string, number> }, k: string): number => r.gflops[k] ?? NaN;
    printTable(`matmul vs jax-js and PyTorch (GFLOP/s, ${note}; jax-js 2w = its worker pool on 2 workers; PyTorch with OpenBLAS pinned to 1 or 2 threads)`, ['size', 'fingrad 1t', 'fingrad 2t', 'jax-js', 'jax-js 2w', 'PyTorch 1t', 'PyTorch 2t', '1t / jax-js', '2t / jax-js 2w', '1t / PyTorch', 'fingrad 2t/1t', 'PyTorch 2t/1t'], p.matmul.map((r) => [
      `${r.size}³`, g(r, 'fingrad 1t'), g(r, 'fingrad 2t'), g(r, 'jax-js'), g(r, 'jax-js 2w'), g(r, 'PyTorch 1t'), g(r, 'PyTorch 2t'), g(r, 'fingrad 1t') / g(r, 'jax-js'), g(r, 'fingrad 2t') / g(r, 'jax-js 2w'), g(r, 'fingrad 1t') / g(r, 'PyTorch 1t'),
      g(r, 'fingrad 2t') / g(r, 'fingrad 1t'), g(r, 'PyTorch 2t') / g(r, 'PyTorch 1t'),
    ]));
    const other = Object.keys(p.matmul[0]?.gflops ?? {}).find((k) => /^fingrad (relaxed|simd) 1t$/.test(k))?.replace(/ 1t$/, '');
    if (other !== undefined) {
      printTable(`matmul, this process's build (${fg.backendInfo()?.build}) vs ${other} in a child process, same rounds (GFLOP/s, ${note})`, ['size', 'this 1t', 'this 2t', 'this 2t/1t', `${other} 1t`, `${other} 2t`, `${other} 2t/1t`, `${other} 1t / this 1t`], p.matmul.map((r) => [
        `${r.size}³`, g(r, 'fingrad 1t'), g(r, 'fingrad 2t'), g(r, 'fingrad 2t') / g(r, 'fingrad 1t'), g(r, `${other} 1t`), g(r, `${other} 2t`), g(r, `${other} 2t`) / g(r, `${other} 1t`), g(r, `${other} 1t`) / g(r, 'fingrad 1t'),
      ]));
    }
    printTable(`conv2d forward vs jax-js (GFLOP/s, ${note})`, ['case', 'fingrad 1t', 'fingrad 2t', 'jax-js', 'jax-js 2w', '2t / jax-js 2w'], [[p.conv2d.name, g(p.conv2d, 'fingrad 1t'), g(p.conv2d, 'fingrad 2t'), g(p.conv2d, 'jax-js'), g(p.conv2d, 'jax-js 2w'), g(p.conv2d, 'fingrad 2t') / g(p.conv2d, 'jax-js 2w')]]);
    const s = (r: { samplesPerSecond: Record<string, number> }, k: string): number => r.samplesPerSecond[k] ?? NaN;
    printTable(`MLP 20→32→16→1 training, Adam (samples/s, ${note}; jax-js jit-compiled)`, ['batch', 'fingrad', 'jax-js', 'PyTorch 1t', 'vs jax-js', 'vs PyTorch'], p.training.map((r) => [
      r.batch, s(r, 'fingrad'), s(r, 'jax-js'), s(r, 'PyTorch 1t'), s(r, 'fingrad') / s(r, 'jax-js'), s(r, 'fingrad') / s(r, 'PyTorch 1t'),
    ]));
    printTable('one-row inference, same MLP (ms per call; engines alternate call by call)', ['engine', 'p50', 'p99'], Object.entries(p.inference).map(([k, v]) => [k, v.p50Ms, v.p99Ms]));
    printTable('cold start: fresh Node process, import + ready/init + first 64² matmul (ms, median)', ['engine', 'ms'], Object.entries(p.coldStartMs).map(([k, v]) => [k, v.medianMs]));
  }
}

if (suites.has('latency')) {
  const l = await benchPredictLatency(args.quick ? 5000 : 20000, timeMs);
  results.predictLatency = l;
  printTable('one-row scoring through the estimators (µs per call; models alternate call by call; shared machine: noisy)', ['method', 'p50', 'p99'], Object.entries(l.oneRow).map(([k, v]) => [k, v.p50Us, v.p99Us]));
  printTable(`MLPClassifier batch path, ${l.batch.rows} rows (ms, median)`, ['predictProba', 'nn forward + softmax', 'ratio'], [[l.batch.predictProbaMs, l.batch.forwardMs, l.batch.predictProbaMs / l.batch.forwardMs]]);
}

results.finished = new Date().toISOString();
(results.machine as Record<string, unknown>).loadAverageAtEnd = loadavg();
const count = appendRun(args.out, results);
console.log(`\nappended this run to ${args.out} (${count} run${count === 1 ? '' : 's'} recorded)`);
