// PyTorch's positional forms give PyTorch's answer: each call below is written the way a
// PyTorch user writes it, and checked against PyTorch's own output for the same inputs
// (test/fixtures/positional.json, made by scripts/fixtures/positional.py), and against the
// same call written with fingrad's options object.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

interface Encoded {
  shape: number[];
  data: number[];
}
interface Case {
  id: string;
  inputs: Record<string, Encoded>;
  out: Encoded;
}

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'positional.json');
const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };

type In = Record<string, fg.Tensor>;
/** Per case: the PyTorch-positional call, and the same call through options (or another form). */
const CALLS: Record<string, (i: In) => [fg.Tensor, fg.Tensor]> = {
  'sum(x, 1, true)': ({ x }) => [fg.sum(x!, 1, true), fg.sum(x!, { dim: 1, keepdim: true })],
  'sum(x, [0, 1], true)': ({ x }) => [fg.sum(x!, [0, 1], true), x!.sum([0, 1], { keepdim: true })],
  'mean(x, 0, true)': ({ x }) => [fg.mean(x!, 0, true), x!.mean(0, { keepdim: true })],
  'max(x, 1, true)': ({ x }) => [fg.max(x!, 1, true).values, x!.max({ dim: 1, keepdim: true }).values],
  'max(x, 1, true) indices': ({ x }) => [fg.max(x!, 1, true).indices, x!.max(1, { keepdim: true }).indices],
  'min(x, -1)': ({ x }) => [fg.min(x!, -1).values, fg.min(x!, { dim: -1 }).values],
  'amax(x, [0, 1], true)': ({ x }) => [fg.amax(x!, [0, 1], true), x!.amax({ dim: [0, 1], keepdim: true })],
  'argmax(x, 1, true)': ({ x }) => [fg.argmax(x!, 1, true), x!.argmax(1, { keepdim: true })],
  'argmin(x, 0)': ({ x }) => [fg.argmin(x!, 0), fg.argmin(x!, { dim: 0 })],
  'softmax(x, 0)': ({ x }) => [fg.softmax(x!, 0), fg.softmax(x!, { dim: 0 })],
  'logSoftmax(x, 0)': ({ x }) => [fg.logSoftmax(x!, 0), x!.logSoftmax({ dim: 0 })],
  'sub(1, x)': ({ x }) => [fg.sub(1, x!), fg.add(fg.neg(x!), 1)],
  'div(2, x)': ({ x }) => [fg.div(2, x!), fg.mul(fg.pow(x!, -1), 2)],
  'pow(2, x)': ({ x }) => [fg.pow(2, x!), fg.exp(fg.mul(x!, Math.LN2))],
  'where(c, 1, x)': ({ c, x }) => [fg.where(c!, 1, x!), fg.where(c!, fg.onesLike(x!), x!)],
  'leakyRelu(x, 0.2)': ({ x }) => [fg.leakyRelu(x!, 0.2), x!.leakyRelu({ negativeSlope: 0.2 })],
  'softplus(x, 2, 1)': ({ x }) => [fg.softplus(x!, 2, 1), fg.softplus(x!, { beta: 2, threshold: 1 })],
  'clamp(x, -0.5, 0.5)': ({ x }) => [fg.clamp(x!, -0.5, 0.5), x!.clamp({ min: -0.5, max: 0.5 })],
  'clamp(x, null, 0.5)': ({ x }) => [fg.clamp(x!, null, 0.5), fg.clamp(x!, { max: 0.5 })],
  'maxPool2d(x, 3, 2)': ({ x }) => [fg.maxPool2d(x!, 3, 2), fg.maxPool2d(x!, 3, { stride: 2 })],
  'maxPool2d(x, 3, 2, 1)': ({ x }) => [fg.maxPool2d(x!, 3, 2, 1), x!.maxPool2d({ kernelSize: 3, stride: 2, padding: 1 })],
  'maxPool2d(x, 2, 2, 0, 1, true)': ({ x }) => [fg.maxPool2d(x!, 2, 2, 0, 1, true), fg.maxPool2d(x!, 2, { ceilMode: true })],
  'maxPool2d(x, 3, null, 1, 2)': ({ x }) => [fg.maxPool2d(x!, 3, null, 1, 2), fg.maxPool2d(x!, 3, { padding: 1, dilation: 2 })],
  'avgPool2d(x, 3, 2)': ({ x }) => [fg.avgPool2d(x!, 3, 2), fg.avgPool2d(x!, 3, { stride: 2 })],
  'avgPool2d(x, 3, 2, 1, true, false)': ({ x }) => [fg.avgPool2d(x!, 3, 2, 1, true, false), fg.avgPool2d(x!, 3, 2, { padding: 1, ceilMode: true, countIncludePad: false })],
  'maxPool1d(x, 3, 2)': ({ x }) => [fg.maxPool1d(x!, 3, 2), fg.maxPool1d(x!, [3], { stride: [2] })],
  'maxPool1d(x, 3, 2, 1, 1, true)': ({ x }) => [fg.maxPool1d(x!, 3, 2, 1, 1, true), fg.maxPool1d(x!, 3, { stride: 2, padding: 1, ceilMode: true })],
  'avgPool1d(x, 3, 2, 1, false, false)': ({ x }) => [fg.avgPool1d(x!, 3, 2, 1, false, false), fg.avgPool1d(x!, 3, { stride: 2, padding: 1, countIncludePad: false })],
  'conv2d(x, w, null, 2)': ({ x, w }) => [fg.conv2d(x!, w!, null, 2), fg.conv2d(x!, w!, { stride: 2 })],
  'conv2d(x, w, b, 2, 1)': ({ x, w, b }) => [fg.conv2d(x!, w!, b!, 2, 1), x!.conv2d(w!, b!, { stride: 2, padding: 1 })],
  "conv2d(x, w, b, 1, 'same')": ({ x, w, b }) => [fg.conv2d(x!, w!, b!, 1, 'same'), fg.conv2d(x!, w!, { bias: b!, padding: 'same' })],
  'conv2d(x, w, null, 1, 2, 2)': ({ x, w }) => [fg.conv2d(x!, w!, null, 1, 2, 2), fg.conv2d(x!, w!, null, { padding: 2, dilation: 2 })],
  'conv2d(x, w, b, [2, 1], [0, 1], 1, 1)': ({ x, w, b }) => [fg.conv2d(x!, w!, b!, [2, 1], [0, 1], 1, 1), fg.conv2d(x!, w!, b!, [2, 1], { padding: [0, 1] })],
  'conv1d(x, w, b, 2, 1)': ({ x, w, b }) => [fg.conv1d(x!, w!, b!, 2, 1), fg.conv1d(x!, w!, b!, { stride: 2, padding: 1 })],
  'linear(x, w, b)': ({ x, w, b }) => [fg.linear(x!, w!, b!), fg.linear(x!, w!, { bias: b! })],
  "mseLoss(x, y, 'sum')": ({ x, y }) => [fg.mseLoss(x!, y!, 'sum'), fg.mseLoss(x!, y!, { reduction: 'sum' })],
  "huberLoss(x, y, 'sum', 0.5)": ({ x, y }) => [fg.huberLoss(x!, y!, 'sum', 0.5), fg.huberLoss(x!, y!, { reduction: 'sum', delta: 0.5 })],
  'crossEntropy(x, t, w)': ({ x, t, w }) => [fg.crossEntropy(x!, t!, w!), fg.crossEntropy(x!, [2, 0], { weight: w! })],
  'bceWithLogits(x, y, w)': ({ x, y, w }) => [fg.bceWithLogits(x!, y!, w!), fg.bceWithLogits(x!, y!, { weight: w! })],
  'dropout(x, 0.5, false)': ({ x }) => [fg.dropout(x!, 0.5, false), fg.dropout(x!, { p: 0.5, training: false })],
  'layerNorm(x, [3], w, b, 1e-3)': ({ x, w, b }) => [fg.layerNorm(x!, [3], w!, b!, 1e-3), fg.layerNorm(x!, 3, { weight: w!, bias: b!, eps: 1e-3 })],
  'batchNorm(x, rm, rv, w, b, false, 0.1, 1e-3)': ({ x, rm, rv, w, b }) => [
    fg.batchNorm(x!, rm!, rv!, w!, b!, false, 0.1, 1e-3),
    fg.batchNorm(x!, rm!, rv!, { weight: w!, bias: b!, eps: 1e-3 }),
  ],
  'flatten(x, 1)': ({ x }) => [fg.flatten(x!, 1), x!.flatten({ startDim: 1, endDim: -1 })],
  'x.reshape(4, -1)': ({ x }) => [x!.reshape(4, -1), fg.reshape(x!, [4, 6])],
  'x.permute(2, 0, 1)': ({ x }) => [x!.permute(2, 0, 1), fg.permute(x!, [2, 0, 1])],
  'transpose(x, 0, 2)': ({ x }) => [fg.transpose(x!, 0, 2), fg.transpose(x!, { dim0: 0, dim1: 2 })],
  'x.expand(2, 2, 3)': ({ x }) => [x!.expand(2, 2, 3), fg.expand(x!, [2, -1, -1])],
  'unsqueeze(x, 1)': ({ x }) => [fg.unsqueeze(x!, 1), fg.unsqueeze(x!, { dim: 1 })],
  'squeeze(x, 1)': ({ x }) => [fg.squeeze(x!, 1), fg.squeeze(x!, { dim: [1] })],
  'select(x, 1, 2)': ({ x }) => [fg.select(x!, 1, 2), fg.select(x!, { dim: 1, index: 2 })],
  'concat([x, y], 1)': ({ x, y }) => [fg.concat([x!, y!], 1), fg.cat([x!, y!], { dim: 1 })],
  'stack([x, y], 1)': ({ x, y }) => [fg.stack([x!, y!], 1), fg.stack([x!, y!], { dim: 1 })],
  'gather(x, 1, i)': ({ x, i }) => [fg.gather(x!, 1, i!), fg.gather(x!, { dim: 1, index: [[2, 0], [1, 1]] })],
  'indexSelect(x, 1, i)': ({ x, i }) => [fg.indexSelect(x!, 1, i!), x!.indexSelect(1, { index: [2, 0] })],
  'zeros(2, 3)': () => [fg.zeros(2, 3), fg.zeros([2, 3])],
  'ones(2, 1, 3)': () => [fg.ones(2, 1, 3), fg.ones([2, 1, 3], {})],
  'arange(1, 7, 2)': () => [fg.arange(1, 7, 2), fg.arange({ start: 1, end: 7, step: 2 })],
  'arange(4)': () => [fg.arange(4), fg.arange(0, 4)],
  'eye(2, 3)': () => [fg.eye(2, 3), fg.eye({ n: 2, m: 3 })],
};

