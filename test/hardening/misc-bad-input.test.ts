// The rest of the public surface under the argument contract: in-place ops, scopes,
// safetensors and checkpoints, the data generators, threads. Every bad call is a FingradError.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

const BAD: unknown[] = [null, undefined, '1', {}, [[1], [2, 3]], NaN, Symbol('s'), 10n, () => 1];

beforeAll(async () => {
  await fg.ready();
});

function onlyFingradErrors(name: string, call: (bad: unknown) => unknown): void {
  for (const bad of BAD) {
    let thrown: unknown = null;
    try {
      const r = call(bad);
      if (r instanceof Promise) r.catch(() => undefined);
    } catch (e) {
      thrown = e;
    }
    if (thrown !== null) expect(thrown, `${name}(${String(typeof bad === 'symbol' ? 'Symbol' : bad)}) threw ${String(thrown)}`).toBeInstanceOf(fg.FingradError);
  }
}

describe('the rest of the API names bad input', () => {
  it.each([
    ['fill_', (b: unknown) => fg.fill_(fg.zeros([2]), b as number)],
    ['fill_ on a non-tensor', (b: unknown) => fg.fill_(b as fg.Tensor, 1)],
    ['mulScalar_', (b: unknown) => fg.mulScalar_(fg.zeros([2]), b as number)],
    ['addScaled_', (b: unknown) => fg.addScaled_(fg.zeros([2]), b as fg.Tensor)],
    ['addScaled_ alpha', (b: unknown) => fg.addScaled_(fg.zeros([2]), fg.zeros([2]), b as number)],
    ['copy_', (b: unknown) => fg.copy_(fg.zeros([2]), b as fg.Tensor)],
    ['tidy', (b: unknown) => fg.tidy(b as () => void)],
    ['keep', (b: unknown) => fg.keep(b as fg.Tensor)],
    ['decodeSafetensors', (b: unknown) => fg.decodeSafetensors(b as Uint8Array)],
    ['encodeSafetensors', (b: unknown) => fg.encodeSafetensors(b as Record<string, fg.Tensor>)],
    ['readCheckpoint', (b: unknown) => fg.readCheckpoint(b as Uint8Array)],
    ['loadWeights', (b: unknown) => fg.loadWeights(new fg.nn.Linear(2, 1), b as Uint8Array)],
    ['loadModel', (b: unknown) => fg.loadModel(b as Uint8Array)],
    ['saveModel', (b: unknown) => fg.saveModel(b as fg.nn.Module)],
    ['generateCredit', (b: unknown) => fg.generateCredit(b as number)],
    ['twoMoons', (b: unknown) => fg.twoMoons(b as fg.MoonsOptions)],
    ['noisySine', (b: unknown) => fg.noisySine(b as never)],
    ['barsAndCrosses', (b: unknown) => fg.barsAndCrosses(b as never)],
    ['gaussianWithOutliers', (b: unknown) => fg.gaussianWithOutliers(b as never)],
    ['dataRng', (b: unknown) => fg.dataRng(b as number)],
    ['permutation', (b: unknown) => fg.permutation(b as number, Math.random)],
    ['setNumThreads', (b: unknown) => fg.setNumThreads(b as number)],
    ['setScopeWarningThreshold', (b: unknown) => fg.setScopeWarningThreshold(b as number)],
  ])('%s', (name, call) => {
    fg.tidy(() => onlyFingradErrors(name, call));
  });

  it('keeps the values that are valid', () => {
    fg.tidy(() => {
      expect(fg.fill_(fg.zeros([2]), Infinity).toArray()).toEqual([Infinity, Infinity]);
      expect(() => fg.twoMoons({ nn: 3 } as never)).toThrow("did you mean 'n'?");
      expect(() => fg.generateCredit(-1)).toThrow(fg.ArgumentError);
    });
  });
});
