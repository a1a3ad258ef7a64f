import { BackendError } from '../errors.js';
import type { Kernels } from './generated/kernels.js';
import { LinearMemory } from './memory.js';

export type { Kernels };

const INITIAL_PAGES = 256; // 16 MiB: a small model trains without ever growing
// 4 GiB, all that wasm32 addresses; must equal asconfig.json's maximumMemory (an imported memory
// may not declare a larger maximum than the module). Pointers above 2 GiB are negative as i32:
// the JS side shifts them with `>>>`, never `>>` or `| 0`.
const MAXIMUM_PAGES = 65536;

/** The four builds of assembly/ (asconfig.json targets). */
export type BuildName = 'simd' | 'simd-mt' | 'relaxed' | 'relaxed-mt';

/** Which kernel build is loaded. */
export interface BackendInfo {
  /**
   * `-mt` builds run over a shared memory (worker threads can join it), the others over a private
   * one; `relaxed` builds use relaxed SIMD (fused multiply-add in the GEMM).
   */
  build: BuildName;
  sharedMemory: boolean;
  relaxedSimd: boolean;
}

export interface ReadyOptions {
  /**
   * Use a shared `WebAssembly.Memory` (needs `SharedArrayBuffer`: Node, or a cross-origin
   * isolated page). Default: wherever it is available.
   */
  sharedMemory?: boolean;
  /**
   * Use the relaxed-SIMD build (fused multiply-add; results may differ from the plain build in
   * the last bits). Default: wherever the runtime validates relaxed SIMD (Chrome ≥ 114, Node ≥ 21;
   * Node 20 with `--experimental-wasm-relaxed-simd`). `true` where it is missing throws.
   */
  relaxedSimd?: boolean;
  /**
   * Kernel bytes to use instead of the embedded build (e.g. fetched from a CDN). They must match
   * `sharedMemory` and `relaxedSimd` (which then defaults to false).
   */
  wasmBytes?: Uint8Array;
}

interface Backend {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  kernels: Kernels;
  heap: LinearMemory;
  info: BackendInfo;
}

let backend: Backend | null = null;
let loading: Promise<BackendInfo> | null = null;

function decodeBase64(b64: string): Uint8Array {
  // atob exists in browsers and in Node >= 16: no Buffer, so the browser path has no Node API.
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

// (module (func (param v128 v128 v128) (result v128)
//   local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code
]);

let relaxedSupported: boolean | null = null;

/** Whether this runtime compiles relaxed SIMD (validates a module with one f32x4.relaxed_madd). */
export function relaxedSimdSupported(): boolean {
  relaxedSupported ??= WebAssembly.validate(RELAXED_PROBE);
  return relaxedSupported;
}

/** Whether this runs in Node (worker_threads, no fetch of `file:` URLs). */
export const isNode = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

// The builds as files (scripts/build-wasm.mjs writes them beside the generated modules): a page
// fetches the one it selects and compiles it while it downloads. A .wasm gzips to 36 KB where its
// base64 module gzips to 55 KB (relaxed build, bench/bytes.ts). The URLs are literals so that
// Vite, webpack and Parcel emit the files as assets; with esbuild, copy
// dist/backend/generated/*.wasm to `generated/` beside the bundle.
const BUILD_FILES: Record<BuildName, () => URL> = {
  simd: () => new URL('./generated/fingrad-simd.wasm', import.meta.url),
  'simd-mt': () => new URL('./generated/fingrad-simd-mt.wasm', import.meta.url),
  relaxed: () => new URL('./generated/fingrad-relaxed.wasm', import.meta.url),
  'relaxed-mt': () => new URL('./generated/fingrad-relaxed-mt.wasm', import.meta.url),
};

// The embedded fallback, and Node's path: each build is its own module, loaded on demand, so a
// code-splitting bundler ships only the one a page uses, and only when the file above is missing.
const BUILDS: Record<BuildName, () => Promise<{ wasm: string }>> = {
  simd: () => import('./generated/wasm-simd.js'),
  'simd-mt': () => import('./generated/wasm-simd-mt.js'),
  relaxed: () => import('./generated/wasm-relaxed.js'),
  'relaxed-mt': () => import('./generated/wasm-relaxed-mt.js'),
};

