// Elementwise binary ops with numpy broadcasting: kernel call and backward rule side by side.
// Kernel: assembly/binary.ts (through src/kernels/broadcast.ts). Reference twin: src/reference/elementwise.ts.
import { BinaryOp } from '../backend/generated/opcodes.js';
import { composed, record } from '../autograd/graph.js';
import { type TensorInput, toTensor, withOperands } from '../tensor/promote.js';
import { Tensor } from '../tensor/tensor.js';
import { is, readArgs } from '../validate.js';
import { broadcastBinary, sumToShape } from './broadcast.js';
import { eq } from './compare.js';

/** A tensor, or a number broadcast like a scalar tensor. */
export type TensorLike = Tensor | number;

type BinaryBackward = (dy: Tensor, a: Tensor, b: TensorLike, out: Tensor) => [(() => Tensor) | null, (() => Tensor) | null];

// What a binary op's backward reads (for autograd's version check): nothing (add, sub); the
// operands and output unless b is a number (mul, div: then only the number); always all.
type BinarySaves = 'nothing' | 'unlessScalar' | 'all';

function binary(op: string, kernel: BinaryOp, a: TensorInput, b: TensorInput, backward: BinaryBackward, saves: BinarySaves = 'all', rest: readonly unknown[] = []): Tensor {
  return withOperands(
    op,
    a,
    b,
    (a, b) => {
      const out = broadcastBinary(op, kernel, a, b);
      const inputs = typeof b === 'number' ? [a] : [a, b];
      const saved = saves === 'nothing' || (saves === 'unlessScalar' && typeof b === 'number') ? [] : [...inputs, out];
      // Every rule below is built from recorded ops.
      return record(out, op, inputs, composed((dy) => backward(dy, a, b, out)), saved);
    },
    rest,
  );
}

export interface AddOptions {
  /** Multiplies `other` first (PyTorch's alpha): add(x, y, {alpha: 2}) is x + 2y. Default 1. */
  alpha?: number;
}

/** `add(x, y, {alpha: 2})`: PyTorch takes alpha by keyword only, so a third positional argument is an error. */
export type AddArgs = [options?: AddOptions];

const ADD = { alpha: is.number() };

// other·alpha, with alpha read from PyTorch's positional or options form.
function scaled(op: string, b: TensorInput, args: readonly unknown[]): TensorInput {
  const alpha = readArgs(op, args, [], ADD).alpha ?? 1;
  if (alpha === 1) return b;
  return typeof b === 'number' ? b * alpha : mul(toTensor(op, 'other', b), alpha);
}

const grad = (b: TensorLike, f: () => Tensor): (() => Tensor) | null => (typeof b === 'number' ? null : f);

/** a + alpha·b (alpha default 1), broadcasting. */
export function add(a: TensorInput, b: TensorInput, ...args: AddArgs): Tensor {
  return binary('add', BinaryOp.Add, a, scaled('add', b, args), (dy, a, b) => [
    () => sumToShape(dy, a.shape),
    grad(b, () => sumToShape(dy, (b as Tensor).shape)),
  ], 'nothing');
}

/** a − alpha·b (alpha default 1), broadcasting. */
export function sub(a: TensorInput, b: TensorInput, ...args: AddArgs): Tensor {
  return binary('sub', BinaryOp.Sub, a, scaled('sub', b, args), (dy, a, b) => [
    () => sumToShape(dy, a.shape),
    grad(b, () => sumToShape(neg(dy), (b as Tensor).shape)),
  ], 'nothing');
}

/** a · b (elementwise) */
export function mul(a: TensorInput, b: TensorInput, ...rest: []): Tensor {
  return binary('mul', BinaryOp.Mul, a, b, (dy, a, b) => [
    () => sumToShape(mul(dy, b), a.shape),
    grad(b, () => sumToShape(mul(dy, a), (b as Tensor).shape)),
  ], 'unlessScalar', rest);
}

/** a / b */
export function div(a: TensorInput, b: TensorInput, ...rest: []): Tensor {
  return binary('div', BinaryOp.Div, a, b, (dy, a, b, out) => [
    () => sumToShape(div(dy, b), a.shape),
    // d(a/b)/db = −a/b² = −out/b
    grad(b, () => sumToShape(neg(div(mul(dy, out), b)), (b as Tensor).shape)),
  ], 'unlessScalar', rest);
}

/** −x */
export function neg(x: TensorInput, ...rest: []): Tensor {
  return binary('neg', BinaryOp.Mul, x, -1, (dy) => [() => neg(dy), null], 'unlessScalar', rest);
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
export function maximum(a: TensorInput, b: TensorInput, ...rest: []): Tensor {
  return binary('maximum', BinaryOp.Max, a, b, (dy, a, b, out) => [
    () => pickGrad(dy, a, b, out),
    grad(b, () => pickGrad(dy, b as Tensor, a, out)),
  ], 'all', rest);
}

/** Elementwise minimum (NaN propagates). */
export function minimum(a: TensorInput, b: TensorInput, ...rest: []): Tensor {
  return binary('minimum', BinaryOp.Min, a, b, (dy, a, b, out) => [
    () => pickGrad(dy, a, b, out),
    grad(b, () => pickGrad(dy, b as Tensor, a, out)),
  ], 'all', rest);
}
