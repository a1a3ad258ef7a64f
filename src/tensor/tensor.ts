// The methods at the end of the class delegate to the op functions, whose modules import this
// one back: an import cycle that ES modules allow as long as no module in it touches `Tensor`
// while it is being evaluated (only inside functions); test/tensor/methods.test.ts loads the
// entry points one by one in fresh processes to hold that.
import { heap } from '../backend/wasm.js';
import { DisposedError, ShapeError, fmtShape } from '../errors.js';
import { type BackwardOptions, backward } from '../autograd/backward.js';
import * as argmax from '../ops/argmax.js';
import * as binary from '../ops/binary.js';
import * as compare from '../ops/compare.js';
import * as conv from '../ops/conv.js';
import * as expand from '../ops/expand.js';
import * as gather from '../ops/gather.js';
import * as inplace from '../ops/inplace.js';
import * as matmul from '../ops/matmul.js';
import * as norm from '../ops/norm.js';
import * as pool from '../ops/pool.js';
import * as reduce from '../ops/reduce.js';
import * as reshape from '../ops/reshape.js';
import * as slice from '../ops/slice.js';
import * as softmax from '../ops/softmax.js';
import * as split from '../ops/split.js';
import * as statistics from '../ops/statistics.js';
import * as transpose from '../ops/transpose.js';
import * as unary from '../ops/unary.js';
import * as where from '../ops/where.js';
import { type Check, type SizeArgs, is } from '../validate.js';
import { chargeAllocation, noteAllocation } from './budget.js';
import type { TensorInput } from './promote.js';
import type { IndexList } from '../kernels/strided.js';
import { trackInScope, untrackFromScope } from './scope.js';
import { sizeOf } from './shape.js';
import { Storage } from './storage.js';

export { Storage };

/** One thunk per input (null where the input takes no gradient); only the thunks of inputs that require a gradient are called. */
export type GradThunks = ReadonlyArray<(() => Tensor) | null>;

interface NodeBase {
  /** The op's name, as printed in errors and graph dumps. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /**
   * Whether `backward`, run with recording on, records the graph of the gradients it returns
   * (a rule marked with `composed`), so that `backward(…, {createGraph: true})` may go through it.
   */
  readonly differentiable?: boolean;
  /** The tensors `backward` reads, with their storage versions when the op ran. */
  readonly saved?: ReadonlyArray<{ readonly tensor: Tensor; readonly version: number }>;
}

/** What autograd recorded about how a tensor was made (by an op with one output). */
export interface GradNode extends NodeBase {
  readonly outputs?: undefined;
  /**
   * Given the gradient of the output, returns the input thunks. `wanted` (from the backward
   * pass) says which thunks it will call, in input order, so that a rule may compute two
   * gradients together.
   */
  readonly backward: (dy: Tensor, wanted?: readonly boolean[]) => GradThunks;
}

/**
 * One op that made several tensors at once (an LSTM layer's sequence and final states, the
 * parts of `split`): every output's `node` is this one object. `backward()` runs it once, after
 * the gradients of all its outputs are in.
 */
export interface MultiOutputNode extends NodeBase {
  /** The outputs, in order. */
  readonly outputs: readonly Tensor[];
  /** Given the gradient of each output (null for one that got none), returns the input thunks. */
  readonly backward: (dys: ReadonlyArray<Tensor | null>) => GradThunks;
}

/** Called with the gradient flowing into a tensor; may return a replacement gradient. */
export type GradHook = (grad: Tensor) => Tensor | void;

// Frees storage of tensors the program dropped without dispose(): a safety net, not the plan.
const finalizer =
  typeof FinalizationRegistry === 'undefined'
    ? null
    : new FinalizationRegistry<Storage>((storage) => {
        stats.liveTensors--;
        storage.release();
      });

const stats = { liveTensors: 0 };
let nextId = 1;

/** Live tensors (created and not yet disposed or collected). */
export function liveTensorCount(): number {
  return stats.liveTensors;
}

/** A float32 tensor whose contiguous, row-major storage lives in WASM linear memory. */
export class Tensor {
  /** A number unique to this tensor within the process, for graph dumps and messages. */
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly size: number;
  /** Whether autograd computes a gradient for this tensor. */
  requiresGrad: boolean;
  /** The accumulated gradient (leaves, and tensors that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** How this tensor was made, or null for a leaf. */
  node: GradNode | MultiOutputNode | null = null;
  /** An optional label used by graph dumps and error messages. */
  name: string | undefined = undefined;
  /** Hooks run on the gradient flowing into this tensor during `backward()`. */
  readonly hooks: GradHook[] = [];
  /** Keep `.grad` on a non-leaf tensor too. */
  retainsGrad = false;
  private storage: Storage | null;

