// Affine layer y = act(x·Wᵀ + b) with PyTorch's weight layout [out, in]: one GEMM over all
// leading dimensions of x, reading W transposed through strides, with the bias and the optional
// activation applied by the kernel's epilogue as each output tile is stored (no extra pass).
// The backward of the activation is computed from the output (relu, leaky ReLU with a
// non-negative slope, tanh and sigmoid are all functions of their own output).
// Kernel: assembly/gemm.ts (through src/kernels/gemm.ts). Reference twin: src/reference/matmul.ts.
import { Activation, ReduceOp, UnaryOp } from '../backend/generated/opcodes.js';
import { composed, isGradEnabled, record } from '../autograd/graph.js';
import { ShapeError, fmtShape } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { fill } from '../kernels/memory.js';
import { reduceAlong } from '../kernels/reduce.js';
import { unaryBackward } from '../kernels/unary.js';
import { type TensorInput, releasePromoted, toTensor } from '../tensor/promote.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';
import { add, mul, neg, sub } from './binary.js';
import { sumToShape } from './broadcast.js';
import { gt } from './compare.js';
import { matmul } from './matmul.js';
import { reshape } from './reshape.js';
import { transpose } from './transpose.js';
import { square } from './unary.js';
import { where } from './where.js';

/** Activations the GEMM epilogue applies (codes: Activation in assembly/opcodes.ts). */
export type LinearActivation = 'none' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid';

export interface LinearOptions {
  /** Added to each output, shape [out]; null or omitted for none. */
  bias?: TensorInput | null;
  /** Applied to x·Wᵀ + b inside the GEMM's epilogue. Default 'none'. */
  activation?: LinearActivation;
  /** Slope of 'leakyRelu' for negative inputs (≥ 0). Default 0.01. */
  negativeSlope?: number;
}

const ACT_CODE: Record<LinearActivation, Activation> = { none: Activation.None, relu: Activation.Relu, leakyRelu: Activation.LeakyRelu, tanh: Activation.Tanh, sigmoid: Activation.Sigmoid };
// The matching unary_grad_f32 op codes, reading the output only.
const GRAD_CODE: Record<Exclude<LinearActivation, 'none'>, UnaryOp> = { relu: UnaryOp.Relu, leakyRelu: UnaryOp.LeakyRelu, tanh: UnaryOp.Tanh, sigmoid: UnaryOp.Sigmoid };

/** F.linear's order: `linear(x, w, b)`, then options: `linear(x, w, b, {activation: 'relu'})`. */
export type LinearArgs = Args<[bias: TensorInput | null | undefined], LinearOptions>;

const LINEAR = {
  bias: is.any,
  activation: is.oneOf(['none', 'relu', 'leakyRelu', 'tanh', 'sigmoid'] as const),
  negativeSlope: is.number({ min: 0 }),
};

