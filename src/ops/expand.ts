// expand: broadcasting materialised as a copy (stride-0 reads in the strided kernel); the
// gradient sums back over the broadcast dimensions.
// Kernel: assembly/strided.ts. Reference twin: src/reference/shape.ts.
import { composed, record } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type SizeArgs, is, readArgs, readSizes } from '../validate.js';
import { sumToShape } from './broadcast.js';
import { stridedRead } from '../kernels/strided.js';

/**
 * x broadcast to `shape` (PyTorch's expand): size-1 dimensions repeat, new dimensions may be
 * added in front, and -1 keeps a dimension's size. Unlike PyTorch the result is a copy.
 */
export function expand(input: TensorInput, ...sizes: SizeArgs<never>): Tensor {
  const x = toTensor('expand', 'input', input);
  const { sizes: shape, rest } = readSizes('expand', sizes, is.int({ min: -1 }));
  readArgs('expand', rest, [], {});
  const fail = (why: string): ShapeError => new ShapeError(`expand: cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)}: ${why}`);
  const lead = shape.length - x.rank;
  if (lead < 0) throw fail(`the target has fewer dimensions (${shape.length}) than the input (${x.rank})`);
  const xStrides = stridesOf(x.shape);
  const outShape: number[] = [];
  const strides: number[] = [];
  shape.forEach((want, i) => {
    const have = i < lead ? null : (x.shape[i - lead] as number);
    if (want === -1) {
      if (have === null) throw fail(`-1 is not allowed for the new leading dimension ${i}`);
      outShape.push(have);
      strides.push(xStrides[i - lead] as number);
      return;
    }
    if (!Number.isInteger(want) || want < 0) throw fail(`invalid size ${want}`);
    if (have !== null && have !== want && have !== 1) throw fail(`dimension ${i} has size ${have}, which is not 1 and not ${want}`);
    outShape.push(want);
    strides.push(have === null || have !== want ? 0 : (xStrides[i - lead] as number));
  });
  const out = stridedRead(x, outShape, strides);
  return record(out, 'expand', [x], composed((dy) => [() => sumToShape(dy, x.shape)]), []);
}
