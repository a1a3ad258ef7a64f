// PyTorch's positional constructor forms mean what they mean in PyTorch: the layer built from
// positions equals the one built from the options object (same seeded weights, same outputs),
// and the settings show in shapes and values computed here by hand.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { nn, optim } from '../../src/index.js';

const names = (m: fg.nn.Module): string[] => m.namedParameters().map(([k]) => k);
const shapes = (m: fg.nn.Module): number[][] => m.namedParameters().map(([, p]) => [...p.shape]);
const values = (t: fg.Tensor): number[] => Array.from(t.toFloat32Array());
// 0, 1, 2, … as a [1, 1, h, w] image.
const ramp = (h: number, w: number): fg.Tensor => fg.tensor(Float32Array.from({ length: h * w }, (_, i) => i), [1, 1, h, w]);

describe('nn layers: positional forms', () => {
  it('Linear(in, out, bias): bias false drops the bias, as PyTorch', () => {
    const a = new nn.Linear(3, 4, false);
    expect(a.bias).toBeNull();
    expect(names(a)).toEqual(['weight']);
    expect(new nn.Linear(3, 4, true).bias?.shape).toEqual([4]);
    // mixed: positions, then the rest as an options object
    const b = new nn.Linear(3, 4, false, { generator: new fg.Generator(3) });
    const c = new nn.Linear(3, 4, { bias: false, generator: new fg.Generator(3) });
    expect(values(b.weight)).toEqual(values(c.weight));
    for (const m of [a, b, c]) m.dispose();
  });

  it('Conv2d(in, out, k, stride, padding, dilation, groups, bias): each position takes effect', () => {
    const x = fg.randn([1, 1, 7, 7], { generator: new fg.Generator(1) });
    const strided = new nn.Conv2d(1, 2, 3, 2, { generator: new fg.Generator(5) });
    expect(strided.stride).toEqual([2, 2]);
    expect(strided.forward(x).shape).toEqual([1, 2, 3, 3]); // ⌊(7 − 3)/2⌋ + 1
    const same = new nn.Conv2d(1, 2, 3, { stride: 2, generator: new fg.Generator(5) });
    expect(values(strided.forward(x))).toEqual(values(same.forward(x)));
    expect(new nn.Conv2d(1, 2, 3, 1, 1).forward(x).shape).toEqual([1, 2, 7, 7]);
    expect(new nn.Conv2d(1, 2, 3, 1, 0, 2).forward(x).shape).toEqual([1, 2, 3, 3]); // dilated kernel spans 5
    // kernel 3×1, stride (1, 2), padding (0, 1): H = 7 − 3 + 1, W = ⌊(7 + 2 − 1)/2⌋ + 1
    expect(new nn.Conv2d(1, 2, [3, 1], [1, 2], [0, 1]).forward(x).shape).toEqual([1, 2, 5, 5]);
    expect(new nn.Conv2d(1, 2, 3, 1, 0, 1, 1, false).bias).toBeNull();
    expect(new nn.Conv2d(1, 2, 3, 1, 'same').forward(x).shape).toEqual([1, 2, 7, 7]);
    const c1 = new nn.Conv1d(2, 3, 3, 2, 1);
    expect([c1.stride, c1.padding]).toEqual([[2], [1]]);
    expect(c1.forward(fg.zeros([1, 2, 9])).shape).toEqual([1, 3, 5]);
    x.dispose();
  });

  it('MaxPool2d(k, stride, padding): stride is honoured; values by hand on a ramp', () => {
    const pool = new nn.MaxPool2d(3, 2);
    expect(pool.stride).toEqual([2, 2]);
    const out = pool.forward(ramp(7, 7));
    expect(out.shape).toEqual([1, 1, 3, 3]);
    // the window at (2i, 2j) ends at (2i + 2, 2j + 2), the ramp's largest entry in it
    const expected = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => (2 * i + 2) * 7 + 2 * j + 2));
    expect(values(out)).toEqual(expected);
    expect(new nn.MaxPool2d(3, 2, 1).forward(ramp(7, 7)).shape).toEqual([1, 1, 4, 4]);
    expect(new nn.MaxPool2d(3, null).stride).toEqual([3, 3]); // PyTorch's stride=None
    expect(new nn.MaxPool2d(2, 2, 0, 1, false, true).forward(ramp(5, 5)).shape).toEqual([1, 1, 3, 3]); // ceilMode
    expect(new nn.MaxPool1d(2, 1).forward(fg.tensor([[[1, 3, 2, 5]]])).toFloat32Array()).toEqual(Float32Array.from([3, 3, 5]));
  });

  it('AvgPool(k, stride, padding, ceilMode, countIncludePad)', () => {
    const a = new nn.AvgPool1d(2, 1);
    expect(values(a.forward(fg.tensor([[[1, 3, 2, 6]]])))).toEqual([2, 2.5, 4]);
    // padding 1 with countIncludePad false divides by the real cells only
    const b = new nn.AvgPool1d(2, 2, 1, false, false);
    expect(values(b.forward(fg.tensor([[[4, 2, 6]]])))).toEqual([4, 4]);
    const c = new nn.AvgPool1d(2, 2, 1, false, true);
    expect(values(c.forward(fg.tensor([[[4, 2, 6]]])))).toEqual([2, 4]);
    expect(new nn.AvgPool2d(2, 1).forward(ramp(3, 3)).shape).toEqual([1, 1, 2, 2]);
  });

  it('LSTM(in, hidden, numLayers) has numLayers layers with PyTorch parameter names', () => {
    const m = new nn.LSTM(3, 4, 2);
    expect(m.numLayers).toBe(2);
    expect(names(m)).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
    ]);
    expect(shapes(m)).toEqual([[16, 3], [16, 4], [16], [16], [16, 4], [16, 4], [16], [16]]);
    expect(m.run(fg.zeros([2, 5, 3])).hN.shape).toEqual([2, 2, 4]);
    // LSTM(in, hidden, numLayers, bias, batchFirst, dropout)
    const d = new nn.LSTM(3, 4, 2, false, true, 0.25);
    expect([d.bias, d.dropout]).toEqual([false, 0.25]);
    expect(names(d)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'weight_ih_l1', 'weight_hh_l1']);
    const g = new nn.GRU(3, 4, 3, { bias: false });
    expect(shapes(g)[0]).toEqual([12, 3]);
    expect(g.numLayers).toBe(3);
    // RNN(in, hidden, numLayers, nonlinearity)
    expect(new nn.RNN(3, 4, 1, 'relu').nonlinearity).toBe('relu');
    for (const x of [m, d, g]) x.dispose();
  });

  it('BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats) and LayerNorm(shape, eps, affine)', () => {
    const bn = new nn.BatchNorm1d(4, 1e-3, 0.2, false);
    expect([bn.eps, bn.momentum, bn.affine, bn.weight]).toEqual([1e-3, 0.2, false, null]);
    expect(new nn.BatchNorm2d(3, 1e-5, null, true, false).runningMean).toBeNull();
    expect(new nn.BatchNorm2d(3, 1e-5, null).momentum).toBeNull(); // cumulative average
    const ln = new nn.LayerNorm([2, 3], 1e-6, false);
    expect([ln.eps, ln.weight, ln.bias]).toEqual([1e-6, null, null]);
    expect(new nn.LayerNorm(3, 1e-5, true, false).bias).toBeNull();
  });

  it('Dropout(p), LeakyReLU(slope), Softplus(beta, threshold), Softmax(dim), Flatten(start, end)', () => {
    expect(new nn.Dropout(0.3).p).toBe(0.3);
    expect(new nn.Dropout().p).toBe(0.5);
    expect(values(new nn.LeakyReLU(0.2).forward(fg.tensor([-1, 2])))).toEqual([Math.fround(-0.2), 2]);
    const sp = new nn.Softplus(2, 10);
    expect(values(sp.forward(fg.tensor([0, 6])))).toEqual([Math.fround(Math.log(2) / 2), 6]); // 2·6 > 10: linear
    // Softmax(0) normalises down the columns
    const s = new nn.Softmax(0).forward(fg.tensor([[0, 0], [Math.log(3), 0]]));
    expect(values(s).map((v) => Number(v.toFixed(6)))).toEqual([0.25, 0.5, 0.75, 0.5]);
    expect(new nn.LogSoftmax(0).dim).toBe(0);
    expect(new nn.Flatten(0, 1).forward(fg.zeros([2, 3, 4])).shape).toEqual([6, 4]);
    expect(new nn.Flatten(1, { endDim: 2 }).forward(fg.zeros([2, 3, 4, 5])).shape).toEqual([2, 12, 5]);
  });
});

