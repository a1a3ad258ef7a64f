// The random kernels (assembly/random.ts) of the creation functions (rand, randn) and of dropout
// (src/ops/dropout.ts): each draws from a generator's xoshiro128** state in linear memory and
// advances it.
import { heap, kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';

const STATE_BYTES = 16; // xoshiro128** state

/** A copy of the generator state at byte address `state`, to draw the same numbers again. */
export function saveState(state: number): Uint8Array {
  return heap().u8.slice(state, state + STATE_BYTES);
}

/** mask = the keep-mask scaled by 1/(1 − p), drawn from the generator state at `state` (advanced). */
export function dropoutMask(state: number, mask: Tensor, p: number): void {
  kernels().dropout_mask_f32(state, mask.ptr, mask.size, p);
}

/** The same mask drawn again from a saved state (which stays as it was). */
export function dropoutMaskFrom(saved: Uint8Array, mask: Tensor, p: number): void {
  const ptr = heap().alloc(STATE_BYTES);
  try {
    heap().u8.set(saved, ptr);
    kernels().dropout_mask_f32(ptr, mask.ptr, mask.size, p);
  } finally {
    heap().release(ptr, STATE_BYTES);
  }
}

/** t = uniform draws in [low, high) from the generator state at `state` (advanced). */
export function randUniform(state: number, t: Tensor, low: number, high: number): void {
  kernels().rand_uniform_f32(state, t.ptr, t.size, low, high);
}

/** t = normal draws N(mean, std²) from the generator state at `state` (advanced). */
export function randNormal(state: number, t: Tensor, mean: number, std: number): void {
  kernels().rand_normal_f32(state, t.ptr, t.size, mean, std);
}
