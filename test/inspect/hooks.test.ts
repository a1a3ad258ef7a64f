import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { expectClose } from '../support/opcheck.js';

const { nn } = fg;

function mlp(): fg.nn.Sequential {
  fg.manualSeed(1);
  return new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
}

describe('forward hooks', () => {
  it('fire once per forward, also on a Linear that Sequential would fuse, and are removable', () => {
    const model = mlp();
    const first = model.at(0);
    const seen: string[] = [];
    const hPre = first.registerForwardPreHook((m, inputs) => void seen.push(`pre ${m.constructor.name} ${inputs[0]?.shape}`));
    const hFwd = first.registerForwardHook((m, _inputs, out) => void seen.push(`fwd ${m.constructor.name} ${out.shape}`));
    const hRelu = model.at(1).registerForwardHook(() => void seen.push('relu'));
    fg.tidy(() => {
      model.forward(fg.ones([5, 4]));
      expect(seen).toEqual(['pre Linear 5,4', 'fwd Linear 5,3', 'relu']);
      model.forward(fg.ones([2, 4]));
      expect(seen).toHaveLength(6);
      hPre.remove();
      hFwd.remove();
      hFwd.remove();
      model.forward(fg.ones([2, 4]));
      expect(seen).toEqual(['pre Linear 5,4', 'fwd Linear 5,3', 'relu', 'pre Linear 2,4', 'fwd Linear 2,3', 'relu', 'relu']);
      hRelu.remove();
      expect(Object.hasOwn(first, 'forward')).toBe(false);
      // without hooks, Linear + ReLU are one fused node again
      expect(model.forward(fg.ones([1, 4], { requiresGrad: true })).node?.inputs[0]?.node?.op).toBe('linear+relu');
    });
  });

  it('sees the unfused activation: the hooked Linear output is pre-ReLU', () => {
    const model = mlp();
    let pre: number[] = [];
    model.at(0).registerForwardHook((_m, _i, out) => void (pre = Array.from(out.data)));
    fg.tidy(() => {
      const x = fg.tensor([[1, -2, 3, -4]]);
      model.forward(x);
      const direct = fg.linear(x, (model.at(0) as fg.nn.Linear).weight, (model.at(0) as fg.nn.Linear).bias);
      expectClose(pre, direct.toFloat32Array(), 1e-6, 1e-6, 'pre-activation');
      expect(pre.some((v) => v < 0)).toBe(true);
    });
  });

  it('replace inputs (pre-hook) and the output (forward hook)', () => {
    const layer = new nn.ReLU();
    const h1 = layer.registerForwardPreHook((_m, [x]) => fg.neg(x as fg.Tensor));
    const h2 = layer.registerForwardHook((_m, _i, out) => fg.mul(out, 10));
    fg.tidy(() => {
      expect(layer.forward(fg.tensor([1, -2])).toArray()).toEqual([0, 20]);
      h1.remove();
      expect(layer.forward(fg.tensor([1, -2])).toArray()).toEqual([10, 0]);
      h2.remove();
      expect(layer.forward(fg.tensor([1, -2])).toArray()).toEqual([1, 0]);
    });
  });

  it('rejects a hook that is not a function, naming the method', () => {
    expect(() => new nn.ReLU().registerForwardHook(42 as unknown as fg.ForwardHook)).toThrow(/registerForwardHook: hook must be a function/);
  });
});

