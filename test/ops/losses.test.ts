import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { type Array64, array64 } from '../../src/reference/array64.js';
import * as ref from '../../src/reference/losses.js';
import { checkOp, expectClose, randomShape, randomValues, rng } from '../support/opcheck.js';

const reductions = ['mean', 'sum', 'none'] as const;
const SMALL = 6_000;

function signs(n: number, rand: () => number): Float64Array {
  return Float64Array.from({ length: n }, () => (rand() < 0.5 ? -1 : 1));
}

function intLabels(n: number, c: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => Math.floor(rand() * c));
}

/** A reference weight of shape `small` expanded to `shape` (trailing-dimension broadcast). */
function expand(small: Array64, shape: number[]): Array64 {
  const out = array64(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = small.data[i % small.data.length] as number;
  return out;
}

const t32 = (a: Array64, options: fg.TensorOptions = {}): fg.Tensor => fg.tensor(Float32Array.from(a.data), a.shape, options);

describe.each(reductions)('regression losses, reduction %s', (reduction) => {
  it.each([1, 2, 3])('mseLoss, l1Loss, huberLoss match the reference and finite differences (seed %i)', (seed) => {
    const r = rng(seed);
    for (const rank of [1, 2, 3]) {
      const shape = randomShape(rank, r, SMALL);
      const inputs = [{ shape }, { shape }];
      checkOp({ fg: (x, t) => fg.mseLoss(x as fg.Tensor, t as fg.Tensor, { reduction }), ref: (x, t) => ref.mseLoss(x as Array64, t as Array64, reduction), inputs, seed: seed * 10 + rank, rtol: 1e-4 });
      checkOp({ fg: (x, t) => fg.l1Loss(x as fg.Tensor, t as fg.Tensor, { reduction }), ref: (x, t) => ref.l1Loss(x as Array64, t as Array64, reduction), inputs, seed: seed * 10 + rank, rtol: 1e-4 });
      for (const delta of [1, 0.3]) {
        checkOp({
          fg: (x, t) => fg.huberLoss(x as fg.Tensor, t as fg.Tensor, { delta, reduction }),
          ref: (x, t) => ref.huberLoss(x as Array64, t as Array64, delta, reduction),
          inputs,
          seed: seed * 10 + rank,
          rtol: 1e-4,
        });
      }
    }
  });

  it.each([1, 2])('hingeLoss matches the reference and finite differences (seed %i)', (seed) => {
    const r = rng(seed);
    for (const rank of [1, 2]) {
      const shape = randomShape(rank, r, SMALL);
      const n = shape.reduce((a, b) => a * b, 1);
      for (const margin of [1, 0.5]) {
        checkOp({
          fg: (f, y) => fg.hingeLoss(f as fg.Tensor, y as fg.Tensor, { margin, reduction }),
          ref: (f, y) => ref.hingeLoss(f as Array64, y as Array64, margin, reduction),
          inputs: [{ shape }, { shape, values: signs(n, r), noGrad: true }],
          seed: seed * 7 + rank,
          rtol: 1e-4,
        });
      }
    }
  });

  it.each([1, 2, 3])('bceWithLogits matches the reference and finite differences (seed %i)', (seed) => {
    const r = rng(seed);
    const [n, c] = randomShape(2, r, SMALL) as [number, number];
    const shape = [n, c];
    // soft targets in [0, 1]: the target gradient is exercised too
    const inputs = [{ shape, lo: -6, hi: 6 }, { shape, lo: 0, hi: 1 }];
    checkOp({
      fg: (x, y) => fg.bceWithLogits(x as fg.Tensor, y as fg.Tensor, { reduction }),
      ref: (x, y) => ref.bceWithLogits(x as Array64, y as Array64, { reduction }),
      inputs,
      seed,
      rtol: 1e-4,
    });
    const weight = array64([c], randomValues(c, r, 0.1, 2));
    const posWeight = array64([c], randomValues(c, r, 0.2, 3));
    checkOp({
      fg: (x, y) => fg.bceWithLogits(x as fg.Tensor, y as fg.Tensor, { reduction, weight: t32(weight), posWeight: t32(posWeight) }),
      ref: (x, y) => ref.bceWithLogits(x as Array64, y as Array64, { reduction, weight: expand(weight, shape), posWeight: expand(posWeight, shape) }),
      inputs,
      seed: seed + 100,
      rtol: 1e-4,
    });
    // weight of the full shape, no broadcast
    const fullWeight = array64(shape, randomValues(n * c, r, 0, 2));
    checkOp({
      fg: (x, y) => fg.bceWithLogits(x as fg.Tensor, y as fg.Tensor, { reduction, weight: t32(fullWeight) }),
      ref: (x, y) => ref.bceWithLogits(x as Array64, y as Array64, { reduction, weight: fullWeight }),
      inputs,
      seed: seed + 200,
      rtol: 1e-4,
    });
  });

  it.each([1, 2, 3])('crossEntropy on [N, C] matches the reference and finite differences (seed %i)', (seed) => {
    const r = rng(seed);
    // at least 3 classes: with one class every loss and gradient is 0
    const c = [3, 5, 17, 63, 127][Math.floor(r() * 5)] as number;
    const [n] = randomShape(1, r, Math.floor(SMALL / c)) as [number];
    const labels = intLabels(n, c, r);
    const weight = Array.from(randomValues(c, r, 0.1, 2));
    const cases: Array<{ weight?: number[]; labelSmoothing?: number; ignoreIndex?: number; labels: number[] }> = [
      { labels },
      { labels, weight },
      { labels, labelSmoothing: 0.1 },
      { labels, weight, labelSmoothing: 0.25 },
      // every third row ignored (the first never: the mean keeps a denominator)
      { labels: labels.map((y, i) => (i % 3 === 2 ? -1 : y)), ignoreIndex: -1, weight },
      { labels: labels.map((y, i) => (i % 2 === 1 ? 2 : y)), ignoreIndex: 2, labelSmoothing: 0.2 },
    ];
    for (const [k, opt] of cases.entries()) {
      checkOp({
        fg: (x) =>
          fg.crossEntropy(x as fg.Tensor, fg.tensor(opt.labels, [n]), {
            reduction,
            weight: opt.weight ? fg.tensor(opt.weight) : undefined,
            labelSmoothing: opt.labelSmoothing,
            ignoreIndex: opt.ignoreIndex,
          }),
        ref: (x) => ref.crossEntropy(x as Array64, opt.labels, { ...opt, reduction }),
        inputs: [{ shape: [n, c], lo: -5, hi: 5 }],
        seed: seed * 31 + k,
        rtol: 1e-4,
      });
    }
  });

  it('crossEntropy on [N, C, d1, d2] and [C] matches the reference and finite differences', () => {
    const r = rng(5);
    // inner sizes 3, 5, 17, 10 cover the scalar column walk, the 4-wide path and its tail
    for (const spatial of [[3], [5], [17], [2, 5]]) {
      const n = 3;
      const c = 7;
      const positions = n * spatial.reduce((a, b) => a * b, 1);
      const labels = intLabels(positions, c, r).map((y, i) => (i % 5 === 4 ? -100 : y));
      const weight = Array.from(randomValues(c, r, 0.1, 2));
      const options: Array<{ weight?: number[]; labelSmoothing?: number }> = [{}, { weight, labelSmoothing: 0.1 }];
      for (const opt of options) {
        checkOp({
          fg: (x) => fg.crossEntropy(x as fg.Tensor, labels, { reduction, ...opt, weight: opt.weight ? fg.tensor(opt.weight) : undefined }),
          ref: (x) => ref.crossEntropy(x as Array64, labels, { reduction, ...opt }),
          inputs: [{ shape: [n, c, ...spatial], lo: -4, hi: 4 }],
          seed: spatial.length * 100 + (spatial[0] as number),
          rtol: 1e-4,
        });
      }
    }
    checkOp({
      fg: (x) => fg.crossEntropy(x as fg.Tensor, 3, { reduction, labelSmoothing: 0.1 }),
      ref: (x) => ref.crossEntropy(x as Array64, [3], { reduction, labelSmoothing: 0.1 }),
      inputs: [{ shape: [17] }],
      rtol: 1e-4,
    });
  });
});

describe('klNormal', () => {
  it.each([[[5]], [[17, 3]], [[3, 5, 63]], [[65, 17]]])('matches the reference and finite differences on %j', (shape) => {
    checkOp({
      fg: (mu, lv) => fg.klNormal(mu as fg.Tensor, lv as fg.Tensor),
      ref: (mu, lv) => ref.klNormal(mu as Array64, lv as Array64),
      inputs: [{ shape }, { shape, lo: -3, hi: 2 }],
      rtol: 1e-4,
    });
  });

  it('stays accurate for large |logvar| and overflows to +Infinity past float32', () => {
    fg.tidy(() => {
      const lv = [-80, -20, 0.5, 20, 60, 88];
      const mu = [3, -2, 0, 1, -1, 0];
      const each = lv.map((v, i) => fg.klNormal(fg.tensor([mu[i] as number]), fg.tensor([v])).item());
      const expected = lv.map((v, i) => -0.5 * (1 + v - (mu[i] as number) ** 2 - Math.exp(v)));
      expectClose(each, expected, 2e-6, 0, 'per-element KL');
      expect(fg.klNormal(fg.tensor([0]), fg.tensor([100])).item()).toBe(Infinity);
    });
  });

  it('is 0 at the prior and has shape []', () => {
    fg.tidy(() => {
      const kl = fg.klNormal(fg.zeros([4, 3]), fg.zeros([4, 3]));
      expect(kl.shape).toEqual([]);
      expect(kl.item()).toBe(0);
    });
  });
});

describe('numerical extremes', () => {
  it('bceWithLogits is finite with the right gradient for logits of ±100 and ±1e4', () => {
    fg.tidy(() => {
      const xs = [100, -100, 1e4, -1e4, 50, -50, 0, 88.5, -88.5, 30];
      const ys = [0, 1, 1, 0, 1, 0, 1, 0, 1, 0.25];
      const x = fg.tensor(xs, undefined, { requiresGrad: true });
      const y = fg.tensor(ys);
      const loss = fg.bceWithLogits(x, y, { reduction: 'none' });
      const expected = ref.bceWithLogits(array64([xs.length], xs), array64([ys.length], ys), { reduction: 'none' });
      expectClose(loss.toFloat32Array(), expected.data, 1e-6, 1e-6, 'loss');
      expect(loss.toFloat32Array().every(Number.isFinite)).toBe(true);
      loss.backward(fg.onesLike(loss));
      const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
      expectClose((x.grad as fg.Tensor).toFloat32Array(), xs.map((v, i) => sigmoid(v) - (ys[i] as number)), 1e-6, 1e-7, 'gradient');
    });
  });

  it('crossEntropy is finite and correct for logits of ±1e4', () => {
    fg.tidy(() => {
      const rows = [
        [1e4, -1e4, 0, 5e3],
        [-1e4, -1e4, -1e4, -1e4],
        [1e4, 1e4 - 1, -1e4, 0],
      ];
      const labels = [1, 2, 0];
      const x = fg.tensor(rows, undefined, { requiresGrad: true });
      for (const labelSmoothing of [0, 0.1]) {
        const loss = fg.crossEntropy(x, labels, { reduction: 'none', labelSmoothing });
        const expected = ref.crossEntropy(array64([3, 4], rows.flat()), labels, { reduction: 'none', labelSmoothing });
        expect(loss.toFloat32Array().every(Number.isFinite)).toBe(true);
        expectClose(loss.toFloat32Array(), expected.data, 1e-6, 1e-3, `loss (smoothing ${labelSmoothing})`);
      }
      fg.crossEntropy(x, labels, { reduction: 'sum' }).backward();
      // softmax − one-hot, computed in float64
      const grad = rows.flatMap((row, i) => {
        const m = Math.max(...row);
        const z = row.reduce((a, v) => a + Math.exp(v - m), 0);
        return row.map((v, j) => Math.exp(v - m) / z - (j === labels[i] ? 1 : 0));
      });
      expectClose((x.grad as fg.Tensor).toFloat32Array(), grad, 1e-5, 1e-6, 'gradient');
    });
  });
});

describe('loss semantics', () => {
  it('divides the weighted mean by the sum of the picked weights and skips ignored rows', () => {
    fg.tidy(() => {
      const x = fg.tensor([[1, 2, 3], [0, 0, 0], [3, 1, -1]]);
      const w = fg.tensor([1, 2, 4]);
      const none = fg.crossEntropy(x, [0, 2, 1], { weight: w, reduction: 'none' }).toFloat32Array();
      const mean = fg.crossEntropy(x, [0, 2, 1], { weight: w }).item();
      expect(mean).toBeCloseTo((none[0]! + none[1]! + none[2]!) / (1 + 4 + 2), 5);
      const ignored = fg.crossEntropy(x, [0, -100, 1], { weight: w, reduction: 'none' }).toFloat32Array();
      expect(ignored[1]).toBe(0);
      expect(fg.crossEntropy(x, [0, -100, 1], { weight: w }).item()).toBeCloseTo((none[0]! + none[2]!) / 3, 5);
    });
  });

  it('takes labels as a tensor, a number[] or an Int32Array', () => {
    fg.tidy(() => {
      const x = fg.randn([5, 4], { generator: new fg.Generator(1) });
      const a = fg.crossEntropy(x, fg.tensor([0, 1, 2, 3, 0])).item();
      expect(fg.crossEntropy(x, [0, 1, 2, 3, 0]).item()).toBe(a);
      expect(fg.crossEntropy(x, Int32Array.from([0, 1, 2, 3, 0])).item()).toBe(a);
    });
  });

  it('gives the hinge gradient −y where the margin is violated and 0 at the kink', () => {
    fg.tidy(() => {
      const f = fg.tensor([0.5, 2, 1, -1, -0.5], undefined, { requiresGrad: true });
      const y = fg.tensor([1, 1, 1, -1, -1]);
      fg.hingeLoss(f, y, { reduction: 'sum' }).backward();
      expect(f.grad?.toArray()).toEqual([-1, 0, 0, 0, 1]);
    });
  });

  it('reduces an empty input to 0 (sum) or NaN (mean), as PyTorch', () => {
    fg.tidy(() => {
      expect(fg.mseLoss(fg.zeros([0, 3]), fg.zeros([0, 3]), { reduction: 'sum' }).item()).toBe(0);
      expect(fg.mseLoss(fg.zeros([0]), fg.zeros([0])).item()).toBeNaN();
      expect(fg.mseLoss(fg.zeros([0]), fg.zeros([0]), { reduction: 'none' }).shape).toEqual([0]);
    });
  });

  it('frees everything but the result and the gradients', () => {
    const x = fg.randn([8, 5], { requiresGrad: true });
    const t = fg.rand([8, 5]);
    fg.tidy(() => fg.bceWithLogits(x, t, { posWeight: fg.ones([5]), weight: fg.ones([1, 5]) }).backward());
    fg.tidy(() => fg.crossEntropy(x, [0, 1, 2, 3, 4, 0, 1, 2], { weight: fg.ones([5]) }).backward());
    x.zeroGrad();
    const before = fg.memoryStats();
    fg.tidy(() => {
      fg.bceWithLogits(x, t, { posWeight: fg.ones([5]), weight: fg.ones([1, 5]) }).backward();
      fg.crossEntropy(x, [0, 1, 2, 3, 4, 0, 1, 2], { weight: fg.ones([5]) }).backward();
      fg.huberLoss(x, t).backward();
      fg.klNormal(x, t).backward();
      x.zeroGrad();
    });
    // outside any scope: without a graph the expanded posWeight is freed at once
    const pw = fg.ones([5]);
    fg.noGrad(() => fg.bceWithLogits(x, t, { posWeight: pw }).dispose());
    pw.dispose();
    const after = fg.memoryStats();
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.liveTensors).toBe(before.liveTensors);
    x.dispose();
    t.dispose();
  });
});

