// DataLoader (torch.utils.data.DataLoader's role, for data that may not fit in memory): batches
// of tensors from an in-memory Dataset (shuffled by a full permutation) or from a stream of row
// chunks (shuffled through a fixed-size buffer, as tf.data's shuffle does: each incoming row
// takes the place of a random row of the buffer, which is emitted). Seeded: same seed, same
// source → same batches; each iteration is one epoch and reshuffles (seed and epoch number
// pick the order, as DistributedSampler.set_epoch does). Memory holds the buffer and one batch.
import { ValueError } from '../errors.js';
import { indexSelect } from '../ops/gather.js';
import { slice } from '../ops/slice.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, readOptions } from '../validate.js';
import { dataRng, permutation } from './rng.js';

/** Rows in memory: x [n, …] and y [n, …] (the shape `fit` takes). */
export interface Dataset {
  x: Tensor;
  y: Tensor;
}

/** A chunk of rows as plain arrays: `x` holds rows × features values (row-major), `y` rows × targets; batches come out as x [b, features], y [b, targets]. */
export interface RowChunk {
  x: Float32Array;
  y: Float32Array;
  rows: number;
}

/** A source of row chunks read afresh for every epoch (a function, so that each epoch can reopen the file). */
export type IterableDataset = () => AsyncIterable<RowChunk>;

/** A batch; its tensors belong to whoever iterates (fitStream disposes them after the step). */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

export interface DataLoaderOptions {
  /** Rows per batch (default 32). */
  batchSize?: number;
  /** Shuffle rows each epoch (default false, as PyTorch). */
  shuffle?: boolean;
  /** Rows held by the shuffling buffer of a streamed source (default 10000); more mixes better and costs memory. */
  bufferSize?: number;
  /** Drop a last batch shorter than batchSize (default false). */
  dropLast?: boolean;
  /** Seeds the shuffle (default 0). */
  seed?: number;
}

const spec = { batchSize: is.int({ min: 1 }), shuffle: is.boolean, bufferSize: is.int({ min: 1 }), dropLast: is.boolean, seed: is.int() } as const;

export class DataLoader implements AsyncIterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly bufferSize: number;
  readonly dropLast: boolean;
  readonly seed: number;
  /** The epoch the next iteration shuffles for (advances by one per iteration; set it to replay one). */
  epoch = 0;

  constructor(
    readonly dataset: Dataset | IterableDataset,
    options?: DataLoaderOptions,
  ) {
    const o = readOptions('DataLoader', options, spec);
    if (typeof dataset !== 'function' && (dataset === null || typeof dataset !== 'object' || dataset.x === undefined || dataset.y === undefined)) {
      throw new ValueError('DataLoader: dataset must be {x, y} tensors or a function returning an async iterable of row chunks {x, y, rows}');
    }
    this.batchSize = o.batchSize ?? 32;
    this.shuffle = o.shuffle ?? false;
    this.bufferSize = o.bufferSize ?? 10000;
    this.dropLast = o.dropLast ?? false;
    this.seed = o.seed ?? 0;
  }

  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    const rand = dataRng((this.seed ^ Math.imul(this.epoch + 1, 0x9e3779b1)) >>> 0);
    this.epoch++;
    return typeof this.dataset === 'function' ? this.streamed(this.dataset, rand) : this.inMemory(this.dataset, rand);
  }

  private async *inMemory(data: Dataset, rand: () => number): AsyncGenerator<Batch> {
    const n = data.x.shape[0] ?? 0;
    if (data.x.rank === 0 || data.y.rank === 0 || data.y.shape[0] !== n) throw new ValueError(`DataLoader: x and y must have the same number of rows (got shapes [${data.x.shape.join(', ')}] and [${data.y.shape.join(', ')}])`);
    const order = this.shuffle ? permutation(n, rand) : null;
    for (let s = 0; s < n; s += this.batchSize) {
      const e = Math.min(n, s + this.batchSize);
      if (this.dropLast && e - s < this.batchSize) break;
      if (order === null) yield { x: slice(data.x, 0, s, e), y: slice(data.y, 0, s, e) };
      else yield { x: indexSelect(data.x, 0, order.subarray(s, e)), y: indexSelect(data.y, 0, order.subarray(s, e)) };
    }
  }

  private async *streamed(source: IterableDataset, rand: () => number): AsyncGenerator<Batch> {
    const b = this.batchSize;
    const cap = this.shuffle ? this.bufferSize : 0;
    let xw = -1;
    let yw = -1;
    let bufX = new Float32Array(0);
    let bufY = new Float32Array(0);
    let held = 0;
    let batchX = new Float32Array(0);
    let batchY = new Float32Array(0);
    let inBatch = 0;
    let chunkNo = 0;
    const emit = (): Batch => {
      // NaN/Infinity pass as they do from a Dataset: the training step names the row and skips the step.
      const allowNonFinite = true;
      const batch = { x: tensor(batchX.slice(0, inBatch * xw), [inBatch, xw], { allowNonFinite }), y: tensor(batchY.slice(0, inBatch * yw), [inBatch, yw], { allowNonFinite }) };
      inBatch = 0;
      return batch;
    };
    const put = (x: Float32Array, xo: number, y: Float32Array, yo: number): void => {
      batchX.set(x.subarray(xo, xo + xw), inBatch * xw);
      batchY.set(y.subarray(yo, yo + yw), inBatch * yw);
      inBatch++;
    };
    for await (const chunk of source()) {
      chunkNo++;
      const { x, y, rows } = chunk;
      if (!(x instanceof Float32Array) || !(y instanceof Float32Array) || !Number.isInteger(rows) || rows < 0) throw new ValueError(`DataLoader: chunk ${chunkNo} must be {x: Float32Array, y: Float32Array, rows: integer}`);
      if (rows === 0) continue;
      if (xw < 0) {
        xw = x.length / rows;
        yw = y.length / rows;
        batchX = new Float32Array(b * xw);
        batchY = new Float32Array(b * yw);
        bufX = new Float32Array(cap * xw);
        bufY = new Float32Array(cap * yw);
      }
      if (x.length !== rows * xw || y.length !== rows * yw) throw new ValueError(`DataLoader: chunk ${chunkNo} has ${x.length} x and ${y.length} y values for ${rows} rows; earlier chunks had ${xw} and ${yw} per row`);
      for (let r = 0; r < rows; r++) {
        if (cap === 0) put(x, r * xw, y, r * yw);
        else if (held < cap) {
          bufX.set(x.subarray(r * xw, (r + 1) * xw), held * xw);
          bufY.set(y.subarray(r * yw, (r + 1) * yw), held * yw);
          held++;
        } else {
          const j = Math.floor(rand() * cap);
          put(bufX, j * xw, bufY, j * yw);
          bufX.set(x.subarray(r * xw, (r + 1) * xw), j * xw);
          bufY.set(y.subarray(r * yw, (r + 1) * yw), j * yw);
        }
        if (inBatch === b) yield emit();
      }
    }
    // The buffer's rows, in a random order.
    const rest = permutation(held, rand);
    for (const j of rest) {
      put(bufX, j * xw, bufY, j * yw);
      if (inBatch === b) yield emit();
    }
    if (inBatch > 0 && !this.dropLast) yield emit();
  }
}
