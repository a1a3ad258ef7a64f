// How much of a second core a one-thread product gets on this machine, per engine:
// `npx tsx bench/capacity.ts [--size 1024] [--rounds 3] [--seconds 3]`. For each engine in turn
// (fingrad's plain-SIMD and relaxed-SIMD builds, and PyTorch with OpenBLAS on one thread where
// Debian's python3-torch is present), a process times n³ products on one thread alone, then two such processes run at once; capacity
// = 2 × (time alone) / (slower time of the pair): 2.0 when the cores do not slow each other.
// Two threads sharing one product cannot beat the engine's own capacity, so this separates a
// threading loss from a kernel that a co-running neighbour slows (cache, memory). On 2026-12-03
// (2-core AMD EPYC VM, 3 rounds per run) fingrad's plain build's medians at 1024³ were 1.78 and
// 1.94 in two runs where OpenBLAS's were 1.97 and 2.09; at 512³ 1.92 against 1.87. With both
// builds, four runs (1024³, 1024³, 512³, 1024³): relaxed 2.02, 2.02, 1.95, 2.02; OpenBLAS 1.96,
// 1.96, 2.03, 1.95; plain 1.91, 1.82, 1.87, 1.89.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TORCH_ENV, TORCH_PYTHONS } from './peers/child.js';
import { median } from './support/measure.js';
import { RELAXED_SIMD_FLAGS } from './support/relaxed-flag.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
  },
});
const ROOT = fileURLToPath(new URL('../', import.meta.url));

// Each prints the mean milliseconds of one product over `seconds` of products (at least one),
// after a warm-up. fingrad's script loads the relaxed-SIMD build or the plain one.
const fingradScript = (relaxed: boolean): string => `
const fg = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
await fg.ready({ relaxedSimd: ${relaxed} });
const [n, secs] = [Number(process.argv[1]), Number(process.argv[2])];
const a = fg.keep(fg.randn([n, n])), b = fg.keep(fg.randn([n, n]));
for (let i = 0; i < 3; i++) fg.tidy(() => { fg.matmul(a, b); });
const t0 = performance.now();
let count = 0;
do { fg.tidy(() => { fg.matmul(a, b); }); count++; } while (performance.now() - t0 < secs * 1000);
console.log((performance.now() - t0) / count);
`;
const TORCH = `
import sys, time, torch
torch.set_num_threads(1)
n, secs = int(sys.argv[1]), float(sys.argv[2])
a, b = torch.randn(n, n), torch.randn(n, n)
for _ in range(3): a @ b
t0, count = time.time(), 0
while time.time() - t0 < secs:
    a @ b
    count += 1
print((time.time() - t0) / count * 1000)
`;

interface Engine {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

function run(e: Engine, size = args.size, seconds = args.seconds): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(e.command, [...e.args, size, seconds], { cwd: ROOT, env: { ...process.env, ...e.env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(out.trim().split('\n').pop());
      if (code === 0 && Number.isFinite(ms)) resolve(ms);
      else reject(new Error(`${e.name} exited with ${code}: ${err.slice(-500)}`));
    });
  });
}

// Both kernel builds: plain SIMD, and relaxed SIMD (fused multiply-add), which Node 20 compiles
// only behind its flag (bench/support/relaxed-flag.ts); a runtime that cannot start it (one tiny
// product) leaves it out.
const fingrad = (relaxed: boolean): Engine => ({
  name: `fingrad ${relaxed ? 'relaxed' : 'simd'}`,
  command: process.execPath,
  args: [...(relaxed ? RELAXED_SIMD_FLAGS : []), '--import', 'tsx', '--input-type=module', '-e', fingradScript(relaxed)],
  env: {},
});
const engines: Engine[] = [fingrad(false)];
try {
  await run(fingrad(true), '8', '0');
  engines.push(fingrad(true));
} catch {
  console.log('fingrad relaxed: this runtime does not start it');
}
for (const python of TORCH_PYTHONS) {
  const torch: Engine = { name: 'PyTorch (OpenBLAS)', command: python, args: ['-c', TORCH], env: TORCH_ENV };
  try {
    await run({ ...torch, args: ['-c', 'import torch'] });
    engines.push(torch);
    break;
  } catch {
    // no torch for this interpreter
  }
}

console.log(`capacity at ${args.size}³: 2 × one process alone / the slower of two at once (one thread each)`);
const capacity: Record<string, number[]> = {};
for (let r = 0; r < Number(args.rounds); r++) {
  for (const e of engines) {
    const alone = await run(e);
    const pair = await Promise.all([run(e), run(e)]);
    const c = (2 * alone) / Math.max(...pair);
    (capacity[e.name] ??= []).push(c);
    console.log(`  round ${r + 1}, ${e.name}: alone ${alone.toFixed(2)} ms, pair ${pair.map((p) => p.toFixed(2)).join(' / ')} ms: ${c.toFixed(2)}`);
  }
}
for (const [name, v] of Object.entries(capacity)) console.log(`${name}: median ${median(v).toFixed(2)} (${v.map((x) => x.toFixed(2)).join(', ')})`);
