// The op codes in src/backend/generated/opcodes.ts are generated from assembly/opcodes.ts. Each
// table below is keyed by one generated enum (a member without an entry does not compile) and
// runs the kernel with every code straight, against the float64 reference twin of the op that
// code names: a code that drifts from what the kernel does for it fails here, whatever the ops
// above make of it.
import { describe, expect, it } from 'vitest';
import { Activation, ArgOp, BinaryOp, PointwiseLoss, ReduceOp, SoftmaxMode, UnaryOp } from '../../src/backend/generated/opcodes.js';
import { kernels } from '../../src/backend/wasm.js';
import { broadcastBinary } from '../../src/ops/broadcast.js';
import { unaryOps } from '../../src/ops/unary.js';
import { type Array64, array64, map64, zipBroadcast } from '../../src/reference/array64.js';
import { argmax, argmin } from '../../src/reference/argmax.js';
import * as el from '../../src/reference/elementwise.js';
import { hingeLoss, huberLoss, l1Loss, mseLoss } from '../../src/reference/losses.js';
import { maxOf, minOf, reduceAxis, sumOf } from '../../src/reference/reduce.js';
import { logSoftmax, softmax } from '../../src/reference/softmax.js';
import * as un from '../../src/reference/unary.js';
import { tensor } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { expectClose, randomValues, rng } from '../support/opcheck.js';

const N = 37; // not a multiple of 4: the kernels' vector and leftover paths both run

function input(seed: number, lo: number, hi: number, shape: number[] = [N]): { a: Array64; t: Tensor } {
  // Rounded to float32 first, so that the reference sees the kernel's inputs.
  const a = map64(array64(shape, randomValues(shape.reduce((p, d) => p * d, 1), rng(seed), lo, hi)), Math.fround);
  return { a, t: fromData(a.data, shape) };
}

const fromData = (data: ArrayLike<number>, shape: number[]): Tensor => tensor(Float32Array.from(data), shape);

const unary: { [K in keyof typeof UnaryOp]: { ref: (a: Array64) => Array64; p1?: number; p2?: number; lo: number; hi: number } } = {
  Exp: { ref: un.exp, lo: -3, hi: 3 },
  Log: { ref: un.log, lo: 0.1, hi: 4 },
  Sqrt: { ref: un.sqrt, lo: 0.1, hi: 4 },
  Abs: { ref: un.abs, lo: -2, hi: 2 },
  Tanh: { ref: un.tanh, lo: -3, hi: 3 },
  Sigmoid: { ref: un.sigmoid, lo: -6, hi: 6 },
  Relu: { ref: un.relu, lo: -2, hi: 2 },
  LeakyRelu: { ref: (a) => un.leakyRelu(a, 0.2), p1: 0.2, lo: -2, hi: 2 },
  Softplus: { ref: (a) => un.softplus(a, 2, 3), p1: 2, p2: 3, lo: -3, hi: 3 },
  Clamp: { ref: (a) => un.clamp(a, -0.5, 1), p1: -0.5, p2: 1, lo: -2, hi: 2 },
  Pow: { ref: (a) => un.pow(a, 2.5), p1: 2.5, lo: 0.1, hi: 3 },
  Square: { ref: un.square, lo: -2, hi: 2 },
  Rsqrt: { ref: un.rsqrt, lo: 0.2, hi: 4 },
};

const cmp = (f: (x: number, y: number) => boolean) => (a: Array64, b: Array64): Array64 => zipBroadcast(a, b, (x, y) => (f(x, y) ? 1 : 0));
const binary: { [K in keyof typeof BinaryOp]: (a: Array64, b: Array64) => Array64 } = {
  Add: el.add,
  Sub: el.sub,
  Mul: el.mul,
  Div: el.div,
  Max: el.maximum,
  Min: el.minimum,
  Eq: cmp((x, y) => x === y),
  Ne: cmp((x, y) => x !== y),
  Lt: cmp((x, y) => x < y),
  Le: cmp((x, y) => x <= y),
  Gt: cmp((x, y) => x > y),
  Ge: cmp((x, y) => x >= y),
};

const reduce: { [K in keyof typeof ReduceOp]: (v: number[]) => number } = { Sum: sumOf, Max: maxOf, Min: minOf };
const arg: { [K in keyof typeof ArgOp]: (a: Array64, axis: number) => Array64 } = { Max: argmax, Min: argmin };
const softmaxModes: { [K in keyof typeof SoftmaxMode]: (a: Array64, axis: number) => Array64 } = { Softmax: softmax, LogSoftmax: logSoftmax };
const activation: { [K in keyof typeof Activation]: (a: Array64) => Array64 } = {
  None: (a) => a,
  Relu: un.relu,
  LeakyRelu: (a) => un.leakyRelu(a, 0.2),
  Tanh: un.tanh,
  Sigmoid: un.sigmoid,
};
const loss: { [K in keyof typeof PointwiseLoss]: { ref: (x: Array64, t: Array64) => Array64; param: number } } = {
  Mse: { ref: (x, t) => mseLoss(x, t, 'none'), param: 0 },
  L1: { ref: (x, t) => l1Loss(x, t, 'none'), param: 0 },
  Huber: { ref: (x, t) => huberLoss(x, t, 0.5, 'none'), param: 0.5 },
  Hinge: { ref: (x, t) => hingeLoss(x, t, 1.5, 'none'), param: 1.5 },
  // x = mu, t = logvar
  KlNormal: { ref: (m, lv) => zipBroadcast(m, lv, (mu, v) => -0.5 * (1 + v - mu * mu - Math.exp(v))), param: 0 },
};

