// The Node flags a child process needs to compile relaxed SIMD. Node 20 has it behind
// --experimental-wasm-relaxed-simd; from Node 21 it is on and Node rejects that flag as a bad
// option, so the flag is passed only where this process cannot compile relaxed SIMD itself.
import { relaxedSimdSupported } from '../../src/backend/wasm.js';

export const RELAXED_SIMD_FLAGS: readonly string[] = relaxedSimdSupported() ? [] : ['--experimental-wasm-relaxed-simd'];
