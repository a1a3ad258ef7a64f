// Indexing by integer lists: indexSelect (whole slices along an axis) and gather (one element
// per index, torch.gather). Backward scatters dy into zeros with adds, so repeated indices
// accumulate. Kernels: assembly/strided.ts (through src/kernels/strided.ts). Reference twin:
// src/reference/shape.ts.
import { composed, record } from '../autograd/graph.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { normalizeAxis, sizeOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, describe, is, readArgs } from '../validate.js';

/** torch.index_select / torch.gather's order: `(x, dim, index)`, or `(x, dim, {index})`, `(x, {dim, index})`. */
export type IndexArgs<I> = Args<[dim: number, index: I], { dim?: number; index?: I }>;

const INDEX = { dim: is.int(), index: is.any };

function readIndex(op: string, input: TensorInput, args: readonly unknown[]): { x: Tensor; axis: number; index: unknown } {
  const x = toTensor(op, 'input', input);
  const { dim, index } = readArgs(op, args, ['dim', 'index'], INDEX);
  if (dim === undefined || index === undefined) throw new ArgumentError(`${op}: dim and index are required`, op, dim === undefined ? 'dim' : 'index');
  return { x, axis: dim, index };
}
import { type GatherLayout, gatherForward, type IndexList, indexAddBackward, indexSelectForward, resolveIndices, scatterAddBackward } from '../kernels/strided.js';

/**
 * The slices of x at `indices` along `axis`, in that order (torch.index_select): the result
 * has x's shape with dimension `axis` replaced by the number of indices. Indices are integers
 * in [0, size); a tensor of indices must be 0-D or 1-D.
 */
export function indexSelect(input: TensorInput, ...args: IndexArgs<IndexList>): Tensor {
  const { x, axis, index } = readIndex('indexSelect', input, args);
  if (!(index instanceof Tensor || index instanceof Int32Array || Array.isArray(index))) {
    throw new ArgumentError(`indexSelect: index must be a list of integers, an Int32Array or a Tensor, got ${describe(index)}`, 'indexSelect', 'index');
  }
  const indices = index as IndexList;
  if (x.rank === 0) throw new ShapeError(`indexSelect: cannot index a scalar (shape ${fmtShape(x.shape)})`);
  const a = normalizeAxis('indexSelect', axis, x.rank);
  if (indices instanceof Tensor && indices.rank > 1) {
    throw new ShapeError(`indexSelect: indices must be 0-D or 1-D, got shape ${fmtShape(indices.shape)}`);
  }
  const idx = resolveIndices('indexSelect', indices, a, x.shape);
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const len = x.shape[a] as number;
  const n = idx.length;
  const out = Tensor.empty([...x.shape.slice(0, a), n, ...x.shape.slice(a + 1)]);
  indexSelectForward(x, out, idx, outer, len, inner);
  // The gradient adds dy's slices back at the indices; recorded, its own gradient is indexSelect.
  const indexAdd = (dy: Tensor): Tensor => {
    const dx = Tensor.empty(x.shape);
    indexAddBackward(dy, dx, idx, outer, len, inner);
    return record(dx, 'indexSelect.backward', [dy], composed((d) => [() => indexSelect(d, a, idx)]), []);
  };
  return record(out, 'indexSelect', [x], composed((dy) => [() => indexAdd(dy)]), []);
}

/**
 * torch.gather: out[i][j][k] = x[index[i][j][k]][j][k] for axis 0 (likewise for other axes).
 * `index` is a tensor of integers with x's rank, no larger than x in the other dimensions; the
 * result has index's shape.
 */
export function gather(input: TensorInput, ...args: IndexArgs<TensorInput>): Tensor {
  const parsed = readIndex('gather', input, args);
  const { x, axis } = parsed;
  const index = toTensor('gather', 'index', parsed.index);
  if (x.rank === 0) throw new ShapeError(`gather: cannot index a scalar (shape ${fmtShape(x.shape)})`);
  const a = normalizeAxis('gather', axis, x.rank);
  const fits = index.rank === x.rank && index.shape.every((d, i) => i === a || d <= (x.shape[i] as number));
  if (!fits) {
    throw new ShapeError(
      `gather: index of shape ${fmtShape(index.shape)} does not fit input of shape ${fmtShape(x.shape)} (same rank, and no larger except along axis ${a})`,
    );
  }
  const idx = resolveIndices('gather', index, a, x.shape);
  const xStrides = stridesOf(x.shape);
  const axisStride = xStrides[a] as number;
  const layout: GatherLayout = { strides: xStrides.map((s, i) => (i === a ? 0 : s)), axisStride };
  const indexShape = index.shape;
  // The read and its adjoint (scatter-add into zeros), each recorded with the other as its
  // gradient, so that gradients of every order go through them.
  const read = (src: Tensor): Tensor => {
    const out = Tensor.empty(indexShape);
    gatherForward(src, out, idx, layout);
    return record(out, 'gather', [src], composed((dy) => [() => scatter(dy)]), []);
  };
  const scatter = (dy: Tensor): Tensor => {
    const dx = Tensor.empty(x.shape);
    scatterAddBackward(dy, dx, idx, layout);
    return record(dx, 'gather.backward', [dy], composed((d) => [() => read(d)]), []);
  };
  return read(x);
}
