// Loads are all or nothing and cost no more than the file: every name, shape and value count
// (and a checkpoint's config against its weights) is checked before anything is written, and a
// failure leaves the model, the live tensors and the WebAssembly memory as they were.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { CHECKPOINT_METADATA, CheckpointError, loadModel, loadWeights, readCheckpoint, saveModel } from '../../src/io/checkpoint.js';
import { FileError, loadModelFile } from '../../src/io/file.js';
import { SafetensorsError, decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { MLPClassifier } from '../../src/models/mlp.js';

const net = (seed: number): fg.nn.Sequential => {
  fg.manualSeed(seed);
  return new fg.nn.Sequential(new fg.nn.Linear(3, 4), new fg.nn.ReLU(), new fg.nn.Linear(4, 2));
};

const snapshot = (m: fg.nn.Module): Record<string, Float32Array> =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.toFloat32Array()]));

// Raw values of another model, in the model's key order, as plain {shape, data} entries.
function rawState(seed: number): Record<string, { shape: number[]; data: Float32Array }> {
  const other = net(seed);
  const out = Object.fromEntries(Object.entries(other.stateDict()).map(([k, t]) => [k, { shape: [...t.shape], data: t.toFloat32Array() }]));
  other.dispose();
  return out;
}

function expectUnchanged(m: fg.nn.Module, before: Record<string, Float32Array>, load: () => void, error: new (...a: never[]) => Error, message: RegExp): void {
  const versions = m.parameters().map((p) => p.version);
  expect(load).toThrow(error);
  expect(load).toThrow(message);
  expect(snapshot(m)).toEqual(before);
  expect(m.parameters().map((p) => p.version)).toEqual(versions);
}

describe('loadStateDict', () => {
  it('a too long value in a later key: nothing is written, the error names the key and the counts', () => {
    const m = net(1);
    const before = snapshot(m);
    const state = rawState(2);
    // '0.weight' comes first and would have been overwritten by a loader that writes as it checks.
    state['2.weight'] = { shape: [2, 4], data: new Float32Array(9) };
    expectUnchanged(m, before, () => m.loadStateDict(state), fg.ShapeError, /loadStateDict: '2\.weight' has 9 values but its shape \[2, 4\] needs 8/);
    expect(() => m.loadStateDict(state)).not.toThrow(RangeError);
    m.dispose();
  });

  it('a short value: nothing is loaded', () => {
    const m = net(1);
    const before = snapshot(m);
    const state = rawState(2);
    state['0.bias'] = { shape: [4], data: new Float32Array(3) };
    expectUnchanged(m, before, () => m.loadStateDict(state), fg.ShapeError, /'0\.bias' has 3 values but its shape \[4\] needs 4/);
    expectUnchanged(m, before, () => m.loadStateDict(state, { strict: false }), fg.ShapeError, /'0\.bias' has 3 values/);
    m.dispose();
  });

  it('missing and unexpected names (strict), and a wrong shape (not strict)', () => {
    const m = net(1);
    const before = snapshot(m);
    const missing = rawState(2);
    delete missing['2.bias'];
    expectUnchanged(m, before, () => m.loadStateDict(missing), fg.FingradError, /missing keys 2\.bias/);
    const extra = { ...rawState(2), '3.weight': { shape: [1], data: [0] } };
    expectUnchanged(m, before, () => m.loadStateDict(extra), fg.FingradError, /unexpected keys 3\.weight/);
    const wrongShape = { ...rawState(2), '2.weight': { shape: [4, 2], data: new Float32Array(8) } };
    expectUnchanged(m, before, () => m.loadStateDict(wrongShape, { strict: false }), fg.ShapeError, /'2\.weight' has shape \[4, 2\] in the state dict but \[2, 4\] in the model/);
    m.dispose();
  });

  it('a valid state loads every value and moves every version on', () => {
    const m = net(1);
    const state = rawState(2);
    m.loadStateDict(state);
    for (const [k, v] of Object.entries(state)) expect(m.stateDict()[k]?.toFloat32Array()).toEqual(v.data);
    expect(m.parameters().every((p) => p.version === 1)).toBe(true);
    m.dispose();
  });
});

