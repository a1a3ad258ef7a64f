// The code a worker thread runs, as a string: Node starts it with `new Worker(code, { eval: true })`
// and browsers from a Blob URL, so no bundler plugin or separate file is needed. Both share the
// body; a last line adapts messaging to the platform.
//
// A worker instantiates the main thread's compiled module over the shared memory, then serves
// dispatches forever: wait until the generation word changes, then claim shares of the work one
// at a time (compare-and-swap on the claim word) and run them, like the main thread does. Claiming
// instead of a fixed share per thread means that a worker the OS has not scheduled yet delays
// nothing: the main thread takes its share. A worker spins a little before blocking, so that
// back-to-back products (a backward pass) skip the futex.

/** Kernels a worker can run: each takes three i32 arguments (see threads.ts `runParallel`). */
export const TASK_KERNELS = ['gemm_tasks_f32', 'gemm_pack_b_tasks_f32', 'conv_tasks_f32'] as const;

// The control block (i32 offsets). The generation word has a cache line to itself: idle workers
// poll it.
/** Bumped once per dispatch (and to make workers check LIMIT). */
export const GEN = 0;
/** (generation & 0xffffff) << 8 | next share to claim: a claim from a stale dispatch fails. */
export const CLAIM = 16;
/** Shares finished in this dispatch. */
export const DONE = 17;
/** Set when a share threw (a kernel trap). */
export const FAILED = 18;
/** Shares in this dispatch. */
export const SHARES = 19;
/** Index into TASK_KERNELS of this dispatch's kernel. */
export const KERNEL = 20;
/** Workers with index ≥ LIMIT leave their loop when they next wake. */
export const LIMIT = 21;
/** Share s's three arguments start at ARGS + 4·s. */
export const ARGS = 32;
/** Most shares one dispatch can hold (the claim word keeps 8 bits for the next share). */
export const MAX_SHARES = 128;
/** Bytes of the control block. */
export const CONTROL_BYTES = 4 * (ARGS + 4 * MAX_SHARES);

/**
 * Worker-side polls of the generation word before it blocks in Atomics.wait: about 100 µs on Node
 * 20 and 200 µs on Node 22 (a loop of Atomics.load on this machine). Spinning for a fixed time
 * instead (100, 200 or 500 µs, main thread and worker alike) made no difference to 2 threads over
 * 1 on Node 20: medians 1.81, 1.83, 1.83 at 256³ over 10 alternating cycles (2026-12-03).
 */
export const WORKER_SPIN = 20_000;

// claim(ctrl, base, gen, run): the claim loop, the same on every thread (threads.ts has the
// TypeScript twin for the main thread).
const BODY = `'use strict';
function claim(ctrl, base, gen, run) {
  const tag = gen & 0xffffff;
  for (;;) {
    const word = Atomics.load(ctrl, base + ${CLAIM});
    if (word >>> 8 !== tag) return;
    const share = word & 0xff;
    const shares = Atomics.load(ctrl, base + ${SHARES});
    if (share >= shares) return;
    if (Atomics.compareExchange(ctrl, base + ${CLAIM}, word, word + 1) !== word) continue;
    const at = base + ${ARGS} + 4 * share;
    try {
      run(ctrl[base + ${KERNEL}], ctrl[at], ctrl[at + 1], ctrl[at + 2]);
    } catch {
      Atomics.store(ctrl, base + ${FAILED}, 1);
    }
    if (Atomics.add(ctrl, base + ${DONE}, 1) + 1 === shares) Atomics.notify(ctrl, base + ${DONE});
  }
}
function serve(receive, send) {
  receive(async (init) => {
    const { module, memory, control, index, kernels, spin } = init;
    let fns;
    try {
      const abort = () => { throw new Error('kernel abort'); };
      const { exports } = await WebAssembly.instantiate(module, { env: { memory, abort } });
      fns = kernels.map((name) => exports[name]);
    } catch (e) {
      send({ error: String((e && e.stack) || e) });
      return;
    }
    const run = (kernel, a, b, c) => fns[kernel](a, b, c);
    const ctrl = new Int32Array(memory.buffer);
    const base = control >>> 2;
    let seen = Atomics.load(ctrl, base + ${GEN});
    send({ ready: true });
    for (;;) {
      let gen = Atomics.load(ctrl, base + ${GEN});
      for (let i = 0; gen === seen && i < spin; i++) gen = Atomics.load(ctrl, base + ${GEN});
      if (gen === seen) {
        Atomics.wait(ctrl, base + ${GEN}, seen);
        continue;
      }
      seen = gen;
      if (index >= Atomics.load(ctrl, base + ${LIMIT})) break;
      claim(ctrl, base, gen, run);
    }
    if (typeof close === 'function') close();
  });
}
`;

// serve(receive, send): receive(handler) gets the init message, send(message) answers it. Node
// evaluates the string as CommonJS, or as a module when the process runs with
// --input-type=module (workers inherit it): import() works in both, require only in the first.
const NODE_START = `
import('worker_threads').then(({ parentPort }) =>
  serve((f) => parentPort.once('message', f), (m) => parentPort.postMessage(m)));
`;

const BROWSER_START = `
serve((f) => { self.onmessage = (e) => { self.onmessage = null; f(e.data); }; }, (m) => self.postMessage(m));
`;

/** Source of a worker for Node's `worker_threads` (`eval: true`). */
export const nodeWorkerSource = BODY + NODE_START;

/** Source of a browser Web Worker (classic script, loaded from a Blob URL). */
export const browserWorkerSource = BODY + BROWSER_START;
