// recordActivations(model, fn): every layer's output and the gradient flowing into it, for one
// batch. Forward hooks and full backward hooks on every submodule copy the tensors as they
// pass (the hooks see them only during the call); the hooks are removed when fn returns, and
// the copies are freed by `dispose()` of the recording.
import { Module, type RemovableHandle } from '../nn/module.js';
import { keep } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { ValueError } from '../errors.js';
import { is, readOptions } from '../validate.js';
import { namedModules } from './summary.js';
import { type TensorStats, type TensorStatsOptions, tensorStats } from './tensor-stats.js';

export interface LayerRecord {
  /** Dotted module path (`net.0`). */
  name: string;
  /** Class name (`Linear`). */
  type: string;
  /** Times forward ran (the last call's tensors are kept). */
  calls: number;
  /** A copy of the output; null if forward did not run. */
  output: Tensor | null;
  /** A copy of the gradient of the loss with respect to the output; null without a backward pass through it. */
  grad: Tensor | null;
}

export interface LayerStats {
  name: string;
  type: string;
  output: TensorStats | null;
  grad: TensorStats | null;
}

export interface RecordOptions {
  /** Also record gradients (default true; the hooks then keep every layer unfused). */
  gradients?: boolean;
}

function copyOf(t: Tensor): Tensor {
  const c = keep(Tensor.empty(t.shape));
  c.data.set(t.data);
  return c;
}

/** What `recordActivations` captured: one record per submodule, in registration order. */
export class ActivationRecording {
  constructor(readonly layers: LayerRecord[]) {}

  /** The record of the layer named `name` (`net.0`). */
  get(name: string): LayerRecord {
    const r = this.layers.find((l) => l.name === name);
    if (r === undefined) throw new ValueError(`ActivationRecording.get: no layer '${name}'; layers: ${this.layers.map((l) => l.name).join(', ')}`);
    return r;
  }

  /** `tensorStats` of every layer's output and gradient (fraction of zeros after a ReLU = dead units). */
  stats(options: TensorStatsOptions = {}): LayerStats[] {
    return this.layers.map((l) => ({ name: l.name, type: l.type, output: l.output && tensorStats(l.output, options), grad: l.grad && tensorStats(l.grad, options) }));
  }

  /** Frees the copies. */
  dispose(): void {
    for (const l of this.layers) {
      l.output?.dispose();
      l.grad?.dispose();
      l.output = l.grad = null;
    }
  }
}

/**
 * Runs `fn` (typically one forward and backward pass) and captures the output and output
 * gradient of every submodule of `model`. Returns the recording; free it with `dispose()`.
 */
export function recordActivations(model: Module, fn: () => unknown, options: RecordOptions = {}): ActivationRecording {
  is.instance(Module, 'a Module')(model, 'recordActivations: model');
  is.function(fn, 'recordActivations: fn');
  const o = readOptions('recordActivations', options, { gradients: is.boolean });
  const layers = namedModules(model).slice(1);
  const records = layers.map(([name, m]): LayerRecord => ({ name, type: m.constructor.name, calls: 0, output: null, grad: null }));
  const handles: RemovableHandle[] = [];
  const recording = new ActivationRecording(records);
  try {
    layers.forEach(([, m], i) => {
      const r = records[i] as LayerRecord;
      handles.push(
        m.registerForwardHook((_m, _inputs, out) => {
          r.calls++;
          r.output?.dispose();
          r.output = copyOf(out);
        }),
      );
      if (o.gradients !== false) {
        handles.push(
          m.registerFullBackwardHook((_m, _gin, gout) => {
            const g = gout[0];
            if (g === null || g === undefined) return;
            r.grad?.dispose();
            r.grad = copyOf(g);
          }),
        );
      }
    });
    fn();
  } catch (e) {
    recording.dispose();
    throw e;
  } finally {
    for (const h of handles) h.remove();
  }
  return recording;
}
