import { is } from '../validate.js';
// Seeded randomness for data (generation, shuffling): plain JS, independent of the tensor
// generator so that drawing data never shifts a model's initialisation.

/** A small seeded generator (mulberry32) returning uniforms in [0, 1). */
export function dataRng(seed: number): () => number {
  let a = is.int()(seed, 'dataRng: seed') >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from a uniform stream. */
export function gaussian(rand: () => number): number {
  is.function(rand, 'gaussian: rand');
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A seeded Fisher–Yates permutation of 0 … n−1. */
export function permutation(n: number, rand: () => number): Int32Array {
  is.int({ min: 0 })(n, 'permutation: n');
  is.function(rand, 'permutation: rand');
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = idx[i] as number;
    idx[i] = idx[j] as number;
    idx[j] = t;
  }
  return idx;
}
