// detectAnomaly(fn): the first op whose forward or backward makes a NaN or ±Infinity out of
// finite numbers is named, with its input shapes, instead of the NaN spreading silently (e.g.
// sqrt's gradient at 0 is Infinity, as in PyTorch, and turns every weight NaN one step later).
//
// It works on the graph of the tensors `fn` returns (autograd keeps no list of all ops):
// forward, every tensor behind them is checked inputs-first; backward, each recorded node's
// rule is wrapped so that `backward()` through it checks the gradient it hands to each input.
// So `fn` returns the loss and `backward()` is called after detectAnomaly returns:
//
//   const loss = detectAnomaly(() => model.forward(x).sqrt().sum());
//   loss.backward(); // AnomalyError: backward of 'sqrt' made Infinity in the gradient of input 0 [3] …
import { AnomalyError, ArgumentError, fmtShape } from '../errors.js';
import { is } from '../validate.js';
import { type GradNode, Tensor } from '../tensor/tensor.js';
import { placeholders, postOrder } from './graph.js';

// Index of the first NaN or ±Infinity, or -1.
function firstNonFinite(t: Tensor): number {
  if (t.isDisposed) return -1;
  const v = t.data;
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i] as number)) return i;
  return -1;
}

const shapes = (inputs: readonly Tensor[]): number[][] => inputs.map((t) => [...t.shape]);
const shapeList = (inputs: readonly Tensor[]): string => inputs.map((t) => fmtShape(t.shape)).join(', ');

function collectTensors(value: unknown, out: Tensor[], seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Tensor) out.push(value);
  else for (const v of Object.values(value as Record<string, unknown>)) collectTensors(v, out, seen);
}

const armed = new WeakSet<GradNode>();

function checkForward(t: Tensor): void {
  const node = t.node;
  const bad = firstNonFinite(t);
  if (bad < 0) return;
  const what = String(t.data[bad]);
  if (node === null) {
    const label = t.name ? ` '${t.name}'` : '';
    throw new AnomalyError(`detectAnomaly: input #${t.id}${label} ${fmtShape(t.shape)} holds ${what} (first at flat index ${bad})`, 'input', 'forward', []);
  }
  // Inputs are checked first (post-order), so reaching here means they were finite, unless
  // the node was freed by an earlier backward and its inputs are unknown.
  throw new AnomalyError(
    `detectAnomaly: forward of '${node.op}' made ${what} (first at flat index ${bad} of its output ${fmtShape(t.shape)}) from finite inputs of shapes ${shapeList(node.inputs)}`,
    node.op,
    'forward',
    shapes(node.inputs),
  );
}

// The same node, with each input's gradient checked once the incoming gradient is finite.
function arm(t: Tensor): void {
  const node = t.node;
  if (node === null || armed.has(node)) return;
  const { op, inputs } = node;
  const wrapped: GradNode = {
    ...node,
    backward: (dy) => {
      let dyFinite: boolean | null = null;
      return node.backward(dy).map((thunk, i) => {
        if (thunk === null) return null;
        return () => {
          const g = thunk();
          const bad = firstNonFinite(g);
          if (bad >= 0 && (dyFinite ??= firstNonFinite(dy) < 0)) {
            throw new AnomalyError(
              `detectAnomaly: backward of '${op}' made ${String(g.data[bad])} in the gradient of input ${i} ${fmtShape((inputs[i] as Tensor).shape)} (first at flat index ${bad}) from a finite output gradient ${fmtShape(dy.shape)}; the op's inputs have shapes ${shapeList(inputs)}`,
              op,
              'backward',
              shapes(inputs),
            );
          }
          return g;
        };
      });
    },
  };
  armed.add(wrapped);
  t.node = wrapped;
}

/**
 * Runs `fn`, which returns the tensor(s) to watch (the loss; arrays and plain objects of
 * tensors work too), checks the forward values of everything behind them and arms their graph
 * so that a later `backward()` checks each gradient. Throws an AnomalyError naming the first
 * op that makes NaN or ±Infinity from finite numbers. Returns what `fn` returned.
 */
export function detectAnomaly<T>(fn: () => T): T {
  is.function(fn, 'detectAnomaly: fn');
  const result = fn();
  const roots: Tensor[] = [];
  collectTensors(result, roots, new Set());
  if (roots.length === 0) {
    throw new ArgumentError('detectAnomaly: fn must return the tensor(s) to watch (e.g. the loss), then call backward() on them after detectAnomaly returns', 'detectAnomaly', 'fn');
  }
  const order = postOrder(roots);
  const skip = placeholders(order);
  for (const t of order) if (!skip.has(t)) checkForward(t);
  for (const t of order) arm(t);
  return result;
}
