// The relaxed-SIMD builds: feature detection, the loader's choice, and results within float
// tolerance of the plain build. Node 20 compiles relaxed SIMD only with
// --experimental-wasm-relaxed-simd, so those builds run in child processes given the flag (and
// Node ≥ 21, which has it on, without: it rejects the flag).
import { describe, expect, it } from 'vitest';
import { RELAXED_SIMD_FLAGS } from '../../bench/support/relaxed-flag.js';
import { relaxedSimdSupported } from '../../src/backend/wasm.js';
import { CHILD_HELPERS, decodeResults, lastJson, NODE_MAJOR, runNode } from './products.js';

const FLAGS = [...RELAXED_SIMD_FLAGS];
const WASM_TS = JSON.stringify(new URL('../../src/backend/wasm.ts', import.meta.url).href);

interface Run {
  supported: boolean;
  info: { build: string; sharedMemory: boolean; relaxedSimd: boolean };
  /** WORKLOAD on one thread, sampled. */
  results: Record<string, string>;
  /** Per result: elements that differ bit for bit between 1 and 2 threads. */
  threadDiffs: Record<string, number>;
}

/** Runs the workload in a child after `await fg.ready(<options>)`, on 1 then 2 threads. */
function runIn(flags: string[], options: string): Run {
  const r = runNode(`
import { relaxedSimdSupported } from ${WASM_TS};
${CHILD_HELPERS}
const info = await fg.ready(${options});
const single = fg.tidy(() => workload(fg));
await fg.setNumThreads(2);
const threaded = fg.tidy(() => workload(fg));
const threadDiffs = Object.fromEntries(Object.keys(single).map((k) => [k, bitDiffs(single[k], threaded[k])]));
console.log(JSON.stringify({ supported: relaxedSimdSupported(), info, results: sample(single), threadDiffs }));
`, flags);
  expect(r.status, r.stderr).toBe(0);
  return lastJson<Run>(r);
}

describe('relaxed SIMD', () => {
  it('is detected only where the runtime has it (Node 20: behind a flag)', () => {
    expect(relaxedSimdSupported()).toBe(NODE_MAJOR >= 21);
    const r = runNode(`import { relaxedSimdSupported } from ${WASM_TS};\nconsole.log(JSON.stringify(relaxedSimdSupported()));`, FLAGS);
    expect(r.status, r.stderr).toBe(0);
    expect(lastJson<boolean>(r)).toBe(true);
  });

  it.skipIf(NODE_MAJOR >= 21)('ready({ relaxedSimd: true }) fails clearly where it is missing', () => {
    const r = runNode(`
const error = await fg.ready({ relaxedSimd: true }).then(() => null, (e) => ({ name: e.name, message: e.message }));
const info = await fg.ready();
console.log(JSON.stringify({ error, info }));
`);
    expect(r.status, r.stderr).toBe(0);
    const out = lastJson<{ error: { name: string; message: string }; info: Run['info'] }>(r);
    expect(out.error.name).toBe('BackendError');
    expect(out.error.message).toMatch(/relaxedSimd: true.*--experimental-wasm-relaxed-simd/);
    expect(out.info).toEqual({ build: 'simd-mt', sharedMemory: true, relaxedSimd: false });
  });

  it('is chosen when available, and its products stay within float tolerance of the plain build', () => {
    const relaxed = runIn(FLAGS, '');
    const plain = runIn(FLAGS, '{ relaxedSimd: false }');
    expect(relaxed.supported).toBe(true);
    expect(relaxed.info).toEqual({ build: 'relaxed-mt', sharedMemory: true, relaxedSimd: true });
    expect(plain.info).toEqual({ build: 'simd-mt', sharedMemory: true, relaxedSimd: false });
    // Threads cut on the kernel's tile, so even with fused multiply-adds they change no bit.
    for (const run of [relaxed, plain]) {
      for (const [name, diffs] of Object.entries(run.threadDiffs)) expect({ name, diffs }).toEqual({ name, diffs: 0 });
    }
    const r = decodeResults(relaxed.results);
    const p = decodeResults(plain.results);
    expect(Object.keys(r)).toEqual(Object.keys(p));
    let fused = 0;
    for (const [name, want] of Object.entries(p)) {
      const got = r[name] as Float32Array;
      const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-30);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
      expect({ name, relative: worst / scale < 1e-5 }).toEqual({ name, relative: true });
      if (worst > 0) fused++;
    }
    // FMA rounds once where mul + add rounds twice: some products must differ, or the relaxed
    // kernels never ran (every x64 CPU V8 targets for relaxed SIMD and every arm64 one has FMA).
    expect(fused).toBeGreaterThan(0);
  });
});
