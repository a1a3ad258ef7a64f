// Tensor creation: from host data (tensor), constant fills (zeros, ones, full, eye), ranges
// (arange) and random draws (rand, randn, uniform). Sizes are taken as torch takes them: a list
// (`zeros([2, 3])`) or one integer per dimension (`zeros(2, 3)`), then an options object.
import { fill } from '../kernels/memory.js';
import { randNormal, randUniform } from '../kernels/random.js';
import { ArgumentError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { type Args, type SizeArgs, describe, is, readArgs, readOptions, readSizes } from '../validate.js';
import { Generator, defaultGenerator } from './random.js';
import { checkShape, sizeOf, stridesOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

/** Typed arrays accepted as tensor data. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array;

export interface TensorOptions {
  /** Track gradients for this tensor (a leaf). Default false. */
  requiresGrad?: boolean;
  /** Accept NaN and ±Infinity in the data. Default false: they throw a ValueError. */
  allowNonFinite?: boolean;
}

const TENSOR_OPTIONS = { requiresGrad: is.boolean, allowNonFinite: is.boolean };

// 2³⁰ float32s fill the 4 GiB that 32-bit WebAssembly can address.
const MAX_ELEMENTS = 2 ** 30;

const SHAPE = is.list(is.int({ min: 0 }));

/** Reads `SizeArgs` into the shape (checked as `checkedShape` does) and the arguments after it. */
function readSize(op: string, args: readonly unknown[]): { shape: number[]; rest: unknown[] } {
  const read = readSizes(op, args);
  return { shape: checkedShape(op, read.sizes), rest: read.rest };
}

// A list with a bad size is a ShapeError (as before this contract); anything else an ArgumentError.
function checkedShape(op: string, shape: unknown): number[] {
  let dims: number[];
  try {
    dims = SHAPE(shape, `${op}: shape`);
  } catch (e) {
    if (e instanceof ArgumentError && Array.isArray(shape)) throw new ShapeError(e.message);
    throw e;
  }
  if (sizeOf(dims) > MAX_ELEMENTS) throw new ShapeError(`${op}: shape ${fmtShape(dims)} has ${sizeOf(dims)} elements, more than the ${MAX_ELEMENTS} that fit in WebAssembly memory`);
  return dims;
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0] as NestedArray;
  }
  return shape;
}

function flatten(data: NestedArray, shape: number[], out: Float32Array): void {
  let k = 0;
  const walk = (v: NestedArray, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') {
        if (!Array.isArray(v)) throw new ArgumentError(`tensor: data must hold numbers only; the element at [${path.join(', ')}] is ${describe(v)}`, 'tensor', 'data');
        throw new ShapeError(`tensor: ragged nested array: element at [${path.join(', ')}] is not a number (shape ${fmtShape(shape)} inferred from the first elements)`);
      }
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      const len = Array.isArray(v) ? v.length : 'a number';
      throw new ShapeError(`tensor: ragged nested array: at [${path.join(', ')}] expected ${shape[dim]} elements, got ${len}`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i] as NestedArray, dim + 1, [...path, i]);
  };
  walk(data, 0, []);
}

function checkFinite(op: string, values: Float32Array, shape: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      const strides = stridesOf(shape);
      const index = strides.map((s, d) => Math.floor(i / s) % (shape[d] as number));
      throw new ValueError(
        `${op}: input has ${v} at index [${index.join(', ')}] of shape ${fmtShape(shape)}; pass {allowNonFinite: true} to accept it`,
      );
    }
  }
}

/** Copies host values into a new tensor. */
export function fromValues(op: string, values: Float32Array, shape: readonly number[], options: TensorOptions = {}): Tensor {
  is.string(op, 'fromValues: op');
  if (!(values instanceof Float32Array)) throw new ArgumentError(`fromValues: values must be a Float32Array, got ${describe(values)}`, 'fromValues', 'values');
  const o = readOptions(op, options, TENSOR_OPTIONS);
  checkShape(op, checkedShape(op, shape));
  if (values.length !== sizeOf(shape)) {
    throw new ShapeError(`${op}: ${values.length} values do not fill shape ${fmtShape(shape)} (${sizeOf(shape)} elements)`);
  }
  if (o.allowNonFinite !== true) checkFinite(op, values, shape);
  const t = Tensor.empty(shape);
  t.data.set(values);
  t.requiresGrad = o.requiresGrad ?? false;
  return t;
}