describe('loadWeights', () => {
  it('a file with one tensor of the wrong shape changes nothing', () => {
    const m = net(1);
    const before = snapshot(m);
    const state = rawState(2);
    state['2.bias'] = { shape: [3], data: new Float32Array(3) };
    const bytes = encodeSafetensors(state);
    expectUnchanged(m, before, () => loadWeights(m, bytes), CheckpointError, /'2\.bias' has shape \[3\] in the checkpoint but \[2\]/);
    m.dispose();
  });

  it('a truncated or corrupt file is a SafetensorsError and changes nothing', () => {
    const m = net(1);
    const before = snapshot(m);
    const bytes = encodeSafetensors(rawState(2));
    expectUnchanged(m, before, () => loadWeights(m, bytes.subarray(0, bytes.length - 5)), SafetensorsError, /truncated/);
    expectUnchanged(m, before, () => loadWeights(m, bytes.subarray(0, 20)), SafetensorsError, /truncated: header length is \d+ bytes but only 12 follow/);
    const corrupt = bytes.slice();
    corrupt[9] = 0x7b; // '{' inside the JSON header
    expectUnchanged(m, before, () => loadWeights(m, corrupt), SafetensorsError, /header is not valid JSON/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(4, 1, true); // header length ≥ 2^32
    expectUnchanged(m, before, () => loadWeights(m, huge), SafetensorsError, /exceeds the format's \d+-byte limit/);
    m.dispose();
  });
});

// A small fitted MLP's checkpoint, with its config optionally rewritten.
function checkpoint(edit?: (config: Record<string, unknown>) => void): Uint8Array {
  const clf = new MLPClassifier({ hiddenLayerSizes: [4], maxIter: 2, seed: 1 });
  clf.fit([[0, 1, 2], [1, 0, 1], [2, 2, 0], [0, 0, 1]], [0, 1, 0, 1]);
  const bytes = saveModel(clf);
  clf.dispose();
  if (edit === undefined) return bytes;
  const { tensors, metadata, config } = readCheckpoint(bytes);
  edit(config as unknown as Record<string, unknown>);
  return encodeSafetensors(tensors, { ...metadata, [CHECKPOINT_METADATA.config]: JSON.stringify(config) });
}

describe('loadModel', () => {
  it('a tiny file claiming hiddenLayerSizes [20000, 20000] fails before memory grows, leaving no tensors', () => {
    const bytes = checkpoint((c) => ((c.options as Record<string, unknown>).hiddenLayerSizes = [20000, 20000]));
    expect(bytes.length).toBeLessThan(1024);
    loadModel(checkpoint()).dispose(); // warm-up: anything lasting that loading allocates
    const before = fg.memoryStats();
    const load = () => loadModel(bytes);
    expect(load).toThrow(CheckpointError);
    expect(load).toThrow(/the 'MLPClassifier' config asks for more memory than the \d+ bytes of weights in the file .*"hiddenLayerSizes":\[20000,20000\]/);
    const after = fg.memoryStats();
    expect(after.heapBytes).toBe(before.heapBytes);
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.bytesInUse).toBe(before.bytesInUse);
  });

  it('a config that fits the budget but not the weights is refused, and what was built is freed', () => {
    const bytes = checkpoint((c) => ((c.options as Record<string, unknown>).hiddenLayerSizes = [5]));
    loadModel(checkpoint()).dispose();
    const before = fg.memoryStats();
    expect(() => loadModel(bytes)).toThrow(/checkpoint does not fit the 'MLPClassifier' model built from its config: .*'net\.0\.weight' has shape \[4, 3\] in the checkpoint but \[5, 3\]/);
    expect(fg.memoryStats().liveTensors).toBe(before.liveTensors);
    // Only the model's generator state (16 bytes, a 64-byte block) remains until the dropped
    // model object is collected; every parameter was freed.
    expect(fg.memoryStats().bytesInUse - before.bytesInUse).toBeLessThanOrEqual(64);
  });

  it('a truncated checkpoint is a SafetensorsError', () => {
    const bytes = checkpoint();
    expect(() => loadModel(bytes.subarray(0, bytes.length - 1))).toThrow(SafetensorsError);
    expect(() => loadModel(bytes.subarray(0, 6))).toThrow(/file is truncated: 6 bytes, shorter than the 8-byte header length/);
  });

  it('a path instead of bytes, and a missing file, are named errors naming the path', async () => {
    expect(() => loadModel('/path/to/model.safetensors' as never)).toThrow(fg.ArgumentError);
    expect(() => loadModel('/path/to/model.safetensors' as never)).toThrow(/loadModel: bytes must be a Uint8Array, got the string '\/path\/to\/model\.safetensors'; to read a file use .*loadModelFile/);
    expect(() => decodeSafetensors(42 as never)).toThrow(/decodeSafetensors: bytes must be a Uint8Array \(the file's contents\), got number 42/);
    const dir = mkdtempSync(join(tmpdir(), 'fingrad-io-'));
    try {
      const missing = join(dir, 'nope.safetensors');
      const err = await loadModelFile(missing).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileError);
      expect(err).toBeInstanceOf(fg.FingradError);
      expect((err as FileError).path).toBe(missing);
      expect((err as FileError).code).toBe('ENOENT');
      expect((err as Error).message).toBe(`loadModelFile: cannot read '${missing}': no such file (ENOENT)`);
      await expect(loadModelFile(dir)).rejects.toThrow(/cannot read '.*': it is a directory \(EISDIR\)/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
