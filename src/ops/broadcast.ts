import { BinaryOp, ReduceOp } from '../backend/generated/opcodes.js';
import { floatArg, intArgs } from '../backend/scratch.js';
import { kernels } from '../backend/wasm.js';
import { composed, noGrad, record } from '../autograd/graph.js';
import { broadcastShapes, sameShape, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

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

/**
 * Sums a broadcast gradient back down to `shape` (the inverse of broadcasting): leading extra
 * dimensions and dimensions where `shape` has 1 are summed away. Returns `g` itself when the
 * shapes already agree. Recorded (its gradient is `broadcastTo`), so rules built on it stay
 * differentiable.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const from = g.shape;
  const out = sumToShapeKernel(g, shape);
  return record(out, 'sumToShape', [g], composed((dy) => [() => broadcastTo(dy, from)]), []);
}

/**
 * `x` copied out to the larger `shape` it broadcasts to (the adjoint of `sumToShape`, whose
 * backward it is). Recorded, with `sumToShape` as its gradient.
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const out = Tensor.empty(shape);
  const one = Tensor.empty([]);
  kernels().fill_f32(one.ptr, 1, 1);
  const { meta, rank } = broadcastMeta(shape, [x.shape, []]);
  kernels().binary_f32(BinaryOp.Mul, x.ptr, one.ptr, out.ptr, meta, rank); // x · 1
  one.dispose();
  const to = x.shape;
  return record(out, 'broadcastTo', [x], composed((dy) => [() => sumToShape(dy, to)]), []);
}

function sumToShapeKernel(g: Tensor, shape: readonly number[]): Tensor {
  return noGrad(() => {
    const lead = g.rank - shape.length;
    let cur = g;
    let curShape = [...g.shape];
    const step = (outer: number, len: number, inner: number, nextShape: number[]): void => {
      const next = Tensor.empty(nextShape);
      kernels().reduce_f32(ReduceOp.Sum, cur.ptr, next.ptr, outer, len, inner);
      if (cur !== g) cur.dispose();
      cur = next;
      curShape = nextShape;
    };
    if (lead > 0) {
      const len = curShape.slice(0, lead).reduce((x, y) => x * y, 1);
      step(1, len, cur.size / len, curShape.slice(lead));
    }
    for (let d = 0; d < shape.length; d++) {
      if (shape[d] === 1 && curShape[d] !== 1) {
        const len = curShape[d] as number;
        const outer = curShape.slice(0, d).reduce((x, y) => x * y, 1);
        const inner = curShape.slice(d + 1).reduce((x, y) => x * y, 1);
        const next = [...curShape];
        next[d] = 1;
        step(outer, len, inner, next);
      }
    }
    return cur === g ? Tensor.view(g, shape) : cur;
  });
}

/** Runs a broadcasting kernel: fills the meta block the kernels in assembly/binary.ts read. */
export function broadcastMeta(out: readonly number[], inputs: ReadonlyArray<readonly number[]>): { meta: number; rank: number } {
  const { shape, strides } = coalesce(out, inputs);
  const rank = shape.length;
  // Layout read by assembly/odometer.ts: shape, each input's strides, counters, offsets.
  const [meta] = intArgs([...shape, ...strides.flat(), ...new Array<number>(rank + inputs.length).fill(0)]);
  return { meta: meta as number, rank };
}

/**
 * Runs `binary_f32` with op code `code` over the broadcast of a and b (a number is a scalar
 * operand): the forward of every binary op and comparison. Records nothing.
 */
export function broadcastBinary(op: string, code: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  a.assertLive(op);
  const bShape = typeof b === 'number' ? [] : (b.assertLive(op), b.shape);
  const shape = broadcastShapes(op, a.shape, bShape);
  const out = Tensor.empty(shape);
  const bPtr = typeof b === 'number' ? floatArg(b) : b.ptr;
  const { meta, rank } = broadcastMeta(shape, [a.shape, bShape]);
  kernels().binary_f32(code, a.ptr, bPtr, out.ptr, meta, rank);
  return out;
}
