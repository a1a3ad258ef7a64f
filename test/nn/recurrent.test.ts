// nn.RNN / nn.LSTM / nn.GRU: PyTorch's fixtures loaded through loadStateDict, stacks vs layers
// composed by hand, a float64 loop, finite differences, parameters, init, errors and memory.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { nn } from '../../src/index.js';
import { type Array64, array64 } from '../../src/reference/array64.js';
import { expectClose, rng } from '../support/opcheck.js';
import { recurrentLayer as refLayer } from '../../src/reference/recurrent.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fixtures', 'pytorch-ops.json');
const present = existsSync(FIXTURES);
if (!present) console.warn(`recurrent fixture test skipped: ${FIXTURES} not found (it ships beside the project, not in it)`);

type Num = number | 'NaN' | 'Infinity' | '-Infinity';
interface Arr {
  shape: number[];
  data: Num[];
}
interface Fixture {
  id: string;
  op: string;
  inputs: Record<string, Arr>;
  requires_grad: string[];
  outputs: Record<string, Arr>;
  upstream: Record<string, Arr>;
  grads: Record<string, Arr>;
  tol: { value: { rtol: number; atol: number }; grad: { rtol: number; atol: number } };
}

const num = (v: Num): number => (typeof v === 'number' ? v : Number(v));
const values = (a: Arr): number[] => a.data.map(num);
const cases: Fixture[] = present ? (JSON.parse(readFileSync(FIXTURES, 'utf8')) as Fixture[]).filter((c) => c.op === 'lstm' || c.op === 'gru') : [];

// fixture input name → state dict key
const PARAM_KEYS: Record<string, string> = { w_ih: 'weight_ih_l0', w_hh: 'weight_hh_l0', b_ih: 'bias_ih_l0', b_hh: 'bias_hh_l0' };

describe.skipIf(!present)('PyTorch fixtures through nn.LSTM / nn.GRU', () => {
  it('has the lstm and gru cases', () => {
    expect(cases.map((c) => c.op).sort()).toEqual(['gru', 'lstm', 'lstm']);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    fg.tidy(() => {
      const [, , inF] = (c.inputs.x as Arr).shape as [number, number, number];
      const hidden = ((c.inputs.w_hh as Arr).shape[1]) as number;
      const layer = c.op === 'lstm' ? new nn.LSTM(inF, hidden) : new nn.GRU(inF, hidden);
      const state: Record<string, { shape: number[]; data: number[] }> = {};
      for (const [name, key] of Object.entries(PARAM_KEYS)) state[key] = { shape: (c.inputs[name] as Arr).shape, data: values(c.inputs[name] as Arr) };
      layer.loadStateDict(state);
      const input = (name: string): fg.Tensor | undefined => {
        const a = c.inputs[name];
        return a ? fg.tensor(Float32Array.from(values(a)), a.shape, { requiresGrad: c.requires_grad.includes(name) }) : undefined;
      };
      const x = input('x') as fg.Tensor;
      const h0 = input('h0');
      const c0 = input('c0');
      const r = layer instanceof nn.LSTM ? layer.run(x, h0 && c0 ? [h0, c0] : undefined) : (layer as nn.GRU).run(x, h0);
      const cN = (r as Partial<nn.LSTMOutput>).cN;
      const outputs: Record<string, fg.Tensor> = { out: r.output, h_n: r.hN, ...(cN ? { c_n: cN } : {}) };
      let objective: fg.Tensor | null = null;
      for (const [name, expected] of Object.entries(c.outputs)) {
        const got = outputs[name] as fg.Tensor;
        expect([...got.shape], `${c.id} ${name} shape`).toEqual(expected.shape);
        expectClose(got.toFloat32Array(), values(expected), c.tol.value.rtol, c.tol.value.atol, `${c.id} ${name}`);
        const term = fg.sum(fg.mul(got, fg.tensor(Float32Array.from(values(c.upstream[name] as Arr)), got.shape)));
        objective = objective === null ? term : objective.add(term);
      }
      (objective as fg.Tensor).backward();
      const params = Object.fromEntries(layer.namedParameters());
      const grads: Record<string, fg.Tensor | null> = { x: x.grad, h0: h0?.grad ?? null, c0: c0?.grad ?? null };
      for (const [name, key] of Object.entries(PARAM_KEYS)) grads[name] = (params[key] as fg.Tensor).grad;
      for (const name of c.requires_grad) {
        const g = grads[name];
        expect(g, `${c.id}: gradient of ${name}`).toBeTruthy();
        expectClose((g as fg.Tensor).toFloat32Array(), values(c.grads[name] as Arr), c.tol.grad.rtol, c.tol.grad.atol, `${c.id} d/d${name}`);
      }
      layer.dispose();
    });
  });
});

