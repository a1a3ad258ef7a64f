// DataLoader: every row once per epoch, seeded and reproducible, reshuffled per epoch, a buffer
// that mixes rows across chunks, dropLast; fitStream: learns, stays flat in WASM memory, and
// keeps fit's transactional step.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { DataLoader, type RowChunk } from '../../src/index.js';

const { nn } = fg;

// Rows numbered 0 … n−1 in chunks of `size`; x = [i, 2i], y = [i].
function numbered(n: number, size: number): () => AsyncIterable<RowChunk> {
  return async function* () {
    for (let s = 0; s < n; s += size) {
      const rows = Math.min(size, n - s);
      const x = new Float32Array(rows * 2);
      const y = new Float32Array(rows);
      for (let r = 0; r < rows; r++) [x[2 * r], x[2 * r + 1], y[r]] = [s + r, 2 * (s + r), s + r];
      yield { x, y, rows };
    }
  };
}

async function epochRows(loader: DataLoader): Promise<{ ids: number[]; sizes: number[] }> {
  const ids: number[] = [];
  const sizes: number[] = [];
  for await (const b of loader) {
    const x = b.x.toFloat32Array();
    const y = b.y.toFloat32Array();
    expect(b.x.shape).toEqual([y.length, 2]);
    for (let r = 0; r < y.length; r++) {
      expect(x[2 * r + 1]).toBe(2 * (y[r] as number));
      ids.push(y[r] as number);
    }
    sizes.push(y.length);
    b.x.dispose();
    b.y.dispose();
  }
  return { ids, sizes };
}

describe('DataLoader over a stream of chunks', () => {
  it('without shuffle keeps the order and batches across chunk edges', async () => {
    const { ids, sizes } = await epochRows(new DataLoader(numbered(103, 10), { batchSize: 16 }));
    expect(ids).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(sizes).toEqual([16, 16, 16, 16, 16, 16, 7]);
    const dropped = await epochRows(new DataLoader(numbered(103, 10), { batchSize: 16, dropLast: true }));
    expect(dropped.sizes).toEqual([16, 16, 16, 16, 16, 16]);
  });

  it('shuffles every row exactly once per epoch, reproducibly, differently per epoch', async () => {
    const make = (): DataLoader => new DataLoader(numbered(1000, 64), { batchSize: 50, shuffle: true, bufferSize: 200, seed: 7 });
    const a = make();
    const e1 = (await epochRows(a)).ids;
    const e2 = (await epochRows(a)).ids;
    expect([...e1].sort((p, q) => p - q)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...e2].sort((p, q) => p - q)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(e1).not.toEqual(e2);
    const b = make();
    expect((await epochRows(b)).ids).toEqual(e1);
    b.epoch = 0;
    expect((await epochRows(b)).ids).toEqual(e1);
    expect((await epochRows(new DataLoader(numbered(1000, 64), { batchSize: 50, shuffle: true, bufferSize: 200, seed: 8 }))).ids).not.toEqual(e1);
    // The buffer mixes: rows leave far from their place, but no row leaves before it has been read.
    const moved = e1.reduce((s, id, pos) => s + Math.abs(id - pos), 0) / 1000;
    expect(moved).toBeGreaterThan(50);
    e1.forEach((id, pos) => expect(id).toBeLessThanOrEqual(pos + 200));
  });

  it('rejects a chunk of another width and a bad dataset', async () => {
    const bad = async function* (): AsyncGenerator<RowChunk> {
      yield { x: new Float32Array(4), y: new Float32Array(2), rows: 2 };
      yield { x: new Float32Array(3), y: new Float32Array(1), rows: 1 };
    };
    await expect(epochRows(new DataLoader(bad))).rejects.toThrow(/chunk 2 has 3 x and 1 y values for 1 rows/);
    expect(() => new DataLoader({} as never)).toThrow(fg.ValueError);
    expect(() => new DataLoader(numbered(3, 3), { batchsize: 2 } as never)).toThrow(fg.UnknownOptionError);
  });
});

