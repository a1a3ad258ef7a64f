// The TypeScript-side allocator over the kernels' linear memory. Only the main thread allocates
// (kernels and worker threads never do: src/backend/threads.ts), so the bookkeeping lives in JS
// maps and never in the shared memory itself.
//
// Layout: [base, top) is tiled by blocks, each handed out, free or parked (below);
// [top, heapBytes) is the untouched tail. A block joining the free lists is merged with its free
// neighbours, so two free blocks are never adjacent, and one that reaches `top` is returned to
// the tail, so a request larger than every free block extends the heap from the last block
// handed out instead of stranding a free block below it. Fragmentation therefore cannot fail a
// request while a large enough run of free memory exists.
//
// Free blocks are kept in segregated lists in the manner of TLSF (Masmano et al., 2004): one
// list per power of two of the size, split into 16 sub-ranges, with a bitmap of the non-empty
// lists. alloc looks in the request's own list (a bounded scan for the best fit), else takes any
// block of the first non-empty larger list (all of them fit), else extends the heap; alloc and
// release are O(1). Requests round to a size class, so a block freed by one training step fits
// the same request of the next one exactly and steady-state training grows nothing.
//
// Merging costs a few hash-map updates, which a small op (a bias add on a 64 x 32 batch) would
// notice. So blocks up to DEFER_MAX are first parked, unmerged, in one stack per exact size, as
// the bump allocator before this one did: a training step that repeats the sizes of the last
// takes them straight back. A request that neither the stacks nor the merged lists serve takes
// memory above the top while the heap has room; only a request that would grow memory merges
// the parked blocks first (`coalesce()`). So parking never makes a request fail or memory grow
// while merged free memory would have served it, and a step whose sizes repeat settles, after
// its first runs, into taking every block from the stacks. (Merging at every miss instead kept
// an MLP step missing forever: the blocks merged at one miss are not there for the next step.)
// `npm run bench -- --only memory` (bench/memory.ts, 2-core shared VM, 2026-12-03), ns per
// alloc + release pair: 21 when a step's sizes repeat, 53 when they cycle through 50 variants,
// 385 when they rarely repeat (merging and splitting), 147 for blocks merged at once.
import { BackendError } from '../errors.js';

const PAGE = 65536;
const ALIGN = 64; // one cache line: SIMD loads never straddle blocks and rows start aligned
const SL_BITS = 4; // 16 sub-lists per power of two
const SL = 1 << SL_BITS;
const LISTS = SL * 28; // unit sizes up to 2^27 (8 GiB) have a list
// Entries of the request's own list examined for an exact or best fit before moving on: enough
// for the few sizes a training step repeats, and a bound on the O(1) claim.
const SCAN = 8;
// Largest block parked unmerged on release: above it the kernel that used the block costs far
// more than merging it.
const DEFER_MAX = 1 << 20;

/**
 * Rounds a request up to its size class. Small blocks round to the cache line; large ones
 * (above 16 KiB) to a sixteenth of their power of two, wasting at most 6.25%, so that a freed
 * block fits the next request of a similar size exactly.
 */
export function sizeClass(bytes: number): number {
  const u = Math.max(1, Math.ceil(bytes / ALIGN));
  if (u <= 256) return u * ALIGN;
  const shift = 31 - Math.clz32(u) - SL_BITS; // u < 2^27 below 8 GiB: integer shifts are exact
  return ((((u - 1) >>> shift) + 1) << shift) * ALIGN;
}

/** The free list of a block of `u` units: exact below SL, else (power of two, sixteenth). */
function listOf(u: number): number {
  if (u < SL) return u;
  const fl = 31 - Math.clz32(u);
  return SL * (fl - SL_BITS + 1) + ((u >>> (fl - SL_BITS)) - SL);
}