/**
 * Compiles the build's .wasm file fetched over http(s), or returns null (then the embedded module
 * is used): in Node, under a `file:` or `blob:` URL, or when the file is missing, served as
 * something else (an SPA's index.html) or blocked by a CSP's connect-src.
 */
async function fetchBuild(build: BuildName): Promise<WebAssembly.Module | null> {
  if (isNode() || typeof fetch !== 'function') return null;
  try {
    const url = BUILD_FILES[build]();
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    const response = await fetch(url);
    if (!response.ok) return null;
    // compileStreaming insists on Content-Type application/wasm; other servers get the buffer path.
    if ((response.headers.get('Content-Type') ?? '').startsWith('application/wasm')) {
      return await WebAssembly.compileStreaming(response);
    }
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch {
    return null;
  }
}

function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

// A runtime may refuse a 4 GiB maximum (32-bit browsers): then the largest it accepts. An
// imported memory may declare a smaller maximum than the module, so the same build loads.
function createMemory(shared: boolean): { memory: WebAssembly.Memory; maximum: number } {
  for (let maximum = MAXIMUM_PAGES; ; maximum /= 2) {
    try {
      return { memory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared }), maximum };
    } catch (e) {
      if (!(e instanceof RangeError) || maximum <= 2 * INITIAL_PAGES) throw e;
    }
  }
}

function abortKernel(msg: number, file: number, line: number, col: number): never {
  throw new BackendError(`kernel abort (message@${msg} file@${file} ${line}:${col})`);
}

/**
 * Instantiates the kernel module once; later calls return the same promise. Every other
 * function of fingrad needs it to have resolved.
 */
export function ready(options: ReadyOptions = {}): Promise<BackendInfo> {
  if (loading !== null) return loading;
  loading = (async () => {
    const shared = options.sharedMemory ?? canShareMemory();
    if (shared && !canShareMemory()) {
      throw new BackendError('sharedMemory: true needs SharedArrayBuffer (a cross-origin isolated page)');
    }
    const relaxed = options.relaxedSimd ?? (options.wasmBytes === undefined && relaxedSimdSupported());
    if (relaxed && options.wasmBytes === undefined && !relaxedSimdSupported()) {
      throw new BackendError('relaxedSimd: true, but this runtime does not support relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)');
    }
    const build: BuildName = `${relaxed ? 'relaxed' : 'simd'}${shared ? '-mt' : ''}`;
    // A fresh memory reads as zeros, which the builds assume (asconfig.json zeroFilledMemory:
    // zero-initialised static data gets no data segment). The segments left are read-only tables
    // (Math's), so a worker instantiating the module over this memory rewrites identical bytes.
    const { memory, maximum } = createMemory(shared);
    // Compiled once and kept: worker threads instantiate the same module over the same memory.
    const module = options.wasmBytes !== undefined
      ? await WebAssembly.compile(options.wasmBytes as Uint8Array<ArrayBuffer>)
      : (await fetchBuild(build)) ?? (await WebAssembly.compile(decodeBase64((await BUILDS[build]()).wasm) as Uint8Array<ArrayBuffer>));
    const instance = await WebAssembly.instantiate(module, { env: { memory, abort: abortKernel } });
    const kernels = instance.exports as unknown as Kernels;
    const heap = new LinearMemory(memory, kernels.heap_base() >>> 0, maximum);
    const info: BackendInfo = { build, sharedMemory: shared, relaxedSimd: relaxed };
    backend = { module, memory, kernels, heap, info };
    return info;
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

function current(): Backend {
  if (backend === null) {
    throw new BackendError('fingrad is not initialised: call `await ready()` before using tensors');
  }
  return backend;
}

/** The kernel exports. Throws if `ready()` has not resolved. */
export function kernels(): Kernels {
  return current().kernels;
}

/** The allocator over linear memory. Throws if `ready()` has not resolved. */
export function heap(): LinearMemory {
  return current().heap;
}

/**
 * The compiled module and its memory, for worker threads (src/backend/threads.ts): each worker
 * instantiates this module over this memory. Throws if `ready()` has not resolved.
 */
export function compiledModule(): { module: WebAssembly.Module; memory: WebAssembly.Memory; shared: boolean } {
  const b = current();
  return { module: b.module, memory: b.memory, shared: b.info.sharedMemory };
}

/** Which build is loaded, or null before `ready()`. */
export function backendInfo(): BackendInfo | null {
  return backend === null ? null : backend.info;
}
