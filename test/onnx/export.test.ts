// Layer stacks exported to ONNX and run in onnxruntime-web: same outputs as fingrad's forward
// in evaluation mode, on random inputs of more than one batch size.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { FINGRAD_VERSION, OnnxExportError, UnsupportedLayerError, exportOnnx } from '../../src/onnx/index.js';
import { expectSame, ioNames, readModelInfo, runOnnx } from './ort.js';

const { nn } = fg;

/** Fingrad's eval-mode output on x, kept out of any scope. */
function reference(m: fg.nn.Module, x: fg.Tensor): fg.Tensor {
  m.eval();
  return fg.keep(fg.noGrad(() => m.forward(x)));
}

/** Exports m, runs it in onnxruntime on x, and compares with fingrad. */
async function roundTrip(m: fg.nn.Module, inputShape: Array<number | string>, xs: fg.Tensor[], tol = 1e-5): Promise<void> {
  const bytes = exportOnnx(m, { inputShape });
  for (const x of xs) {
    const want = reference(m, x);
    const got = await runOnnx(bytes, { input: x });
    expectSame(got.output, want, tol);
    want.dispose();
  }
}

// Running statistics away from (0, 1), so evaluation mode differs from a fresh layer.
function warmUp(m: fg.nn.Module, shape: number[], g: fg.Generator): void {
  m.train();
  fg.tidy(() => {
    for (let i = 0; i < 3; i++) fg.noGrad(() => m.forward(fg.randn(shape, { generator: g }).mul(2).add(0.5)));
  });
  m.eval();
}

