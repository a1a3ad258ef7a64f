// fingrad with its other kernel build, as a child peer of bench/peers.ts (protocol: child.ts),
// so that the plain-SIMD and relaxed-SIMD builds are timed in the same rounds. A process loads
// one build; Node 20 validates relaxed SIMD only with --experimental-wasm-relaxed-simd, which
// the parent passes there (bench/support/relaxed-flag.ts). FINGRAD_BUILD=relaxed|simd picks the
// build; ping answers which one loaded. Run: node [--experimental-wasm-relaxed-simd] --import tsx
// this file.
import { createInterface } from 'node:readline';
import * as fg from '../../src/index.js';
import { measure } from '../support/measure.js';

const want = process.env.FINGRAD_BUILD === 'relaxed';
const info = await fg.ready({ relaxedSimd: want }).catch((e: unknown) => e as Error);

const products = new Map<number, [fg.Tensor, fg.Tensor]>();
function product(n: number): () => void {
  let ab = products.get(n);
  if (ab === undefined) products.set(n, (ab = [fg.keep(fg.randn([n, n])), fg.keep(fg.randn([n, n]))]));
  const [a, b] = ab;
  return () => fg.tidy(() => void fg.matmul(a, b));
}

for await (const line of createInterface({ input: process.stdin })) {
  const req = JSON.parse(line) as { op: string; size?: number; threads?: number; timeMs?: number };
  let answer: Record<string, unknown>;
  try {
    if (info instanceof Error) answer = { error: info.message };
    else if (req.op === 'ping') answer = { ok: 1, build: info.build };
    else if (req.op === 'matmul') {
      await fg.setNumThreads(req.threads ?? 1);
      try {
        answer = { ms: (await measure(product(req.size as number), req.timeMs ?? 1000)).medianMs };
      } finally {
        await fg.setNumThreads(1);
      }
    } else answer = { error: `unknown op ${req.op}` };
  } catch (e) {
    answer = { error: String(e) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
process.exit(0);
