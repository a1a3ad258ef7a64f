// Shared by threads.test.ts and relaxed.test.ts: a set of products that exercise every way a GEMM
// is cut across threads, and a runner for child Node processes (other V8 flags, a private memory,
// process exit). The workload is JavaScript source so that a child runs exactly the same code.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type * as Fingrad from '../../src/index.js';
import { PARALLEL_MIN_MACS } from '../../src/kernels/gemm.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const INDEX_URL = new URL('../../src/index.ts', import.meta.url).href;

/**
 * Body of `(fg) => Record<string, Float32Array>`: matmul with row cuts, column cuts, odd
 * sizes, matrix-vector shapes, both gradient layouts (A·Bᵀ, Aᵀ·B), batches dealt out whole
 * (distinct C) and cut (a broadcast operand whose gradient accumulates into one C), linear with
 * bias, conv2d and conv1d forward and backward, and a few ops that do not use the GEMM.
 * Every product is above PARALLEL_MIN_MACS multiply-adds.
 */
export const WORKLOAD = `
let s = 12345;
const rnd = (n) => Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296) - 0.5);
const size = (shape) => shape.reduce((a, b) => a * b, 1);
const t = (shape, requiresGrad = false) => fg.tensor(rnd(size(shape)), shape, { requiresGrad });
const out = {};
const put = (name, x) => { out[name] = x.data.slice(); };
// y = f(inputs); y·r summed gives every input its gradient dy = r.
const run = (name, inputs, f) => {
  const y = f(...inputs);
  put(name, y);
  y.mul(t(y.shape)).sum().backward();
  inputs.forEach((x, i) => { if (x.requiresGrad) put(name + ' d' + i, x.grad); });
};
for (const [m, k, n] of [[257, 129, 263], [67, 300, 515], [40, 600, 2061], [1, 3001, 357], [2049, 513, 1], [6, 40000, 7], [130, 130, 130]]) {
  run('matmul ' + m + 'x' + k + 'x' + n, [t([m, k], true), t([k, n], true)], fg.matmul);
}
run('bmm 6', [t([6, 70, 90], true), t([6, 90, 80], true)], fg.matmul);
run('bmm 5', [t([5, 70, 90], true), t([5, 90, 80], true)], fg.matmul);
run('bmm broadcast', [t([1, 70, 90], true), t([6, 90, 80], true)], fg.matmul);
run('linear', [t([300, 200], true), t([150, 200], true), t([150], true)], fg.linear);
run('conv2d', [t([8, 16, 20, 20], true), t([32, 16, 3, 3], true), t([32], true)], (x, w, b) => fg.conv2d(x, w, b, { padding: 1 }));
run('conv1d', [t([4, 16, 2000], true), t([32, 16, 5], true)], (x, w) => fg.conv1d(x, w, null, { stride: 2 }));
const x = t([64, 100]);
put('softmax', fg.softmax(x, -1));
put('tanh', x.tanh());
put('sum', x.sum(1));
return out;
`;

/** Multiply-adds of the smallest product in WORKLOAD (all must be threaded). */
export const WORKLOAD_MIN_MACS = Math.min(6 * 40000 * 7, 3001 * 357, 2049 * 513, 130 ** 3, 6 * 70 * 90 * 80, 300 * 200 * 150, 32 * 144 * 400, 32 * 80 * 998); // convolutions: one image per GEMM at least

if (WORKLOAD_MIN_MACS < PARALLEL_MIN_MACS) throw new Error('WORKLOAD is below the threading threshold');

type Results = Record<string, Float32Array>;

/** Runs WORKLOAD in this process. */
export function runWorkload(fg: typeof Fingrad): Results {
  return (new Function('fg', WORKLOAD) as (f: typeof Fingrad) => Results)(fg);
}

/** At most this many evenly spaced elements of each result cross a process boundary. */
export const SAMPLE = 4096;

/**
 * Child-process code defining `workload(fg)` (WORKLOAD), `sample(results)` (each result cut to
 * SAMPLE evenly spaced elements, base64) and `bitDiffs(a, b)`.
 */
export const CHILD_HELPERS = `
const workload = (fg) => { ${WORKLOAD} };
const sample = (results) => Object.fromEntries(Object.entries(results).map(([k, v]) => {
  const step = Math.max(1, Math.ceil(v.length / ${SAMPLE}));
  const picked = Float32Array.from({ length: Math.ceil(v.length / step) }, (_, i) => v[i * step]);
  return [k, Buffer.from(picked.buffer).toString('base64')];
}));
const bitDiffs = (a, b) => {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (ua[i] !== ub[i]) n++;
  return n;
};
`;

/** The same cut as the child's `sample`, in this process. */
export function sampleResults(results: Results): Results {
  return Object.fromEntries(Object.entries(results).map(([k, v]) => {
    const step = Math.max(1, Math.ceil(v.length / SAMPLE));
    return [k, Float32Array.from({ length: Math.ceil(v.length / step) }, (_, i) => v[i * step] as number)];
  }));
}

export function decodeResults(encoded: Record<string, string>): Results {
  return Object.fromEntries(Object.entries(encoded).map(([k, b64]) => {
    const bytes = Buffer.from(b64, 'base64');
    return [k, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)];
  }));
}

export interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs ES module code in a child `node` (TypeScript through tsx) with extra V8/Node flags. The
 * code sees `fg` (src/index.ts) and prints its answer with `console.log(JSON.stringify(...))`.
 */
export function runNode(code: string, flags: string[] = []): ChildResult {
  const source = `import * as fg from ${JSON.stringify(INDEX_URL)};\n${code}`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', source], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** The last line of a child's stdout, parsed. */
export function lastJson<T>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1] ?? '') as T;
  } catch {
    throw new Error(`child printed no JSON (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Node's major version. */
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** Elements where two arrays differ bit for bit (CHILD_HELPERS has a JavaScript twin). */
export function bitDiffs(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (ua[i] !== ub[i]) n++;
  return n;
}
