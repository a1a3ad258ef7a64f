// PyTorch round trips, pinned by fixtures that scripts/fixtures/torch_roundtrip.py made with
// PyTorch (test/fixtures/torch/): PyTorch's state dicts load into fingrad's twin architectures
// with strict name and shape checks and give PyTorch's outputs and gradients; fingrad's own state
// dicts have the names, shapes and dtypes PyTorch's load_state_dict(strict=True) accepts (the
// script loads them into PyTorch when run).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { ARCHITECTURES, type Architecture } from '../fixtures/torch/architectures.js';

const DIR = new URL('../fixtures/torch/', import.meta.url);
const read = (file: string): fg.DecodedSafetensors => fg.decodeSafetensors(new Uint8Array(readFileSync(new URL(file, DIR))));

interface ExpectedHeaders {
  architectures: Record<Architecture, Record<string, { dtype: string; shape: number[] }>>;
}
const expected = JSON.parse(readFileSync(new URL('expected_headers.json', DIR), 'utf8')) as ExpectedHeaders;

/** max |got − want| ≤ tol·max(1, max |want|), with the same shape. */
function expectClose(what: string, got: fg.Tensor, want: fg.DecodedTensor | undefined, tol: number): void {
  expect(want, `${what} missing from the fixture`).toBeDefined();
  const w = want as fg.DecodedTensor;
  expect(got.shape, what).toEqual(w.shape);
  const g = got.toFloat32Array();
  let diff = 0;
  let scale = 1;
  w.data.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(v - (g[i] as number)));
    scale = Math.max(scale, Math.abs(v));
  });
  expect(diff, `${what}: max difference ${diff}`).toBeLessThanOrEqual(tol * scale);
}

function tensorOf(d: fg.DecodedTensor | undefined): fg.Tensor {
  return fg.tensor((d as fg.DecodedTensor).data, (d as fg.DecodedTensor).shape);
}

/** The fingrad twin with PyTorch's weights loaded (strict). */
function loaded(name: Architecture): fg.nn.Module {
  const m = ARCHITECTURES[name]();
  m.loadStateDict(read(`${name}.safetensors`).tensors, { strict: true });
  return m;
}

describe('PyTorch → fingrad: state dicts, outputs and gradients', () => {
  for (const name of Object.keys(ARCHITECTURES) as Architecture[]) {
    it(`${name}: loads PyTorch's state dict and matches its output and gradients`, () => {
      const io = read(`${name}.io.safetensors`).tensors;
      const m = loaded(name);
      fg.tidy(() => {
        const x = tensorOf(io.input);
        if (name === 'conv') {
          m.eval();
          expectClose('evaluation output', fg.noGrad(() => m.forward(x)), io.output_eval, 1e-5);
        }
        m.train();
        x.requiresGrad = true;
        let out: fg.Tensor;
        if (m instanceof fg.nn.LSTM) {
          const r = m.run(x);
          out = r.output;
          expectClose('h_n', r.hN, io.h_n, 1e-5);
          expectClose('c_n', r.cN, io.c_n, 1e-5);
        } else if (m instanceof fg.nn.GRU) {
          const r = m.run(x);
          out = r.output;
          expectClose('h_n', r.hN, io.h_n, 1e-5);
        } else {
          out = m.forward(x);
        }
        expectClose('output', out, io.output, 1e-5);
        out.mul(tensorOf(io.upstream)).sum().backward();
        expectClose('grad.input', x.grad as fg.Tensor, io['grad.input'], 1e-4);
        const params = m.namedParameters();
        expect(params.length).toBeGreaterThan(0);
        for (const [key, p] of params) expectClose(`grad.${key}`, p.grad as fg.Tensor, io[`grad.${key}`], 1e-4);
        // BatchNorm's running statistics after the training step (PyTorch's unbiased update).
        for (const [key, b] of m.namedBuffers()) expectClose(`after.${key}`, b, io[`after.${key}`], 1e-5);
      });
      m.dispose();
    });
  }

  it('strict loading names missing and unexpected keys and mismatched shapes', () => {
    const state = read('conv.safetensors').tensors;
    const m = ARCHITECTURES.conv();
    const { ['1.running_var']: _dropped, ...missing } = state;
    expect(() => m.loadStateDict(missing)).toThrow(/missing keys 1\.running_var/);
    expect(() => m.loadStateDict({ ...state, 'fc.weight': { shape: [1], data: [0] } })).toThrow(/unexpected keys fc\.weight/);
    const lstm = ARCHITECTURES.lstm();
    const lstmState = read('lstm.safetensors').tensors;
    expect(() => lstm.loadStateDict({ ...lstmState, weight_hh_l1: lstmState.weight_ih_l0 as fg.DecodedTensor })).toThrow(/'weight_hh_l1' has shape \[20, 3\] in the state dict but \[20, 5\]/);
    m.dispose();
    lstm.dispose();
  });
});

describe('fingrad → PyTorch: state dict headers', () => {
  for (const name of Object.keys(ARCHITECTURES) as Architecture[]) {
    it(`${name}: the saved names, shapes and dtypes are those of PyTorch's state_dict()`, () => {
      const m = ARCHITECTURES[name]();
      const saved = fg.decodeSafetensors(fg.encodeSafetensors(m.stateDict())).tensors;
      const got = Object.fromEntries(Object.entries(saved).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }]));
      const want = { ...expected.architectures[name] };
      // PyTorch keeps BatchNorm's batch count as int64; fingrad writes every tensor as F32, which
      // load_state_dict casts on copy (the script loads fingrad's file with strict=True to prove it).
      for (const [k, v] of Object.entries(want)) if (k.endsWith('num_batches_tracked') && v.dtype === 'I64') want[k] = { ...v, dtype: 'F32' };
      expect(got).toEqual(want);
      m.dispose();
    });
  }
});
