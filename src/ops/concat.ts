// Joining tensors: concat (alias cat) along an existing axis, stack along a new one. Each input
// is copied into its slab of the output by the strided kernel; the gradient of each input is
// its slab of dy. Kernel: assembly/strided.ts. Reference twin: src/reference/shape.ts.
import { composed, record } from '../autograd/graph.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { normalizeAxis, sameShape, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, describe, is, readArgs } from '../validate.js';
import { reshape } from './reshape.js';

/** torch.cat / torch.stack's order: `concat([a, b], 1)`, or `concat([a, b], {dim: 1})`. */
export type JoinArgs = Args<[dim: number | undefined], { dim?: number }>;

const JOIN = { dim: is.int() };
import { slice } from './slice.js';
import { stridedCopy } from '../kernels/strided.js';

// The list of tensors (each promoted) and the dim, from PyTorch's positional form or options.
function readJoin(op: string, list: unknown, args: readonly unknown[]): { tensors: Tensor[]; axis: number } {
  if (!Array.isArray(list)) throw new ArgumentError(`${op}: tensors must be a list of tensors, got ${describe(list)}`, op, 'tensors');
  if (list.length === 0) throw new ShapeError(`${op}: expected a non-empty list of tensors`);
  const tensors = list.map((t, i) => toTensor(op, `tensors[${i}]`, t));
  return { tensors, axis: readArgs(op, args, ['dim'], JOIN).dim ?? 0 };
}

/**
 * Copies each part (shapes `shapes`, same rank as the output) into the output, one after
 * another along `axis`; returns the output and each part's start along the axis.
 */
function join(parts: readonly Tensor[], shapes: readonly number[][], axis: number, outShape: number[]): { out: Tensor; starts: number[] } {
  const out = Tensor.empty(outShape);
  const outStrides = stridesOf(outShape);
  const starts: number[] = [];
  let at = 0;
  parts.forEach((t, i) => {
    const shape = shapes[i] as number[];
    starts.push(at);
    stridedCopy(shape, { tensor: t, strides: stridesOf(shape) }, { tensor: out, strides: outStrides, offset: at * (outStrides[axis] as number) });
    at += shape[axis] as number;
  });
  return { out, starts };
}

/** Joins tensors along an existing axis; all other dimensions must match. */
export function concat(list: readonly TensorInput[], ...args: JoinArgs): Tensor {
  const { tensors, axis } = readJoin('concat', list, args);
  const first = tensors[0] as Tensor;
  const shapes = tensors.map((t) => fmtShape(t.shape)).join(', ');
  if (first.rank === 0) throw new ShapeError(`concat: cannot concatenate scalars (shapes ${shapes}); use stack`);
  const a = normalizeAxis('concat', axis, first.rank);
  tensors.forEach((t) => {
    const fits = t.rank === first.rank && t.shape.every((d, i) => i === a || d === first.shape[i]);
    if (!fits) throw new ShapeError(`concat: shapes ${shapes} must match in every dimension but axis ${a}`);
  });
  const outShape = [...first.shape];
  outShape[a] = tensors.reduce((n, t) => n + (t.shape[a] as number), 0);
  const { out, starts } = join(tensors, tensors.map((t) => [...t.shape]), a, outShape);
  return record(out, 'concat', tensors, composed((dy) =>
    tensors.map((t, i) => () => slice(dy, a, starts[i] as number, (starts[i] as number) + (t.shape[a] as number)))),
    [],
  );
}

/** Alias of concat (PyTorch's torch.cat). */
export const cat = concat;

/** Joins tensors of equal shapes along a new axis (in [-rank-1, rank]). */
export function stack(list: readonly TensorInput[], ...args: JoinArgs): Tensor {
  const { tensors, axis } = readJoin('stack', list, args);
  const first = tensors[0] as Tensor;
  if (!tensors.every((t) => sameShape(t.shape, first.shape))) {
    throw new ShapeError(`stack: shapes ${tensors.map((t) => fmtShape(t.shape)).join(', ')} must all be equal`);
  }
  const a = normalizeAxis('stack', axis, first.rank + 1);
  const partShape = [...first.shape.slice(0, a), 1, ...first.shape.slice(a)];
  const outShape = [...partShape];
  outShape[a] = tensors.length;
  const { out } = join(tensors, tensors.map(() => partShape), a, outShape);
  return record(out, 'stack', tensors, composed((dy) =>
    tensors.map((t, i) => () => reshape(slice(dy, a, i, i + 1), t.shape))),
    [],
  );
}
