// Graph nodes with several outputs (src/autograd/graph.ts recordMulti): the engine runs such a
// node once, after the gradients of all its outputs are in, with null for outputs that got
// none. Checked on the ops that record them (LSTM/GRU/RNN layers, split, chunk) and on max /
// min / topk / sort, which return (values, indices), against PyTorch
// (scripts/fixtures/torch_multi_output.py) and finite differences.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { recordMulti } from '../../src/autograd/graph.js';
import type { MultiOutputNode } from '../../src/tensor/tensor.js';
import { expectClose } from '../support/opcheck.js';

interface Enc {
  shape: number[];
  data: number[];
}
const F = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'torch-multi-output.json'), 'utf8')) as Record<string, Record<string, unknown>>;
const T = (e: unknown, requiresGrad = false): fg.Tensor => fg.tensor(Float32Array.from((e as Enc).data), (e as Enc).shape, { requiresGrad });
const data = (e: unknown): number[] => (e as Enc).data;
const close = (t: fg.Tensor | null, e: unknown, what: string, tol = 1e-5): void => {
  expect(t, what).not.toBeNull();
  expect([...(t as fg.Tensor).shape], what).toEqual((e as Enc).shape);
  expectClose((t as fg.Tensor).data, data(e), tol, tol, what);
};

describe('max / min / topk / sort: (values, indices) as in PyTorch, one node on the values', () => {
  it('max along a dim: destructurable pair, values, indices (first of a tie) and gradient to the picked element only', () => {
    const c = F.max as Record<string, unknown>;
    fg.tidy(() => {
      const x = T(c.x, true);
      const pair = fg.max(x, 1);
      const [values, indices] = pair as unknown as [fg.Tensor, fg.Tensor];
      expect([values, indices]).toEqual([pair.values, pair.indices]);
      close(values, c.values, 'values');
      expect(Array.from(indices.data)).toEqual(data(c.indices));
      expect(fg.max(x, 1).values.node?.op).toBe('max');
      expect(indices.requiresGrad).toBe(false);
      values.mul(T(c.weight)).sum().backward();
      close(x.grad, c.grad, 'gradient');
      const r = x.max({ dim: 1 });
      expect([...r].map((t) => t.shape)).toEqual([[3], [3]]);
      const kept = fg.tidy(() => fg.max(x, 0));
      expect([kept.values.isDisposed, kept.indices.isDisposed]).toEqual([false, false]);
      kept.dispose();
      expect([kept.values.isDisposed, kept.indices.isDisposed]).toEqual([true, true]);
    });
  });

  it('min with keepdim, and max/min over all elements or several dims still give the values alone', () => {
    const c = F.minKeepdim as Record<string, unknown>;
    fg.tidy(() => {
      const x = T(c.x, true);
      const { values, indices } = fg.min(x, 0, true);
      close(values, c.values, 'values');
      expect(Array.from(indices.data)).toEqual(data(c.indices));
      values.mul(T(c.weight)).sum().backward();
      close(x.grad, c.grad, 'gradient');
      expect(fg.max(x)).toBeInstanceOf(fg.Tensor);
      expect(fg.max(x, [0, 1]).shape).toEqual([]);
      expect(fg.max(x, null, true).shape).toEqual([1, 1]);
    });
  });

  it('topk and sort: PyTorch values, indices and gradients, recorded as one topk / sort node', () => {
    for (const [name, run] of [
      ['topk', (x: fg.Tensor) => fg.topk(x, 3, 1)],
      ['sort', (x: fg.Tensor) => fg.sort(x, 0, true)],
    ] as const) {
      const c = F[name] as Record<string, unknown>;
      fg.tidy(() => {
        const x = T(c.x, true);
        const { values, indices } = run(x);
        close(values, c.values, `${name} values`);
        expect(Array.from(indices.data), name).toEqual(data(c.indices));
        expect(values.node?.op).toBe(name);
        expect(values.node?.inputs).toEqual([x]);
        values.mul(T(c.weight)).sum().backward();
        close(x.grad, c.grad, `${name} gradient`);
      });
    }
  });

  it('pass finite differences and second derivatives', () => {
    fg.tidy(() => {
      const x = fg.tensor([[0.3, -1.2, 0.8, 2.1], [1.5, 0.1, -0.7, -2.3], [0.9, 1.9, -0.4, 0.2]], undefined, { requiresGrad: true });
      const f = (t: fg.Tensor): fg.Tensor => fg.add(fg.max(t.square(), 1).values.sum(), fg.add(fg.topk(t, 2, 0).values.square().sum(), fg.min(t.mul(t).mul(t), 0, true).values.sum()));
      expect(fg.gradcheck(f, [x]).ok).toBe(true);
      expect(fg.gradgradcheck(f, [x]).ok).toBe(true);
    });
  });
});

