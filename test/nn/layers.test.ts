import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { type Array64, array64 } from '../../src/reference/array64.js';
import * as convRef from '../../src/reference/conv.js';
import * as matRef from '../../src/reference/matmul.js';
import * as poolRef from '../../src/reference/pool.js';
import { expectClose, randomValues, rng } from '../support/opcheck.js';

const { nn } = fg;

const shapesOf = (m: fg.nn.Module): Array<[string, number[]]> => m.namedParameters().map(([n, p]) => [n, [...p.shape]]);
const a64 = (t: fg.Tensor): Array64 => array64(t.shape, t.toFloat32Array());

function randomInput(shape: number[], seed: number): fg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fg.tensor(Float32Array.from(randomValues(n, rng(seed))), shape);
}

/** All values within ±bound, spread over it like a uniform draw (mean ≈ 0, variance ≈ bound²/3). */
function expectUniform(t: fg.Tensor, bound: number, what: string): void {
  const v = Array.from(t.toFloat32Array());
  const max = Math.max(...v.map(Math.abs));
  expect(max, `${what}: inside ±${bound}`).toBeLessThanOrEqual(Math.fround(bound));
  if (v.length >= 500) {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    expect(max, `${what}: reaches near the bound`).toBeGreaterThan(0.95 * bound);
    expect(Math.abs(mean), `${what}: centred`).toBeLessThan(0.1 * bound);
    expect(variance / (bound * bound), `${what}: variance of U(−b, b)`).toBeCloseTo(1 / 3, 1);
  }
}

describe('Linear', () => {
  it('has PyTorch parameter names, shapes and initialisation bounds', () => {
    fg.tidy(() => {
      const layer = new nn.Linear(20, 32);
      expect(shapesOf(layer)).toEqual([['weight', [32, 20]], ['bias', [32]]]);
      expectUniform(layer.weight, 1 / Math.sqrt(20), 'weight');
      expectUniform(layer.bias as fg.Tensor, 1 / Math.sqrt(20), 'bias');
      expect(layer.parameterCount()).toBe(20 * 32 + 32);
      expect(layer.weight.requiresGrad).toBe(true);
      expect(shapesOf(new nn.Linear(20, 32, { bias: false }))).toEqual([['weight', [32, 20]]]);
      expectUniform(new nn.Linear(400, 300).weight, 1 / 20, 'weight of Linear(400, 300)');
    });
  });

  it('draws reproducible weights from a seeded generator', () => {
    fg.tidy(() => {
      const a = new nn.Linear(6, 4, { generator: new fg.Generator(7) });
      const b = new nn.Linear(6, 4, { generator: new fg.Generator(7) });
      const c = new nn.Linear(6, 4, { generator: new fg.Generator(8) });
      expect(a.weight.toArray()).toEqual(b.weight.toArray());
      expect(a.bias?.toArray()).toEqual(b.bias?.toArray());
      expect(a.weight.toArray()).not.toEqual(c.weight.toArray());
      fg.manualSeed(11);
      const d = new nn.Linear(6, 4);
      fg.manualSeed(11);
      const e = new nn.Linear(6, 4);
      expect(d.weight.toArray()).toEqual(e.weight.toArray());
      expect(d.bias?.toArray()).toEqual(e.bias?.toArray());
    });
  });

  it('computes x·Wᵀ + b over any leading dimensions, like the float64 reference', () => {
    fg.tidy(() => {
      const layer = new nn.Linear(5, 3);
      for (const shape of [[5], [4, 5], [2, 3, 5]]) {
        const x = randomInput(shape, shape.length);
        const y = layer.forward(x);
        const expected = matRef.linear(a64(x), a64(layer.weight), a64(layer.bias as fg.Tensor));
        expect([...y.shape]).toEqual(expected.shape);
        expectClose(y.toFloat32Array(), expected.data, 1e-5, 1e-5, `Linear on ${shape}`);
      }
      const noBias = new nn.Linear(5, 3, { bias: false });
      const x = randomInput([4, 5], 9);
      expectClose(noBias.forward(x).toFloat32Array(), matRef.linear(a64(x), a64(noBias.weight)).data, 1e-5, 1e-5, 'Linear without bias');
    });
  });

  it('sends gradients to its parameters', () => {
    fg.tidy(() => {
      const layer = new nn.Linear(4, 2);
      const x = randomInput([3, 4], 1);
      layer.forward(x).sum().backward();
      // d/db Σ y = number of rows; d/dW Σ y = column sums of x for every output.
      expect(layer.bias?.grad?.toArray()).toEqual([3, 3]);
      const colSums = [0, 1, 2, 3].map((j) => [0, 1, 2].reduce((s, i) => s + (x.data[i * 4 + j] as number), 0));
      expectClose((layer.weight.grad as fg.Tensor).toFloat32Array(), [...colSums, ...colSums], 1e-6, 1e-6, 'dW');
      layer.zeroGrad();
      expect(layer.weight.grad).toBeNull();
    });
  });

  it('names itself and the shapes when the input does not fit', () => {
    fg.tidy(() => {
      const layer = new nn.Linear(20, 32);
      expect(() => layer.forward(fg.zeros([4, 10]))).toThrow(fg.ShapeError);
      expect(() => layer.forward(fg.zeros([4, 10]))).toThrow('Linear(20 → 32): expected input [..., 20], got [4, 10]');
      expect(() => layer.forward(fg.zeros([]))).toThrow(/Linear\(20 → 32\).*got \[\]/);
      expect(() => new nn.Linear(0, 3)).toThrow(/nn\.Linear: inFeatures must be an integer >= 1, got number 0/);
      expect(() => new nn.Linear(3, 2.5)).toThrow(fg.ValueError);
      expect(String(layer)).toBe('Linear(in_features=20, out_features=32, bias=true)');
      expect(String(new nn.Linear(2, 1, { bias: false }))).toBe('Linear(in_features=2, out_features=1, bias=false)');
    });
  });
});

