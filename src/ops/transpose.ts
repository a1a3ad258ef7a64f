// Reordering dimensions: permute, transpose and the .T property. The result is a contiguous
// copy made by the strided kernel; the gradient is dy permuted back.
// Kernel: assembly/strided.ts. Reference twin: src/reference/shape.ts.
import { composed, record } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { normalizeAxis, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { stridedRead } from './strided.js';

function checkPermutation(op: string, x: Tensor, dims: readonly number[]): number[] {
  if (dims.length !== x.rank) {
    throw new ShapeError(`${op}: dims ${fmtShape(dims)} do not list the ${x.rank} dimensions of a tensor of shape ${fmtShape(x.shape)}`);
  }
  const resolved = dims.map((d) => normalizeAxis(op, d, x.rank));
  if (new Set(resolved).size !== resolved.length) {
    throw new ShapeError(`${op}: dims ${fmtShape(dims)} repeat a dimension (tensor of shape ${fmtShape(x.shape)})`);
  }
  return resolved;
}

function permuteAs(op: string, x: Tensor, dims: number[]): Tensor {
  const xStrides = stridesOf(x.shape);
  const out = stridedRead(x, dims.map((d) => x.shape[d] as number), dims.map((d) => xStrides[d] as number));
  const inverse = new Array<number>(dims.length);
  dims.forEach((d, i) => (inverse[d] = i));
  return record(out, op, [x], composed((dy) => [() => permute(dy, inverse)]), []);
}

/** x with its dimensions reordered: dimension i of the result is dimension dims[i] of x. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  x.assertLive('permute');
  return permuteAs('permute', x, checkPermutation('permute', x, dims));
}

/** x with dimensions dim0 and dim1 swapped (negative allowed). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  x.assertLive('transpose');
  const a = normalizeAxis('transpose', dim0, x.rank);
  const b = normalizeAxis('transpose', dim1, x.rank);
  const dims = Array.from({ length: x.rank }, (_, i) => (i === a ? b : i === b ? a : i));
  return permuteAs('transpose', x, dims);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    permute(dims: readonly number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    /** The transpose of a matrix; for other ranks all dimensions reversed (as in PyTorch). */
    readonly T: Tensor;
  }
}

Tensor.prototype.permute = function (this: Tensor, dims: readonly number[]) { return permute(this, dims); };
Tensor.prototype.transpose = function (this: Tensor, dim0: number, dim1: number) { return transpose(this, dim0, dim1); };
Object.defineProperty(Tensor.prototype, 'T', {
  configurable: true,
  get(this: Tensor) {
    return permute(this, Array.from({ length: this.rank }, (_, i) => this.rank - 1 - i));
  },
});