describe('split / chunk: one node, gradients of unused parts as zeros', () => {
  it('match PyTorch when only some parts are used', () => {
    const s = F.split as Record<string, unknown>;
    const c = F.chunk as Record<string, unknown>;
    fg.tidy(() => {
      const x = T(s.x, true);
      const parts = fg.split(x, [2, 1, 2]);
      expect(parts.map((p) => p.shape)).toEqual([[2, 4], [1, 4], [2, 4]]);
      expect(new Set(parts.map((p) => p.node)).size).toBe(1);
      fg.add(parts[0]!.mul(T(s.weight0)).sum(), parts[2]!.square().sum()).backward();
      close(x.grad, s.grad, 'split gradient');
      const y = T(c.x, true);
      const chunks = y.chunk(3, 1);
      expect(chunks.map((p) => [...p.shape])).toEqual(c.shapes);
      chunks[1]!.mul(T(c.weight1)).sum().backward();
      close(y.grad, c.grad, 'chunk gradient');
    });
  });

  it('split by size, chunk that runs out early, named errors', () => {
    fg.tidy(() => {
      const x = fg.arange(12).reshape([6, 2]);
      expect(fg.split(x, 4).map((p) => p.shape)).toEqual([[4, 2], [2, 2]]);
      expect(fg.chunk(x, 4).map((p) => p.toArray())).toEqual([[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9], [10, 11]]]);
      expect(x.split(1, 1).map((p) => p.shape)).toEqual([[6, 1], [6, 1]]);
      expect(() => fg.split(x, [2, 2])).toThrow(/^split: sizes \[2, 2\] add up to 4, but dim 0 of shape \[6, 2\] has 6/);
      expect(() => fg.split(x, 0)).toThrow(fg.ArgumentError);
      expect(() => fg.chunk(x, 2, 2)).toThrow(/^chunk: axis 2 is out of range/);
    });
  });

  it('pass finite differences with parts unused, and second derivatives through the concat rule', () => {
    fg.tidy(() => {
      const x = fg.tensor([[0.5, -1], [2, 0.25], [-0.75, 1.5], [1, -2]], undefined, { requiresGrad: true });
      const f = (t: fg.Tensor): fg.Tensor => {
        const [a, , c] = fg.split(t, [1, 2, 1]);
        return fg.add(a!.square().sum(), c!.mul(t.chunk(2, 1)[0]!.sum()).sum());
      };
      expect(fg.gradcheck(f, [x]).ok).toBe(true);
      expect(fg.gradgradcheck(f, [x]).ok).toBe(true);
    });
  });
});

