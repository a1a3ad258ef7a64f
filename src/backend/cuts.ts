// How a job is cut into shares for the threads (src/backend/threads.ts runs them): near-equal
// pieces, or pieces that shrink as they go.
import { MAX_SHARES } from './worker-source.js';

/**
 * Cut points 0 = x₀ < x₁ < … = size into at most `parts` near-equal pieces for the threads: inner
 * cuts on multiples of `align`, and no piece smaller than `minPiece`.
 */
export function cuts(size: number, parts: number, align: number, minPiece: number): number[] {
  const out = [0];
  for (let t = 1; t < parts; t++) {
    const x = Math.round((size * t) / parts / align) * align;
    if (x > (out[out.length - 1] as number) && size - x >= minPiece) out.push(x);
  }
  out.push(size);
  return out;
}

/**
 * Cut points 0 = x₀ < x₁ < … = size into pieces that shrink as they go (guided self-scheduling):
 * each is 1/`fraction` of what is left, rounded up to a multiple of `align` and at least
 * `minPiece`, at most MAX_SHARES pieces. Claimed in order, the large pieces go first and the
 * last ones are small, so a thread that started late or runs on a slowed core leaves the others
 * at most a small piece to wait for.
 */
export function guidedCuts(size: number, fraction: number, align: number, minPiece: number): number[] {
  const out = [0];
  let at = 0;
  while (size - at >= 2 * minPiece && out.length < MAX_SHARES) {
    const piece = Math.max(minPiece, Math.ceil((size - at) / fraction / align) * align);
    if (size - at - piece < minPiece) break;
    at += piece;
    out.push(at);
  }
  out.push(size);
  return out;
}
