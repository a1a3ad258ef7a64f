// Activation layers: the elementwise ops and softmax as modules (no parameters), PyTorch's
// names, argument order and defaults.
import { ShapeError } from '../errors.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import { leakyRelu, relu, sigmoid, softplus, tanh } from '../ops/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';
import { toTensor } from '../tensor/promote.js';
import { Module } from './module.js';

/** max(x, 0). */
export class ReLU extends Module {
  constructor(...args: never[]) {
    super();
    readArgs('nn.ReLU', args, [], {});
  }

  forward(x: Tensor): Tensor {
    return relu(toTensor('nn.ReLU', 'x', x));
  }

  override toString(): string {
    return 'ReLU()';
  }
}

/** tanh(x). */
export class Tanh extends Module {
  constructor(...args: never[]) {
    super();
    readArgs('nn.Tanh', args, [], {});
  }

  forward(x: Tensor): Tensor {
    return tanh(toTensor('nn.Tanh', 'x', x));
  }

  override toString(): string {
    return 'Tanh()';
  }
}

/** 1/(1 + e⁻ˣ). */
export class Sigmoid extends Module {
  constructor(...args: never[]) {
    super();
    readArgs('nn.Sigmoid', args, [], {});
  }

  forward(x: Tensor): Tensor {
    return sigmoid(toTensor('nn.Sigmoid', 'x', x));
  }

  override toString(): string {
    return 'Sigmoid()';
  }
}

/** x for x > 0, negativeSlope·x otherwise (default 0.01). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(...args: PositionalArgs<[negativeSlope: number], { negativeSlope?: number }>) {
    super();
    this.negativeSlope = readArgs('nn.LeakyReLU', args, ['negativeSlope'], { negativeSlope: is.number() }).negativeSlope ?? 0.01;
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(toTensor('nn.LeakyReLU', 'x', x), this.negativeSlope);
  }

  override toString(): string {
    return `LeakyReLU(negative_slope=${this.negativeSlope})`;
  }
}

/** (1/β)·log(1 + e^(βx)), x where βx > threshold (defaults β = 1, threshold = 20). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(...args: PositionalArgs<[beta: number, threshold: number], { beta?: number; threshold?: number }>) {
    super();
    const where = 'nn.Softplus';
    const o = readArgs(where, args, ['beta', 'threshold'], {
      beta: is.anyOf('a finite nonzero number', is.number({ min: 0, minOpen: true }), is.number({ max: 0, maxOpen: true })),
      threshold: is.number({ finite: false }),
    });
    this.beta = o.beta ?? 1;
    this.threshold = o.threshold ?? 20;
  }

  forward(x: Tensor): Tensor {
    return softplus(toTensor('nn.Softplus', 'x', x), this.beta, this.threshold);
  }

  override toString(): string {
    return `Softplus(beta=${this.beta}, threshold=${this.threshold})`;
  }
}

// x as a tensor whose rank has dimension `dim`.
function checkDim(layer: string, dim: number, input: Tensor): Tensor {
  const x = toTensor(layer, 'x', input);
  const rank = Math.max(x.rank, 1);
  if (dim < -rank || dim >= rank) {
    throw new ShapeError(`${layer}: dim ${dim} is out of range for an input of rank ${x.rank} (shape [${x.shape.join(', ')}])`);
  }
  return x;
}

// PyTorch's nn.Softmax(dim); null (PyTorch's legacy implicit dim) means the last here.
function readDim(layer: string, args: unknown[]): number {
  return readArgs(`nn.${layer}`, args, ['dim'], { dim: is.nullable(is.int()) }).dim ?? -1;
}

/** exp(x)/Σ exp(x) along `dim` (default the last; PyTorch's nn.Softmax has no default). */
export class Softmax extends Module {
  readonly dim: number;

  constructor(...args: PositionalArgs<[dim: number | null], { dim?: number | null }>) {
    super();
    this.dim = readDim('Softmax', args);
  }

  forward(x: Tensor): Tensor {
    return softmax(checkDim(`Softmax(dim=${this.dim})`, this.dim, x), this.dim);
  }

  override toString(): string {
    return `Softmax(dim=${this.dim})`;
  }
}

/** x − log Σ exp(x) along `dim` (default the last). */
export class LogSoftmax extends Module {
  readonly dim: number;

  constructor(...args: PositionalArgs<[dim: number | null], { dim?: number | null }>) {
    super();
    this.dim = readDim('LogSoftmax', args);
  }

  forward(x: Tensor): Tensor {
    return logSoftmax(checkDim(`LogSoftmax(dim=${this.dim})`, this.dim, x), this.dim);
  }

  override toString(): string {
    return `LogSoftmax(dim=${this.dim})`;
  }
}
