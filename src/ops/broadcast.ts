// Broadcasting as ops: sumToShape and broadcastTo (each the other's gradient), and the forward
// of every binary op and comparison. The kernels' broadcast layout is src/kernels/broadcast.ts.
import { BinaryOp, ReduceOp } from '../backend/generated/opcodes.js';
import { composed, noGrad, record } from '../autograd/graph.js';
import { binaryForward } from '../kernels/broadcast.js';
import { reduceAlong } from '../kernels/reduce.js';
import { broadcastShapes, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

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
  binaryForward(BinaryOp.Mul, x, 1, out); // x · 1
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
      reduceAlong(ReduceOp.Sum, cur, next, outer, len, inner);
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

/**
 * Runs `binary_f32` with op code `code` over the broadcast of a and b (a number is a scalar
 * operand): the forward of every binary op and comparison. Records nothing.
 */
export function broadcastBinary(op: string, code: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  a.assertLive(op);
  const bShape = typeof b === 'number' ? [] : (b.assertLive(op), b.shape);
  const shape = broadcastShapes(op, a.shape, bShape);
  const out = Tensor.empty(shape);
  binaryForward(code, a, b, out);
  return out;
}
