// Both gradients of a convolution from one padded dY (src/kernels/conv-direct.ts directBackward):
// taken only when the backward pass wants both, equal to the separate rules' gradients (dX bit for
// bit: the same kernel on the same padded chunks), and leaving no buffer behind.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { convPath } from '../../src/kernels/conv.js';
import { expectClose, randomValues, rng } from '../support/opcheck.js';

describe('conv2d backward with both gradients wanted', () => {
  it('computes dW beside dX only when the backward pass wants both, and frees every buffer', () => {
    const x = fg.randn([2, 8, 6, 8], { requiresGrad: true });
    const w = fg.randn([4, 8, 3, 3], { requiresGrad: true });
    const traced = (fn: () => void): string[] => {
      convPath.trace = [];
      try {
        fn();
        return [...new Set(convPath.trace)].sort();
      } finally {
        convPath.trace = null;
      }
    };
    const cycle = (): string[][] => {
      const y = fg.conv2d(x, w, null, { padding: 1 });
      const s = y.sum();
      // dX alone while w needs a gradient too: no dW is computed.
      const onlyX = traced(() => {
        for (const g of fg.gradOf(s, [x], { retainGraph: true })) g?.dispose();
        s.backward({ inputs: [x], retainGraph: true });
      });
      const both = traced(() => s.backward());
      s.dispose();
      y.dispose();
      x.zeroGrad();
      w.zeroGrad();
      return [onlyX, both];
    };
    expect(cycle()).toEqual([['input:direct'], ['input:direct', 'weight:transposed']]);
    const before = fg.memoryStats();
    cycle();
    const after = fg.memoryStats();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.bytesInUse).toBe(before.bytesInUse);
    x.dispose();
    w.dispose();
  });

  it.each([
    { x: [3, 16, 12, 12], w: [8, 16, 3, 3], padding: 1 },
    { x: [2, 9, 7, 18], w: [5, 9, 3, 3], padding: 1 },
    { x: [5, 8, 1, 30], w: [16, 8, 1, 3], padding: [0, 1] },
  ])('gives the separate rules\' gradients for x $x, w $w', ({ x: xs, w: ws, padding }) => {
    const r = rng(9);
    const values = (shape: readonly number[]): Float32Array => Float32Array.from(randomValues(shape.reduce((a, b) => a * b, 1), r));
    const xv = values(xs);
    const wv = values(ws);
    const opts = { padding: padding as number | [number, number] };
    const dyv = values(fg.tidy(() => fg.conv2d(fg.tensor(xv, xs), fg.tensor(wv, ws), null, opts).shape));
    const grads = (wantX: boolean, wantW: boolean): Float32Array[] => fg.tidy(() => {
      const x = fg.tensor(xv, xs, { requiresGrad: wantX });
      const w = fg.tensor(wv, ws, { requiresGrad: wantW });
      const y = fg.conv2d(x, w, null, opts);
      y.backward(fg.tensor(dyv, y.shape));
      return [x, w].filter((t) => t.requiresGrad).map((t) => (t.grad as fg.Tensor).toFloat32Array());
    });
    convPath.trace = [];
    let both: Float32Array[];
    try {
      both = grads(true, true);
      expect(convPath.trace).toContain('weight:transposed');
    } finally {
      convPath.trace = null;
    }
    const [dx] = grads(true, false);
    const [dw] = grads(false, true);
    expect(Buffer.from((both[0] as Float32Array).buffer).equals(Buffer.from((dx as Float32Array).buffer))).toBe(true);
    const scale = (dw as Float32Array).reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    expectClose(both[1] as Float32Array, dw as Float32Array, 0, 1e-5 * scale, 'weight gradient');
  });
});
