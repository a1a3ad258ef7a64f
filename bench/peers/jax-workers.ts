// jax-js with its Wasm worker pool on 2 workers, as a child process of bench/peers.ts (see
// child.ts for the protocol). The pool is chosen when jax-js's backend starts, so it cannot share
// a process with the single-threaded jax-js the parent measures. Run: node --import tsx this file.
import { createInterface } from 'node:readline';
import { jaxConv2d, jaxMatmul, type JaxModule } from './jax.js';
import { installWebWorker } from './web-worker.js';

installWebWorker(Number(process.env.JAX_WORKERS ?? 2));
const jax: JaxModule = await import('@jax-js/jax');
await jax.init('wasm');
jax.defaultDevice('wasm');

/** Median ms of `run` over at least `timeMs` and 5 runs, after 3 warm-up runs. */
async function time(run: () => Promise<void>, timeMs: number): Promise<number> {
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < timeMs || times.length < 5) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] as number;
}

type Runner = { run: () => Promise<void>; dispose: () => void };
const runners = new Map<string, Runner>();
const runner = (key: string, make: () => Runner): Runner => {
  let r = runners.get(key);
  if (r === undefined) runners.set(key, (r = make()));
  return r;
};

for await (const line of createInterface({ input: process.stdin })) {
  const req = JSON.parse(line) as { op: string; size?: number; input?: number[]; weight?: number[]; padding?: [number, number]; timeMs?: number };
  try {
    if (req.op === 'ping') {
      // One small matmul: fails here, not mid-bench, if the worker pool cannot run.
      await jaxMatmul(jax, 64, 64, 64).run();
      process.stdout.write('{"ok":1}\n');
    } else if (req.op === 'matmul') {
      const n = req.size as number;
      process.stdout.write(`${JSON.stringify({ ms: await time(runner(`mm${n}`, () => jaxMatmul(jax, n, n, n)).run, req.timeMs ?? 1000) })}\n`);
    } else if (req.op === 'conv2d') {
      const key = `conv${JSON.stringify([req.input, req.weight, req.padding])}`;
      const r = runner(key, () => jaxConv2d(jax, req.input as number[], req.weight as number[], req.padding as [number, number]));
      process.stdout.write(`${JSON.stringify({ ms: await time(r.run, req.timeMs ?? 1000) })}\n`);
    } else {
      process.stdout.write(`${JSON.stringify({ error: `unknown op ${req.op}` })}\n`);
    }
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: String(e) })}\n`);
  }
}
for (const r of runners.values()) r.dispose();
process.exit(0);
