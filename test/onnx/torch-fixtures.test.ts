// A third opinion on the exported graphs: PyTorch's weights (test/fixtures/torch, made by
// scripts/fixtures/torch_roundtrip.py) loaded into fingrad, exported, and run in onnxruntime
// must give PyTorch's own outputs — so ONNX's gate order and bias layout are checked against
// PyTorch itself, not only against fingrad.
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import * as fg from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { ARCHITECTURES, type Architecture } from '../fixtures/torch/architectures.js';
import { expectSame, runOnnx } from './ort.js';

const DIR = new URL('../fixtures/torch/', import.meta.url);
const read = (file: string): fg.DecodedSafetensors => fg.decodeSafetensors(new Uint8Array(readFileSync(new URL(file, DIR))));

describe('PyTorch weights → fingrad → ONNX → onnxruntime equals PyTorch', () => {
  for (const name of Object.keys(ARCHITECTURES) as Architecture[]) {
    it(name, async () => {
      const m = ARCHITECTURES[name]();
      m.loadStateDict(read(`${name}.safetensors`).tensors);
      const io = read(`${name}.io.safetensors`).tensors;
      const input = io.input as fg.DecodedTensor;
      // The Conv net's training-mode output uses batch statistics; ONNX is evaluation mode.
      const want = (name === 'conv' ? io.output_eval : io.output) as fg.DecodedTensor;
      const x = fg.keep(fg.tensor(input.data, input.shape));
      const expected = fg.keep(fg.tensor(want.data, want.shape));
      const got = await runOnnx(exportOnnx(m, { inputShape: input.shape.slice(1) }), { input: x });
      expectSame(got.output, expected);
      m.dispose();
      x.dispose();
      expected.dispose();
    });
  }
});