type AnyLayer = nn.RNN | nn.LSTM | nn.GRU;
type Make = (inF: number, h: number, o: nn.RNNOptions) => AnyLayer;
const MAKERS: Array<[string, Make]> = [
  ['RNN', (i, h, o) => new nn.RNN(i, h, o)],
  ['RNN relu', (i, h, o) => new nn.RNN(i, h, { ...o, nonlinearity: 'relu' })],
  ['LSTM', (i, h, o) => new nn.LSTM(i, h, o)],
  ['GRU', (i, h, o) => new nn.GRU(i, h, o)],
];

interface Run {
  output: fg.Tensor;
  hN: fg.Tensor;
  cN?: fg.Tensor;
}

function run(m: AnyLayer, x: fg.Tensor, h0?: fg.Tensor, c0?: fg.Tensor): Run {
  if (m instanceof nn.LSTM) return m.run(x, h0 && c0 ? [h0, c0] : null);
  return m.run(x, h0);
}

// The parameters of layer k of `src` as the state dict of a one-layer module.
function layerState(src: AnyLayer, k: number): Record<string, fg.Tensor> {
  const out: Record<string, fg.Tensor> = {};
  for (const [name, t] of src.namedParameters()) {
    const m = /^(.*)_l(\d+)$/.exec(name) as RegExpExecArray;
    if (Number(m[2]) === k) out[`${m[1] as string}_l0`] = t;
  }
  return out;
}

