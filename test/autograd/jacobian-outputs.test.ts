// jacobian of a function with several outputs against PyTorch (torch.autograd.functional.jacobian
// on a tuple, what torch.func.jacrev returns): scripts/fixtures/torch_jacobian_outputs.py.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

type T = fg.Tensor;
interface Plain { shape: number[]; data: number[] }
const fx = JSON.parse(readFileSync(new URL('../fixtures/torch-jacobian-outputs.json', import.meta.url), 'utf8')) as {
  x: Plain; w: Plain; twoOutputs: Plain[]; mixed: Plain[][];
};
const t = (p: Plain): T => fg.tensor(p.data, p.shape);

function expectClose(got: T, want: Plain): void {
  expect(got.shape).toEqual(want.shape);
  const g = Array.from(got.toFloat32Array());
  want.data.forEach((v, i) => expect(Math.abs((g[i] as number) - v)).toBeLessThan(1e-5 * (1 + Math.abs(v))));
}

describe('jacobian of a function with several outputs', () => {
  it('returns one Jacobian per output (one argument)', () => {
    fg.tidy(() => {
      const js = fg.jacobian((x: T) => [x.tanh().mul(2), x.sum().mul(x)])(t(fx.x)) as T[];
      expect(js).toHaveLength(2);
      js.forEach((j, k) => expectClose(j, fx.twoOutputs[k] as Plain));
    });
  });

  it('returns [output][argument] for a list of argnums, zeros where an output does not depend on an argument', () => {
    fg.tidy(() => {
      const fn = (x: T, w: T): T[] => [fg.matmul(w, x), x.mul(w.select(0, 0)).exp().sum(), fg.ones([2])];
      const js = fg.jacobian(fn, { argnums: [0, 1] })(t(fx.x), t(fx.w)) as T[][];
      expect(js).toHaveLength(3);
      js.forEach((per, k) => per.forEach((j, a) => expectClose(j, (fx.mixed[k] as Plain[])[a] as Plain)));
    });
  });

  it('names an output that is not a tensor, and an empty list', () => {
    const x = fg.tensor([1, 2]);
    expect(() => fg.jacobian((a: T) => [a.mul(2), 3 as unknown as T])(x)).toThrow(/jacobian: fn must return a Tensor or an array of Tensors; output 1 is number/);
    expect(() => fg.jacobian(() => [] as T[])(x)).toThrow(/jacobian: fn returned an empty array/);
    x.dispose();
  });

  it('leaves nothing behind', () => {
    const x = fg.tensor([0.5, -1, 2]);
    const before = fg.memoryStats().liveTensors;
    const js = fg.jacobian((a: T) => [a.square(), a.sum()])(x) as T[];
    expect(fg.memoryStats().liveTensors).toBe(before + 2);
    js.forEach((j) => j.dispose());
    x.dispose();
  });
});