describe('full backward hooks', () => {
  it('fire once per backward with gradOutput and gradInput (= gradOutput · W for a Linear)', () => {
    const model = mlp();
    const last = model.at(2) as fg.nn.Linear;
    const calls: Array<{ gin: number[] | null; gout: number[] }> = [];
    const h = last.registerFullBackwardHook((_m, gin, gout) => {
      calls.push({ gin: gin[0] ? Array.from(gin[0].data) : null, gout: Array.from((gout[0] as fg.Tensor).data) });
    });
    fg.tidy(() => {
      const x = fg.tensor([[1, 2, 3, 4], [-1, 0, 2, 1]]);
      const up = fg.tensor([[1, -1], [0.5, 2]]);
      model.forward(x).backward(up);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.gout).toEqual([1, -1, 0.5, 2]);
      const expected = fg.matmul(up, last.weight);
      expectClose(calls[0]?.gin as number[], expected.toFloat32Array(), 1e-6, 1e-6, 'gradInput');
      h.remove();
      model.zeroGrad();
      model.forward(x).backward(up);
      expect(calls).toHaveLength(1);
    });
  });

  it('passes null for an input that takes no gradient, and may replace an input gradient', () => {
    fg.manualSeed(2);
    const layer = new nn.Linear(3, 2);
    let gin: Array<fg.Tensor | null> = [];
    layer.registerFullBackwardHook((_m, g) => void (gin = g));
    fg.tidy(() => {
      layer.forward(fg.ones([1, 3])).sum().backward();
      expect(gin).toEqual([null]);
      const zeroing = layer.registerFullBackwardHook((_m, g) => [fg.mul(g[0] as fg.Tensor, 0)]);
      const x = fg.ones([1, 3], { requiresGrad: true });
      layer.forward(x).sum().backward();
      expect(Array.from((x.grad as fg.Tensor).data)).toEqual([0, 0, 0]);
      zeroing.remove();
    });
  });

  it('give one gradient per input of a multi-input module (LSTM with h0), and refuse to replace them', () => {
    fg.manualSeed(3);
    const lstm = new nn.LSTM(2, 3);
    let seen: Array<number[] | null> = [];
    const h = lstm.registerFullBackwardHook((_m, gin) => void (seen = gin.map((g) => (g ? [...g.shape] : null))));
    fg.tidy(() => {
      const x = fg.randn([4, 5, 2], { requiresGrad: true, generator: new fg.Generator(1) });
      const h0 = fg.zeros([1, 4, 3], { requiresGrad: true });
      lstm.forward(x, h0).sum().backward();
      expect(seen).toEqual([[4, 5, 2], [1, 4, 3]]);
      // the gradient of x reaches the hook as computed by the LSTM's own backward
      const dx = Array.from((x.grad as fg.Tensor).data);
      x.zeroGrad();
      lstm.forward(x).sum().backward();
      expect(seen).toEqual([[4, 5, 2]]);
      expectClose(Array.from((x.grad as fg.Tensor).data), dx, 1e-6, 1e-6, 'dx with and without h0 = 0');
      const bad = lstm.registerFullBackwardHook((_m, gin) => gin.map((g) => g && fg.mul(g, 2)));
      expect(() => lstm.forward(x, h0).sum().backward()).toThrow(/replacing input gradients works for a module with one input/);
      bad.remove();
    });
    h.remove();
    lstm.dispose();
  });

  it('leave no tensors behind', () => {
    const model = mlp();
    model.at(0).registerFullBackwardHook(() => undefined);
    model.at(1).registerForwardHook(() => undefined);
    const run = (): void => fg.tidy(() => model.forward(fg.ones([3, 4], { requiresGrad: true })).sum().backward());
    run();
    model.zeroGrad();
    const before = fg.memoryStats().liveTensors;
    for (let i = 0; i < 3; i++) {
      run();
      model.zeroGrad();
    }
    expect(fg.memoryStats().liveTensors).toBe(before);
  });
});

describe('withoutFusion', () => {
  it('runs every Sequential layer on its own: each activation is a node that can retain its gradient', () => {
    const model = mlp();
    fg.tidy(() => {
      const x = fg.ones([2, 4], { requiresGrad: true });
      expect(model.forward(x).node?.inputs[0]?.node?.op).toBe('linear+relu');
      const out = fg.withoutFusion(() => model.forward(x));
      const relu = out.node?.inputs[0] as fg.Tensor;
      expect(relu.node?.op).toBe('relu');
      expect(relu.node?.inputs[0]?.node?.op).toBe('linear');
      relu.retainGrad();
      out.sum().backward();
      expect(relu.grad?.shape).toEqual([2, 3]);
      expect(model.forward(x).node?.inputs[0]?.node?.op).toBe('linear+relu');
    });
  });
});
