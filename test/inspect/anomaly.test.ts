import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

function caught(fn: () => unknown): fg.AnomalyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof fg.AnomalyError) return e;
    throw e;
  }
  throw new Error('expected an AnomalyError');
}

describe('detectAnomaly', () => {
  it('names sqrt when its gradient at 0 is Infinity (which otherwise passes silently)', () => {
    fg.tidy(() => {
      const silent = fg.tensor([0, 1, 4], undefined, { requiresGrad: true });
      fg.sqrt(silent).sum().backward();
      expect((silent.grad as fg.Tensor).data[0]).toBe(Infinity);

      const x = fg.tensor([0, 1, 4], undefined, { requiresGrad: true });
      const loss = fg.detectAnomaly(() => fg.mul(fg.sqrt(x), 3).sum());
      const e = caught(() => loss.backward());
      expect(e.message).toMatch(/backward of 'sqrt' made Infinity in the gradient of input 0 \[3\] \(first at flat index 0\)/);
      expect([e.op, e.phase, e.inputShapes]).toEqual(['sqrt', 'backward', [[3]]]);
      expect(x.grad).toBeNull();
    });
  });

  it('names the first op whose forward makes NaN from finite inputs, with its input shapes', () => {
    fg.tidy(() => {
      const w = fg.tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
      const e = caught(() => fg.detectAnomaly(() => fg.exp(fg.log(fg.sub(w, 2))).sum()));
      expect(e.message).toMatch(/forward of 'log' made NaN \(first at flat index 0 of its output \[2, 2\]\) from finite inputs of shapes \[2, 2\]/);
      expect([e.op, e.phase]).toEqual(['log', 'forward']);
      const input = caught(() => fg.detectAnomaly(() => fg.tensor([1, NaN], undefined, { allowNonFinite: true, requiresGrad: true }).sum()));
      expect(input.message).toMatch(/input #\d+ \[2\] holds NaN/);
    });
  });

  it('names a fused layer op inside a model, and leaves a clean pass and its gradients unchanged', () => {
    fg.manualSeed(2);
    const model = new fg.nn.Sequential(new fg.nn.Linear(3, 2), new fg.nn.ReLU());
    fg.tidy(() => {
      const x = fg.randn([4, 3], { generator: new fg.Generator(3) });
      model.forward(x).pow(2).sum().backward();
      const plain = model.parameters().map((p) => Array.from((p.grad as fg.Tensor).data));
      model.zeroGrad();
      const loss = fg.detectAnomaly(() => ({ loss: model.forward(x).pow(2).sum() })).loss;
      loss.backward();
      expect(model.parameters().map((p) => Array.from((p.grad as fg.Tensor).data))).toEqual(plain);
      model.zeroGrad();
      const bad = fg.detectAnomaly(() => fg.sum(fg.sqrt(fg.mul(model.forward(x), 0))));
      expect(caught(() => bad.backward()).op).toBe('sqrt');
      (model.at(0) as fg.nn.Linear).weight.data.fill(1);
      const huge = fg.full([4, 3], 3e38);
      expect(caught(() => fg.detectAnomaly(() => model.forward(huge).sum())).op).toBe('linear+relu');
      model.zeroGrad();
    });
  });

  it('passes a clean LSTM (one node with three outputs) and its backward', () => {
    fg.manualSeed(5);
    const lstm = new fg.nn.LSTM(3, 4);
    fg.tidy(() => {
      const x = fg.randn([2, 5, 3], { generator: new fg.Generator(6) });
      const loss = fg.detectAnomaly(() => lstm.forward(x).square().mean());
      loss.backward();
      expect(lstm.parameters().every((p) => p.grad !== null && Array.from(p.grad.data).every(Number.isFinite))).toBe(true);
      const out = lstm.forward(x);
      const g = fg.graph(out);
      const layer = g.nodes.filter((n) => n.op?.startsWith('lstmLayer'));
      expect(layer.map((n) => [n.op, n.value === null, n.output?.index, n.output?.of.length])).toEqual([['lstmLayer', false, 0, 3]]);
      expect(layer[0]?.id).toBe(`t${out.id}`);
    });
    lstm.dispose();
  });

  it('works when fn runs backward itself, forward and backward, and stops watching after fn', () => {
    fg.tidy(() => {
      const x = fg.tensor([0, 1, 4], undefined, { requiresGrad: true });
      const e = caught(() => fg.detectAnomaly(() => fg.mul(fg.sqrt(x), 3).sum().backward()));
      expect([e.op, e.phase, e.inputShapes]).toEqual(['sqrt', 'backward', [[3]]]);
      expect(e.message).toMatch(/backward of 'sqrt' made Infinity in the gradient of input 0 \[3\]/);
      expect(x.grad).toBeNull();
      const w = fg.tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
      const f = caught(() => fg.detectAnomaly(() => fg.exp(fg.log(fg.sub(w, 2))).mul(2).sum().backward()));
      expect([f.op, f.phase]).toEqual(['log', 'forward']);
      // A clean pass inside fn gives the plain gradients and returns fn's value.
      const v = fg.tensor([1, 4], undefined, { requiresGrad: true });
      expect(fg.detectAnomaly(() => fg.sqrt(v).sum().backward())).toBeUndefined();
      expect(Array.from((v.grad as fg.Tensor).data)).toEqual([0.5, 0.25]);
      // The watcher is gone once fn returns: later NaN passes silently again.
      expect(Number.isNaN(fg.log(fg.tensor([-1], undefined, { requiresGrad: true })).item())).toBe(true);
    });
  });

  it('asks for something to watch', () => {
    expect(() => fg.detectAnomaly(() => undefined)).toThrow(/detectAnomaly: fn recorded no op and returned no tensor to watch/);
    expect(() => fg.detectAnomaly(42 as never)).toThrow(/detectAnomaly: fn must be a function/);
  });
});
