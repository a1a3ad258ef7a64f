// Where a direct convolution's backward spends its time, against the forward:
// `npx tsx bench/conv-phases.ts [--rounds 41]`. Calls the kernels of src/ops/conv.ts's direct
// paths as it does (padded chunks, packed weights) for square stride-1 kernels, on one thread,
// and times each phase in CPU time, interleaved, so that other processes on a shared machine move
// the figures little. Phases: forward (pad x + conv_direct_f32), dX (pad dY + conv_direct_f32
// over the flipped weights), dW (pad x + conv_dw_f32), both as the op runs them when both are
// wanted (one padded dY chunk for dX and, through conv_dw_f32's flip, dW), and the two padding
// copies alone. Below 8 input channels the op takes dX by scatter and dW apart instead.
import { parseArgs } from 'node:util';
import * as fg from '../src/index.js';
import { heap, kernels } from '../src/backend/wasm.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '41' } } });
const rounds = Number(args.rounds);

/** [N, C, H, W, O, k, padding] */
const shapes: Array<[number, number, number, number, number, number, number]> = [
  [8, 16, 32, 32, 32, 3, 1],
  [32, 1, 28, 28, 32, 3, 1],
  [16, 8, 16, 16, 16, 3, 1],
];
const PAD_BYTES = 256 << 10; // src/ops/conv.ts

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1] as number;
const skew = (rows: number, cols: number): number => ((4 * rows * cols) % 1024 === 0 ? rows + 1 : rows);

