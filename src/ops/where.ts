// where(cond, a, b): elementwise choice with three-way numpy broadcasting.
// Kernel: assembly/where.ts (through src/kernels/broadcast.ts). Reference twin: src/reference/unary.ts (where).
import { composed, isGradEnabled, record } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { whereForward, whereMask } from '../kernels/broadcast.js';
import { full } from '../tensor/creation.js';
import { type TensorInput, noMoreArgs, releasePromoted, toTensor, toTensorOrNumber } from '../tensor/promote.js';
import { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from './binary.js';
import { sumToShape } from './broadcast.js';

/** Numpy broadcasting of any number of named shapes; the ShapeError names `op` and every shape. */
function broadcastNamed(op: string, shapes: ReadonlyArray<readonly [string, readonly number[]]>): number[] {
  const rank = Math.max(...shapes.map(([, s]) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const sizes = shapes.map(([, s]) => s[s.length - rank + i] ?? 1);
    const size = sizes.find((d) => d !== 1) ?? 1;
    if (sizes.some((d) => d !== 1 && d !== size)) {
      const list = shapes.map(([name, s]) => `${name} ${fmtShape(s)}`).join(', ');
      throw new ShapeError(`${op}: shapes ${list} cannot be broadcast (dimension ${i}: ${sizes.join(' vs ')})`);
    }
    out.push(size);
  }
  return out;
}

// Gradient of one branch: dy where cond picks that branch, 0 elsewhere, summed back to its shape.
// Recording (createGraph), the same from `where` itself, so that it can be differentiated again.
function branchGrad(cond: Tensor, dy: Tensor, takeA: boolean, shape: readonly number[]): Tensor {
  if (isGradEnabled()) return sumToShape(takeA ? where(cond, dy, 0) : where(cond, 0, dy), shape);
  const g = Tensor.empty(dy.shape);
  whereMask(cond, dy, takeA, g);
  const summed = sumToShape(g, shape);
  if (summed !== g) g.dispose();
  return summed;
}

/**
 * `a` where `cond` is nonzero, `b` elsewhere (torch.where), with cond, a and b broadcast
 * together (numpy rules; a or b may be a number). cond is read as a float mask: any nonzero
 * value, NaN included, is true; ±0 is false. NaN in the branch not taken does not leak.
 * Gradients: dy masked by cond to a, dy masked by the complement to b (summed back over
 * broadcast dimensions); none to cond.
 */
export function where(condition: TensorInput, input: TensorInput, other: TensorInput, ...rest: []): Tensor {
  noMoreArgs('where', rest);
  const cond = toTensor('where', 'condition', condition);
  const a = toTensorOrNumber('where', 'input', input);
  const b = toTensorOrNumber('where', 'other', other);
  return releasePromoted(whereOf(cond, a, b), [condition, input, other], [cond, a, b]);
}

function whereOf(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const aShape = typeof a === 'number' ? [] : a.shape;
  const bShape = typeof b === 'number' ? [] : b.shape;
  const shape = broadcastNamed('where', [['cond', cond.shape], ['a', aShape], ['b', bShape]]);
  const out = Tensor.empty(shape);
  // numbers become one-element tensors for the kernel's stride-0 reads
  const at = typeof a === 'number' ? full([], a) : a;
  const bt = typeof b === 'number' ? full([], b) : b;
  whereForward(cond, at, bt, out);
  if (at !== a) at.dispose();
  if (bt !== b) bt.dispose();
  const inputs: Tensor[] = [cond];
  const thunks: Array<(dy: Tensor) => Tensor> = [];
  if (typeof a !== 'number') {
    inputs.push(a);
    thunks.push((dy) => branchGrad(cond, dy, true, a.shape));
  }
  if (typeof b !== 'number') {
    inputs.push(b);
    thunks.push((dy) => branchGrad(cond, dy, false, b.shape));
  }
  return record(out, 'where', inputs, composed((dy) => [null, ...thunks.map((t) => () => t(dy))]), [cond]);
}