const entries = <T extends object>(table: T): Array<[keyof T & string, T[keyof T]]> => Object.entries(table) as Array<[keyof T & string, T[keyof T]]>;

describe('generated op codes run the kernel op they name', () => {
  it('every enum has its table (same members)', () => {
    const tables: Array<[object, object]> = [[UnaryOp, unary], [BinaryOp, binary], [ReduceOp, reduce], [ArgOp, arg], [SoftmaxMode, softmaxModes], [Activation, activation], [PointwiseLoss, loss]];
    for (const [codes, table] of tables) expect(Object.keys(table).sort()).toEqual(Object.keys(codes).sort());
  });

  it.each(entries(unary))('UnaryOp.%s: unary_f32 matches the reference twin', (name, c) => {
    tidy(() => {
      const { a, t } = input(name.length * 7 + 1, c.lo, c.hi);
      const out = Tensor.empty([N]);
      kernels().unary_f32(UnaryOp[name], t.ptr, out.ptr, N, c.p1 ?? 0, c.p2 ?? 0);
      expectClose(out.toFloat32Array(), c.ref(a).data, 2e-6, 1e-6, `UnaryOp.${name}`);
    });
  });

  it.each(entries(unary))('UnaryOp.%s: the op of that code (unaryOps) runs it', (name, c) => {
    tidy(() => {
      const { t } = input(name.length * 7 + 1, c.lo, c.hi);
      const out = Tensor.empty([N]);
      kernels().unary_f32(UnaryOp[name], t.ptr, out.ptr, N, c.p1 ?? 0, c.p2 ?? 0);
      const params = [c.p1, c.p2].filter((p) => p !== undefined);
      const op = unaryOps[name] as (x: Tensor, ...args: number[]) => Tensor;
      expect([...op(t, ...params).toFloat32Array()]).toEqual([...out.toFloat32Array()]);
    });
  });

  it.each(entries(binary))('BinaryOp.%s: binary_f32 matches the reference twin', (name, ref) => {
    tidy(() => {
      const x = input(3, -2, 2, [5, N]);
      // A column operand broadcast along the rows, rounded so that ties (Eq, Le, Ge) occur.
      const y = input(4, -2, 2, [5, 1]);
      y.a.data.forEach((v, i) => (y.a.data[i] = Math.round(v)));
      x.a.data.forEach((v, i) => (x.a.data[i] = i % 3 === 0 ? Math.round(v) : v));
      const out = broadcastBinary(name, BinaryOp[name], fromData(x.a.data, [5, N]), fromData(y.a.data, [5, 1]));
      expectClose(out.toFloat32Array(), ref(x.a, y.a).data, 1e-6, 1e-6, `BinaryOp.${name}`);
    });
  });

  it.each(entries(reduce))('ReduceOp.%s: reduce_f32 matches the reference twin', (name, ref) => {
    tidy(() => {
      const { a, t } = input(5, -2, 2, [3, N, 2]);
      const out = Tensor.empty([3, 2]);
      kernels().reduce_f32(ReduceOp[name], t.ptr, out.ptr, 3, N, 2);
      expectClose(out.toFloat32Array(), reduceAxis(a, 1, ref).data, 1e-5, 1e-5, `ReduceOp.${name}`);
    });
  });

  it.each(entries(arg))('ArgOp.%s: argmax_f32 matches the reference twin', (name, ref) => {
    tidy(() => {
      const { a, t } = input(6, -2, 2, [4, N]);
      const out = Tensor.empty([4]);
      kernels().argmax_f32(ArgOp[name], t.ptr, out.ptr, 4, N, 1, 0);
      expect([...out.toFloat32Array()]).toEqual([...ref(a, 1).data]);
    });
  });

  it.each(entries(softmaxModes))('SoftmaxMode.%s: softmax_f32 matches the reference twin', (name, ref) => {
    tidy(() => {
      const { a, t } = input(7, -3, 3, [4, N]);
      const out = Tensor.empty([4, N]);
      kernels().softmax_f32(SoftmaxMode[name], t.ptr, out.ptr, 4, N, 1, 0);
      expectClose(out.toFloat32Array(), ref(a, 1).data, 1e-5, 1e-6, `SoftmaxMode.${name}`);
    });
  });

  it.each(entries(activation))('Activation.%s: bias_act_f32 matches the reference twin', (name, ref) => {
    tidy(() => {
      const { a, t } = input(8, -3, 3, [3, N]);
      kernels().bias_act_f32(t.ptr, N, 3, N, 0, Activation[name], 0.2);
      expectClose(t.toFloat32Array(), ref(a).data, 2e-6, 1e-6, `Activation.${name}`);
    });
  });

  it.each(entries(loss))('PointwiseLoss.%s: pointwise_loss_f32 matches the reference twin', (name, c) => {
    tidy(() => {
      const x = input(9, -2, 2);
      const y = input(10, -2, 2);
      const out = Tensor.empty([N]);
      kernels().pointwise_loss_f32(PointwiseLoss[name], x.t.ptr, y.t.ptr, out.ptr, N, c.param);
      expectClose(out.toFloat32Array(), c.ref(x.a, y.a).data, 1e-5, 1e-6, `PointwiseLoss.${name}`);
    });
  });
});