await fg.ready();
const k = kernels();
const h = heap();
for (const [N, C, H, W, O, kk, pad] of shapes) {
  const oH = H + 2 * pad - kk + 1;
  const oW = W + 2 * pad - kk + 1;
  const K = C * kk * kk;
  const KT = O * kk * kk;
  const blocks: Array<[number, number]> = [];
  const alloc = (bytes: number): number => {
    const p = h.alloc(bytes);
    blocks.push([p, bytes]);
    return p;
  };
  fg.manualSeed(1);
  const x = fg.randn([N, C, H, W]);
  const w = fg.randn([O, C, kk, kk], { std: 0.1 });
  const dy = fg.randn([N, O, oH, oW]);
  const out = alloc(4 * N * O * oH * oW);
  const dx = alloc(4 * N * C * H * W);
  const dw = alloc(4 * O * K);
  const Wp = W + 2 * pad;
  const Hp = skew(H + 2 * pad, Wp);
  const Wq = W + kk - 1;
  const Hq = skew(H + kk - 1, Wq);
  const B = Math.max(1, Math.min(N, Math.floor(PAD_BYTES / (4 * C * Hp * Wp))));
  const BQ = Math.max(1, Math.min(N, Math.floor(PAD_BYTES / (4 * O * Hq * Wq))));
  const buf = alloc(4 * B * C * Hp * Wp);
  const bufQ = alloc(4 * BQ * O * Hq * Wq);
  const ints = alloc(128);
  const geomF = ints;
  const geomX = ints + 64;
  const spec = alloc(64);
  const scratch = alloc(Math.max(k.conv_direct_scratch_bytes(K, O), k.conv_direct_scratch_bytes(KT, C), k.conv_dw_scratch_bytes(K, oH, oW, B), k.conv_dw_scratch_bytes(KT, H, W, BQ)));
  const dw2 = alloc(4 * O * K);
  const geomT = alloc(64);
  const wp = alloc(k.conv_pack_bytes(O, K));
  const wq = alloc(k.conv_pack_bytes(C, KT));
  const taps = kk * kk;
  h.i32.set([O, C, kk, kk, 0, K, taps, kk, 1], spec >>> 2);
  k.conv_pack_f32(w.ptr, wp, spec);
  h.i32.set([C, O, kk, kk, taps - 1, taps, C * taps, -kk, -1], spec >>> 2);
  k.conv_pack_f32(w.ptr, wq, spec);
  h.i32.set([C, Hp, Wp, O, kk, kk, 1, 1, 1, 1, oH, oW], geomF >>> 2);
  h.i32.set([O, Hq, Wq, C, kk, kk, 1, 1, 1, 1, H, W], geomX >>> 2);
  h.i32.set([O, Hq, Wq, C, kk, kk, 1, 1, 1, 1, H, W], geomT >>> 2);
  const img = 4 * C * H * W;
  const dyImg = 4 * O * oH * oW;
  const padX = (n: number, b: number): void => k.conv_window_f32(x.ptr + n * img, H, W, buf, Hp, Wp, b * C, pad, pad, n === 0 ? 1 : 0);
  const padDy = (n: number, b: number): void => k.conv_window_f32(dy.ptr + n * dyImg, oH, oW, bufQ, Hq, Wq, b * O, kk - 1 - pad, kk - 1 - pad, n === 0 ? 1 : 0);
  const chunks = (size: number, fn: (n: number, b: number) => void): void => {
    for (let n = 0; n < N; n += size) fn(n, Math.min(size, N - n));
  };
  const phases: Record<string, () => void> = {
    forward: () => chunks(B, (n, b) => {
      padX(n, b);
      k.conv_direct_f32(buf, b, wp, 0, out + n * dyImg, geomF, scratch);
    }),
    dX: () => chunks(BQ, (n, b) => {
      padDy(n, b);
      k.conv_direct_f32(bufQ, b, wq, 0, dx + n * img, geomX, scratch);
    }),
    dW: () => {
      k.fill_f32(dw, O * K, 0);
      chunks(B, (n, b) => {
        padX(n, b);
        k.conv_dw_f32(buf, dy.ptr + n * dyImg, b, dw, geomF, scratch, 0);
      });
    },
    // What the op runs when both gradients are wanted (src/kernels/conv-direct.ts directBackward):
    // each padded dY chunk serves dX, then dW from it and the unpadded x; no padded x.
    'dX + dW from one padded dY': () => {
      k.fill_f32(dw2, O * K, 0);
      chunks(BQ, (n, b) => {
        padDy(n, b);
        k.conv_direct_f32(bufQ, b, wq, 0, dx + n * img, geomX, scratch);
        k.conv_dw_f32(bufQ, x.ptr + n * img, b, dw2, geomT, scratch, kk * kk);
      });
    },
    'pad x': () => chunks(B, padX),
    'pad dY': () => chunks(BQ, padDy),
  };
  const t0 = performance.now();
  phases.forward?.();
  const reps = Math.max(2, Math.round(10 / Math.max(0.01, performance.now() - t0)));
  const times: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(phases)) {
      const t = cpuMs();
      for (let i = 0; i < reps; i++) fn();
      (times[name] ??= []).push((cpuMs() - t) / reps);
    }
  }
  {
    const a = h.f32.subarray(dw >>> 2, (dw >>> 2) + O * K);
    const b2 = h.f32.subarray(dw2 >>> 2, (dw2 >>> 2) + O * K);
    let err = 0, mag = 0;
    for (let i = 0; i < O * K; i++) { err = Math.max(err, Math.abs((a[i] as number) - (b2[i] as number))); mag = Math.max(mag, Math.abs(a[i] as number)); }
    console.log(`dW from the padded dY vs dW: max |diff| ${err.toExponential(2)} of max |dW| ${mag.toFixed(2)}`);
  }
  const fwd = times.forward as number[];
  const flops = 2 * N * O * K * oH * oW;
  const cells = Object.keys(phases).map((name) => {
    const ratio = median((times[name] as number[]).map((v, i) => v / (fwd[i] as number)));
    // Below 8 input channels src/ops/conv.ts takes dX by conv_dx_scatter_f32 instead.
    return `${name}${name === 'dX' && C < 8 ? ' (direct; the op scatters)' : ''} ${ratio.toFixed(3)}`;
  });
  console.log(`[${N}, ${C}, ${H}, ${W}]→${O} ${kk}×${kk} p${pad}: forward ${median(fwd).toFixed(3)} ms CPU (${(flops / median(fwd) / 1e6).toFixed(1)} GFLOP/s); time / forward (median of ${rounds} rounds): ${cells.join(', ')}`);
  for (const [p, bytes] of blocks) h.release(p, bytes);
  for (const t of [x, w, dy]) t.dispose();
}
