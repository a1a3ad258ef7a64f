import { heap } from '../backend/wasm.js';
import { untrackedTensorCount } from './scope.js';
import { liveTensorCount } from './tensor.js';

export interface MemoryStats {
  /** Bytes of linear memory held by live tensors and kernel scratch (rounded to size classes). */
  bytesInUse: number;
  /** Bytes in freed blocks below the top of the heap, kept for reuse (split and merged as needed). */
  bytesPooled: number;
  /**
   * The largest request that succeeds without growing memory: the largest pooled block, or the
   * untouched memory above the last block if that is larger.
   */
  largestFreeBlock: number;
  /** Pooled blocks; many small ones next to a small `largestFreeBlock` mean fragmentation. */
  freeBlocks: number;
  /** Size of the WebAssembly memory (it never shrinks). */
  heapBytes: number;
  /** The most the memory may grow to: 4 GiB where the runtime allows it. */
  maxHeapBytes: number;
  /** Tensors created and not yet disposed or collected. */
  liveTensors: number;
  /**
   * Live tensors that no `tidy()` scope owns and that were not `keep()`-ed: made outside every
   * scope or returned from the outermost one. A count that grows with the steps of a loop is a
   * leak; past `setScopeWarningThreshold` (default 10,000) fingrad warns once.
   */
  untrackedTensors: number;
  /** Allocated blocks (tensor storages and scratch). */
  blocks: number;
}

/**
 * A snapshot of the engine's memory use. Freed blocks still waiting to be merged with their
 * neighbours are merged first, so that `largestFreeBlock` and `freeBlocks` describe free runs.
 */
export function memoryStats(): MemoryStats {
  const h = heap().stats();
  return {
    bytesInUse: h.bytesInUse,
    bytesPooled: h.bytesPooled,
    largestFreeBlock: h.largestFreeBlock,
    freeBlocks: h.freeBlocks,
    heapBytes: h.heapBytes,
    maxHeapBytes: h.maxHeapBytes,
    liveTensors: liveTensorCount(),
    untrackedTensors: untrackedTensorCount(),
    blocks: h.blocksInUse,
  };
}