describe('DataLoader over tensors', () => {
  it('covers every row once per epoch, seeded', async () => {
    const n = 37;
    const data = { x: fg.keep(fg.tensor(Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? i / 2 : i - 1)), [n, 2])), y: fg.keep(fg.tensor(Float32Array.from({ length: n }, (_, i) => i), [n, 1])) };
    const loader = new DataLoader(data, { batchSize: 8, shuffle: true, seed: 3 });
    const { ids, sizes } = await epochRows(loader);
    expect([...ids].sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(sizes).toEqual([8, 8, 8, 8, 5]);
    expect(ids).not.toEqual(Array.from({ length: n }, (_, i) => i));
    data.x.dispose();
    data.y.dispose();
  });
});

// Two blobs split by x0 + x1 > 0, streamed in chunks.
function blobs(n: number, seed: number, size: number, poison = -1): () => AsyncIterable<RowChunk> {
  return async function* () {
    const r = fg.dataRng(seed);
    for (let s = 0; s < n; s += size) {
      const rows = Math.min(size, n - s);
      const x = new Float32Array(rows * 2);
      const y = new Float32Array(rows);
      for (let i = 0; i < rows; i++) {
        x[2 * i] = r() * 4 - 2;
        x[2 * i + 1] = r() * 4 - 2;
        y[i] = (x[2 * i] as number) + (x[2 * i + 1] as number) > 0 ? 1 : 0;
        if (s + i === poison) x[2 * i] = NaN;
      }
      yield { x, y, rows };
    }
  };
}

function net(seed: number): fg.nn.Sequential {
  const generator = new fg.Generator(seed);
  return new nn.Sequential(new nn.Linear(2, 8, { generator }), new nn.Tanh(), new nn.Linear(8, 1, { generator }));
}

describe('fitStream', () => {
  it('learns from a stream, reproducibly, with WASM memory flat across epochs', async () => {
    await fg.ready();
    const run = async (): Promise<{ history: fg.History; live: number[]; w: Float32Array }> => {
      const model = net(1);
      const live: number[] = [];
      const history = await fg.fitStream(model, new DataLoader(blobs(2000, 1, 300), { batchSize: 32, shuffle: true, bufferSize: 500, seed: 1 }), {
        epochs: 4,
        lossFn: fg.bceWithLogits,
        optimizer: new fg.optim.Adam(model.parameters(), { lr: 0.05 }),
        callbacks: [{ onEpochEnd: () => void live.push(fg.memoryStats().liveTensors) }],
      });
      return { history, live, w: (model.parameters()[0] as fg.Tensor).toFloat32Array() };
    };
    const a = await run();
    const losses = a.history.history['loss'] as number[];
    expect(losses[3]).toBeLessThan(0.5 * (losses[0] as number));
    expect(new Set(a.live).size).toBe(1);
    const b = await run();
    expect(b.w).toEqual(a.w);
  });

  it('reports validation metrics and keeps fit\'s transactional step on a NaN row', async () => {
    await fg.ready();
    const model = net(2);
    const vx = fg.keep(fg.tensor(new Float32Array([1, 1, -1, -1, 2, 0, -2, 0.5]), [4, 2]));
    const vy = fg.keep(fg.tensor(new Float32Array([1, 0, 1, 0]), [4, 1]));
    const h = await fg.fitStream(model, new DataLoader(blobs(600, 3, 100), { batchSize: 30 }), { epochs: 2, lossFn: fg.bceWithLogits, optimizer: new fg.optim.Adam(model.parameters(), { lr: 0.05 }), metrics: ['accuracy'], validationData: { x: vx, y: vy } });
    expect(Object.keys(h.epochs[1] as fg.Logs)).toEqual(expect.arrayContaining(['loss', 'valLoss', 'valAccuracy']));
    const before = model.parameters().map((p) => p.toFloat32Array());
    const err = await fg.fitStream(model, new DataLoader(blobs(600, 3, 100, 95), { batchSize: 30 }), { lossFn: fg.bceWithLogits, optimizer: new fg.optim.SGD(model.parameters(), { lr: 0 }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(fg.NonFiniteError);
    expect((err as fg.NonFiniteError).row).toBe(95);
    expect((err as fg.NonFiniteError).batch).toBe(4);
    model.parameters().forEach((p, i) => expect(p.toFloat32Array()).toEqual(before[i]));
    await expect(fg.fitStream(model, new DataLoader(blobs(10, 1, 5)), { batchSize: 3 } as never)).rejects.toThrow(/belongs to the DataLoader/);
    vx.dispose();
    vy.dispose();
  });
});
