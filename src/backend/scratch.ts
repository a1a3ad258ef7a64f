import { heap } from './wasm.js';

// Kernels read shapes and strides from linear memory. One persistent block serves as the
// argument area: kernels run one at a time per thread, so each call may overwrite it.
let block = 0;
let capacity = 0;

/** Writes integer lists one after another into the argument area; returns their pointers. */
export function intArgs(...lists: ArrayLike<number>[]): number[] {
  let total = 0;
  for (const l of lists) total += l.length;
  const h = heap();
  if (total * 4 > capacity) {
    if (block !== 0) h.release(block, capacity);
    capacity = Math.max(1024, total * 8);
    block = h.alloc(capacity);
  }
  const view = h.i32;
  const ptrs: number[] = [];
  let at = block >>> 2;
  for (const l of lists) {
    ptrs.push(at * 4);
    for (let i = 0; i < l.length; i++) view[at + i] = l[i] as number;
    at += l.length;
  }
  return ptrs;
}

let floatSlot = 0;

/** Writes one float into a persistent slot and returns its address (a broadcast scalar operand). */
export function floatArg(value: number): number {
  const h = heap();
  if (floatSlot === 0) floatSlot = h.alloc(64);
  h.f32[floatSlot >>> 2] = value;
  return floatSlot;
}