describe('Conv1d and Conv2d', () => {
  it('have PyTorch parameter names, shapes and initialisation bounds', () => {
    fg.tidy(() => {
      const c1 = new nn.Conv1d(3, 8, 5);
      expect(shapesOf(c1)).toEqual([['weight', [8, 3, 5]], ['bias', [8]]]);
      expectUniform(c1.weight, 1 / Math.sqrt(15), 'Conv1d weight');
      expectUniform(c1.bias as fg.Tensor, 1 / Math.sqrt(15), 'Conv1d bias');
      const c2 = new nn.Conv2d(4, 16, [3, 2]);
      expect(shapesOf(c2)).toEqual([['weight', [16, 4, 3, 2]], ['bias', [16]]]);
      expectUniform(c2.weight, 1 / Math.sqrt(24), 'Conv2d weight');
      expectUniform(new nn.Conv2d(16, 32, 3).weight, 1 / 12, 'Conv2d(16, 32, 3) weight');
      expect(shapesOf(new nn.Conv2d(1, 2, 3, { bias: false }))).toEqual([['weight', [2, 1, 3, 3]]]);
      const g1 = new nn.Conv2d(2, 3, 3, { generator: new fg.Generator(3) });
      const g2 = new nn.Conv2d(2, 3, 3, { generator: new fg.Generator(3) });
      expect(g1.weight.toArray()).toEqual(g2.weight.toArray());
    });
  });

  it('match the float64 convolution with their options', () => {
    fg.tidy(() => {
      const c1 = new nn.Conv1d(3, 4, 3, { stride: 2, padding: 1, dilation: 2 });
      const x1 = randomInput([2, 3, 17], 1);
      const y1 = c1.forward(x1);
      const e1 = convRef.conv1d(a64(x1), a64(c1.weight), a64(c1.bias as fg.Tensor), { stride: 2, padding: 1, dilation: 2 });
      expect([...y1.shape]).toEqual(e1.shape);
      expectClose(y1.toFloat32Array(), e1.data, 1e-4, 1e-4, 'Conv1d');

      const c2 = new nn.Conv2d(2, 3, [3, 2], { stride: [1, 2], padding: [1, 0] });
      const x2 = randomInput([2, 2, 5, 7], 2);
      const y2 = c2.forward(x2);
      const e2 = convRef.conv2d(a64(x2), a64(c2.weight), a64(c2.bias as fg.Tensor), { stride: [1, 2], padding: [1, 0] });
      expect([...y2.shape]).toEqual(e2.shape);
      expectClose(y2.toFloat32Array(), e2.data, 1e-4, 1e-4, 'Conv2d');

      const same = new nn.Conv1d(2, 2, 4, { padding: 'same', bias: false });
      expect([...same.forward(fg.zeros([1, 2, 9])).shape]).toEqual([1, 2, 9]);
      expect([...c2.forward(fg.zeros([2, 5, 7])).shape]).toEqual([3, 5, 3]); // unbatched
    });
  });

  it('check options when built and inputs when run', () => {
    fg.tidy(() => {
      const conv = new nn.Conv2d(3, 16, 3, { padding: 1 });
      expect(() => conv.forward(fg.zeros([2, 4, 8, 8]))).toThrow('Conv2d(3 → 16, kernel 3×3): expected input [N, 3, H, W] or [3, H, W], got [2, 4, 8, 8]');
      expect(() => conv.forward(fg.zeros([8, 8]))).toThrow(fg.ShapeError);
      expect(() => new nn.Conv1d(2, 4, 3).forward(fg.zeros([1, 2, 2]))).toThrow(/conv1d: kernel/);
      expect(() => new nn.Conv1d(2, 4, 0)).toThrow(/nn\.Conv1d: kernelSize must be an integer >= 1/);
      expect(() => new nn.Conv2d(2, 4, 3, { stride: 2, padding: 'same' })).toThrow(/Conv2d: padding='same' needs stride 1/);
      expect(String(conv)).toBe('Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))');
      expect(String(new nn.Conv1d(3, 8, 5, { bias: false }))).toBe('Conv1d(3, 8, kernel_size=(5,), stride=(1,), bias=false)');
    });
  });
});

