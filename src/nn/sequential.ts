// nn.Sequential: layers applied in order, registered as children "0", "1", … so that parameter
// names read `0.weight`, `2.bias` as in PyTorch.
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LinearOptions } from '../ops/linear.js';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from './activations.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

// The activation layer that can run inside a preceding Linear's GEMM epilogue, if `next` is one.
function fusedActivation(next: Module | undefined): LinearOptions | null {
  if (next instanceof ReLU) return { activation: 'relu' };
  if (next instanceof Tanh) return { activation: 'tanh' };
  if (next instanceof Sigmoid) return { activation: 'sigmoid' };
  // the epilogue's leaky-ReLU backward reads the sign of the output: slopes ≥ 0 only
  if (next instanceof LeakyReLU && next.negativeSlope >= 0) return { activation: 'leakyRelu', negativeSlope: next.negativeSlope };
  return null;
}

let fusion = true;

/**
 * Runs `fn` with layer fusion off: every Linear and activation inside a Sequential runs on its
 * own, so each activation is a tensor of the graph (for `retainGrad()`, hooks, `graph()`).
 * Same values; slower. Layers with hooks are never fused, with or without this.
 */
export function withoutFusion<T>(fn: () => T): T {
  const prev = fusion;
  fusion = false;
  try {
    return fn();
  } finally {
    fusion = prev;
  }
}

export class Sequential extends Module {
  private readonly list: Module[] = [];

  constructor(...layers: Module[]) {
    super();
    for (const layer of layers) this.add(layer);
  }

  /** Appends a layer (named by its position). Returns this. */
  add(layer: Module): this {
    if (!(layer instanceof Module)) throw new ValueError(`Sequential: layer ${this.list.length} is not a Module, got ${String(layer)}`);
    this.registerModule(String(this.list.length), layer);
    this.list.push(layer);
    return this;
  }

  /** The layers, in order. */
  get layers(): readonly Module[] {
    return [...this.list];
  }

  get length(): number {
    return this.list.length;
  }

  /** The layer at `index` (negative counts from the end). */
  at(index: number): Module {
    const layer = Number.isInteger(index) ? this.list.at(index) : undefined;
    if (layer === undefined) throw new ValueError(`Sequential: no layer at index ${index} (it has ${this.list.length})`);
    return layer;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < this.list.length; i++) {
      const layer = this.list[i] as Module;
      const next = this.list[i + 1];
      const fused = fusion && layer instanceof Linear && !layer.hasHooks && !next?.hasHooks ? fusedActivation(next) : null;
      if (fused !== null) {
        // Linear then an elementwise activation: one GEMM with the activation in its epilogue
        // (same values, one pass over the output fewer).
        y = (layer as Linear).forwardWith(y, fused);
        i++;
      } else {
        y = layer.forward(y);
      }
    }
    return y;
  }

  override toString(): string {
    if (this.list.length === 0) return 'Sequential()';
    const lines = this.list.map((layer, i) => `  (${i}): ${String(layer).split('\n').join('\n  ')}`);
    return `Sequential(\n${lines.join('\n')}\n)`;
  }
}
