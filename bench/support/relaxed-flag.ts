// The Node flags a process needs to compile relaxed SIMD. Node 20 has it behind
// --experimental-wasm-relaxed-simd; from Node 21 it is on and Node rejects that flag as a bad
// option, so only a runtime older than 21 is given it.
const FLAG = '--experimental-wasm-relaxed-simd';

/** The flags for a Node runtime of the given major version. */
export const relaxedSimdFlags = (nodeMajor: number): string[] => (nodeMajor < 21 ? [FLAG] : []);

/** The flags for a child running this process's Node. */
export const RELAXED_SIMD_FLAGS: readonly string[] = relaxedSimdFlags(Number(process.versions.node.split('.')[0]));
