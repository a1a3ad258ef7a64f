// detectAnomaly(fn): the first op whose forward or backward makes a NaN or ±Infinity out of
// finite numbers is named, with its input shapes, instead of the NaN spreading silently (e.g.
// sqrt's gradient at 0 is Infinity, as in PyTorch, and turns every weight NaN one step later).
//
// While `fn` runs, every op recorded in the graph is checked as it is recorded (a watcher on
// autograd's `record`): its output, and its leaf inputs; and its node's rule is wrapped so
// that `backward()` through it checks the gradient it hands to each input. So `fn` may call
// backward itself, or return the loss for a backward after detectAnomaly returns:
//
//   detectAnomaly(() => model.forward(x).sqrt().sum().backward());
//   // AnomalyError: backward of 'sqrt' made Infinity in the gradient of input 0 [3] …
//
// The graph behind the tensors `fn` returns is checked and armed too (it may have been built
// before, or under noGrad parts that record nothing).
import { AnomalyError, ArgumentError, fmtShape } from '../errors.js';
import { is } from '../validate.js';
import { type GradNode, type GradThunks, type MultiOutputNode, Tensor } from '../tensor/tensor.js';
import { postOrder } from './graph.js';
import { recordWatchers } from '../autograd/graph.js';

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

const armed = new WeakSet<GradNode | MultiOutputNode>();

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

// The same node, with each input's gradient checked once the incoming gradients (`dys`) are
// finite; every output of the node gets the armed one.
function arm(t: Tensor): void {
  const node = t.node;
  if (node === null || armed.has(node)) return;
  const { op, inputs } = node;
  const guard = (thunks: GradThunks, dys: ReadonlyArray<Tensor | null>): GradThunks => {
    let dyFinite: boolean | null = null;
    return thunks.map((thunk, i) => {
      if (thunk === null) return null;
      return () => {
        const g = thunk();
        const bad = firstNonFinite(g);
        if (bad >= 0 && (dyFinite ??= dys.every((dy) => dy === null || firstNonFinite(dy) < 0))) {
          const given = dys.filter((dy): dy is Tensor => dy !== null);
          const from = node.outputs === undefined ? `a finite output gradient ${shapeList(given)}` : `finite output gradients ${shapeList(given)}`;
          throw new AnomalyError(
            `detectAnomaly: backward of '${op}' made ${String(g.data[bad])} in the gradient of input ${i} ${fmtShape((inputs[i] as Tensor).shape)} (first at flat index ${bad}) from ${from}; the op's inputs have shapes ${shapeList(inputs)}`,
            op,
            'backward',
            shapes(inputs),
          );
        }
        return g;
      };
    });
  };
  let wrapped: GradNode | MultiOutputNode;
  if (node.outputs === undefined) wrapped = { ...node, backward: (dy: Tensor, wanted?: readonly boolean[]) => guard(node.backward(dy, wanted), [dy]) };
  else wrapped = { ...node, backward: (dys: ReadonlyArray<Tensor | null>) => guard(node.backward(dys), dys) };
  armed.add(wrapped);
  for (const o of wrapped.outputs ?? [t]) o.node = wrapped;
}

// Checks each op as autograd records it: leaf inputs first (a NaN given in is not the op's
// fault), then its output; then arms its backward.
function watch(out: Tensor): void {
  for (const input of (out.node as GradNode | MultiOutputNode).inputs) if (input.node === null) checkForward(input);
  checkForward(out);
  arm(out);
}

/**
 * Runs `fn` and throws an AnomalyError naming the first op whose forward or backward makes NaN
 * or ±Infinity from finite numbers: ops recorded while `fn` runs are checked as they are made
 * and their backward (inside `fn` or later) checks each gradient; tensors `fn` returns (the
 * loss; arrays and plain objects of tensors work too) have everything behind them checked and
 * armed as well. Returns what `fn` returned.
 */
export function detectAnomaly<T>(fn: () => T): T {
  is.function(fn, 'detectAnomaly: fn');
  let recorded = 0;
  const watcher = (out: Tensor): void => {
    recorded++;
    watch(out);
  };
  recordWatchers.push(watcher);
  let result: T;
  try {
    result = fn();
  } finally {
    recordWatchers.splice(recordWatchers.indexOf(watcher), 1);
  }
  const roots: Tensor[] = [];
  collectTensors(result, roots, new Set());
  if (roots.length === 0 && recorded === 0) {
    throw new ArgumentError('detectAnomaly: fn recorded no op and returned no tensor to watch: run the forward (and backward) pass inside it, or return the loss', 'detectAnomaly', 'fn');
  }
  const order = postOrder(roots);
  for (const t of order) checkForward(t);
  for (const t of order) arm(t);
  return result;
}