function expectTorch(got: fg.Tensor, want: Encoded, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  const data = got.toFloat32Array();
  want.data.forEach((v, k) => expect(Math.abs((data[k] as number) - v), `${what} [${k}]: ${data[k]} vs ${v}`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(v)));
}

describe('PyTorch positional forms', () => {
  it('cover every fixture case, and every case has a fixture', () => {
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(CALLS).sort());
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s gives PyTorch’s answer, as does the options form', (id, c) => {
    fg.tidy(() => {
      const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, fg.tensor(v.data, v.shape)]));
      const [positional, options] = (CALLS[id] as (i: In) => [fg.Tensor, fg.Tensor])(inputs);
      expectTorch(positional, c.out, `${id} (positional)`);
      expectTorch(options, c.out, `${id} (options)`);
    });
  });
});

describe('TypeScript signatures admit both forms and reject wrong ones', () => {
  it('compiles the positional and options forms, and flags wrong types at compile time', () => {
    fg.tidy(() => {
      const x = fg.ones([1, 1, 4, 4]);
      const w = fg.ones([1, 1, 3, 3]);
      const forms: fg.Tensor[] = [
        fg.sum(x, 1, true),
        fg.sum(x, { dim: 1, keepdim: true }),
        fg.sum(x, 1, { keepdim: true }),
        fg.maxPool2d(x, 2, 2, 0),
        fg.maxPool2d(x, 2, { stride: 2 }),
        fg.conv2d(x, w, null, 1, 1),
        fg.conv2d(x, w, { padding: 1 }),
        fg.zeros(2, 3),
        fg.zeros([2, 3], { requiresGrad: false }),
        fg.add(x, 1, { alpha: 2 }),
      ];
      expect(forms.map((t) => t.rank)).toEqual([4, 4, 4, 4, 4, 4, 4, 2, 2, 4]);
      // The lines below must not compile; at run time each is a named error.
      // @ts-expect-error keepdim is a boolean
      expect(() => fg.sum(x, 1, 'yes')).toThrow(fg.ArgumentError);
      // @ts-expect-error options have fixed keys
      expect(() => fg.sum(x, { keepDim: true })).toThrow(fg.UnknownOptionError);
      // @ts-expect-error alpha is keyword-only in PyTorch, so it is here
      expect(() => fg.add(x, 1, 2)).toThrow(/add: takes at most 0 optional positional arguments/);
      // @ts-expect-error the stride is a number or a pair
      expect(() => fg.maxPool2d(x, 2, '2')).toThrow(fg.ArgumentError);
    });
  });
});
