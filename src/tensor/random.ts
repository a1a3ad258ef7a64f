import { heap } from '../backend/wasm.js';
import { is, readArgs } from '../validate.js';

// Returns the state block of a generator the program dropped without dispose().
const finalizer =
  typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<number>((ptr) => heap().release(ptr, 16));

const SEED = is.number();

/** A seedable random stream (xoshiro128**, state in linear memory). */
export class Generator {
  private statePtr = 0;
  private seedValue: number;

  constructor(seed = 0x5eed) {
    this.seedValue = SEED(seed, 'Generator: seed');
  }

  /** Restarts the stream from `seed` (any integer). */
  manualSeed(seed: number): this {
    this.seedValue = SEED(seed, 'manualSeed: seed');
    if (this.statePtr !== 0) this.writeState();
    return this;
  }

  get seed(): number {
    return this.seedValue;
  }

  /** @internal Address of the 16-byte state, for the random kernels. */
  get ptr(): number {
    if (this.statePtr === 0) {
      this.statePtr = heap().alloc(16);
      finalizer?.register(this, this.statePtr, this);
      this.writeState();
    }
    return this.statePtr;
  }

  /**
   * Frees the 16-byte state in linear memory (a later draw starts again from the seed).
   * Generators dropped without dispose() are freed when collected.
   */
  dispose(): void {
    if (this.statePtr === 0) return;
    finalizer?.unregister(this);
    heap().release(this.statePtr, 16);
    this.statePtr = 0;
  }

  private writeState(): void {
    // splitmix32 spreads any seed over the four state words (never all zero).
    let x = Math.trunc(this.seedValue) >>> 0;
    const view = heap().i32;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      z = (z ^ (z >>> 16)) >>> 0;
      view[(this.statePtr >>> 2) + i] = z | (i === 0 ? 1 : 0);
    }
  }
}

/** The generator used when an op is not given one. */
export const defaultGenerator = new Generator();

/** Seeds the default generator so that runs are reproducible. */
export function manualSeed(seed: number, ...rest: []): void {
  if (rest.length > 0) readArgs('manualSeed', rest, [], {});
  defaultGenerator.manualSeed(seed);
}
