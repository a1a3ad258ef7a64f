// Adapter between fingrad tensors and the `ndarray` package. Kept out of the core entry point:
// ndarray builds its classes with `new Function`, which a strict Content-Security-Policy
// forbids, so browsers that load only 'fingrad' never evaluate it.
// For the same reason there is no `Tensor.toNdarray()` method: the core cannot import this.
import ndarray from 'ndarray';
import { ValueError } from '../errors.js';
import { type TensorOptions, fromValues } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';

/** Any numeric ndarray (typed-array, plain-array or generic storage). */
export type NumericNdArray = ndarray.NdArray<ndarray.Data<number>>;

function readAt(data: ndarray.Data<number>, i: number): number {
  const generic = data as ndarray.GenericArray<number>;
  return typeof generic.get === 'function' ? generic.get(i) : (data as ArrayLike<number>)[i] as number;
}

/**
 * Copies an ndarray (any strides, offset or storage type) into a new float32 tensor of the same
 * shape. NaN/Infinity are rejected unless `allowNonFinite` is set, as for `tensor()`.
 */
export function fromNdarray(nd: NumericNdArray, options: TensorOptions = {}): Tensor {
  const shape = [...nd.shape];
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = nd.offset;
  for (let k = 0; k < size; k++) {
    const v = readAt(nd.data, src);
    if (typeof v !== 'number') throw new ValueError(`fromNdarray: element ${k} is ${typeof v}, not a number`);
    values[k] = v;
    // odometer over the multi-index; src follows the ndarray's strides
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      src += nd.stride[d] as number;
      if ((idx[d] as number) < (shape[d] as number)) break;
      src -= (nd.stride[d] as number) * (shape[d] as number);
      idx[d] = 0;
    }
  }
  return fromValues('fromNdarray', values, shape, options);
}

/** Copies a tensor into a new row-major float32 ndarray. */
export function toNdarray(t: Tensor): ndarray.NdArray<Float32Array> {
  t.assertLive('toNdarray');
  return ndarray(t.toFloat32Array(), [...t.shape]);
}
