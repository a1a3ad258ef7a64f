// summary(model, inputShape): a Keras-style table of a model's layers (PyTorch's dotted module
// names, so `net.0` owns the parameters `net.0.weight` and `net.0.bias`), their output shapes
// and parameter counts, and the parameters each layer owns by their full PyTorch names. Output
// shapes come from one forward pass on zeros, in eval mode and without recording a graph,
// watched by forward hooks; nothing of the model changes (the training flags are restored and
// no running statistics move in eval mode).
import { NotFittedError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { noGrad } from '../autograd/graph.js';
import { Module, type RemovableHandle } from '../nn/module.js';
import { zeros } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { is } from '../validate.js';

export interface SummaryParameter {
  /** The full PyTorch name (`net.0.weight`). */
  name: string;
  shape: number[];
  size: number;
  trainable: boolean;
}

export interface SummaryRow {
  /** Dotted module path (`net.0`); '' for the model itself. */
  name: string;
  /** The class name (`Linear`). */
  type: string;
  /** Depth below the model (0 for the model). */
  depth: number;
  /** Shape of the output of the last call during the pass; null if forward was not called (e.g. reached through `LSTM.run`). */
  outputShape: number[] | null;
  /** Times forward ran during the pass. */
  calls: number;
  /** The module's own parameters (not its children's). */
  parameters: SummaryParameter[];
  /** Number of scalars in `parameters`. */
  params: number;
}

export interface ModelSummary {
  rows: SummaryRow[];
  inputShape: number[];
  outputShape: number[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** The table. */
  toString(): string;
}

/** Every module under `root` with its dotted name, parents before children, in registration order. */
export function namedModules(root: Module, prefix = ''): Array<[string, Module]> {
  const out: Array<[string, Module]> = [[prefix, root]];
  for (const [name, child] of root.namedChildren()) out.push(...namedModules(child, prefix ? `${prefix}.${name}` : name));
  return out;
}

// Runs `fn` with every module in eval mode, then restores each module's own flag.
function inEval<T>(modules: ReadonlyArray<[string, Module]>, fn: () => T): T {
  const flags = modules.map(([, m]) => m.training);
  for (const [, m] of modules) m.training = false;
  try {
    return fn();
  } finally {
    modules.forEach(([, m], i) => (m.training = flags[i] as boolean));
  }
}

const count = (n: number): string => n.toLocaleString('en-US');

function table(s: Omit<ModelSummary, 'toString'>): string {
  const header = ['Layer (type)', 'Output Shape', 'Param #', 'Parameters'];
  const body = s.rows.map((r) => [
    `${'  '.repeat(r.depth)}${r.name === '' ? r.type : `${r.name} (${r.type})`}`,
    r.outputShape === null ? '-' : `${fmtShape(r.outputShape)}${r.calls > 1 ? ` ×${r.calls}` : ''}`,
    count(r.params),
    r.parameters.map((p) => `${p.name} ${fmtShape(p.shape)}${p.trainable ? '' : ' (frozen)'}`).join(', '),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => (row[c] as string).length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 2 ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number))).join('   ').trimEnd();
  const rule = (ch: string): string => ch.repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  return [
    rule('='),
    line(header),
    rule('='),
    ...body.map(line),
    rule('='),
    `Input shape: ${fmtShape(s.inputShape)}   Output shape: ${fmtShape(s.outputShape)}`,
    `Total params: ${count(s.totalParams)}`,
    `Trainable params: ${count(s.trainableParams)}`,
    `Non-trainable params: ${count(s.nonTrainableParams)}`,
    rule('='),
  ].join('\n');
}

/**
 * Layers, output shapes and parameter counts of `model` for an input of `inputShape` (the
 * whole shape, batch included: `[1, 20]`, `[8, 3, 32, 32]`). `String(summary(model, shape))`
 * is the table; the object holds the rows. Every parameter is counted once, in the row of the
 * module that registered it, so the rows add up to `model.parameterCount()`.
 */
export function summary(model: Module, inputShape: readonly number[]): ModelSummary {
  is.instance(Module, 'a Module')(model, 'summary: model');
  const shape = is.list(is.int({ min: 1 }), { minLength: 1 })(inputShape, 'summary: inputShape');
  const modules = namedModules(model);
  const seen = new Map<Module, { calls: number; shape: number[] | null }>();
  for (const [, m] of modules) seen.set(m, { calls: 0, shape: null });
  const handles: RemovableHandle[] = [];
  let outputShape: number[];
  try {
    for (const [, m] of modules) {
      handles.push(
        m.registerForwardHook((mod, _inputs, out) => {
          const s = seen.get(mod);
          if (s !== undefined) {
            s.calls++;
            s.shape = [...(out as Tensor).shape];
          }
        }),
      );
    }
    outputShape = inEval(modules, () => noGrad(() => tidy(() => [...model.forward(zeros(shape)).shape])));
  } catch (e) {
    if ((e instanceof ShapeError || e instanceof ValueError) && !(e instanceof NotFittedError)) throw new ShapeError(`summary: the model does not take an input of shape ${fmtShape(shape)}: ${e.message}`);
    throw e;
  } finally {
    for (const h of handles) h.remove();
  }
  const rows = modules.map(([name, m]): SummaryRow => {
    const own = m.namedParameters().filter(([n]) => !n.includes('.'));
    const parameters = own.map(([n, p]) => ({ name: name ? `${name}.${n}` : n, shape: [...p.shape], size: p.size, trainable: p.requiresGrad }));
    const s = seen.get(m) as { calls: number; shape: number[] | null };
    return { name, type: m.constructor.name, depth: name === '' ? 0 : name.split('.').length, outputShape: s.shape, calls: s.calls, parameters, params: parameters.reduce((a, p) => a + p.size, 0) };
  });
  const all = rows.flatMap((r) => r.parameters);
  const trainableParams = all.filter((p) => p.trainable).reduce((a, p) => a + p.size, 0);
  const totalParams = all.reduce((a, p) => a + p.size, 0);
  const data = { rows, inputShape: shape, outputShape, totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams };
  return { ...data, toString: () => table(data) };
}