describe.each(MAKERS)('nn.%s', (kind, make) => {
  it('names and shapes its parameters like PyTorch, for every layer', () => {
    const m = make(5, 6, { numLayers: 2 });
    const g = { RNN: 1, 'RNN relu': 1, LSTM: 4, GRU: 3 }[kind] as number;
    expect(m.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual([
      ['weight_ih_l0', [g * 6, 5]],
      ['weight_hh_l0', [g * 6, 6]],
      ['bias_ih_l0', [g * 6]],
      ['bias_hh_l0', [g * 6]],
      ['weight_ih_l1', [g * 6, 6]],
      ['weight_hh_l1', [g * 6, 6]],
      ['bias_ih_l1', [g * 6]],
      ['bias_hh_l1', [g * 6]],
    ]);
    expect(Object.keys(m.stateDict())).toEqual(m.namedParameters().map(([n]) => n));
    const nb = make(5, 6, { bias: false });
    expect(nb.namedParameters().map(([n]) => n)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    m.dispose();
    nb.dispose();
  });

  it('draws every parameter from U(−1/√H, 1/√H), reproducibly under a seeded generator', () => {
    const a = make(3, 16, { numLayers: 2, generator: new fg.Generator(7) });
    const b = make(3, 16, { numLayers: 2, generator: new fg.Generator(7) });
    const c = make(3, 16, { numLayers: 2, generator: new fg.Generator(8) });
    const flat = (m: AnyLayer): number[] => m.parameters().flatMap((p) => [...p.toFloat32Array()]);
    const va = flat(a);
    expect(va).toEqual(flat(b));
    expect(va).not.toEqual(flat(c));
    const bound = 1 / Math.sqrt(16);
    expect(Math.max(...va.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...va.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    // each parameter is drawn in turn, not a copy of the first
    const [p0, p1] = a.parameters() as [fg.Tensor, fg.Tensor];
    expect(p0.toFloat32Array().slice(0, 8)).not.toEqual(p1.toFloat32Array().slice(0, 8));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('matches the float64 loop, layer by layer, with and without an initial state', () => {
    const m = make(4, 5, { numLayers: 2, generator: new fg.Generator(3) });
    const r = rng(9);
    const rand = (shape: number[]): Float64Array => Float64Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => Math.fround(r() * 2 - 1));
    const refKind = kind === 'RNN' ? 'rnn-tanh' : kind === 'RNN relu' ? 'rnn-relu' : kind === 'LSTM' ? 'lstm' : 'gru';
    for (const initial of [false, true]) {
      fg.tidy(() => {
        const xv = rand([3, 4, 4]);
        const hv = rand([2, 3, 5]);
        const cv = rand([2, 3, 5]);
        const x = fg.tensor(Float32Array.from(xv), [3, 4, 4]);
        const h0 = initial ? fg.tensor(Float32Array.from(hv), [2, 3, 5]) : undefined;
        const c0 = initial ? fg.tensor(Float32Array.from(cv), [2, 3, 5]) : undefined;
        const got = run(m, x, h0, c0);
        const p = Object.fromEntries(m.namedParameters().map(([n, t]) => [n, array64(t.shape, t.toFloat32Array())]));
        let input = array64([3, 4, 4], xv);
        const hN: number[] = [];
        const cN: number[] = [];
        for (let k = 0; k < 2; k++) {
          const s0 = initial ? array64([3, 5], hv.slice(k * 15, (k + 1) * 15)) : null;
          const c00 = initial ? array64([3, 5], cv.slice(k * 15, (k + 1) * 15)) : null;
          const w = (name: string): Array64 => p[`${name}_l${k}`] as Array64;
          const e = refLayer(refKind, input, w('weight_ih'), w('weight_hh'), w('bias_ih'), w('bias_hh'), s0, c00);
          hN.push(...e.hN.data);
          cN.push(...e.cN.data);
          input = e.out;
        }
        expectClose(got.output.toFloat32Array(), input.data, 1e-4, 1e-5, `${kind} output`);
        expect([...got.hN.shape]).toEqual([2, 3, 5]);
        expectClose(got.hN.toFloat32Array(), hN, 1e-4, 1e-5, `${kind} hN`);
        if (got.cN) expectClose(got.cN.toFloat32Array(), cN, 1e-4, 1e-5, `${kind} cN`);
      });
    }
    m.dispose();
  });

  it('stacks like single layers composed by hand: values and gradients', () => {
    const stackM = make(3, 4, { numLayers: 2, generator: new fg.Generator(11) });
    const l0 = make(3, 4, {});
    const l1 = make(4, 4, {});
    l0.loadStateDict(layerState(stackM, 0));
    l1.loadStateDict(layerState(stackM, 1));
    fg.tidy(() => {
      fg.manualSeed(2);
      const x = fg.randn([2, 5, 3], { requiresGrad: true });
      const h0 = fg.randn([2, 2, 4], { requiresGrad: true });
      const c0 = fg.randn([2, 2, 4], { requiresGrad: true });
      const s = run(stackM, x, h0, c0);
      const a = run(l0, x, fg.slice(h0, 0, 0, 1), fg.slice(c0, 0, 0, 1));
      const b = run(l1, a.output, fg.slice(h0, 0, 1, 2), fg.slice(c0, 0, 1, 2));
      expect(s.output.toFloat32Array()).toEqual(b.output.toFloat32Array());
      expect(s.hN.toFloat32Array()).toEqual(fg.concat([a.hN, b.hN], 0).toFloat32Array());
      if (s.cN) expect(s.cN.toFloat32Array()).toEqual(fg.concat([a.cN as fg.Tensor, b.cN as fg.Tensor], 0).toFloat32Array());
      const u = fg.randn(s.output.shape);
      const v = fg.randn(s.hN.shape);
      const objective = (r: Run, hN: fg.Tensor, cN: fg.Tensor | undefined): fg.Tensor => {
        const t = r.output.mul(u).sum().add(hN.mul(v).sum());
        return cN ? t.add(cN.mul(v).sum()) : t;
      };
      objective(s, s.hN, s.cN).backward();
      const stackGrads = [x, h0, c0, ...stackM.parameters()].map((t) => t.grad?.toFloat32Array() ?? null);
      [x, h0, c0].forEach((t) => t.zeroGrad());
      objective(b, fg.concat([a.hN, b.hN], 0), a.cN && b.cN ? fg.concat([a.cN, b.cN], 0) : undefined).backward();
      const handGrads = [x, h0, c0, ...l0.parameters().slice(0, 4), ...l1.parameters()].map((t) => t.grad?.toFloat32Array() ?? null);
      const isLstm = stackM instanceof nn.LSTM;
      stackGrads.forEach((g, i) => {
        if (i === 2 && !isLstm) return; // c0 plays no part outside the LSTM
        expect(g, `gradient ${i}`).not.toBeNull();
        expectClose(g as Float32Array, handGrads[i] as Float32Array, 1e-5, 1e-6, `${kind} gradient ${i}`);
      });
    });
    [stackM, l0, l1].forEach((m) => m.dispose());
  });

  it('applies dropout between layers in training mode only, from its generator', () => {
    const gen = new fg.Generator(5);
    const m = make(3, 8, { numLayers: 2, dropout: 0.5, generator: gen });
    const l0 = make(3, 8, {});
    const l1 = make(8, 8, {});
    l0.loadStateDict(layerState(m, 0));
    l1.loadStateDict(layerState(m, 1));
    fg.tidy(() => {
      fg.manualSeed(1);
      const x = fg.randn([4, 6, 3]);
      gen.manualSeed(99);
      const trained = m.forward(x);
      const byHand = l1.forward(fg.dropout(l0.forward(x), 0.5, { generator: new fg.Generator(99) }));
      expect(trained.toFloat32Array()).toEqual(byHand.toFloat32Array());
      m.eval();
      expect(m.forward(x).toFloat32Array()).toEqual(l1.forward(l0.forward(x)).toFloat32Array());
      expect(m.forward(x).toFloat32Array()).not.toEqual(trained.toFloat32Array());
    });
    [m, l0, l1].forEach((t) => t.dispose());
  });

  it('gradients (input, initial state, every parameter of 2 layers) match finite differences of the float64 loop', () => {
    const m = make(3, 4, { numLayers: 2, generator: new fg.Generator(13) });
    const refKind = kind === 'RNN' ? 'rnn-tanh' : kind === 'RNN relu' ? 'rnn-relu' : kind === 'LSTM' ? 'lstm' : 'gru';
    const isLstm = m instanceof nn.LSTM;
    const r = rng(17);
    const rand = (n: number): Float64Array => Float64Array.from({ length: n }, () => Math.fround(r() * 2 - 1));
    const names = m.namedParameters().map(([n]) => n);
    // inputs of the objective: x, h0, c0, then the parameters
    const arrays = [array64([2, 5, 3], rand(30)), array64([2, 2, 4], rand(16)), array64([2, 2, 4], rand(16))];
    m.parameters().forEach((p) => arrays.push(array64(p.shape, p.toFloat32Array())));
    const u = rand(2 * 5 * 4);
    const objective = (): number => {
      const p = (k: number, name: string): Array64 => arrays[3 + names.indexOf(`${name}_l${k}`)] as Array64;
      let input = arrays[0] as Array64;
      for (let k = 0; k < 2; k++) {
        const state = (a: number): Array64 => array64([2, 4], (arrays[a] as Array64).data.slice(k * 8, (k + 1) * 8));
        input = refLayer(refKind, input, p(k, 'weight_ih'), p(k, 'weight_hh'), p(k, 'bias_ih'), p(k, 'bias_hh'), state(1), state(2)).out;
      }
      return input.data.reduce((s, v, i) => s + v * (u[i] as number), 0);
    };
    fg.tidy(() => {
      const [x, h0, c0] = arrays.slice(0, 3).map((a) => fg.tensor(Float32Array.from(a.data), a.shape, { requiresGrad: true })) as [fg.Tensor, fg.Tensor, fg.Tensor];
      const out = run(m, x, h0, c0).output;
      out.backward(fg.tensor(Float32Array.from(u), out.shape));
      const grads = [x.grad, h0.grad, isLstm ? c0.grad : null, ...m.parameters().map((p) => p.grad)];
      const h = 1e-6;
      arrays.forEach((a, k) => {
        if (k === 2 && !isLstm) return;
        const g = (grads[k] as fg.Tensor).toFloat32Array();
        const picked = Array.from({ length: 6 }, () => Math.floor(r() * a.data.length));
        const numeric = picked.map((i) => {
          const saved = a.data[i] as number;
          a.data[i] = saved + h;
          const up = objective();
          a.data[i] = saved - h;
          const down = objective();
          a.data[i] = saved;
          return (up - down) / (2 * h);
        });
        const scale = Math.max(1, ...numeric.map(Math.abs));
        expectClose(picked.map((i) => g[i] as number), numeric, 0, 2e-3 * scale, `${kind}: gradient of input ${k}`);
      });
    });
    m.dispose();
  });

  it('names the layer and the shapes in its errors', () => {
    const m = make(5, 6, { numLayers: 2 });
    fg.tidy(() => {
      const label = kind.startsWith('RNN') ? 'RNN' : kind;
      expect(() => m.forward(fg.zeros([3, 5]))).toThrow(new RegExp(`${label}\\(5 → 6, 2 layers\\): expected input \\[batch, time, 5\\] \\(batch-first\\), got \\[3, 5\\]`));
      expect(() => m.forward(fg.zeros([3, 4, 4]))).toThrow(fg.ShapeError);
      expect(() => m.forward(fg.zeros([3, 0, 5]))).toThrow(/empty/);
      expect(() => m.forward(fg.zeros([3, 4, 5]), fg.zeros([1, 3, 6]))).toThrow(/h0 must have shape \[2, 3, 6\] \(\[numLayers, batch, hidden\]\), got \[1, 3, 6\]/);
      if (m instanceof nn.LSTM) {
        expect(() => m.run(fg.zeros([3, 4, 5]), [fg.zeros([2, 3, 6]), fg.zeros([2, 2, 6])])).toThrow(/c0 must have shape \[2, 3, 6\].*got \[2, 2, 6\]/);
      }
    });
    expect(() => make(5, 6, { batchFirst: false })).toThrow(fg.ValueError);
    expect(() => make(5, 6, { dropout: 1.5 })).toThrow(/dropout must be a finite number in \[0, 1\]/);
    expect(() => make(5, 0, {})).toThrow(/hiddenSize must be an integer >= 1/);
    expect(() => make(5, 6, { numLayers: 1.5 })).toThrow(/numLayers/);
    m.dispose();
  });

  it('holds the same memory after repeated forward/backward steps in tidy', () => {
    const m = make(5, 8, { numLayers: 2, dropout: 0.2, generator: new fg.Generator(1) });
    fg.manualSeed(6);
    const x = fg.randn([4, 7, 5]);
    const step = (): void =>
      fg.tidy(() => {
        const r = run(m, x);
        r.output.sum().add(r.hN.sum()).add(r.cN ? r.cN.sum() : 0).backward();
        m.zeroGrad();
      });
    step();
    const first = fg.memoryStats();
    for (let i = 0; i < 30; i++) step();
    const last = fg.memoryStats();
    expect(last.bytesInUse).toBe(first.bytesInUse);
    expect(last.liveTensors).toBe(first.liveTensors);
    expect(last.heapBytes).toBe(first.heapBytes);
    x.dispose();
    m.dispose();
  });
});

describe('nn.RNN options', () => {
  it('rejects an unknown nonlinearity and prints like PyTorch', () => {
    expect(() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow(/nonlinearity must be one of 'tanh', 'relu'/);
    const m = new nn.RNN(3, 4, { nonlinearity: 'relu', numLayers: 2 });
    expect(String(m)).toBe("RNN(3, 4, batch_first=True, num_layers=2, nonlinearity='relu')");
    expect(String(new nn.LSTM(3, 4))).toBe('LSTM(3, 4, batch_first=True)');
  });
});
