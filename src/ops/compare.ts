// Comparisons: 1 where the relation holds, 0 elsewhere (float32, no gradient), broadcasting.
// Kernel: assembly/binary.ts (BinaryOp.Eq..Ge, through src/kernels/broadcast.ts).
import { BinaryOp } from '../backend/generated/opcodes.js';
import { type TensorInput, withOperands } from '../tensor/promote.js';
import { Tensor } from '../tensor/tensor.js';
import { broadcastBinary } from './broadcast.js';

const KERNEL = { eq: BinaryOp.Eq, ne: BinaryOp.Ne, lt: BinaryOp.Lt, le: BinaryOp.Le, gt: BinaryOp.Gt, ge: BinaryOp.Ge } as const;

function compare(op: keyof typeof KERNEL, a: TensorInput, b: TensorInput, rest: readonly unknown[]): Tensor {
  return withOperands(op, a, b, (a, b) => broadcastBinary(op, KERNEL[op], a, b), rest);
}

export const eq = (a: TensorInput, b: TensorInput, ...rest: []): Tensor => compare('eq', a, b, rest);
export const ne = (a: TensorInput, b: TensorInput, ...rest: []): Tensor => compare('ne', a, b, rest);
export const lt = (a: TensorInput, b: TensorInput, ...rest: []): Tensor => compare('lt', a, b, rest);
export const le = (a: TensorInput, b: TensorInput, ...rest: []): Tensor => compare('le', a, b, rest);
export const gt = (a: TensorInput, b: TensorInput, ...rest: []): Tensor => compare('gt', a, b, rest);
export const ge = (a: TensorInput, b: TensorInput, ...rest: []): Tensor => compare('ge', a, b, rest);