describe('loss errors', () => {
  it('names the loss and both shapes on a shape mismatch', () => {
    fg.tidy(() => {
      const a = fg.zeros([4, 3]);
      const b = fg.zeros([4, 1]);
      expect(() => fg.mseLoss(a, b)).toThrow(fg.ShapeError);
      expect(() => fg.mseLoss(a, b)).toThrow(/mseLoss: input shape \[4, 3\] and target shape \[4, 1\] differ/);
      expect(() => fg.l1Loss(a, b)).toThrow(/l1Loss: .*\[4, 3\].*\[4, 1\]/);
      expect(() => fg.huberLoss(a, b)).toThrow(/huberLoss: .*\[4, 3\].*\[4, 1\]/);
      expect(() => fg.hingeLoss(a, b)).toThrow(/hingeLoss: scores shape \[4, 3\] and y shape \[4, 1\]/);
      expect(() => fg.bceWithLogits(a, b)).toThrow(/bceWithLogits: logits shape \[4, 3\] and target shape \[4, 1\]/);
      expect(() => fg.klNormal(a, b)).toThrow(/klNormal: mu shape \[4, 3\] and logvar shape \[4, 1\]/);
      expect(() => fg.bceWithLogits(a, a, { posWeight: fg.ones([2]) })).toThrow(/bceWithLogits: .*\[2\].*\[4, 3\]/);
      expect(() => fg.bceWithLogits(a, a, { weight: fg.ones([2, 4, 3]) })).toThrow(/bceWithLogits: weight of shape \[2, 4, 3\] does not broadcast to the input shape \[4, 3\]/);
    });
  });

  it('rejects bad labels in crossEntropy naming the row and the value', () => {
    fg.tidy(() => {
      const x = fg.zeros([3, 4]);
      expect(() => fg.crossEntropy(x, [0, 1.5, 2])).toThrow(fg.ValueError);
      expect(() => fg.crossEntropy(x, [0, 1.5, 2])).toThrow(/crossEntropy: label at row 1 is 1.5/);
      expect(() => fg.crossEntropy(x, fg.tensor([0, 1, 4]))).toThrow(/crossEntropy: label at row 2 is 4; labels must be integers in \[0, 4\)/);
      expect(() => fg.crossEntropy(x, fg.tensor([-1, 1, 2]))).toThrow(/row 0 is -1/);
      expect(() => fg.crossEntropy(x, fg.tensor([0, NaN, 2], undefined, { allowNonFinite: true }))).toThrow(/row 1 is NaN/);
      expect(() => fg.crossEntropy(fg.zeros([2, 4, 3]), fg.tensor([[0, 1, 2], [3, 7, 0]]))).toThrow(/position \[1, 1\] is 7/);
      expect(() => fg.crossEntropy(x, [0, 1])).toThrow(fg.ShapeError);
      expect(() => fg.crossEntropy(x, fg.tensor([[0, 1, 2]]))).toThrow(/crossEntropy: labels of shape \[1, 3\] do not match logits: expected \[3\]/);
      expect(() => fg.crossEntropy(x, [0, 1, 2], { weight: fg.ones([3]) })).toThrow(/crossEntropy: weight of shape \[3\] does not match 4 classes/);
      expect(() => fg.crossEntropy(x, [0, 1, 2], { labelSmoothing: 1.5 })).toThrow(fg.ValueError);
      expect(() => fg.crossEntropy(fg.zeros([]), [0])).toThrow(fg.ShapeError);
    });
  });

  it('rejects hinge labels other than ±1, bad options and reductions', () => {
    fg.tidy(() => {
      const f = fg.zeros([2, 2]);
      expect(() => fg.hingeLoss(f, fg.tensor([[1, -1], [0, 1]]))).toThrow(/hingeLoss: labels must be −1 or \+1, got 0 at index \[1, 0\]/);
      expect(() => fg.huberLoss(f, f, { delta: 0 })).toThrow(/huberLoss: delta must be a finite number > 0, got number 0/);
      expect(() => fg.mseLoss(f, f, { reduction: 'avg' as fg.Reduction })).toThrow(/mseLoss: reduction must be one of 'mean', 'sum', 'none'.*, got string "avg"/);
    });
  });
});
