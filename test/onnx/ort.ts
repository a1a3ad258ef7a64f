// Running exported models in onnxruntime-web (WASM backend, in Node) and comparing with fingrad.
import * as ort from 'onnxruntime-web';
import { Reader } from 'protobufjs/minimal.js';
import { expect } from 'vitest';
import * as fg from '../../src/index.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

/** Runs the model on named float32 inputs; returns every output as values and dims. */
export async function runOnnx(bytes: Uint8Array, feeds: Record<string, fg.Tensor>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const input: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) input[name] = new ort.Tensor('float32', t.toFloat32Array(), t.shape);
    const out = await session.run(input);
    const result: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const name of session.outputNames) {
      const t = out[name] as ort.Tensor;
      result[name] = { data: t.data as Float32Array, dims: t.dims };
    }
    return result;
  } finally {
    await session.release();
  }
}

/** The graph's input and output names, as onnxruntime reads them. */
export async function ioNames(bytes: Uint8Array): Promise<{ inputs: readonly string[]; outputs: readonly string[] }> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const names = { inputs: [...session.inputNames], outputs: [...session.outputNames] };
  await session.release();
  return names;
}

/**
 * Asserts ONNX's output equals fingrad's (same shape; max |difference| ≤ tol·max(1, max |value|)).
 * Returns the max difference.
 */
export function expectSame(onnx: { data: Float32Array; dims: readonly number[] } | undefined, expected: fg.Tensor, tol = 1e-5): number {
  expect(onnx, 'output missing').toBeDefined();
  const got = onnx as { data: Float32Array; dims: readonly number[] };
  expect([...got.dims]).toEqual(expected.shape);
  const want = expected.toFloat32Array();
  let scale = 1;
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i] as number));
    diff = Math.max(diff, Math.abs((want[i] as number) - (got.data[i] as number)));
  }
  expect(Number.isFinite(diff)).toBe(true);
  expect(diff).toBeLessThanOrEqual(tol * scale);
  return diff;
}

/** ModelProto fields read back with protobufjs's Reader (onnx.proto numbers; see src/onnx/proto.ts). */
export interface ModelInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opset: number;
  /** Every opset_import by domain ('' is the default). */
  opsets: Record<string, number>;
  metadata: Record<string, string>;
}

export function readModelInfo(bytes: Uint8Array): ModelInfo {
  const info: ModelInfo = { irVersion: 0, producerName: '', producerVersion: '', opset: 0, opsets: {}, metadata: {} };
  const r = Reader.create(bytes);
  while (r.pos < r.len) {
    const t = r.uint32();
    const field = t >>> 3;
    if (field === 1) info.irVersion = Number(r.int64());
    else if (field === 2) info.producerName = r.string();
    else if (field === 3) info.producerVersion = r.string();
    else if (field === 8 || field === 14) {
      const end = r.uint32() + r.pos;
      let key = '';
      let value = '';
      let version = 0;
      while (r.pos < end) {
        const u = r.uint32();
        if (field === 8 && u >>> 3 === 2) version = Number(r.int64());
        else if (u >>> 3 === 1) key = r.string();
        else if (u >>> 3 === 2) value = r.string();
        else r.skipType(u & 7);
      }
      // The default domain's opset_import has domain '' (others: 'ai.onnx.ml', …).
      if (field === 8) info.opsets[key] = version;
      else info.metadata[key] = value;
    } else r.skipType(t & 7);
  }
  info.opset = info.opsets[''] ?? 0;
  return info;
}

/** Minimal view of a finance Table: column names, types and values. */
interface ColumnsLike {
  columnNames: string[];
  nRows: number;
  typeOf(name: string): string;
  column(name: string): Float64Array | ReadonlyArray<string | null>;
}

/**
 * Runs an exported Pipeline on a table's raw columns: one [N, 1] input per column, float32
 * (NaN missing) or string (null fed as '', the graph's missing marker). Returns every output's data.
 */
export async function runOnnxColumns(bytes: Uint8Array, table: ColumnsLike): Promise<Record<string, { data: ArrayLike<unknown>; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const v = table.column(name);
      feeds[name] = v instanceof Float64Array ? new ort.Tensor('float32', Float32Array.from(v), [table.nRows, 1]) : new ort.Tensor('string', v.map((s) => s ?? ''), [table.nRows, 1]);
    }
    const out = await session.run(feeds);
    return Object.fromEntries(session.outputNames.map((n) => [n, { data: (out[n] as ort.Tensor).data as ArrayLike<unknown>, dims: (out[n] as ort.Tensor).dims }]));
  } finally {
    await session.release();
  }
}