describe('pooling layers', () => {
  it('match the float64 pools with PyTorch defaults (stride = kernel) and options', () => {
    fg.tidy(() => {
      const x2 = randomInput([2, 3, 7, 9], 3);
      const x1 = randomInput([2, 3, 11], 4);
      const cases: Array<[fg.nn.Module, fg.Tensor, Array64]> = [
        [new nn.MaxPool2d(2), x2, poolRef.maxPool2d(a64(x2), [2, 2], { stride: [2, 2] })],
        [new nn.MaxPool2d([3, 2], { stride: 1, padding: [1, 1], ceilMode: true }), x2, poolRef.maxPool2d(a64(x2), [3, 2], { stride: [1, 1], padding: [1, 1], ceilMode: true })],
        [new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), x2, poolRef.avgPool2d(a64(x2), [3, 3], { stride: [2, 2], padding: [1, 1], countIncludePad: false })],
        [new nn.AvgPool2d(2), x2, poolRef.avgPool2d(a64(x2), [2, 2], { stride: [2, 2] })],
        [new nn.MaxPool1d(3, { dilation: 2 }), x1, poolRef.maxPool1d(a64(x1), 3, { stride: 3, dilation: 2 })],
        [new nn.AvgPool1d(4, { stride: 2, padding: 2 }), x1, poolRef.avgPool1d(a64(x1), 4, { stride: 2, padding: 2 })],
      ];
      for (const [layer, x, expected] of cases) {
        const y = layer.forward(x);
        expect([...y.shape], String(layer)).toEqual(expected.shape);
        expectClose(y.toFloat32Array(), expected.data, 1e-5, 1e-5, String(layer));
      }
    });
  });

  it('name themselves in shape errors and print like PyTorch', () => {
    fg.tidy(() => {
      expect(() => new nn.MaxPool2d(2).forward(fg.zeros([4, 4]))).toThrow('MaxPool2d(2×2): expected input [N, C, H, W] or [C, H, W], got [4, 4]');
      expect(() => new nn.AvgPool1d(2).forward(fg.zeros([1, 1, 1, 4]))).toThrow(/AvgPool1d\(2\): expected input \[N, C, L\]/);
      expect(() => new nn.MaxPool1d(0)).toThrow(fg.ValueError);
      expect(String(new nn.MaxPool2d(2))).toBe('MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1), ceil_mode=false)');
      expect(String(new nn.AvgPool1d(3))).toBe('AvgPool1d(kernel_size=3, stride=3, padding=0)');
    });
  });
});

