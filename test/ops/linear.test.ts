import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import type { Array64 } from '../../src/reference/array64.js';
import * as ref from '../../src/reference/matmul.js';
import * as unaryRef from '../../src/reference/unary.js';
import { checkOp, randomShape, rng } from '../support/opcheck.js';

function check(xShape: number[], outF: number, withBias: boolean, seed: number): void {
  const inF = xShape[xShape.length - 1] as number;
  checkOp({
    fg: withBias ? (x, w, b) => fg.linear(x as fg.Tensor, w as fg.Tensor, b as fg.Tensor) : (x, w) => fg.linear(x as fg.Tensor, w as fg.Tensor),
    ref: withBias ? (x, w, b) => ref.linear(x, w, b) : (x, w) => ref.linear(x, w),
    inputs: withBias ? [{ shape: xShape }, { shape: [outF, inF] }, { shape: [outF] }] : [{ shape: xShape }, { shape: [outF, inF] }],
    seed,
    rtol: 1e-4,
    atol: 1e-4,
  });
}

describe('linear', () => {
  it.each([1, 2, 3, 4])('2-D input, with and without bias (seed %i)', (seed) => {
    const [rows, inF, outF] = randomShape(3, rng(seed * 7919 + 5), 20_000) as [number, number, number];
    check([rows, inF], outF, true, seed);
    check([rows, inF], outF, false, seed + 100);
  });

  it.each([1, 2])('3-D input folds its leading dimensions (seed %i)', (seed) => {
    const [rows, inF, outF] = randomShape(3, rng(seed * 104729 + 3), 4_000) as [number, number, number];
    check([2, rows, inF], outF, true, seed);
    check([3, rows, inF], outF, false, seed + 100);
  });

  it('covers full and partial tiles, one output and one row, and a 1-D input', () => {
    check([17, 63], 65, true, 1); // blocked path with edge tiles
    check([65, 17], 1, true, 2); // one output feature: a matrix-vector product
    check([1, 63], 17, true, 3); // one row
    check([63], 5, true, 4); // 1-D input → [out]
    check([5, 3, 17], 1, false, 5);
  });

  it('matches x·Wᵀ + b on a small example', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, 2], [3, 4]]);
      const w = fg.tensor([[1, 0], [0, 1], [1, 1]]);
      const b = fg.tensor([10, 20, 30]);
      expect(fg.linear(x, w, b).toArray()).toEqual([[11, 22, 33], [13, 24, 37]]);
      expect(fg.linear(fg.tensor([1, 2]), w).toArray()).toEqual([1, 2, 3]);
    });
  });

  it('handles zero input features and empty batches', () => {
    fg.tidy(() => {
      const w = fg.zeros([3, 0], { requiresGrad: true });
      const b = fg.tensor([1, 2, 3], undefined, { requiresGrad: true });
      expect(fg.linear(fg.zeros([2, 0]), w, b).toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
      const x = fg.zeros([0, 4], { requiresGrad: true });
      const w2 = fg.ones([3, 4], { requiresGrad: true });
      const y = fg.linear(x, w2, b);
      expect(y.shape).toEqual([0, 3]);
      y.sum().backward();
      expect(w2.grad?.toArray()).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
      expect(b.grad?.toArray()).toEqual([0, 0, 0]);
    });
  });

  it('names linear and the shapes on a mismatch', () => {
    fg.tidy(() => {
      const w = fg.zeros([3, 4]);
      expect(() => fg.linear(fg.zeros([2, 5]), w)).toThrow(fg.ShapeError);
      expect(() => fg.linear(fg.zeros([2, 5]), w)).toThrow(
        'linear: input of shape [2, 5] does not fit weight [3, 4]: its last dimension must be in = 4',
      );
      expect(() => fg.linear(fg.zeros([]), w)).toThrow(/linear: input of shape \[\]/);
      expect(() => fg.linear(fg.zeros([2, 4]), fg.zeros([4]))).toThrow('linear: weight must have shape [out, in], got [4]');
      expect(() => fg.linear(fg.zeros([2, 4]), w, fg.zeros([4]))).toThrow('linear: bias must have shape [3] for weight [3, 4], got [4]');
    });
  });
});

describe('linear with a fused activation (GEMM epilogue)', () => {
  const acts = [
    ['relu', (a: Array64) => unaryRef.relu(a)],
    ['leakyRelu', (a: Array64) => unaryRef.leakyRelu(a, 0.1)],
    ['tanh', (a: Array64) => unaryRef.tanh(a)],
    ['sigmoid', (a: Array64) => unaryRef.sigmoid(a)],
  ] as const;

  it.each(acts)('%s: matches the reference and finite differences, full and edge tiles', (name, act) => {
    // rows × out: a full 4×8 tile grid (8 × 16), edge tiles (13 × 11), one row (gemv path)
    for (const [rows, outF, withBias] of [[8, 16, true], [13, 11, true], [1, 9, true], [6, 5, false]] as const) {
      const inF = 7;
      const options = { activation: name, negativeSlope: 0.1 } as const;
      checkOp({
        fg: withBias ? (x, w, b) => fg.linear(x as fg.Tensor, w as fg.Tensor, b as fg.Tensor, options) : (x, w) => fg.linear(x as fg.Tensor, w as fg.Tensor, null, options),
        ref: withBias ? (x, w, b) => act(ref.linear(x, w, b)) : (x, w) => act(ref.linear(x, w)),
        inputs: withBias ? [{ shape: [rows, inF] }, { shape: [outF, inF] }, { shape: [outF] }] : [{ shape: [rows, inF] }, { shape: [outF, inF] }],
        seed: rows * 31 + outF,
        rtol: 2e-5,
        atol: 2e-5,
      });
    }
  });

  it('equals linear followed by the activation op, bitwise for relu, on a big threaded-size product', async () => {
    await fg.setNumThreads(2);
    try {
      fg.tidy(() => {
        fg.manualSeed(4);
        const x = fg.randn([300, 200]);
        const w = fg.randn([130, 200]);
        const b = fg.randn([130]);
        const fused = fg.linear(x, w, b, { activation: 'relu' }).toFloat32Array();
        const plain = fg.relu(fg.linear(x, w, b)).toFloat32Array();
        expect(Buffer.from(fused.buffer).equals(Buffer.from(plain.buffer))).toBe(true);
      });
    } finally {
      await fg.setNumThreads(1);
    }
  });

  it('rejects unknown activations and negative slopes', () => {
    fg.tidy(() => {
      const x = fg.ones([2, 3]);
      const w = fg.ones([4, 3]);
      expect(() => fg.linear(x, w, null, { activation: 'gelu' as never })).toThrow(/linear: activation must be one of 'none', 'relu', 'leakyRelu', 'tanh', 'sigmoid'.*got string "gelu"/);
      expect(() => fg.linear(x, w, null, { activation: 'leakyRelu', negativeSlope: -1 })).toThrow(/negativeSlope must be a finite number >= 0/);
    });
  });
});
