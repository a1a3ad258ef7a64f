// split / chunk: a tensor cut into consecutive parts along one dim (torch.split, torch.chunk),
// the inverse of concat. All parts come from one graph node with one output per part: its
// backward runs once and concatenates the parts' gradients, zeros for parts that got none.
// Each part is a copy (slice's strided read), not a view as in PyTorch.
import { composed, isGradEnabled, noGrad, recordMulti } from '../autograd/graph.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { normalizeAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Args, describe, is, readArgs } from '../validate.js';
import { concat } from './concat.js';
import { slice } from './slice.js';

/** After the sizes: `split(x, 2, 1)` (dim), or `split(x, 2, {dim: 1})`. Default dim 0. */
export type SplitArgs = Args<[dim: number], { dim?: number }>;

const DIM = { dim: is.int() };

// The parts of x of `sizes` along `axis`, recorded as one node named `op`.
function cut(op: string, x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const parts = noGrad(() => sizes.map((n, i) => slice(x, axis, starts[i] as number, (starts[i] as number) + n)));
  if (!isGradEnabled() || !x.requiresGrad) return parts;
  const shapes = parts.map((p) => [...p.shape]);
  return recordMulti(parts, op, [x], composed((dys) => [() => concat(dys.map((dy, i) => dy ?? zeros(shapes[i] as number[])), axis)]), []);
}

function readDim(op: string, x: Tensor, args: readonly unknown[]): number {
  const dim = readArgs(op, args, ['dim'], DIM).dim ?? 0;
  if (x.rank === 0) throw new ShapeError(`${op}: cannot split a 0-D tensor (shape ${fmtShape(x.shape)})`);
  return normalizeAxis(op, dim, x.rank);
}

/**
 * torch.split: parts of `splitSize` along `dim` (default 0), the last one smaller when the size
 * does not divide, or parts of the listed sizes (which must add up to the dim's size). Returns
 * the list of parts; their gradients flow back through one node.
 */
export function split(input: TensorInput, splitSize: number | readonly number[], ...args: SplitArgs): Tensor[] {
  const x = toTensor('split', 'input', input);
  const axis = readDim('split', x, args);
  const len = x.shape[axis] as number;
  let sizes: number[];
  if (typeof splitSize === 'number') {
    const size = is.int({ min: 1 })(splitSize, 'split: splitSize');
    sizes = Array.from({ length: Math.max(1, Math.ceil(len / size)) }, (_, i) => Math.min(size, len - i * size));
  } else if (Array.isArray(splitSize)) {
    sizes = is.list(is.int({ min: 0 }))(splitSize, 'split: splitSize');
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== len) throw new ShapeError(`split: sizes [${sizes.join(', ')}] add up to ${total}, but dim ${axis} of shape ${fmtShape(x.shape)} has ${len}`);
  } else {
    throw new ArgumentError(`split: splitSize must be a positive integer or a list of sizes, got ${describe(splitSize)}`, 'split', 'splitSize');
  }
  return cut('split', x, axis, sizes);
}

/**
 * torch.chunk: `chunks` parts along `dim` (default 0) of ⌈size / chunks⌉ each, the last one
 * smaller; fewer parts when the size runs out first (as in PyTorch: chunk(6 rows, 4) gives 3).
 */
export function chunk(input: TensorInput, chunks: number, ...args: SplitArgs): Tensor[] {
  const x = toTensor('chunk', 'input', input);
  const n = is.int({ min: 1 })(chunks, 'chunk: chunks');
  const axis = readDim('chunk', x, args);
  const len = x.shape[axis] as number;
  const size = Math.max(1, Math.ceil(len / n));
  const sizes = Array.from({ length: Math.max(1, Math.ceil(len / size)) }, (_, i) => Math.min(size, len - i * size));
  return cut('chunk', x, axis, sizes);
}