/** `tensor(data, shape, options)`, or `tensor(data, {requiresGrad})` as torch.tensor's keywords. */
export type TensorArgs = Args<[shape: readonly number[] | undefined], TensorOptions & { shape?: readonly number[] }>;

const TENSOR_ARGS = { shape: SHAPE, ...TENSOR_OPTIONS };

/**
 * Makes a tensor from a number, nested arrays, or a typed array (with an optional shape;
 * default 1-D). Values are converted to float32.
 */
export function tensor(data: NestedArray | TypedArray | readonly number[], ...args: TensorArgs): Tensor {
  const { shape, ...options } = readArgs('tensor', args, ['shape'], TENSOR_ARGS);
  let values: Float32Array;
  let dims: number[];
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView || data instanceof BigInt64Array || data instanceof BigUint64Array) {
      throw new ArgumentError(`tensor: data must be a number, nested arrays or a typed array of numbers, got ${describe(data)}`, 'tensor', 'data');
    }
    values = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    dims = shape ? [...shape] : [values.length];
  } else if (typeof data === 'number' || Array.isArray(data)) {
    const nested = data as NestedArray;
    dims = inferShape(nested);
    if (sizeOf(dims) > MAX_ELEMENTS) throw new ShapeError(`tensor: data of shape ${fmtShape(dims)} does not fit in WebAssembly memory`);
    values = new Float32Array(sizeOf(dims));
    flatten(nested, dims, values);
    if (shape) {
      if (sizeOf(shape) !== values.length) {
        throw new ShapeError(`tensor: data of shape ${fmtShape(dims)} does not fit shape ${fmtShape(shape)}`);
      }
      dims = [...shape];
    }
  } else {
    throw new ArgumentError(`tensor: data must be a number, nested arrays or a typed array, got ${describe(data)}`, 'tensor', 'data');
  }
  return fromValues('tensor', values, dims, options);
}

/** `full(shape, value, options)` (torch.full's order; the shape is a list; the value may be ±Infinity or NaN, as torch.full's). */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  const dims = checkedShape('full', shape);
  const v = is.number({ finite: false, nan: true })(value, 'full: value');
  const o = readOptions('full', options, TENSOR_OPTIONS);
  const t = Tensor.empty(dims);
  fill(t, v);
  t.requiresGrad = o.requiresGrad ?? false;
  return t;
}

/** Zeros of the given shape: `zeros([2, 3])` or `zeros(2, 3)`, then options. */
export function zeros(...args: SizeArgs<TensorOptions>): Tensor {
  const { shape, rest } = readSize('zeros', args);
  return full(shape, 0, readArgs('zeros', rest, [], TENSOR_OPTIONS));
}

/** Ones of the given shape: `ones([2, 3])` or `ones(2, 3)`, then options. */
export function ones(...args: SizeArgs<TensorOptions>): Tensor {
  const { shape, rest } = readSize('ones', args);
  return full(shape, 1, readArgs('ones', rest, [], TENSOR_OPTIONS));
}

/** Zeros of t's shape. */
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  if (!(t instanceof Tensor)) throw new ArgumentError(`zerosLike: input must be a Tensor, got ${describe(t)}`, 'zerosLike', 'input');
  t.assertLive('zerosLike');
  return full(t.shape, 0, readOptions('zerosLike', options, TENSOR_OPTIONS));
}

/** Ones of t's shape. */
export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  if (!(t instanceof Tensor)) throw new ArgumentError(`onesLike: input must be a Tensor, got ${describe(t)}`, 'onesLike', 'input');
  t.assertLive('onesLike');
  return full(t.shape, 1, readOptions('onesLike', options, TENSOR_OPTIONS));
}

