// Weight initialisation as PyTorch does by default, drawn from a seedable generator.
import { type RandomOptions, uniform } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, readOptions } from '../validate.js';

/** @internal The `generator` option of every layer with random weights. */
export const generatorOption = is.instance(Generator, 'a Generator');

const RANDOM = { generator: generatorOption, requiresGrad: is.boolean, allowNonFinite: is.boolean };
const fan = is.number({ min: 0 });

/**
 * Kaiming-uniform with negative slope `a`: U(−b, b), b = gain·√(3/fanIn), gain = √(2/(1 + a²)).
 * PyTorch's Linear and Conv layers use a = √5, which gives b = 1/√fanIn.
 */
export function kaimingUniform(shape: readonly number[], fanIn: number, a = Math.sqrt(5), options: RandomOptions = {}): Tensor {
  const where = 'nn.kaimingUniform';
  fan(fanIn, `${where}: fanIn`);
  is.number()(a, `${where}: a`);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / Math.max(1, fanIn));
  return uniform(shape, -bound, bound, readOptions(where, options, RANDOM));
}

/** U(−1/√fanIn, 1/√fanIn): PyTorch's default for Linear/Conv biases and recurrent weights. */
export function fanInUniform(shape: readonly number[], fanIn: number, options: RandomOptions = {}): Tensor {
  const where = 'nn.fanInUniform';
  fan(fanIn, `${where}: fanIn`);
  const bound = 1 / Math.sqrt(Math.max(1, fanIn));
  return uniform(shape, -bound, bound, readOptions(where, options, RANDOM));
}

/** Xavier/Glorot-uniform: U(−b, b), b = gain·√(6/(fanIn + fanOut)). */
export function xavierUniform(shape: readonly number[], fanIn: number, fanOut: number, gain = 1, options: RandomOptions = {}): Tensor {
  const where = 'nn.xavierUniform';
  fan(fanIn, `${where}: fanIn`);
  fan(fanOut, `${where}: fanOut`);
  is.number({ min: 0 })(gain, `${where}: gain`);
  const bound = gain * Math.sqrt(6 / Math.max(1, fanIn + fanOut));
  return uniform(shape, -bound, bound, readOptions(where, options, RANDOM));
}
