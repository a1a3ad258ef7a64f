// A stand-in for the browser's `Worker` over Node's worker_threads, so that jax-js's Wasm worker
// pool (which starts only where `Worker` and SharedArrayBuffer exist) runs in Node 20, which has
// no global Worker. jax-js builds its worker from a blob: URL holding a classic worker script
// (`self.onmessage = …`, `postMessage(…)`); worker_threads refuses blob: URLs, so the script is
// read back from the blob and run with `eval: true` behind a prelude that maps the web worker's
// globals onto `parentPort`. Shared WebAssembly.Memory and WebAssembly.Module pass through
// worker_threads' postMessage as they do through a browser's. Bench-only: nothing in src/ uses it.
import { resolveObjectURL } from 'node:buffer';
import { Worker as NodeWorker } from 'node:worker_threads';

const PRELUDE = `const { parentPort } = require('node:worker_threads');
globalThis.self = globalThis;
globalThis.postMessage = (message) => parentPort.postMessage(message);
parentPort.on('message', (data) => { if (typeof self.onmessage === 'function') self.onmessage({ data }); });
`;

class WebWorkerStandIn {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: { message: string }) => void) | null = null;
  private worker: NodeWorker | null = null;
  private pending: unknown[] = [];

  constructor(url: string | URL) {
    const blob = resolveObjectURL(String(url));
    if (blob === undefined) throw new Error(`Worker stand-in: only blob: URLs are supported, not ${String(url)}`);
    // The blob's text arrives asynchronously; messages posted before then are queued.
    void blob.text().then((source) => {
      const worker = new NodeWorker(PRELUDE + source, { eval: true });
      worker.on('message', (data: unknown) => this.onmessage?.({ data }));
      worker.on('error', (e: unknown) => this.onerror?.({ message: String(e) }));
      this.worker = worker;
      for (const m of this.pending) worker.postMessage(m);
      this.pending = [];
    });
  }

  postMessage(message: unknown): void {
    if (this.worker) this.worker.postMessage(message);
    else this.pending.push(message);
  }

  terminate(): void {
    void this.worker?.terminate();
  }
}

/** Installs the stand-in as `globalThis.Worker` and reports `threads` as the core count. */
export function installWebWorker(threads: number): void {
  (globalThis as { Worker?: unknown }).Worker = WebWorkerStandIn;
  const nav = ((globalThis as { navigator?: object }).navigator ??= {});
  Object.defineProperty(nav, 'hardwareConcurrency', { value: threads, configurable: true });
}