describe('activation layers', () => {
  it('apply their op with PyTorch defaults', () => {
    fg.tidy(() => {
      const x = fg.tensor([[-2, -0.5, 0, 1.5], [3, -1, 2, 0.25]]);
      const same = (m: fg.nn.Module, y: fg.Tensor): void => expect(m.forward(x).toArray(), String(m)).toEqual(y.toArray());
      same(new nn.ReLU(), fg.relu(x));
      same(new nn.Tanh(), fg.tanh(x));
      same(new nn.Sigmoid(), fg.sigmoid(x));
      same(new nn.LeakyReLU(), fg.leakyRelu(x, 0.01));
      same(new nn.LeakyReLU(0.2), fg.leakyRelu(x, 0.2));
      same(new nn.Softplus(), fg.softplus(x));
      same(new nn.Softmax(), fg.softmax(x, -1));
      same(new nn.Softmax(0), fg.softmax(x, 0));
      same(new nn.LogSoftmax(1), fg.logSoftmax(x, 1));
      expect(new nn.LeakyReLU().forward(fg.tensor([-1])).item()).toBeCloseTo(-0.01, 7);
      expect(new nn.ReLU().parameters()).toEqual([]);
    });
  });

  it('check their options and dims', () => {
    fg.tidy(() => {
      expect(() => new nn.Softmax(2).forward(fg.zeros([2, 3]))).toThrow('Softmax(dim=2): dim 2 is out of range for an input of rank 2 (shape [2, 3])');
      expect(() => new nn.LeakyReLU(NaN)).toThrow(fg.ValueError);
      expect(() => new nn.Softmax(0.5)).toThrow(fg.ValueError);
      expect(String(new nn.LeakyReLU())).toBe('LeakyReLU(negative_slope=0.01)');
      expect(String(new nn.Softmax())).toBe('Softmax(dim=-1)');
    });
  });
});

describe('Flatten', () => {
  it('merges startDim..endDim (default all but the batch)', () => {
    fg.tidy(() => {
      const x = randomInput([2, 3, 4, 5], 1);
      expect([...new nn.Flatten().forward(x).shape]).toEqual([2, 60]);
      expect([...new nn.Flatten(0).forward(x).shape]).toEqual([120]);
      expect([...new nn.Flatten(1, 2).forward(x).shape]).toEqual([2, 12, 5]);
      expect([...new nn.Flatten(-3, -2).forward(x).shape]).toEqual([2, 12, 5]);
      expect(new nn.Flatten().forward(x).toFloat32Array()).toEqual(x.toFloat32Array());
      expect(() => new nn.Flatten().forward(fg.zeros([3]))).toThrow('Flatten(start_dim=1, end_dim=-1): expected an input with dimensions 1 to -1 (in that order), got [3]');
      expect(() => new nn.Flatten(2, 1).forward(x)).toThrow(fg.ShapeError);
    });
  });
});

describe('Dropout', () => {
  it('drops a fraction p and scales the rest in training, and is the identity in evaluation', () => {
    fg.tidy(() => {
      const drop = new nn.Dropout(0.3, { generator: new fg.Generator(5) });
      expect(drop.p).toBe(0.3);
      const x = fg.ones([100, 100]);
      const y = drop.forward(x).toFloat32Array();
      const zeros = y.filter((v) => v === 0).length;
      expect(zeros / y.length).toBeGreaterThan(0.27);
      expect(zeros / y.length).toBeLessThan(0.33);
      expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
      drop.eval();
      expect(drop.forward(x)).toBe(x);
      drop.train();
      expect(drop.forward(x).toFloat32Array().some((v) => v === 0)).toBe(true);
      expect(new nn.Dropout().p).toBe(0.5);
      expect(() => new nn.Dropout(1.5)).toThrow(/nn\.Dropout: p must be a finite number in \[0, 1\], got number 1.5/);
      const a = new nn.Dropout(0.5, { generator: new fg.Generator(1) }).forward(x).toArray();
      const b = new nn.Dropout(0.5, { generator: new fg.Generator(1) }).forward(x).toArray();
      expect(a).toEqual(b);
    });
  });
});
