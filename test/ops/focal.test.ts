import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

const ref = JSON.parse(readFileSync(new URL('../fixtures/torch-focal.json', import.meta.url), 'utf8')) as {
  x: number[][];
  y: number[][];
  cases: Array<{ alpha: number; gamma: number; reduction: 'mean' | 'sum' | 'none'; out: number[]; grad: number[] }>;
};

beforeAll(async () => {
  await fg.ready();
});

describe('sigmoidFocalLoss', () => {
  it.each(ref.cases.map((c) => [`alpha ${c.alpha}, gamma ${c.gamma}, ${c.reduction}`, c] as const))('matches PyTorch (float64) values and gradients: %s', (_name, c) => {
    fg.tidy(() => {
      const x = fg.tensor(ref.x, undefined, { requiresGrad: true });
      const out = fg.sigmoidFocalLoss(x, ref.y, c.alpha, c.gamma, c.reduction);
      Array.from(out.toFloat32Array()).forEach((v, i) => expect(v).toBeCloseTo(c.out[i]!, 4));
      out.sum().backward();
      Array.from(x.grad!.toFloat32Array()).forEach((v, i) => expect(v).toBeCloseTo(c.grad[i]!, 4));
    });
  });

  it('gamma 0 and no alpha is binary cross entropy; options object and named errors', () => {
    fg.tidy(() => {
      const a = fg.sigmoidFocalLoss(ref.x, ref.y, { alpha: -1, gamma: 0, reduction: 'mean' }).item();
      expect(a).toBeCloseTo(fg.bceWithLogits(ref.x, ref.y).item(), 6);
    });
    expect(() => fg.sigmoidFocalLoss(ref.x, ref.y, { gama: 2 } as never)).toThrow("did you mean 'gamma'?");
    expect(() => fg.sigmoidFocalLoss(ref.x, ref.y, 0.25, -1)).toThrow(fg.ArgumentError);
    expect(() => fg.sigmoidFocalLoss(ref.x, [[1, 0]])).toThrow(fg.FingradError);
  });
});
