import { heap } from '../backend/wasm.js';
import { DisposedError, ShapeError, fmtShape } from '../errors.js';
import { chargeAllocation, noteAllocation } from './budget.js';
import { trackInScope, untrackFromScope } from './scope.js';
import { sizeOf } from './shape.js';

/**
 * A block of float32s in linear memory, shared by a tensor and its views (`reshape` and the
 * like), freed when the last of them lets go.
 */
export class Storage {
  refs = 1;
  /**
   * Bumped by every in-place write (PyTorch's `_version`, shared by all views of the storage):
   * backward compares it with the version an op saved to catch stale saved tensors.
   */
  version = 0;
  /** The in-place op that last bumped `version`, for error messages. */
  lastWriter = '';
  constructor(
    readonly ptr: number,
    readonly bytes: number,
  ) {}

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0) heap().release(this.ptr, this.bytes);
  }
}

/** What autograd recorded about how a tensor was made. */
export interface GradNode {
  /** The op's name, as printed in errors and graph dumps. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /**
   * Given the gradient of the output, returns one thunk per input (null where the input takes
   * no gradient); only the thunks of inputs that require a gradient are called.
   */
  readonly backward: (dy: Tensor) => ReadonlyArray<(() => Tensor) | null>;
  /**
   * Whether `backward`, run with recording on, records the graph of the gradients it returns
   * (a rule marked with `composed`), so that `backward(…, {createGraph: true})` may go through it.
   */
  readonly differentiable?: boolean;
  /** The tensors `backward` reads, with their storage versions when the op ran. */
  readonly saved?: ReadonlyArray<{ readonly tensor: Tensor; readonly version: number }>;
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
  node: GradNode | null = null;
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
}

/** A number, or arbitrarily nested arrays of numbers. */
export type NestedArray = number | NestedArray[];
