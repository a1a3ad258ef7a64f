import { addInto, copy } from '../kernels/memory.js';
import { ArgumentError, FingradError, ShapeError, fmtShape } from '../errors.js';
import { full } from '../tensor/creation.js';
import { keep, ownedByInnermostScope, tidy, trackInScope } from '../tensor/scope.js';
import { sameShape } from '../tensor/shape.js';
import { type GradNode, type GradThunks, type MultiOutputNode, Tensor, tensorCheck } from '../tensor/tensor.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { describe, is, readArgs, readOptions } from '../validate.js';
import { composed, enableGrad, noGrad, record } from './graph.js';

export interface BackwardOptions {
  /** The upstream gradient (root's shape); needed unless root is a scalar. */
  gradient?: TensorInput | null;
  /** Keep the graph so that `backward()` can run through it again. Default false (true with createGraph). */
  retainGraph?: boolean;
  /**
   * Run the backward rules with recording on, so that the gradients (`.grad` included) carry a
   * graph of their own and can be differentiated again: Hessian-vector products, gradient
   * penalties. Their intermediates belong to the enclosing `tidy` scope. Default false.
   */
  createGraph?: boolean;
  /** Accumulate into the `.grad` of these tensors only (leaves or not), as PyTorch's `inputs`. */
  inputs?: readonly Tensor[];
}

const ROOT = tensorCheck();
// The gradient is promoted with toTensor after reading, which names what it cannot take.
const BACKWARD = { gradient: is.nullable(is.any), retainGraph: is.boolean, createGraph: is.boolean, inputs: is.list(ROOT, { minLength: 1 }) };
const GRAD_OF = { gradOutputs: is.nullable(is.any), retainGraph: is.boolean, createGraph: is.boolean };

/**
 * `createGraph` reached an op whose backward rule calls kernels directly instead of recorded
 * ops, so the gradient it computes has no graph and its own derivative would silently be
 * taken as 0. Names the op.
 */
export class NotDifferentiableError extends FingradError {
  constructor(
    message: string,
    /** The op whose backward is not differentiable (yet). */
    readonly op: string,
  ) {
    super(message);
  }
}

/**
 * A tensor that an op saved for its backward was written in place (`fill_`, `copy_`, an
 * optimizer step, …) after the op ran, so its gradient would be computed from the wrong values.
 * PyTorch raises the same ("modified by an inplace operation"). Names the op, the tensor and
 * the versions.
 */
export class InplaceModificationError extends FingradError {
  constructor(
    message: string,
    /** The op whose backward needs the tensor. */
    readonly op: string,
    /** The modified tensor. */
    readonly tensor: Tensor,
  ) {
    super(message);
  }
}

function describeTensor(t: Tensor): string {
  return `tensor #${t.id} ${fmtShape(t.shape)}${t.name ? ` '${t.name}'` : ''}`;
}

// Checks every saved tensor on the way before any gradient is computed, so a stale one fails
// the whole backward with nothing changed.
function checkSavedVersions(order: readonly Tensor[]): void {
  for (const t of order) {
    const node = t.node;
    for (const { tensor, version } of node?.saved ?? []) {
      // A disposed one fails with DisposedError when (and only if) the rule reads it.
      if (tensor.isDisposed || tensor.version === version) continue;
      if (node === null) continue;
      const op = node.op;
      const output = (node.outputs ?? [t]).indexOf(tensor);
      const input = node.inputs.indexOf(tensor);
      const role = output >= 0 ? (node.outputs ? `its output ${output}` : 'its output') : input >= 0 ? `input ${input}` : 'a tensor it saved';
      throw new InplaceModificationError(
        `backward of '${op}': ${describeTensor(tensor)} (${role}), which '${op}' saved for its gradient, was modified by an in-place operation ` +
          `('${tensor.lastWriter}'): it is at version ${tensor.version}, expected version ${version}. ` +
          `Write into a new tensor instead, or run backward before the in-place update`,
        op,
        tensor,
      );
    }
  }
}

function freedNode(op: string): GradNode {
  return {
    op,
    inputs: [],
    backward: () => {
      throw new FingradError(
        `backward: the graph through '${op}' was freed by an earlier backward(); pass {retainGraph: true} to the first call to go through it twice`,
      );
    },
  };
}

// Depth-first post-order over the tensors that need a gradient: reversed, every tensor comes
// after all the tensors computed from it.
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as [Tensor, number];
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const child = inputs[i] as Tensor;
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