export interface ArangeOptions extends TensorOptions {
  start?: number;
  end?: number;
  step?: number;
}

/** torch.arange's forms: `arange(end)`, `arange(start, end)`, `arange(start, end, step)`, then options. */
export type ArangeArgs = Args<[start: number, end: number | undefined, step: number | undefined], ArangeOptions>;

const ARANGE = { start: is.number(), end: is.number(), step: is.number(), ...TENSOR_OPTIONS };

/** Values from `start` (inclusive) to `end` (exclusive) by `step`, like `torch.arange`. */
export function arange(...args: ArangeArgs): Tensor {
  const { start, end, step = 1, ...options } = readArgs('arange', args, ['start', 'end', 'step'], ARANGE);
  if (start === undefined) throw new ArgumentError('arange: end (or start and end) is required', 'arange', 'end');
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (step === 0) throw new ValueError(`arange: step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  if (n > MAX_ELEMENTS) throw new ValueError(`arange: ${lo} to ${hi} by ${step} makes ${n} elements, more than the ${MAX_ELEMENTS} that fit in WebAssembly memory`);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = lo + i * step;
  return fromValues('arange', values, [n], options);
}

export interface EyeOptions extends TensorOptions {
  n?: number;
  m?: number;
}

const EYE = { n: is.int({ min: 0 }), m: is.int({ min: 0 }), ...TENSOR_OPTIONS };

/** The identity matrix (n × m, m defaults to n), like torch.eye(n, m). */
export function eye(...args: Args<[n: number, m: number | undefined], EyeOptions>): Tensor {
  const { n, m = n, ...options } = readArgs('eye', args, ['n', 'm'], EYE);
  if (n === undefined || m === undefined) throw new ArgumentError('eye: n (the number of rows) is required', 'eye', 'n');
  const t = full(checkedShape('eye', [n, m]), 0, options);
  const d = t.data;
  for (let i = 0; i < Math.min(n, m); i++) d[i * m + i] = 1;
  return t;
}

export interface RandomOptions extends TensorOptions {
  /** The stream to draw from; the default generator (see `manualSeed`) otherwise. */
  generator?: Generator;
}

const RANDOM = { ...TENSOR_OPTIONS, generator: is.instance(Generator, 'a Generator') };

export interface UniformOptions extends RandomOptions {
  low?: number;
  high?: number;
}

const UNIFORM = { low: is.number(), high: is.number(), ...RANDOM };

/** Uniform on [low, high): `uniform(shape, low, high, options)`. */
export function uniform(shape: readonly number[], ...args: Args<[low: number | undefined, high: number | undefined], UniformOptions>): Tensor {
  const dims = checkedShape('uniform', shape);
  const { low = 0, high = 1, ...options } = readArgs('uniform', args, ['low', 'high'], UNIFORM);
  if (!(low <= high)) throw new ValueError(`uniform: low (${low}) must not exceed high (${high})`);
  const t = Tensor.empty(dims);
  const gen = options.generator ?? defaultGenerator;
  randUniform(gen.ptr, t, low, high);
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

/** Uniform on [0, 1): `rand([2, 3])` or `rand(2, 3)`, then options. */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const { shape, rest } = readSize('rand', args);
  return uniform(shape, 0, 1, readArgs('rand', rest, [], RANDOM));
}

export interface RandnOptions extends RandomOptions {
  mean?: number;
  std?: number;
}

const RANDN = { mean: is.number(), std: is.number({ min: 0 }), ...RANDOM };

/** Normal with the given mean and standard deviation (default standard normal): `randn([2, 3])` or `randn(2, 3)`, then options. */
export function randn(...args: SizeArgs<RandnOptions>): Tensor {
  const { shape, rest } = readSize('randn', args);
  const options = readArgs('randn', rest, [], RANDN);
  const t = Tensor.empty(shape);
  const gen = options.generator ?? defaultGenerator;
  randNormal(gen.ptr, t, options.mean ?? 0, options.std ?? 1);
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}
