// Two threads over one, per Node runtime and kernel build: `npx tsx bench/runtimes.ts
// --node /path/to/node22 [--node …] [--cycles 12] [--sizes 256,512] [--time 400]`. Each cycle runs
// one child process per (runtime, build) in turn, this process's Node first; a child times
// bench/matmul.ts's thread suite (1 and 2 threads alternating over 5 rounds) and prints its 2t/1t
// per size. The table gives each variant's median and lowest over the cycles, so a variant's
// figures come from the same minutes as the others'. The relaxed build needs
// --experimental-wasm-relaxed-simd on Node 20 and is refused the flag from Node 21, so each
// runtime gets it by its version (bench/support/relaxed-flag.ts). On 2026-12-03 (2-core AMD EPYC VM, 12 cycles, 15:53-16:00
// UTC, a busy host) Node 20's plain build gave 1.51 (lowest 1.16) at 256³ and 1.73 (1.36) at
// 512³, Node 22's relaxed build 1.79 (1.70) and 1.90 (1.81): README, Performance.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './support/measure.js';
import { relaxedSimdFlags } from './support/relaxed-flag.js';

const { values: args } = parseArgs({
  options: {
    node: { type: 'string', multiple: true, default: [] },
    cycles: { type: 'string', default: '12' },
    sizes: { type: 'string', default: '256,512' },
    time: { type: 'string', default: '400' },
  },
});
const CHILD = fileURLToPath(new URL('./runtimes/child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const sizes = args.sizes.split(',').map(Number);
const cycles = Number(args.cycles);
if (!(cycles >= 1) || sizes.some((s) => !(s >= 8)) || !(Number(args.time) >= 50)) {
  throw new Error('--cycles must be ≥ 1, --sizes sizes ≥ 8 and --time ≥ 50 (ms)');
}

interface Variant {
  name: string;
  node: string;
  flags: string[];
  build: 'simd' | 'relaxed';
}

const variants: Variant[] = [];
for (const node of [process.execPath, ...args.node]) {
  const version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  const major = Number(version.split('.')[0]);
  variants.push({ name: `Node ${version}, plain`, node, flags: [], build: 'simd' });
  variants.push({ name: `Node ${version}, relaxed`, node, flags: relaxedSimdFlags(major), build: 'relaxed' });
}

const ratios = new Map<string, number[][]>(variants.map((v) => [v.name, sizes.map(() => [])]));
for (let c = 0; c < cycles; c++) {
  for (const v of variants) {
    const r = spawnSync(v.node, [...v.flags, '--import', 'tsx', CHILD, args.sizes, args.time], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, FINGRAD_BUILD: v.build },
    });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    const out = r.status === 0 ? (JSON.parse(line) as { build: string; ratios: number[] }) : null;
    if (!out) throw new Error(`${v.name} failed (exit ${r.status}): ${r.stderr.slice(-400)}`);
    if (!out.build.startsWith(v.build)) throw new Error(`${v.name} loaded the ${out.build} build`);
    out.ratios.forEach((x, i) => ratios.get(v.name)?.[i]?.push(x));
    console.log(`cycle ${c + 1}, ${v.name}: ${sizes.map((s, i) => `${s}³ ${out.ratios[i]?.toFixed(2)}`).join(', ')}`);
  }
}
console.log(`\ntwo threads / one thread, median (lowest) of ${cycles} cycles`);
for (const v of variants) {
  const cells = (ratios.get(v.name) ?? []).map((xs, i) => `${sizes[i]}³ ${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)})`);
  console.log(`  ${v.name.padEnd(28)} ${cells.join('  ')}`);
}