function copyOf(g: Tensor): Tensor {
  const c = Tensor.empty(g.shape);
  copy(g, c);
  return c;
}

// A copy that records itself (PyTorch's clone): gradients handed out under createGraph must
// not share storage with each other, yet keep their graph.
function clone(g: Tensor): Tensor {
  return record(copyOf(g), 'clone', [g], composed((dy) => [() => dy]), []);
}

// Writes the gradients of one backward pass into `.grad`. Called only once the whole sweep has
// succeeded: an exception in a rule or a hook (or running out of memory) leaves every `.grad`
// as it was. New buffers are allocated before any `.grad` is touched.
// Which gradients can be handed out as they are: those this sweep made (not the caller's seed,
// not kept by a hook) that nothing else holds (handed out once, no view), as PyTorch's
// AccumulateGrad steals a gradient nobody else references. Any other is copied.
function unshared(handed: Iterable<Tensor | undefined>): (g: Tensor) => boolean {
  const times = new Map<Tensor, number>();
  for (const g of handed) if (g !== undefined) times.set(g, (times.get(g) ?? 0) + 1);
  return (g) => times.get(g) === 1 && g.ownsStorage && ownedByInnermostScope(g);
}

function commitGrads(pending: Map<Tensor, Tensor>): void {
  const sole = unshared(pending.values());
  const fresh = new Map<Tensor, Tensor>();
  for (const [t, g] of pending) if (t.grad === null) fresh.set(t, sole(g) ? g : copyOf(g));
  for (const [t, g] of pending) {
    const first = fresh.get(t);
    if (first !== undefined) t.grad = keep(first);
    else addInto(t.grad as Tensor, g);
  }
}

// Under createGraph `.grad` becomes a new tensor with a graph (old + new, out of place, as
// PyTorch does). A replaced `.grad` that is part of a graph goes to the enclosing scope, since
// the new one's graph reads it; one without is freed. Returns the new gradients.
function commitGraphGrads(pending: Map<Tensor, Tensor>): Tensor[] {
  const next = new Map<Tensor, Tensor>();
  for (const [t, g] of pending) next.set(t, t.grad === null ? clone(g) : sumOf(t.grad, g));
  for (const [t, g] of next) {
    const old = t.grad;
    t.grad = keep(g);
    if (old !== null && old.requiresGrad) trackInScope(old);
    else old?.dispose();
  }
  return [...next.values()];
}

// a + b for gradients of one shape, recorded (autograd sits below the ops).
function sumOf(a: Tensor, b: Tensor): Tensor {
  const sum = copyOf(a);
  addInto(sum, b);
  return record(sum, 'add', [a, b], composed((dy) => [() => dy, () => dy]), []);
}

// Every tensor the graphs of `roots` reach: what the gradients made under createGraph need
// alive after the sweep's scope closes (they move to the enclosing one).
function reachable(roots: ReadonlyArray<Tensor | null>): Tensor[] {
  const stack = roots.filter((t): t is Tensor => t !== null);
  const seen = new Set<Tensor>(stack);
  while (stack.length > 0) {
    for (const input of (stack.pop() as Tensor).node?.inputs ?? []) {
      if (!seen.has(input)) {
        seen.add(input);
        stack.push(input);
      }
    }
  }
  return [...seen];
}

interface SweepOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** The tensors whose gradient is wanted (null: leaves and retainGrad tensors). */
  wanted: ReadonlySet<Tensor> | null;
}

function checkRoot(where: string, root: Tensor, grad: Tensor | undefined): void {
  if (!root.requiresGrad) {
    throw new FingradError(
      `${where}: tensor #${root.id} ${fmtShape(root.shape)} does not require a gradient (no input of the ops that made it has requiresGrad)`,
    );
  }
  if (grad === undefined && root.size !== 1) {
    throw new ShapeError(
      `${where}: the output has shape ${fmtShape(root.shape)}, not a scalar; pass the upstream gradient (same shape) or reduce it first (e.g. .sum())`,
    );
  }
  if (grad !== undefined) {
    grad.assertLive(where);
    if (!sameShape(grad.shape, root.shape)) {
      throw new ShapeError(`${where}: upstream gradient of shape ${fmtShape(grad.shape)} does not match output shape ${fmtShape(root.shape)}`);
    }
  }
}

// The tensors of `order` from which a wanted tensor can be reached (all when none is named):
// gradients are computed only along them.
function neededFor(order: readonly Tensor[], wanted: ReadonlySet<Tensor> | null): Set<Tensor> {
  const needed = new Set<Tensor>();
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i] as Tensor;
    if (wanted === null || wanted.has(t) || (t.node?.inputs.some((x) => needed.has(x)) ?? false)) needed.add(t);
  }
  return needed;
}