describe('the LSTM layer: one node with three outputs', () => {
  const L = F.lstm as Record<string, Record<string, unknown>>;
  const w = L.weights as Record<string, unknown>;
  const setup = (): { x: fg.Tensor; h0: fg.Tensor; c0: fg.Tensor; weights: fg.RecurrentWeights } => ({
    x: T(L.x, true),
    h0: T(L.h0, true),
    c0: T(L.c0, true),
    weights: { weightIh: T(w.weight_ih_l0, true), weightHh: T(w.weight_hh_l0, true), biasIh: T(w.bias_ih_l0, true), biasHh: T(w.bias_hh_l0, true) },
  });

  it.each([
    ['all', [true, true, true]],
    ['statesOnly', [false, true, true]],
    ['cellOnly', [false, false, true]],
  ] as const)('matches PyTorch with the loss on %s', (which, [useOut, useH, useC]) => {
    const want = L[which] as Record<string, unknown>;
    const g = want.grads as Record<string, unknown>;
    fg.tidy(() => {
      const { x, h0, c0, weights } = setup();
      const { output, hN, cN } = fg.lstmLayer(x, weights, h0, c0);
      close(output, want.output, 'output');
      close(hN, want.hN, 'hN');
      close(cN, want.cN, 'cN');
      expect(output.node).toBe(hN.node);
      expect(cN.node?.outputs).toEqual([output, hN, cN]);
      const terms = [useOut && output.mul(T(L.wo)).sum(), useH && hN.mul(T(L.wh)).sum(), useC && cN.mul(T(L.wc)).sum()].filter((t): t is fg.Tensor => t !== false);
      terms.reduce((a, b) => fg.add(a, b)).backward();
      close(x.grad, g.x, 'dx', 1e-4);
      close(h0.grad, g.h0, 'dh0', 1e-4);
      close(c0.grad, g.c0, 'dc0', 1e-4);
      close(weights.weightIh.grad, g.weight_ih_l0, 'dW_ih', 1e-4);
      close(weights.weightHh.grad, g.weight_hh_l0, 'dW_hh', 1e-4);
      close(weights.biasIh?.grad ?? null, g.bias_ih_l0, 'db_ih', 1e-4);
      close(weights.biasHh?.grad ?? null, g.bias_hh_l0, 'db_hh', 1e-4);
    });
  });

  it('nn.LSTM.run: the loss on the output and on (hN, cN) gives PyTorch\'s gradients', () => {
    const want = L.all as Record<string, unknown>;
    const g = want.grads as Record<string, unknown>;
    const lstm = new fg.nn.LSTM(3, 4);
    fg.tidy(() => {
      fg.noGrad(() => {
        for (const [name, p] of lstm.namedParameters()) p.copy_(T(w[name]));
      });
      const x = T(L.x, true);
      const h0 = T(L.h0).unsqueeze(0).requiresGrad_();
      const c0 = T(L.c0).unsqueeze(0).requiresGrad_();
      const { output, hN, cN } = lstm.run(x, [h0, c0]);
      fg.add(fg.add(output.mul(T(L.wo)).sum(), hN.select(0, 0).mul(T(L.wh)).sum()), cN.select(0, 0).mul(T(L.wc)).sum()).backward();
      close(x.grad, g.x, 'dx', 1e-4);
      close(h0.grad?.select(0, 0) ?? null, g.h0, 'dh0', 1e-4);
      close(c0.grad?.select(0, 0) ?? null, g.c0, 'dc0', 1e-4);
      for (const [name, p] of lstm.namedParameters()) close(p.grad, g[name], `d${name}`, 1e-4);
    });
    lstm.dispose();
  });

  it('runs its backward once per pass however many outputs the loss reads', () => {
    fg.tidy(() => {
      const { x, h0, c0, weights } = setup();
      const { output, hN, cN } = fg.lstmLayer(x, weights, h0, c0);
      const node = output.node as MultiOutputNode;
      let calls = 0;
      let seen: Array<number[] | null> = [];
      const wrapped: MultiOutputNode = { ...node, backward: (dys: ReadonlyArray<fg.Tensor | null>) => ((calls += 1), (seen = dys.map((d: fg.Tensor | null) => (d ? [...d.shape] : null))), node.backward(dys)) };
      for (const o of [output, hN, cN]) o.node = wrapped;
      fg.add(fg.add(output.sum(), hN.square().sum()), output.mean()).backward();
      expect(calls).toBe(1);
      expect(seen).toEqual([[2, 5, 4], [2, 4], null]);
    });
  });

  it('differentiates GRU and RNN layers with the loss on the final state only (finite differences)', () => {
    fg.tidy(() => {
      const gen = new fg.Generator(3);
      const p = (...s: number[]): fg.Tensor => fg.randn(s, { generator: gen }).mul(0.5).requiresGrad_();
      const x = p(2, 3, 2);
      const gru = { weightIh: p(9, 2), weightHh: p(9, 3), biasIh: p(9), biasHh: p(9) };
      const rnn = { weightIh: p(3, 2), weightHh: p(3, 3), biasIh: p(3), biasHh: null };
      expect(fg.gradcheck((t, wi, wh) => fg.gruLayer(t, { ...gru, weightIh: wi, weightHh: wh }).hN.square().sum(), [x, gru.weightIh, gru.weightHh]).ok).toBe(true);
      expect(fg.gradcheck((t, wh) => fg.rnnLayer(t, { ...rnn, weightHh: wh }).hN.sum(), [x, rnn.weightHh]).ok).toBe(true);
    });
  });

  it('an in-place write to a weight between forward and backward is caught', () => {
    fg.tidy(() => {
      const { x, h0, c0, weights } = setup();
      const { hN, cN } = fg.lstmLayer(x, weights, h0, c0);
      const loss = fg.add(hN.sum(), cN.sum());
      fg.noGrad(() => weights.weightHh.mulScalar_(0.5));
      expect(() => loss.backward()).toThrow(fg.InplaceModificationError);
      expect(() => loss.backward()).toThrow(/^backward of 'lstmLayer': tensor #\d+ \[16, 4\] \(input 2\), which 'lstmLayer' saved/);
      expect(x.grad).toBeNull();
    });
  });

  it('leaks no tensor over many tidy steps, with some outputs unused', () => {
    const { x, h0, c0, weights } = fg.tidy(() => {
      const s = setup();
      return { ...s, weights: { ...s.weights } };
    });
    const params = [x, h0, c0, weights.weightIh, weights.weightHh, weights.biasIh as fg.Tensor, weights.biasHh as fg.Tensor];
    const step = (k: number): void =>
      fg.tidy(() => {
        const { output, hN } = fg.lstmLayer(x, weights, h0, c0);
        const parts = fg.split(output, 2, 1);
        const { values } = fg.max(hN, 1);
        fg.add(parts[k % parts.length]!.sum(), values.sum()).backward();
      });
    step(0);
    fg.zeroGrad(params);
    const before = fg.memoryStats().liveTensors;
    for (let k = 0; k < 20; k++) {
      step(k);
      fg.zeroGrad(params);
    }
    expect(fg.memoryStats().liveTensors).toBe(before);
    params.forEach((t) => t.dispose());
  });
});

describe('the engine around multi-output nodes', () => {
  it('hooks and retainGrad on each output; the node gets the hooked gradients', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, 2, 3, 4], undefined, { requiresGrad: true });
      const [a, b] = fg.split(x, 2);
      a!.registerHook((g) => g.mul(10));
      b!.retainGrad();
      fg.add(a!.sum(), b!.mul(fg.tensor([2, 3])).sum()).backward();
      expect(x.grad?.toArray()).toEqual([10, 10, 2, 3]);
      expect(b!.grad?.toArray()).toEqual([2, 3]);
      expect(a!.grad).toBeNull();
    });
  });

  it('a freed node: a second backward through another output names it', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, 2, 3, 4], undefined, { requiresGrad: true });
      const [a, b] = fg.split(x, 2);
      a!.sum().backward();
      expect(() => b!.sum().backward()).toThrow(/the graph through 'split' was freed by an earlier backward/);
      const [c, d] = fg.split(x, 2);
      c!.sum().backward(undefined, { retainGraph: true });
      d!.sum().backward();
      expect(x.grad?.toArray()).toEqual([2, 2, 1, 1]);
    });
  });

  it('checks the saved outputs of a multi-output node for in-place writes, naming which output', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, 2], undefined, { requiresGrad: true });
      const outs = recordMulti([fg.mul(fg.tensor([1, 2]), 2), fg.mul(fg.tensor([1, 2]), 3)], 'twice', [x], (dys) => [() => fg.add(dys[0] ?? fg.zeros([2]), dys[1] ?? fg.zeros([2]))]);
      const loss = outs[0]!.sum();
      fg.noGrad(() => outs[1]!.fill_(0));
      expect(() => loss.backward()).toThrow(/^backward of 'twice': tensor #\d+ \[2\] \(its output 1\), which 'twice' saved/);
    });
  });

  it('graph dumps show one op with numbered outputs; detectAnomaly watches multi-output rules', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, 2, 3], undefined, { requiresGrad: true });
      const parts = fg.split(x, [1, 2]);
      const g = fg.graph(fg.add(parts[0]!.sum(), parts[1]!.sum()));
      const outs = g.nodes.filter((n) => n.op === 'split');
      expect(outs.map((n) => [n.id, n.output])).toEqual(parts.map((p, i) => [`t${p.id}`, { index: i, of: parts.map((q) => `t${q.id}`) }]));
      expect(fg.toDot(g)).toContain('split (output 1 of 2)\\n[2]');
      expect(fg.toMermaid(g)).toContain('split (output 0 of 2)<br/>[1]');
      const bad = (): fg.Tensor[] => recordMulti([fg.mul(x, 1), fg.mul(x, 2)], 'bad', [x], (dys) => [() => fg.mul(dys[1] ?? fg.zeros([3]), NaN)], []);
      expect(() => fg.detectAnomaly(() => bad()[1]!.sum().backward())).toThrow(/^detectAnomaly: backward of 'bad' made NaN in the gradient of input 0 \[3\] .* from finite output gradients \[3\]/);
    });
  });

  it('gradcheck / gradgradcheck take functions with several outputs (a list, or a (values, indices) pair)', () => {
    fg.tidy(() => {
      const x = fg.tensor([[0.5, -1, 0.3], [2, 0.25, -0.6], [-0.75, 1.5, 0.9], [1, -2, 0.1]], undefined, { requiresGrad: true });
      expect(fg.gradcheck((t) => fg.split(t.square(), [1, 3]), [x]).ok).toBe(true);
      expect(fg.gradcheck((t) => fg.max(t, 1), [x]).ok).toBe(true);
      expect(fg.gradgradcheck((t) => t.pow(3).chunk(2, 0), [x]).ok).toBe(true);
      const gen = new fg.Generator(9);
      const p = (...s: number[]): fg.Tensor => fg.randn(s, { generator: gen }).mul(0.5).requiresGrad_();
      const seq = p(2, 3, 2);
      const w = { weightIh: p(8, 2), weightHh: p(8, 2), biasIh: null, biasHh: p(8) };
      const r = fg.gradcheck((t, wi) => { const o = fg.lstmLayer(t, { ...w, weightIh: wi }); return [o.output, o.hN, o.cN]; }, [seq, w.weightIh]);
      expect(r.ok).toBe(true);
      // a wrong rule is caught: the second part's gradient doubled
      const wrong = (t: fg.Tensor): fg.Tensor[] => recordMulti([fg.mul(t, 1), fg.mul(t, 1)], 'wrong', [t], (dys) => [() => fg.add(dys[0] ?? fg.zeros(t.shape), fg.mul(dys[1] ?? fg.zeros(t.shape), 2))], []);
      expect(fg.gradcheck((t) => wrong(fg.mul(t, 1)), [x]).ok).toBe(false);
      expect(() => fg.gradcheck(() => [], [x])).toThrow(/^gradcheck: fn must return a Tensor or a list of tensors/);
    });
  });

  it('createGraph through split works; through an LSTM it names the layer', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, 2, 3, 4], undefined, { requiresGrad: true });
      const [a, b] = fg.split(x, 2);
      const [g] = fg.gradOf(fg.add(a!.pow(3).sum(), b!.square().sum()), [x], { createGraph: true });
      expect(g?.toArray()).toEqual([3, 12, 6, 8]);
      const [gg] = fg.gradOf(g!.sum(), [x]);
      expect(gg?.toArray()).toEqual([6, 12, 2, 2]);
      const lstm = { weightIh: fg.ones([4, 1], { requiresGrad: true }), weightHh: fg.ones([4, 1]) };
      const { hN } = fg.lstmLayer(fg.ones([1, 2, 1]), lstm);
      expect(() => fg.gradOf(hN.sum(), [lstm.weightIh], { createGraph: true })).toThrow(fg.NotDifferentiableError);
    });
  });
});