/** Counts of the allocator's state; see MemoryStats (src/tensor/stats.ts) for their meaning. */
export interface HeapStats {
  bytesInUse: number;
  bytesPooled: number;
  blocksInUse: number;
  freeBlocks: number;
  largestFreeBlock: number;
  heapBytes: number;
  maxHeapBytes: number;
}

/** Blocks of one size released and not merged yet. */
interface Parked {
  readonly bytes: number;
  readonly ptrs: number[];
  /** In parkedListed (which coalesce visits instead of every size ever parked). */
  listed: boolean;
}

export class LinearMemory {
  readonly memory: WebAssembly.Memory;
  /** First managed byte (after the kernels' static data). */
  readonly base: number;
  /** The most the memory may grow to (its `maximum`, in bytes). */
  readonly maxBytes: number;
  private top: number;
  private liveBlocks = 0;
  // Merged free blocks, in units of ALIGN bytes: small integers hash fast, where addresses past
  // 1 GiB would be heap numbers. freeAt: start → size; freeEnding: end → start; lists: starts.
  private readonly freeAt = new Map<number, number>();
  private readonly freeEnding = new Map<number, number>();
  private readonly lists: Set<number>[] = Array.from({ length: LISTS }, () => new Set<number>());
  private readonly nonEmpty = new Uint32Array(LISTS / 32);
  private readonly parked = new Map<number, Parked>(); // by size in bytes
  private readonly parkedListed: Parked[] = []; // the stacks pushed to since the last coalesce
  private parkedBlocks = 0;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private u8View: Uint8Array;
  /** Bytes in blocks handed out and not yet released. */
  bytesInUse = 0;
  /** Bytes in free blocks below the top of the heap (merged or parked), waiting for reuse. */
  bytesPooled = 0;

  /** `maxPages` must be the memory's `maximum` (64 KiB pages). */
  constructor(memory: WebAssembly.Memory, heapBase: number, maxPages = 65536) {
    this.memory = memory;
    this.base = Math.ceil(heapBase / ALIGN) * ALIGN;
    this.top = this.base;
    this.maxBytes = maxPages * PAGE;
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    this.u8View = new Uint8Array(memory.buffer);
  }

  /** Number of blocks handed out and not yet released. */
  get blocksInUse(): number {
    return this.liveBlocks;
  }

  /** End of the last block (merged free blocks never reach it); above it memory is untouched. */
  get heapTop(): number {
    return this.top;
  }

  /** Total bytes of linear memory (in use, pooled, static data and untouched). */
  get heapBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Returns a pointer to `bytes` bytes (64-byte aligned). The contents are not cleared. */
  alloc(bytes: number): number {
    if (!(bytes <= this.maxBytes)) this.outOfMemory(bytes, null); // NaN too; size classes are int32
    const size = sizeClass(bytes);
    let ptr: number | null | undefined = this.parked.get(size)?.ptrs.pop();
    if (ptr !== undefined) {
      this.parkedBlocks--;
      this.bytesPooled -= size;
    } else {
      ptr = this.takeFree(size);
      if (ptr === null && this.parkedBlocks > 0 && this.top + size > this.heapBytes) {
        this.coalesce();
        ptr = this.takeFree(size);
      }
      ptr ??= this.extend(size);
    }
    this.bytesInUse += size;
    this.liveBlocks++;
    return ptr;
  }

  /**
   * Frees a block obtained from `alloc(bytes)`, given the same `bytes`. Blocks handed out are
   * not recorded (a map of them took a pair from ~15 to ~160 ns in the "repeat" pattern of
   * bench/memory.ts, run ad hoc), so the caller owns the pair: Storage's reference count for
   * tensors, try/finally for scratch.
   */
  release(ptr: number, bytes: number): void {
    const size = sizeClass(bytes);
    this.liveBlocks--;
    this.bytesInUse -= size;
    if (size <= DEFER_MAX) {
      let stack = this.parked.get(size);
      if (stack === undefined) {
        stack = { bytes: size, ptrs: [], listed: false };
        this.parked.set(size, stack);
      }
      stack.ptrs.push(ptr);
      if (!stack.listed) {
        stack.listed = true;
        this.parkedListed.push(stack);
      }
      this.parkedBlocks++;
      this.bytesPooled += size;
    } else {
      this.merge(ptr, size);
    }
  }

