// The kernel calls of the unary ops (src/ops/unary.ts): assembly/unary.ts.
import type { UnaryOp } from '../backend/generated/opcodes.js';
import { kernels } from '../backend/wasm.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastMeta } from './broadcast.js';

/** out = f(x) for op code `op` with its parameters (p1, p2); out has x's size. */
export function unaryForward(op: UnaryOp, x: Tensor, out: Tensor, p1: number, p2: number): void {
  kernels().unary_f32(op, x.ptr, out.ptr, x.size, p1, p2);
}

/** dx = dy·f'(x), reading the input x and the forward output y as the kernel needs. */
export function unaryBackward(op: UnaryOp, x: Tensor, y: Tensor, dy: Tensor, dx: Tensor, p1: number, p2: number): void {
  kernels().unary_grad_f32(op, x.ptr, y.ptr, dy.ptr, dx.ptr, x.size, p1, p2);
}

/** out = x^e over the broadcast of x and e (out has the broadcast shape). */
export function powForward(x: Tensor, e: Tensor, out: Tensor): void {
  const { meta, rank } = broadcastMeta(out.shape, [x.shape, e.shape]);
  kernels().pow_f32(x.ptr, e.ptr, out.ptr, meta, rank);
}

/** g = dy·∂(x^e)/∂x (wrt 0) or ∂/∂e (wrt 1) over the output's shape, y the forward output. */
export function powBackward(wrt: 0 | 1, x: Tensor, e: Tensor, y: Tensor, dy: Tensor, g: Tensor): void {
  const { meta, rank } = broadcastMeta(y.shape, [x.shape, e.shape]);
  kernels().pow_grad_f32(wrt, x.ptr, e.ptr, y.ptr, dy.ptr, g.ptr, meta, rank);
}
