import * as fg from '../src/index.js';
import { cuts, runParallel, threadGuard, type TaskArgs } from '../src/backend/threads.js';
import { heap, kernels } from '../src/backend/wasm.js';
import { gemm, gemmPlan } from '../src/kernels/gemm.js';
import { median } from './support/measure.js';
import { GemmTaskLayout } from '../src/backend/generated/opcodes.js';

await fg.ready();
await fg.setNumThreads(2);
threadGuard.enabled = false;
const k = kernels();
const n = Number(process.env.N ?? 512);
const a = fg.keep(fg.randn([n, n])), b = fg.keep(fg.randn([n, n])), c = fg.keep(fg.zeros([n, n]));
const h = heap();
const T = GemmTaskLayout.Ints;
const sb = k.gemm_scratch_bytes(n, n, n);
const s0 = h.alloc(sb);
const oldShares = Number(process.env.OLD ?? 4);
const rows = cuts(n, oldShares, 4, 2);
const list = h.alloc(oldShares * T * 4);
const scr = rows.slice(1).map(() => h.alloc(sb));
const tasks: TaskArgs[] = [];
for (let t = 0; t + 1 < rows.length; t++) {
  const r0 = rows[t]!, m = rows[t + 1]! - r0;
  h.i32.set([m, n, n, a.ptr + 4 * r0 * n, n, 1, b.ptr, n, 1, c.ptr + 4 * r0 * n, n, 0, 0], (list >>> 2) + t * T);
  tasks.push([list + t * T * 4, 1, scr[t]!]);
}
const ref = fg.keep(fg.zeros([n, n]));
k.gemm_f32(n, n, n, a.ptr, n, 1, b.ptr, n, 1, ref.ptr, n, 0, s0);
const v: Record<string, () => void> = {
  one: () => k.gemm_f32(n, n, n, a.ptr, n, 1, b.ptr, n, 1, c.ptr, n, 0, s0),
  old: () => { runParallel('gemm_tasks_f32', tasks); },
};
for (const S of (process.env.S ?? '2,4,8').split(',').map(Number)) {
  v[`new${S}`] = () => { gemmPlan.sharesPerThread = S; gemm({ m: n, n, k: n, a: a.ptr, rsA: n, csA: 1, b: b.ptr, rsB: n, csB: 1, c: c.ptr, ldc: n }); };
}
for (const [name, fn] of Object.entries(v)) { fn(); const d = fg.sub(c, ref).abs().max().item(); if (d !== 0) throw new Error(name + ' differs ' + d); }
const out: Record<string, number[]> = {};
const reps = Math.max(1, Math.round(30 / (n * n * n / 2e7)));
for (let r = 0; r < Number(process.env.R ?? 15); r++) {
  for (const [name, fn] of Object.entries(v)) {
    fn();
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    (out[name] ??= []).push((performance.now() - t) / reps);
  }
}
const res: Record<string, string> = { n: String(n), one: median(out.one!).toFixed(3) };
for (const name of Object.keys(v)) if (name !== 'one') res[name] = median(out.one!.map((x, i) => x / out[name]![i]!)).toFixed(3);
console.log(JSON.stringify(res));
process.exit(0);