/**
 * One reverse sweep from `root`: the gradients of the tensors that collect one (leaves and
 * retainGrad tensors, or `wanted`) are handed to `consume` before the sweep's scope closes.
 * Under createGraph the rules run with recording on and whatever the tensors `consume` returns
 * reach through their graphs survives the scope.
 */
function sweep<R extends Array<Tensor | null> | void>(where: string, root: Tensor, grad: Tensor | undefined, o: SweepOptions, consume: (pending: Map<Tensor, Tensor>) => R): R {
  checkRoot(where, root, grad);
  const order = topoOrder(root);
  const needed = neededFor(order, o.wanted);
  checkSavedVersions(order);
  if (o.createGraph) {
    for (const t of order) {
      const node = t.node;
      if (node === null || node.differentiable === true || !needed.has(t)) continue;
      throw new NotDifferentiableError(
        `${where}: createGraph needs the backward of '${node.op}' (output #${t.id} ${fmtShape(t.shape)}) to be differentiable, but it is computed by kernels directly; ` +
          `second derivatives through '${node.op}' are not supported yet (build that part from differentiable ops, or leave createGraph off)`,
        node.op,
      );
    }
  }
  // A node with several outputs runs when the last of them in `order` is reached: each output
  // comes after every tensor computed from it, so all their gradients are in by then.
  const outputsLeft = new Map<MultiOutputNode, number>();
  for (const t of order) if (t.node?.outputs !== undefined) outputsLeft.set(t.node, (outputsLeft.get(t.node) ?? 0) + 1);
  const collects = (t: Tensor): boolean => (o.wanted === null ? t.node === null || t.retainsGrad : o.wanted.has(t));
  const run = (): { result: R; alive: Tensor[] } => {
    const grads = new Map<Tensor, Tensor>();
    const pending = new Map<Tensor, Tensor>();
    grads.set(root, grad ?? full(root.shape, 1));
    const waiting = new Map<MultiOutputNode, Map<Tensor, Tensor>>();
    for (const t of order) {
      let g = grads.get(t);
      const node = t.node;
      if (g !== undefined) {
        grads.delete(t);
        for (const hook of t.hooks) {
          const replaced = hook(g);
          if (replaced instanceof Tensor) {
            if (!sameShape(replaced.shape, t.shape)) {
              throw new ShapeError(`backward: a hook on tensor #${t.id} returned shape ${fmtShape(replaced.shape)}, expected ${fmtShape(t.shape)}`);
            }
            g = replaced;
          }
        }
        if (collects(t)) pending.set(t, g);
      }
      if (node === null) continue;
      let thunks: GradThunks;
      if (node.outputs === undefined) {
        if (g === undefined) continue;
        thunks = node.backward(g, node.inputs.map((input) => input.requiresGrad && needed.has(input)));
      } else {
        const got = waiting.get(node) ?? new Map<Tensor, Tensor>();
        waiting.set(node, got);
        if (g !== undefined) got.set(t, g);
        const left = (outputsLeft.get(node) as number) - 1;
        outputsLeft.set(node, left);
        if (left > 0 || got.size === 0) continue;
        waiting.delete(node);
        thunks = node.backward(node.outputs.map((o) => got.get(o) ?? null));
      }
      node.inputs.forEach((input, i) => {
        const thunk = thunks[i];
        if (!input.requiresGrad || !thunk || !needed.has(input)) return;
        const gi = thunk();
        if (!sameShape(gi.shape, input.shape)) {
          throw new FingradError(`backward of '${node.op}': gradient for input ${i} has shape ${fmtShape(gi.shape)}, expected ${fmtShape(input.shape)}`);
        }
        const prev = grads.get(input);
        if (prev === undefined) grads.set(input, gi);
        else if (o.createGraph) grads.set(input, sumOf(prev, gi));
        else {
          // Sum in a fresh tensor: gi or prev may share storage with another gradient.
          const sum = copyOf(prev);
          addInto(sum, gi);
          grads.set(input, sum);
        }
      });
    }
    const result = consume(pending);
    if (!o.retainGraph && !o.createGraph) {
      for (const t of order) {
        const node = t.node;
        if (node !== null) for (const o of node.outputs ?? [t]) if (!o.isDisposed) o.node = freedNode(node.op);
      }
    }
    return { result, alive: o.createGraph && result !== undefined ? reachable(result) : [] };
  };
  return (o.createGraph ? enableGrad(() => tidy(run)) : noGrad(() => tidy(run))).result;
}

