// Reordering dimensions: permute, transpose and the .T property. The result is a contiguous
// copy made by the strided kernel; the gradient is dy permuted back.
// Kernel: assembly/strided.ts. Reference twin: src/reference/shape.ts.
import { composed, record } from '../autograd/graph.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { normalizeAxis, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, type SizeArgs, is, readArgs, readSizes } from '../validate.js';

/** `transpose(x, 0, 1)` or `transpose(x, {dim0: 0, dim1: 1})`. */
export type TransposeArgs = Args<[dim0: number, dim1: number], { dim0?: number; dim1?: number }>;

const TRANSPOSE = { dim0: is.int(), dim1: is.int() };
import { stridedRead } from '../kernels/strided.js';

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
export function permute(input: TensorInput, ...dims: SizeArgs<never>): Tensor {
  const x = toTensor('permute', 'input', input);
  const { sizes, rest } = readSizes('permute', dims, is.int(), 'dims');
  readArgs('permute', rest, [], {});
  return permuteAs('permute', x, checkPermutation('permute', x, sizes));
}

/** x with dimensions dim0 and dim1 swapped (negative allowed). */
export function transpose(input: TensorInput, ...args: TransposeArgs): Tensor {
  const x = toTensor('transpose', 'input', input);
  const { dim0, dim1 } = readArgs('transpose', args, ['dim0', 'dim1'], TRANSPOSE);
  if (dim0 === undefined || dim1 === undefined) throw new ArgumentError('transpose: dim0 and dim1 are required', 'transpose', dim0 === undefined ? 'dim0' : 'dim1');
  const a = normalizeAxis('transpose', dim0, x.rank);
  const b = normalizeAxis('transpose', dim1, x.rank);
  const dims = Array.from({ length: x.rank }, (_, i) => (i === a ? b : i === b ? a : i));
  return permuteAs('transpose', x, dims);
}