// One parameter p = [1, 2] with gradient g = [0.2, −0.4] (then g2), stepped by `opt`.
function stepped(make: (ps: fg.Tensor[]) => optim.Optimizer, grads: number[][]): { p: number[]; opt: optim.Optimizer } {
  const p = fg.keep(fg.tensor([1, 2], undefined, { requiresGrad: true }));
  const opt = make([p]);
  for (const g of grads) {
    p.grad = fg.keep(fg.tensor(g));
    opt.step();
    p.grad.dispose();
    p.grad = null;
  }
  const out = values(p);
  opt.dispose();
  p.dispose();
  return { p: out, opt };
}

const close = (got: number[], want: number[]): void => got.forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 5));

describe('optim: positional forms', () => {
  it('SGD(params, 0.5) steps with lr 0.5', () => {
    close(stepped((ps) => new optim.SGD(ps, 0.5), [[0.2, -0.4]]).p, [1 - 0.5 * 0.2, 2 + 0.5 * 0.4]);
    expect(stepped((ps) => new optim.SGD(ps, 0.5), []).opt.lr).toBe(0.5);
  });

  it('SGD(params, lr, momentum, dampening, weightDecay, nesterov)', () => {
    // two steps with momentum 0.9: buf1 = g1, buf2 = 0.9·g1 + g2
    const g1 = [0.2, -0.4];
    const g2 = [0.1, 0.1];
    const buf2 = g1.map((g, i) => 0.9 * g + (g2[i] as number));
    close(stepped((ps) => new optim.SGD(ps, 0.1, 0.9), [g1, g2]).p, [1, 2].map((p, i) => p - 0.1 * (g1[i] as number) - 0.1 * (buf2[i] as number)));
    // weight decay 0.5 adds 0.5·p to the gradient
    close(stepped((ps) => new optim.SGD(ps, 0.1, 0, 0, 0.5), [g1]).p, [1, 2].map((p, i) => p - 0.1 * ((g1[i] as number) + 0.5 * p)));
    // Nesterov: d = g + momentum·buf (buf = g on the first step)
    close(stepped((ps) => new optim.SGD(ps, 0.1, 0.9, 0, 0, true), [g1]).p, [1, 2].map((p, i) => p - 0.1 * 1.9 * (g1[i] as number)));
    // mixed: lr by position, the rest by name
    close(stepped((ps) => new optim.SGD(ps, 0.1, { weightDecay: 0.5 }), [g1]).p, [1, 2].map((p, i) => p - 0.1 * ((g1[i] as number) + 0.5 * p)));
  });

  it('Adam(params, lr, betas): the betas given by position are the ones used', () => {
    // b1 = 0.5, b2 = 0.9, gradients 1 then −1 on both entries:
    // m1 = 0.5, v1 = 0.1 → step 1 = lr; m2 = −0.25, v2 = 0.19 → m̂ = −1/3, v̂ = 1 → step 2 = −lr/3
    const lr = 0.1;
    const want = [1, 2].map((p) => p - lr + lr / 3);
    close(stepped((ps) => new optim.Adam(ps, lr, [0.5, 0.9]), [[1, 1], [-1, -1]]).p, want);
    close(stepped((ps) => new optim.Adam(ps, lr, [0.5, 0.9], 1e-8, 0, false), [[1, 1], [-1, -1]]).p, want);
    // AdamW(params, lr, betas, eps, weightDecay): p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + eps)
    close(stepped((ps) => new optim.AdamW(ps, 0.1, [0.9, 0.999], 1e-8, 0.5), [[1, 1]]).p, [1, 2].map((p) => p * (1 - 0.05) - 0.1));
    expect(stepped((ps) => new optim.AdamW(ps), []).opt).toBeInstanceOf(optim.Adam);
  });

  it('RMSprop(params, lr, alpha, eps, weightDecay, momentum, centered)', () => {
    // v = (1 − α)·g² → step lr·g/√v = lr/√(1 − α) in the gradient's sign
    close(stepped((ps) => new optim.RMSprop(ps, 0.01, 0.9), [[0.2, -0.4]]).p, [1 - 0.01 / Math.sqrt(0.1), 2 + 0.01 / Math.sqrt(0.1)]);
    // centered: v − ḡ² = 0.1·g² − 0.01·g² = 0.09·g²
    close(stepped((ps) => new optim.RMSprop(ps, 0.01, 0.9, 1e-8, 0, 0, true), [[0.2, -0.4]]).p, [1 - 0.01 / 0.3, 2 + 0.01 / 0.3]);
  });

  it('schedulers: StepLR(opt, stepSize, gamma), ExponentialLR(opt, gamma), CosineAnnealingLR(opt, tMax, etaMin)', () => {
    const p = fg.keep(fg.ones([1], { requiresGrad: true }));
    const lrs = (s: optim.LRScheduler, n: number): number[] => Array.from({ length: n }, () => (s.step(), s.lastLr));
    expect(lrs(new optim.StepLR(new optim.SGD([p], 1), 2, 0.5), 4)).toEqual([1, 0.5, 0.5, 0.25]);
    expect(lrs(new optim.StepLR(new optim.SGD([p], 1), 2), 2)).toEqual([1, 0.1]); // default γ 0.1
    close(lrs(new optim.ExponentialLR(new optim.SGD([p], 1), 0.9), 3), [0.9, 0.81, 0.729]);
    const cos = lrs(new optim.CosineAnnealingLR(new optim.SGD([p], 1), 4, 0.2), 4);
    close(cos, [1, 2, 3, 4].map((e) => 0.2 + 0.8 * (1 + Math.cos((Math.PI * e) / 4)) / 2));
    close(lrs(new optim.CosineAnnealingLR(new optim.SGD([p], 1), { tMax: 4, etaMin: 0.2 }), 4), cos);
    p.dispose();
  });

  it('clipGradNorm(params, maxNorm, normType)', () => {
    const make = (): fg.Tensor => {
      const p = fg.keep(fg.ones([2], { requiresGrad: true }));
      p.grad = fg.keep(fg.tensor([3, -4]));
      return p;
    };
    const a = make();
    expect(optim.clipGradNorm([a], 1, Infinity)).toBe(4);
    close(values(a.grad as fg.Tensor), [0.75, -1]);
    const b = make();
    expect(optim.clipGradNorm([b], 1, 1)).toBeCloseTo(7, 6);
    close(values(b.grad as fg.Tensor), [3 / 7, -4 / 7]);
    const c = make();
    expect(optim.clipGradNorm([c], 10, { normType: 2 })).toBeCloseTo(5, 6);
    close(values(c.grad as fg.Tensor), [3, -4]);
    for (const p of [a, b, c]) p.dispose();
  });
});