function checkLinear(x: Tensor, weight: Tensor, bias: Tensor | null): void {
  if (weight.rank !== 2) {
    throw new ShapeError(`linear: weight must have shape [out, in], got ${fmtShape(weight.shape)}`);
  }
  const [outF, inF] = weight.shape as [number, number];
  if (x.rank === 0 || x.shape[x.rank - 1] !== inF) {
    throw new ShapeError(
      `linear: input of shape ${fmtShape(x.shape)} does not fit weight ${fmtShape(weight.shape)}: its last dimension must be in = ${inF}`,
    );
  }
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: bias must have shape [${outF}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
}

/**
 * act(x·Wᵀ + bias) for x of shape [..., in], W of shape [out, in], bias of shape [out]; act is
 * `options.activation` (default none: plain `F.linear`).
 */
export function linear(input: TensorInput, weightInput: TensorInput, ...args: LinearArgs): Tensor {
  const x = toTensor('linear', 'input', input);
  const weight = toTensor('linear', 'weight', weightInput);
  const options = readArgs('linear', args, ['bias'], LINEAR);
  const bias = (options.bias ?? null) === null ? null : toTensor('linear', 'bias', options.bias);
  checkLinear(x, weight, bias);
  const activation = options.activation ?? 'none';
  const slope = options.negativeSlope ?? 0.01;
  const [outF, inF] = weight.shape as [number, number];
  const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
  const out = Tensor.empty([...x.shape.slice(0, -1), outF]);
  const epilogue = bias === null && activation === 'none' ? undefined : { bias: bias === null ? 0 : bias.ptr, act: ACT_CODE[activation], alpha: slope };
  gemm({ m: rows, n: outF, k: inF, a: x.ptr, rsA: inF, csA: 1, b: weight.ptr, rsB: 1, csB: inF, c: out.ptr, ldc: outF, ...(epilogue && { epilogue }) });
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  const name = activation === 'none' ? 'linear' : `linear+${activation}`;
  const recorded = record(out, name, inputs, composed((dyOut) => {
    if (isGradEnabled()) return recordedRules(recordedPre(activation, out, dyOut, slope), x, weight, rows, inF, outF);
    // The gradient before the activation, computed once for all three inputs.
    let pre: Tensor | null = null;
    const dz = (): Tensor => {
      if (activation === 'none') return dyOut;
      if (pre === null) {
        pre = Tensor.empty(out.shape);
        unaryBackward(GRAD_CODE[activation], out, out, dyOut, pre, slope, 0);
      }
      return pre;
    };
    return backwardRules(dz, x, weight, rows, inF, outF);
    // Read: x and W, and the output through a fused activation; never the bias.
  }), activation === 'none' ? [x, weight] : [x, weight, out]);
  return releasePromoted(recorded, [input, weightInput, options.bias], [x, weight, bias ?? 0]);
}

// Recording (createGraph): the gradient before the activation from its output, by recorded ops.
function recordedPre(activation: LinearActivation, out: Tensor, dy: Tensor, slope: number): Tensor {
  switch (activation) {
    case 'none': return dy;
    case 'relu': return mul(dy, gt(out, 0));
    case 'leakyRelu': return mul(dy, where(gt(out, 0), 1, slope));
    case 'tanh': return mul(dy, add(neg(square(out)), 1));
    case 'sigmoid': return mul(dy, sub(out, square(out)));
  }
}

function recordedRules(dz: Tensor, x: Tensor, weight: Tensor, rows: number, inF: number, outF: number): Array<() => Tensor> {
  const dz2 = reshape(dz, [rows, outF]);
  return [
    () => matmul(dz, weight),
    () => matmul(transpose(dz2, 0, 1), reshape(x, [rows, inF])),
    () => sumToShape(dz2, [outF]),
  ];
}

function backwardRules(dz: () => Tensor, x: Tensor, weight: Tensor, rows: number, inF: number, outF: number): Array<() => Tensor> {
  return [
    // dx = dy · W
    () => {
      const dy = dz();
      const dx = Tensor.empty(x.shape);
      gemm({ m: rows, n: inF, k: outF, a: dy.ptr, rsA: outF, csA: 1, b: weight.ptr, rsB: inF, csB: 1, c: dx.ptr, ldc: inF });
      return dx;
    },
    // dW = dyᵀ · x over all rows
    () => {
      const dy = dz();
      const dw = Tensor.empty(weight.shape);
      gemm({ m: outF, n: inF, k: rows, a: dy.ptr, rsA: 1, csA: outF, b: x.ptr, rsB: inF, csB: 1, c: dw.ptr, ldc: inF });
      return dw;
    },
    // db = Σ over rows of dy
    () => {
      const dy = dz();
      const db = Tensor.empty([outF]);
      if (rows === 0) fill(db, 0);
      else reduceAlong(ReduceOp.Sum, dy, db, 1, rows, outF);
      return db;
    },
  ];
}