describe('exportOnnx: layer stacks in onnxruntime-web', () => {
  const g = new fg.Generator(7);
  const rand = (shape: number[]): fg.Tensor => fg.keep(fg.randn(shape, { generator: g }));

  it('MLP: Linear, ReLU, Dropout, Tanh, Sigmoid, LeakyReLU, Softmax (dynamic batch)', async () => {
    const m = new nn.Sequential(
      new nn.Linear(6, 16, { generator: g }),
      new nn.ReLU(),
      new nn.Dropout(0.3),
      new nn.Linear(16, 8, { generator: g }),
      new nn.Tanh(),
      new nn.Linear(8, 8, { generator: g, bias: false }),
      new nn.LeakyReLU(0.2),
      new nn.Linear(8, 4, { generator: g }),
      new nn.Sigmoid(),
      new nn.Linear(4, 3, { generator: g }),
      new nn.Softmax(-1),
    );
    await roundTrip(m, [6], [rand([5, 6]), rand([1, 6]), rand([64, 6]).mul(10)]);
  });

  it('Conv2d net: padding, stride, BatchNorm2d (running statistics), pools, Flatten, Linear', async () => {
    const m = new nn.Sequential(
      new nn.Conv2d(3, 4, 3, { padding: 1, generator: g }),
      new nn.BatchNorm2d(4),
      new nn.LeakyReLU(0.1),
      new nn.MaxPool2d(2),
      new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: 'valid', generator: g }),
      new nn.Sigmoid(),
      new nn.AvgPool2d(2, { padding: 1, countIncludePad: false }),
      new nn.Conv2d(6, 5, 3, { padding: 'same', dilation: 2, bias: false, generator: g }),
      new nn.AvgPool2d([2, 1], { stride: 1, padding: [1, 0] }),
      new nn.Flatten(),
      new nn.Linear(5 * 3 * 3, 3, { generator: g }),
    );
    warmUp(m, [8, 3, 12, 10], g);
    await roundTrip(m, [3, 12, 10], [rand([2, 3, 12, 10]), rand([5, 3, 12, 10])]);
  });

  it('Conv1d net: same padding with dilation, BatchNorm1d, max pooling with padding and ceilMode, LayerNorm', async () => {
    const m = new nn.Sequential(
      new nn.Conv1d(2, 3, 4, { padding: 'same', dilation: 2, generator: g }),
      new nn.BatchNorm1d(3),
      new nn.ReLU(),
      new nn.MaxPool1d(3, { stride: 2, padding: 1, ceilMode: true }),
      new nn.Conv1d(3, 4, 3, { stride: 2, padding: 2, generator: g }),
      new nn.AvgPool1d(2),
      new nn.MaxPool1d(2, { dilation: 2 }),
      new nn.Flatten(),
      new nn.LayerNorm(4 * 1),
      new nn.Linear(4, 2, { generator: g }),
    );
    warmUp(m, [6, 2, 17], g);
    await roundTrip(m, [2, 17], [rand([3, 2, 17]), rand([1, 2, 17])]);
    // An odd total padding (k = 4): PyTorch's 'same' puts the extra cell at the end.
    await roundTrip(new nn.Conv1d(2, 2, 4, { padding: 'same', generator: g }), [2, 9], [rand([2, 2, 9])]);
    await roundTrip(new nn.Conv2d(2, 2, [2, 4], { padding: 'same', generator: g }), [2, 5, 6], [rand([2, 2, 5, 6])]);
  });

  it('average pooling with ceilMode, with and without padded cells in the divisor', async () => {
    for (const countIncludePad of [true, false]) {
      const m1 = new nn.AvgPool1d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad });
      await roundTrip(m1, [2, 10], [rand([2, 2, 10])]);
      const m2 = new nn.AvgPool2d([3, 2], { stride: [2, 2], padding: [1, 0], ceilMode: true, countIncludePad });
      await roundTrip(m2, [2, 8, 7], [rand([2, 2, 8, 7])]);
    }
  });

  it('LayerNorm over two dimensions, Softplus (beta, threshold), LogSoftmax, Flatten of middle dimensions, BatchNorm1d on [N, C]', async () => {
    const ln = new nn.LayerNorm([4, 5], { eps: 1e-3 });
    fg.noGrad(() => {
      fg.copy_(ln.weight as fg.Tensor, fg.randn([4, 5], { generator: g }));
      fg.copy_(ln.bias as fg.Tensor, fg.randn([4, 5], { generator: g }));
    });
    const bn = new nn.BatchNorm1d(20, { affine: false });
    const m = new nn.Sequential(ln, new nn.Softplus(2, 1), new nn.LogSoftmax(1), new nn.Flatten(1, 2), bn, new nn.Softplus());
    warmUp(bn, [10, 20], g);
    await roundTrip(m, [4, 5], [rand([3, 4, 5]).mul(3), rand([2, 4, 5])]);
    const merged = new nn.Sequential(new nn.Linear(5, 3, { generator: g }), new nn.Flatten(0, 1));
    await roundTrip(merged, [4, 5], [rand([2, 4, 5])]);
  });

  it('2-layer LSTM then Linear on every step; dynamic sequence length', async () => {
    const m = new nn.Sequential(new nn.LSTM(3, 5, { numLayers: 2, generator: g }), new nn.Linear(5, 2, { generator: g }));
    await roundTrip(m, [7, 3], [rand([4, 7, 3])]);
    await roundTrip(m, ['T', 3], [rand([2, 4, 3]), rand([3, 11, 3])]);
  });

  it('GRU (linear_before_reset), RNN tanh and relu, without bias', async () => {
    await roundTrip(new nn.GRU(4, 6, { numLayers: 2, generator: g }), ['T', 4], [rand([3, 5, 4]), rand([1, 9, 4])]);
    await roundTrip(new nn.GRU(4, 3, { bias: false, generator: g }), [5, 4], [rand([2, 5, 4])]);
    await roundTrip(new nn.RNN(4, 6, { numLayers: 2, generator: g }), ['T', 4], [rand([3, 5, 4])]);
    await roundTrip(new nn.RNN(4, 6, { nonlinearity: 'relu', generator: g }), ['T', 4], [rand([3, 5, 4])]);
    await roundTrip(new nn.LSTM(4, 3, { bias: false, generator: g }), ['T', 4], [rand([2, 6, 4])]);
  });

  it('opsets 13 to 21; LayerNorm below 17 is refused by name', async () => {
    const m = new nn.Sequential(new nn.Linear(4, 3, { generator: g }), new nn.ReLU(), new nn.Linear(3, 2, { generator: g }));
    const x = rand([3, 4]);
    const conv = new nn.Sequential(new nn.Conv1d(2, 3, 3, { generator: g }), new nn.BatchNorm1d(3), new nn.AvgPool1d(2), new nn.Softplus(0.5));
    const rnn = new nn.Sequential(new nn.GRU(2, 3, { numLayers: 2, generator: g }), new nn.Flatten());
    const [xc, xr] = [rand([2, 2, 9]), rand([2, 4, 2])];
    for (const opset of [13, 17, 21]) {
      const bytes = exportOnnx(m, { inputShape: [4], opset });
      expect(readModelInfo(bytes).opset).toBe(opset);
      expectSame((await runOnnx(bytes, { input: x })).output, reference(m, x));
      expectSame((await runOnnx(exportOnnx(conv, { inputShape: [2, 9], opset }), { input: xc })).output, reference(conv, xc));
      expectSame((await runOnnx(exportOnnx(rnn, { inputShape: [4, 2], opset }), { input: xr })).output, reference(rnn, xr));
    }
    expect(() => exportOnnx(new nn.LayerNorm(4), { inputShape: [4], opset: 13 })).toThrow(/LayerNorm\(\[4\]\) needs opset 17/);
    expect(() => exportOnnx(m, { inputShape: [4], opset: 12 })).toThrow(fg.ArgumentError);
  });

  it('names inputs and outputs; writes feature names and the fingrad version (package.json) to the metadata', async () => {
    const m = new nn.Sequential(new nn.Linear(3, 2, { generator: g }));
    const bytes = exportOnnx(m, { features: ['income', 'age', 'debt'], inputName: 'features', outputName: 'scores' });
    expect(await ioNames(bytes)).toEqual({ inputs: ['features'], outputs: ['scores'] });
    const info = readModelInfo(bytes);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(FINGRAD_VERSION).toBe(pkg.version);
    expect(info.producerName).toBe('fingrad');
    expect(info.producerVersion).toBe(pkg.version);
    expect(info.metadata['fingrad.version']).toBe(pkg.version);
    expect(info.metadata['fingrad.model']).toBe('Sequential');
    expect(JSON.parse(info.metadata['feature_names'] as string)).toEqual(['income', 'age', 'debt']);
    expect(info.irVersion).toBe(8);
    expect(() => exportOnnx(m, { features: ['a', 'b'] , inputShape: [3] })).toThrow(fg.ShapeError);
  });

  it('unsupported layers: one named error listing all of them', () => {
    class Doubler extends nn.Module {
      forward(x: fg.Tensor): fg.Tensor {
        return x.mul(2);
      }
    }
    // A subclass may change forward: it is refused rather than written as its base class.
    class ScaledLinear extends nn.Linear {
      override forward(x: fg.Tensor): fg.Tensor {
        return super.forward(x).mul(3);
      }
    }
    const m = new nn.Sequential(new ScaledLinear(3, 3), new Doubler(), new nn.Sequential(new nn.BatchNorm1d(3, { trackRunningStats: false }), new Doubler()));
    let error: unknown;
    try {
      exportOnnx(m, { inputShape: [3] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedLayerError);
    expect(error).toBeInstanceOf(OnnxExportError);
    expect(error).toBeInstanceOf(fg.FingradError);
    const e = error as InstanceType<typeof UnsupportedLayerError>;
    expect(e.layers).toEqual(["ScaledLinear at '0'", "Doubler at '1'", "BatchNorm1d without running statistics (trackRunningStats: false) at '2.0'", "Doubler at '2.1'"]);
    expect(e.message).toMatch(/Doubler at '1'/);
    expect(e.message).toMatch(/Supported: Linear, Conv1d, .*LSTM, GRU, RNN, Sequential/);
    expect(() => exportOnnx(new Doubler(), { inputShape: [3] })).toThrow(/Doubler/);
  });

  it('checks its arguments, frees what it traced, and leaves training modes as they were', () => {
    const m = new nn.Sequential(new nn.Linear(3, 3), new nn.Dropout(0.5), new nn.BatchNorm1d(3));
    expect(() => exportOnnx(m)).toThrow(/needs options.inputShape/);
    expect(() => exportOnnx(m, { inputShpe: [3] } as never)).toThrow(/did you mean 'inputShape'/);
    expect(() => exportOnnx(m, { inputShape: [4] })).toThrow(fg.ShapeError);
    (m.at(1) as fg.nn.Module).eval();
    const before = fg.memoryStats().liveTensors;
    exportOnnx(m, { inputShape: [3] });
    expect(fg.memoryStats().liveTensors).toBe(before);
    expect([m.training, m.at(0).training, m.at(1).training, m.at(2).training]).toEqual([true, true, false, true]);
  });
});