function wantedSet(where: string, inputs: readonly Tensor[] | undefined): Set<Tensor> | null {
  if (inputs === undefined) return null;
  inputs.forEach((t, i) => {
    t.assertLive(where);
    if (!t.requiresGrad) throw new FingradError(`${where}: inputs[${i}] (tensor #${t.id} ${fmtShape(t.shape)}) does not require a gradient`);
  });
  return new Set(inputs);
}

/**
 * Back-propagates from `root`: for a scalar, d(root)/d(leaf); otherwise the vector-Jacobian
 * product with the upstream gradient (root's shape). Gradients add into `.grad` of leaves that
 * require one (or of `inputs` only). PyTorch's forms: `backward(root)`, `backward(root, grad)`,
 * `backward(root, grad, retainGraph, createGraph, inputs)`, `backward(root, {createGraph: true})`.
 */
export function backward(root: Tensor, grad?: TensorInput | null, options?: BackwardOptions): void;
export function backward(root: Tensor, options: BackwardOptions): void;
export function backward(root: Tensor, grad: TensorInput | null | undefined, retainGraph?: boolean, createGraph?: boolean, inputs?: readonly Tensor[]): void;
export function backward(rootArg: Tensor, ...rest: unknown[]): void {
  const root = ROOT(rootArg, 'backward: root');
  root.assertLive('backward');
  const opts = readArgs('backward', rest, ['gradient', 'retainGraph', 'createGraph', 'inputs'], BACKWARD);
  const grad = opts.gradient === undefined || opts.gradient === null ? undefined : toTensor('backward', 'gradient', opts.gradient as TensorInput);
  const createGraph = opts.createGraph ?? false;
  const wanted = wantedSet('backward', opts.inputs);
  sweep('backward', root, grad, { retainGraph: opts.retainGraph ?? createGraph, createGraph, wanted }, (pending) =>
    createGraph ? commitGraphGrads(pending) : commitGrads(pending),
  );
}

export interface GradOfOptions {
  /** The upstream gradient (outputs' shape); needed unless outputs is a scalar. */
  gradOutputs?: TensorInput | null;
  retainGraph?: boolean;
  createGraph?: boolean;
}

/**
 * d(outputs)/d(inputs) returned, not accumulated (torch.autograd.grad): one new tensor per
 * input, or null for an input the output does not depend on. `.grad` is left untouched.
 * Under createGraph the results carry a graph (retainGraph defaults to createGraph).
 */
export function gradOf(outputsArg: Tensor, inputsArg: readonly Tensor[], optionsArg: GradOfOptions = {}): Array<Tensor | null> {
  const outputs = ROOT(outputsArg, 'grad: outputs');
  outputs.assertLive('grad');
  const inputs = is.list(ROOT, { minLength: 1 })(inputsArg, 'grad: inputs');
  const options = readOptions('grad', optionsArg, GRAD_OF);
  const gradOutputs = options.gradOutputs === undefined || options.gradOutputs === null ? undefined : toTensor('grad', 'gradOutputs', options.gradOutputs as TensorInput);
  const createGraph = options.createGraph ?? false;
  const wanted = wantedSet('grad', inputs) as Set<Tensor>;
  return sweep('grad', outputs, gradOutputs, { retainGraph: options.retainGraph ?? createGraph, createGraph, wanted }, (pending) => {
    const sole = unshared(inputs.map((t) => pending.get(t)));
    return inputs.map((t) => {
      const g = pending.get(t);
      return g === undefined ? null : createGraph ? clone(g) : sole(g) ? g : copyOf(g);
    });
  });
}

/** Drops the accumulated gradient of every tensor given. */
export function zeroGrad(tensors: Iterable<Tensor>, ...rest: []): void {
  if (rest.length > 0) readArgs('zeroGrad', rest, [], {});
  if (tensors === null || typeof (tensors as Partial<Iterable<Tensor>> | undefined)?.[Symbol.iterator] !== 'function' || typeof tensors === 'string') {
    throw new ArgumentError(`zeroGrad: tensors must be a list (or iterable) of tensors, got ${describe(tensors)}`, 'zeroGrad', 'tensors');
  }
  let i = 0;
  for (const t of tensors) ROOT(t, `zeroGrad: tensors[${i++}]`).zeroGrad();
}