  /** @internal Use the creation functions (`tensor`, `zeros`, …) instead. */
  constructor(shape: readonly number[], storage: Storage, requiresGrad = false) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.storage = storage;
    this.requiresGrad = requiresGrad;
    stats.liveTensors++;
    finalizer?.register(this, storage, this);
    trackInScope(this);
  }

  /** Allocates an uninitialised tensor. */
  static empty(shape: readonly number[]): Tensor {
    const bytes = Math.max(4, sizeOf(shape) * 4);
    chargeAllocation(bytes);
    const t = new Tensor(shape, new Storage(heap().alloc(bytes), bytes));
    noteAllocation(t);
    return t;
  }

  /** A tensor of another shape over the same storage (the sizes must match). */
  static view(base: Tensor, shape: readonly number[]): Tensor {
    const storage = base.liveStorage('view');
    storage.retain();
    return new Tensor(shape, storage);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.storage === null;
  }

  /** True for a tensor that autograd did not make (a parameter or an input). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** @internal Whether no other live tensor (a view) shares this tensor's storage. */
  get ownsStorage(): boolean {
    return this.liveStorage('ownsStorage').refs === 1;
  }

  /** Number of in-place writes to this tensor's storage so far (through any view). */
  get version(): number {
    return this.liveStorage('version').version;
  }

  /** @internal Called by every in-place op after it writes (`op` is its name). */
  bumpVersion(op: string): void {
    const storage = this.liveStorage(op);
    storage.version++;
    storage.lastWriter = op;
  }

  /** @internal The in-place op that last wrote this tensor's storage ('' if none). */
  get lastWriter(): string {
    return this.liveStorage('lastWriter').lastWriter;
  }

  /** Byte address of the first element in linear memory (for kernels). */
  get ptr(): number {
    return this.liveStorage('read').ptr;
  }

  /** Throws a DisposedError naming `op` if this tensor was disposed. */
  assertLive(op: string): void {
    if (this.storage === null) {
      throw new DisposedError(`${op}: tensor #${this.id} ${fmtShape(this.shape)}${this.name ? ` '${this.name}'` : ''} was disposed`);
    }
  }

  private liveStorage(op: string): Storage {
    this.assertLive(op);
    return this.storage as Storage;
  }

  /** A live view of the elements (valid until the next allocation: copy what you keep). */
  get data(): Float32Array {
    const p = this.ptr >>> 2;
    return heap().f32.subarray(p, p + this.size);
  }

  /** A copy of the elements. */
  toFloat32Array(): Float32Array {
    return this.data.slice();
  }

  /** The elements as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const flat = this.data;
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return flat[offset] as number;
      const n = this.shape[dim] as number;
      let stride = 1;
      for (let d = dim + 1; d < this.shape.length; d++) stride *= this.shape[d] as number;
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** The single element of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
    }
    return this.data[0] as number;
  }

  /** Frees the storage now (views keep it alive) and this tensor's gradient. */
  dispose(): void {
    if (this.storage === null) return;
    finalizer?.unregister(this);
    stats.liveTensors--;
    this.storage.release();
    this.storage = null;
    this.node = null;
    untrackFromScope(this);
    if (this.grad !== null) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  /** Keeps `.grad` for this non-leaf tensor after `backward()`. Returns this. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Adds a hook run on the gradient flowing into this tensor; returns a remover. */
  registerHook(hook: GradHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** Sets `requiresGrad` (on a leaf) and returns this. */
  requiresGrad_(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }

  toString(): string {
    if (this.storage === null) return `Tensor(#${this.id}, shape=${fmtShape(this.shape)}, disposed)`;
    const shown = this.size <= 20 ? JSON.stringify(this.toArray()) : `[${Array.from(this.data.subarray(0, 6)).join(', ')}, …]`;
    return `Tensor(${shown}, shape=${fmtShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // Autograd.
  /** Back-propagates from this tensor (see `backward`): `backward()`, `backward(grad)`, `backward({createGraph: true})`. */
  backward(grad?: TensorInput | null, options?: BackwardOptions): void;
  backward(options: BackwardOptions): void;
  backward(grad: TensorInput | null | undefined, retainGraph?: boolean, createGraph?: boolean, inputs?: readonly Tensor[]): void;
  backward(...rest: unknown[]): void { (backward as (root: Tensor, ...args: unknown[]) => void)(this, ...rest); }
  /** The same values with no graph behind them (shares storage). */
  detach(): Tensor { return Tensor.view(this, this.shape); }
  /** Drops the accumulated gradient. */
  zeroGrad(): void {
    if (this.grad !== null) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  // Elementwise arithmetic and comparison (src/ops/binary.ts, compare.ts, where.ts).
  add(b: TensorInput, ...args: binary.AddArgs): Tensor { return binary.add(this, b, ...args); }
  sub(b: TensorInput, ...args: binary.AddArgs): Tensor { return binary.sub(this, b, ...args); }
  mul(b: TensorInput): Tensor { return binary.mul(this, b); }
  div(b: TensorInput): Tensor { return binary.div(this, b); }
  neg(): Tensor { return binary.neg(this); }
  maximum(b: TensorInput): Tensor { return binary.maximum(this, b); }
  minimum(b: TensorInput): Tensor { return binary.minimum(this, b); }
  eq(b: TensorInput): Tensor { return compare.eq(this, b); }
  ne(b: TensorInput): Tensor { return compare.ne(this, b); }
  lt(b: TensorInput): Tensor { return compare.lt(this, b); }
  le(b: TensorInput): Tensor { return compare.le(this, b); }
  gt(b: TensorInput): Tensor { return compare.gt(this, b); }
  ge(b: TensorInput): Tensor { return compare.ge(this, b); }
  /** `this` where `cond` is nonzero, `other` elsewhere (PyTorch's `x.where(cond, y)`). */
  where(cond: TensorInput, other: TensorInput): Tensor { return where.where(cond, this, other); }

  // Unary functions (src/ops/unary.ts).
  exp(): Tensor { return unary.exp(this); }
  log(): Tensor { return unary.log(this); }
  sqrt(): Tensor { return unary.sqrt(this); }
  rsqrt(): Tensor { return unary.rsqrt(this); }
  abs(): Tensor { return unary.abs(this); }
  square(): Tensor { return unary.square(this); }
  tanh(): Tensor { return unary.tanh(this); }
  sigmoid(): Tensor { return unary.sigmoid(this); }
  relu(): Tensor { return unary.relu(this); }
  leakyRelu(...args: unary.LeakyReluArgs): Tensor { return unary.leakyRelu(this, ...args); }
  softplus(...args: unary.SoftplusArgs): Tensor { return unary.softplus(this, ...args); }
  clamp(...args: unary.ClampArgs): Tensor { return unary.clamp(this, ...args); }
  pow(exponent: TensorInput): Tensor { return unary.pow(this, exponent); }

  // In place (src/ops/inplace.ts).
  addScaled_(other: Tensor, alpha?: number): Tensor { return inplace.addScaled_(this, other, alpha); }
  mulScalar_(s: number): Tensor { return inplace.mulScalar_(this, s); }
  copy_(src: Tensor): Tensor { return inplace.copy_(this, src); }
  fill_(value: number): Tensor { return inplace.fill_(this, value); }

  // Reductions (src/ops/reduce.ts, argmax.ts).
  sum(...args: reduce.ReduceArgs): Tensor { return reduce.sum(this, ...args); }
  mean(...args: reduce.ReduceArgs): Tensor { return reduce.mean(this, ...args); }
  /** Along one dim, the values and their indices (`const [values, indices] = x.max(1)`); else the largest values (as amax). */
  max(...args: argmax.DimArgs): argmax.ValuesIndices;
  max(...args: reduce.ReduceArgs): Tensor;
  max(...args: unknown[]): Tensor | argmax.ValuesIndices { return argmax.max(this, ...(args as reduce.ReduceArgs)); }
  /** As `max`, the smallest. */
  min(...args: argmax.DimArgs): argmax.ValuesIndices;
  min(...args: reduce.ReduceArgs): Tensor;
  min(...args: unknown[]): Tensor | argmax.ValuesIndices { return argmax.min(this, ...(args as reduce.ReduceArgs)); }
  amax(...args: reduce.ReduceArgs): Tensor { return reduce.amax(this, ...args); }
  amin(...args: reduce.ReduceArgs): Tensor { return reduce.amin(this, ...args); }
  /** Sorted values and their indices along `dim` (default −1): `const [values, indices] = x.sort(0, true)`. */
  sort(options?: statistics.SortOptions): argmax.ValuesIndices;
  sort(dim: number, descending?: boolean, options?: statistics.SortOptions): argmax.ValuesIndices;
  sort(...args: unknown[]): argmax.ValuesIndices { return (statistics.sort as (x: Tensor, ...a: unknown[]) => argmax.ValuesIndices)(this, ...args); }
  /** The k largest (or smallest) values and their indices along `dim` (default −1). */
  topk(k: number, options?: statistics.TopkOptions): argmax.ValuesIndices;
  topk(k: number, dim: number, largest?: boolean, sorted?: boolean, options?: statistics.TopkOptions): argmax.ValuesIndices;
  topk(k: number, ...args: unknown[]): argmax.ValuesIndices { return (statistics.topk as (x: Tensor, k: number, ...a: unknown[]) => argmax.ValuesIndices)(this, k, ...args); }
  argmax(...args: argmax.ArgArgs): Tensor { return argmax.argmax(this, ...args); }
  argmin(...args: argmax.ArgArgs): Tensor { return argmax.argmin(this, ...args); }

  // Shapes and indexing (src/ops/reshape.ts, expand.ts, transpose.ts, slice.ts, gather.ts).
  reshape(...shape: SizeArgs<never>): Tensor { return reshape.reshape(this, ...shape); }
  flatten(...args: reshape.FlattenArgs): Tensor { return reshape.flatten(this, ...args); }
  squeeze(...args: reshape.SqueezeArgs): Tensor { return reshape.squeeze(this, ...args); }
  unsqueeze(...args: reshape.UnsqueezeArgs): Tensor { return reshape.unsqueeze(this, ...args); }
  expand(...sizes: SizeArgs<never>): Tensor { return expand.expand(this, ...sizes); }
  permute(...dims: SizeArgs<never>): Tensor { return transpose.permute(this, ...dims); }
  transpose(...args: transpose.TransposeArgs): Tensor { return transpose.transpose(this, ...args); }
  /** The transpose of a matrix; for other ranks all dimensions reversed (as in PyTorch). */
  get T(): Tensor { return transpose.permute(this, Array.from({ length: this.rank }, (_, i) => this.rank - 1 - i)); }
  slice(axis: number, ...args: slice.SliceArgs): Tensor;
  slice(ranges: readonly slice.SliceRange[]): Tensor;
  slice(axisOrRanges: number | readonly slice.SliceRange[], ...args: slice.SliceArgs): Tensor {
    return (slice.slice as (x: Tensor, a: unknown, ...rest: unknown[]) => Tensor)(this, axisOrRanges, ...args);
  }
  select(...args: slice.SelectArgs): Tensor { return slice.select(this, ...args); }
  split(splitSize: number | readonly number[], ...args: split.SplitArgs): Tensor[] { return split.split(this, splitSize, ...args); }
  chunk(chunks: number, ...args: split.SplitArgs): Tensor[] { return split.chunk(this, chunks, ...args); }
  indexSelect(...args: gather.IndexArgs<IndexList>): Tensor { return gather.indexSelect(this, ...args); }
  gather(...args: gather.IndexArgs<TensorInput>): Tensor { return gather.gather(this, ...args); }

  // Layers' ops (src/ops/matmul.ts, softmax.ts, conv.ts, pool.ts, norm.ts).
  matmul(b: TensorInput): Tensor { return matmul.matmul(this, b); }
  softmax(...args: softmax.SoftmaxArgs): Tensor { return softmax.softmax(this, ...args); }
  logSoftmax(...args: softmax.SoftmaxArgs): Tensor { return softmax.logSoftmax(this, ...args); }
  conv2d(weight: TensorInput, ...args: conv.Conv2dArgs): Tensor { return conv.conv2d(this, weight, ...args); }
  conv1d(weight: TensorInput, ...args: conv.Conv1dArgs): Tensor { return conv.conv1d(this, weight, ...args); }
  maxPool2d(...args: pool.MaxPool2dArgs): Tensor { return pool.maxPool2d(this, ...args); }
  avgPool2d(...args: pool.AvgPool2dArgs): Tensor { return pool.avgPool2d(this, ...args); }
  maxPool1d(...args: pool.MaxPool1dArgs): Tensor { return pool.maxPool1d(this, ...args); }
  avgPool1d(...args: pool.AvgPool1dArgs): Tensor { return pool.avgPool1d(this, ...args); }
  batchNorm(runningMean: Tensor | null, runningVar: Tensor | null, ...args: norm.BatchNormArgs): Tensor { return norm.batchNorm(this, runningMean, runningVar, ...args); }
  layerNorm(normalizedShape: norm.NormalizedShape, ...args: norm.LayerNormArgs): Tensor { return norm.layerNorm(this, normalizedShape, ...args); }
}

/**
 * `is.instance(Tensor, want)` for modules in this one's import cycle (see the header): a
 * function declaration, so it may be called while they load, before `Tensor` exists.
 */
export function tensorCheck(want = 'a Tensor'): Check<Tensor> {
  return (v, where) => (v instanceof Tensor ? v : is.instance(Tensor, want)(v, where));
}

/** A number, or arbitrarily nested arrays of numbers. */
export type NestedArray = number | NestedArray[];
