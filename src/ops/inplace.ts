// In-place updates (PyTorch's trailing underscore): for optimizers and parameter
// initialisation. They write into the tensor's storage and are not recorded by autograd, so on
// a tensor that requires a gradient they are only allowed inside noGrad (as in PyTorch). Each
// bumps the storage's version, so that backward() refuses a graph that saved the old values.
import { isGradEnabled } from '../autograd/graph.js';
import { FingradError, ShapeError, fmtShape } from '../errors.js';
import { axpy, copy, fill, scale } from '../kernels/memory.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor, tensorCheck } from '../tensor/tensor.js';
import { is } from '../validate.js';

const TENSOR = tensorCheck();
const VALUE = is.number({ finite: false, nan: true });

function checkWritable(op: string, t: Tensor): void {
  TENSOR(t, `${op}: self`);
  t.assertLive(op);
  if (t.requiresGrad && isGradEnabled()) {
    throw new FingradError(`${op}: tensor #${t.id} ${fmtShape(t.shape)} requires a gradient; update it inside noGrad(() => …)`);
  }
}

function checkSameShape(op: string, t: Tensor, src: Tensor): void {
  TENSOR(src, `${op}: src`);
  src.assertLive(op);
  if (!sameShape(t.shape, src.shape)) {
    throw new ShapeError(`${op}: shapes ${fmtShape(t.shape)} and ${fmtShape(src.shape)} differ`);
  }
}

/** t += alpha · other (same shape). Returns t. */
export function addScaled_(t: Tensor, other: Tensor, alpha = 1): Tensor {
  checkWritable('addScaled_', t);
  checkSameShape('addScaled_', t, other);
  axpy(other, t, VALUE(alpha, 'addScaled_: alpha'));
  t.bumpVersion('addScaled_');
  return t;
}

/** t ·= s. Returns t. */
export function mulScalar_(t: Tensor, s: number): Tensor {
  checkWritable('mulScalar_', t);
  scale(t, t, VALUE(s, 'mulScalar_: value'));
  t.bumpVersion('mulScalar_');
  return t;
}

/** t := src (same shape). Returns t. */
export function copy_(t: Tensor, src: Tensor): Tensor {
  checkWritable('copy_', t);
  checkSameShape('copy_', t, src);
  copy(src, t);
  t.bumpVersion('copy_');
  return t;
}

/** Every element := value. Returns t. */
export function fill_(t: Tensor, value: number): Tensor {
  checkWritable('fill_', t);
  fill(t, VALUE(value, 'fill_: value'));
  t.bumpVersion('fill_');
  return t;
}
