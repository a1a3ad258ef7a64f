// Elementwise binary ops with numpy broadcasting: kernel call and backward rule side by side.
// Kernel: assembly/binary.ts. Reference twin: src/reference/elementwise.ts.
import { floatArg } from '../backend/scratch.js';
import { kernels } from '../backend/wasm.js';
import { composed, record } from '../autograd/graph.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { broadcastMeta, sumToShape } from './broadcast.js';
import { eq } from './compare.js';

const enum BinaryKernel {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  Max = 4,
  Min = 5,
}

/** A tensor, or a number broadcast like a scalar tensor. */
export type TensorLike = Tensor | number;

type BinaryBackward = (dy: Tensor, a: Tensor, b: TensorLike, out: Tensor) => [(() => Tensor) | null, (() => Tensor) | null];

// What a binary op's backward reads (for autograd's version check): nothing (add, sub); the
// operands and output unless b is a number (mul, div: then only the number); always all.
type BinarySaves = 'nothing' | 'unlessScalar' | 'all';

/**
 * Runs `binary_f32` with op code `code` over the broadcast of a and b (a number is a scalar
 * operand): the forward of every binary op and comparison. Records nothing.
 */
export function broadcastBinary(op: string, code: number, a: Tensor, b: TensorLike): Tensor {
  a.assertLive(op);
  const bShape = typeof b === 'number' ? [] : (b.assertLive(op), b.shape);
  const shape = broadcastShapes(op, a.shape, bShape);
  const out = Tensor.empty(shape);
  const bPtr = typeof b === 'number' ? floatArg(b) : b.ptr;
  const { meta, rank } = broadcastMeta(shape, [a.shape, bShape]);
  kernels().binary_f32(code, a.ptr, bPtr, out.ptr, meta, rank);
  return out;
}

function binary(op: string, kernel: BinaryKernel, a: Tensor, b: TensorLike, backward: BinaryBackward, saves: BinarySaves = 'all'): Tensor {
  const out = broadcastBinary(op, kernel, a, b);
  const inputs = typeof b === 'number' ? [a] : [a, b];
  const saved = saves === 'nothing' || (saves === 'unlessScalar' && typeof b === 'number') ? [] : [...inputs, out];
  // Every rule below is built from recorded ops.
  return record(out, op, inputs, composed((dy) => backward(dy, a, b, out)), saved);
}

const grad = (b: TensorLike, f: () => Tensor): (() => Tensor) | null => (typeof b === 'number' ? null : f);

/** a + b */
export function add(a: Tensor, b: TensorLike): Tensor {
  return binary('add', BinaryKernel.Add, a, b, (dy, a, b) => [
    () => sumToShape(dy, a.shape),
    grad(b, () => sumToShape(dy, (b as Tensor).shape)),
  ], 'nothing');
}

/** a − b */
export function sub(a: Tensor, b: TensorLike): Tensor {
  return binary('sub', BinaryKernel.Sub, a, b, (dy, a, b) => [
    () => sumToShape(dy, a.shape),
    grad(b, () => sumToShape(neg(dy), (b as Tensor).shape)),
  ], 'nothing');
}

/** a · b (elementwise) */
export function mul(a: Tensor, b: TensorLike): Tensor {
  return binary('mul', BinaryKernel.Mul, a, b, (dy, a, b) => [
    () => sumToShape(mul(dy, b), a.shape),
    grad(b, () => sumToShape(mul(dy, a), (b as Tensor).shape)),
  ], 'unlessScalar');
}

/** a / b */
export function div(a: Tensor, b: TensorLike): Tensor {
  return binary('div', BinaryKernel.Div, a, b, (dy, a, b, out) => [
    () => sumToShape(div(dy, b), a.shape),
    // d(a/b)/db = −a/b² = −out/b
    grad(b, () => sumToShape(neg(div(mul(dy, out), b)), (b as Tensor).shape)),
  ], 'unlessScalar');
}

/** −x */
export function neg(x: Tensor): Tensor {
  return mul(x, -1);
}

// The gradient of max/min goes to the operand that was picked; on ties PyTorch splits it
// equally between both, and so do we.
function pickGrad(dy: Tensor, mine: Tensor, other: TensorLike, out: Tensor): Tensor {
  const isMine = eq(mine, out);
  const isOther = typeof other === 'number' ? eq(out, other) : eq(other, out);
  // weight = isMine / (isMine + isOther): 1 when mine alone, 1/2 on ties, 0 otherwise
  const weight = div(isMine, maximum(add(isMine, isOther), 1));
  return sumToShape(mul(dy, weight), mine.shape);
}

/** Elementwise maximum (NaN propagates). */
export function maximum(a: Tensor, b: TensorLike): Tensor {
  return binary('maximum', BinaryKernel.Max, a, b, (dy, a, b, out) => [
    () => pickGrad(dy, a, b, out),
    grad(b, () => pickGrad(dy, b as Tensor, a, out)),
  ]);
}

/** Elementwise minimum (NaN propagates). */
export function minimum(a: Tensor, b: TensorLike): Tensor {
  return binary('minimum', BinaryKernel.Min, a, b, (dy, a, b, out) => [
    () => pickGrad(dy, a, b, out),
    grad(b, () => pickGrad(dy, b as Tensor, a, out)),
  ]);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    neg(): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
  }
}

Tensor.prototype.add = function (this: Tensor, b: TensorLike) { return add(this, b); };
Tensor.prototype.sub = function (this: Tensor, b: TensorLike) { return sub(this, b); };
Tensor.prototype.mul = function (this: Tensor, b: TensorLike) { return mul(this, b); };
Tensor.prototype.div = function (this: Tensor, b: TensorLike) { return div(this, b); };
Tensor.prototype.neg = function (this: Tensor) { return neg(this); };
Tensor.prototype.maximum = function (this: Tensor, b: TensorLike) { return maximum(this, b); };
Tensor.prototype.minimum = function (this: Tensor, b: TensorLike) { return minimum(this, b); };