  /** Merges every parked block with its free neighbours (alloc does when it needs to). */
  coalesce(): void {
    for (const stack of this.parkedListed) {
      for (const ptr of stack.ptrs) {
        this.bytesPooled -= stack.bytes;
        this.merge(ptr, stack.bytes);
      }
      stack.ptrs.length = 0;
      stack.listed = false;
    }
    this.parkedListed.length = 0;
    this.parkedBlocks = 0;
  }

  // Returns a free block to the lists, merged with its free neighbours, or to the tail.
  private merge(ptr: number, size: number): void {
    let start = ptr / ALIGN;
    let end = start + size / ALIGN;
    const before = this.freeEnding.get(start);
    if (before !== undefined) {
      this.unlink(before);
      start = before;
    }
    const after = this.freeAt.get(end);
    if (after !== undefined) {
      this.unlink(end);
      end += after;
    }
    if (end * ALIGN === this.top) this.top = start * ALIGN;
    else this.link(start, end - start);
  }

  /** The largest block alloc can hand out without growing memory (merges parked blocks first). */
  largestFreeBlock(): number {
    this.coalesce();
    let largest = 0;
    for (let w = this.nonEmpty.length - 1; w >= 0 && largest === 0; w--) {
      const word = this.nonEmpty[w] as number;
      if (word === 0) continue;
      for (const ptr of this.lists[w * 32 + 31 - Math.clz32(word)] as Set<number>) {
        largest = Math.max(largest, (this.freeAt.get(ptr) as number) * ALIGN);
      }
    }
    return Math.max(largest, this.heapBytes - this.top);
  }

  /** The allocator's counts, after merging parked blocks (so that they describe free runs). */
  stats(): HeapStats {
    this.coalesce();
    return {
      bytesInUse: this.bytesInUse,
      bytesPooled: this.bytesPooled,
      blocksInUse: this.liveBlocks,
      freeBlocks: this.freeAt.size,
      largestFreeBlock: this.largestFreeBlock(),
      heapBytes: this.heapBytes,
      maxHeapBytes: this.maxBytes,
    };
  }

  /** Free blocks (merged or parked) in address order, for tests and debugging. */
  freeList(): Array<{ ptr: number; bytes: number; state: 'free' | 'parked' }> {
    const all: Array<{ ptr: number; bytes: number; state: 'free' | 'parked' }> = [];
    for (const [at, units] of this.freeAt) all.push({ ptr: at * ALIGN, bytes: units * ALIGN, state: 'free' });
    for (const { bytes, ptrs } of this.parked.values()) for (const ptr of ptrs) all.push({ ptr, bytes, state: 'parked' });
    return all.sort((a, b) => a.ptr - b.ptr);
  }

  // A free block of at least `size` bytes, split so that the rest stays free; null if none.
  private takeFree(size: number): number | null {
    const u = size / ALIGN;
    let i = listOf(u);
    let best = -1;
    let bestUnits = Infinity;
    let seen = 0;
    for (const at of this.lists[i] as Set<number>) {
      const units = this.freeAt.get(at) as number;
      if (units >= u && units < bestUnits) {
        best = at;
        bestUnits = units;
        if (units === u) break;
      }
      if (++seen === SCAN) break;
    }
    if (best < 0) {
      i = this.firstNonEmptyAfter(i);
      if (i < 0) return null;
      best = (this.lists[i] as Set<number>).values().next().value as number;
      bestUnits = this.freeAt.get(best) as number;
    }
    this.unlink(best);
    if (bestUnits > u) this.link(best + u, bestUnits - u);
    return best * ALIGN;
  }

