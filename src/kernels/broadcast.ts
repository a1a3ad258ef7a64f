// The broadcast layout the elementwise kernels read (assembly/odometer.ts), and the kernel calls
// of the broadcasting ops: binary_f32 (assembly/binary.ts, src/ops/binary.ts, compare.ts) and
// where_f32 (assembly/where.ts, src/ops/where.ts).
import type { BinaryOp } from '../backend/generated/opcodes.js';
import { floatArg, intArgs } from '../backend/scratch.js';
import { kernels } from '../backend/wasm.js';
import { stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Describes how inputs of the given shapes are read to fill `out`: element strides per output
 * dimension (0 where broadcast), with size-1 dimensions dropped and neighbours that are laid out
 * contiguously in every input merged, so kernels loop over as few dimensions as possible.
 */
export function coalesce(out: readonly number[], inputs: ReadonlyArray<readonly number[]>): { shape: number[]; strides: number[][] } {
  const rank = out.length;
  const full = inputs.map((s) => {
    const padded = [...new Array<number>(rank - s.length).fill(1), ...s];
    const st = stridesOf(padded);
    return padded.map((d, i) => (d === 1 ? 0 : (st[i] as number)));
  });
  const shape: number[] = [];
  const strides: number[][] = inputs.map(() => []);
  for (let d = 0; d < rank; d++) {
    const size = out[d] as number;
    if (size === 1) continue;
    const last = shape.length - 1;
    const mergeable =
      last >= 0 && full.every((st, k) => (strides[k] as number[])[last] === (st[d] as number) * size);
    if (mergeable) {
      shape[last] = (shape[last] as number) * size;
      full.forEach((st, k) => ((strides[k] as number[])[last] = st[d] as number));
    } else {
      shape.push(size);
      full.forEach((st, k) => (strides[k] as number[]).push(st[d] as number));
    }
  }
  if (shape.length === 0) {
    shape.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { shape, strides };
}

/** Fills the meta block a broadcasting kernel reads (written into the shared argument area). */
export function broadcastMeta(out: readonly number[], inputs: ReadonlyArray<readonly number[]>): { meta: number; rank: number } {
  const { shape, strides } = coalesce(out, inputs);
  const rank = shape.length;
  // Layout read by assembly/odometer.ts: shape, each input's strides, counters, offsets.
  const [meta] = intArgs([...shape, ...strides.flat(), ...new Array<number>(rank + inputs.length).fill(0)]);
  return { meta: meta as number, rank };
}

/** out = a op b over their broadcast (out's shape); a number b is a scalar operand. */
export function binaryForward(op: BinaryOp, a: Tensor, b: Tensor | number, out: Tensor): void {
  const bShape = typeof b === 'number' ? [] : b.shape;
  const bPtr = typeof b === 'number' ? floatArg(b) : b.ptr;
  const { meta, rank } = broadcastMeta(out.shape, [a.shape, bShape]);
  kernels().binary_f32(op, a.ptr, bPtr, out.ptr, meta, rank);
}

/** out = cond ? a : b over the broadcast of all three (out's shape). */
export function whereForward(cond: Tensor, a: Tensor, b: Tensor, out: Tensor): void {
  const { meta, rank } = broadcastMeta(out.shape, [cond.shape, a.shape, b.shape]);
  kernels().where_f32(cond.ptr, a.ptr, b.ptr, out.ptr, meta, rank);
}

/** out = x where cond (keep true) or where not cond (keep false), 0 elsewhere; out has x's shape. */
export function whereMask(cond: Tensor, x: Tensor, keep: boolean, out: Tensor): void {
  const { meta, rank } = broadcastMeta(x.shape, keep ? [cond.shape, x.shape, []] : [cond.shape, [], x.shape]);
  const zero = floatArg(0);
  kernels().where_f32(cond.ptr, keep ? x.ptr : zero, keep ? zero : x.ptr, out.ptr, meta, rank);
}