  private firstNonEmptyAfter(i: number): number {
    const from = i + 1;
    let w = from >>> 5;
    if (w >= this.nonEmpty.length) return -1;
    let word = (this.nonEmpty[w] as number) & (~0 << (from & 31));
    while (word === 0) {
      if (++w >= this.nonEmpty.length) return -1;
      word = this.nonEmpty[w] as number;
    }
    return w * 32 + 31 - Math.clz32(word & -word);
  }

  // Both in units of ALIGN bytes.
  private link(at: number, units: number): void {
    const i = listOf(units);
    (this.lists[i] as Set<number>).add(at);
    this.nonEmpty[i >>> 5] = (this.nonEmpty[i >>> 5] as number) | (1 << (i & 31));
    this.freeAt.set(at, units);
    this.freeEnding.set(at + units, at);
    this.bytesPooled += units * ALIGN;
  }

  private unlink(at: number): void {
    const units = this.freeAt.get(at) as number;
    const i = listOf(units);
    const list = this.lists[i] as Set<number>;
    list.delete(at);
    if (list.size === 0) this.nonEmpty[i >>> 5] = (this.nonEmpty[i >>> 5] as number) & ~(1 << (i & 31));
    this.freeAt.delete(at);
    this.freeEnding.delete(at + units);
    this.bytesPooled -= units * ALIGN;
  }

  // Hands out `size` bytes at the top of the heap, growing memory if needed.
  private extend(size: number): number {
    const ptr = this.top;
    const end = ptr + size;
    const have = this.heapBytes;
    if (end > have) this.grow(end, have, size);
    this.top = end;
    return ptr;
  }

  private grow(end: number, have: number, size: number): void {
    // Geometric growth, so that a growing model does not call memory.grow every step; the exact
    // need if that would pass the maximum.
    const need = Math.ceil((end - have) / PAGE);
    const room = this.maxBytes / PAGE - have / PAGE;
    const pages = Math.min(Math.max(need, Math.ceil(have / PAGE / 4)), room);
    let error: unknown = null;
    if (need <= room) {
      try {
        this.memory.grow(pages);
        return;
      } catch {
        try {
          this.memory.grow(need);
          return;
        } catch (e) {
          error = e;
        }
      }
    }
    this.outOfMemory(size, error);
  }

  private outOfMemory(size: number, cause: unknown): never {
    const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
    throw new BackendError(
      `out of WebAssembly memory: cannot allocate ${size} bytes (${mb(size)}); ${mb(this.bytesInUse)} in use, ` +
        `${mb(this.bytesPooled)} pooled, largest free block ${mb(this.largestFreeBlock())}, ` +
        `heap ${mb(this.heapBytes)} of at most ${mb(this.maxBytes)}` +
        (cause === null ? '' : ` (${String(cause)})`) +
        '. Dispose tensors you no longer need (tidy() frees a step\'s intermediates).',
    );
  }

  // memory.grow detaches (or, for shared memory, outgrows) every view taken before it, so each
  // accessor checks the buffer and re-creates its view when it changed.
  get f32(): Float32Array {
    const buf = this.memory.buffer;
    if (this.f32View.buffer !== buf || this.f32View.byteLength !== buf.byteLength) {
      this.f32View = new Float32Array(buf);
    }
    return this.f32View;
  }

  get i32(): Int32Array {
    const buf = this.memory.buffer;
    if (this.i32View.buffer !== buf || this.i32View.byteLength !== buf.byteLength) {
      this.i32View = new Int32Array(buf);
    }
    return this.i32View;
  }

  get u8(): Uint8Array {
    const buf = this.memory.buffer;
    if (this.u8View.buffer !== buf || this.u8View.byteLength !== buf.byteLength) {
      this.u8View = new Uint8Array(buf);
    }
    return this.u8View;
  }
}
