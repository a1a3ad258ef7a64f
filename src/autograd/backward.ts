import { kernels } from '../backend/wasm.js';
import { FingradError, ShapeError, fmtShape } from '../errors.js';
import { full } from '../tensor/creation.js';
import { keep, tidy } from '../tensor/scope.js';
import { sameShape } from '../tensor/shape.js';
import { type GradNode, Tensor } from '../tensor/tensor.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { type Args, is, readArgs } from '../validate.js';
import { noGrad } from './graph.js';

export interface BackwardOptions {
  /** Keep the graph so that `backward()` can run through it again. Default false. */
  retainGraph?: boolean;
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
      const op = (node as GradNode).op;
      const role = tensor === t ? 'its output' : `input ${node?.inputs.indexOf(tensor)}`;
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

const ROOT = is.instance(Tensor, 'a Tensor');
const BACKWARD = { retainGraph: is.boolean };

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
  kernels().copy_f32(g.ptr, c.ptr, g.size);
  return c;
}

// Writes the gradients of one backward pass into `.grad`. Called only once the whole sweep has
// succeeded: an exception in a rule or a hook (or running out of memory) leaves every `.grad`
// as it was. New buffers are allocated before any `.grad` is touched.
function commitGrads(pending: Map<Tensor, Tensor>): void {
  const fresh = new Map<Tensor, Tensor>();
  for (const [t, g] of pending) if (t.grad === null) fresh.set(t, copyOf(g));
  for (const [t, g] of pending) {
    const copy = fresh.get(t);
    if (copy !== undefined) t.grad = keep(copy);
    else kernels().add_into_f32((t.grad as Tensor).ptr, g.ptr, g.size);
  }
}

/**
 * Back-propagates from `root`: for a scalar, d(root)/d(leaf); otherwise the vector-Jacobian
 * product with `grad` (root's shape). Gradients add into `.grad` of leaves that require one.
 */
export function backward(rootArg: Tensor, gradArg?: TensorInput | null, ...args: Args<[retainGraph: boolean | undefined], BackwardOptions>): void {
  const root = ROOT(rootArg, 'backward: root');
  root.assertLive('backward');
  const grad = gradArg === undefined || gradArg === null ? undefined : toTensor('backward', 'grad', gradArg);
  const options = readArgs('backward', args, ['retainGraph'], BACKWARD);
  if (!root.requiresGrad) {
    throw new FingradError(
      `backward: tensor #${root.id} ${fmtShape(root.shape)} does not require a gradient (no input of the ops that made it has requiresGrad)`,
    );
  }
  if (grad === undefined && root.size !== 1) {
    throw new ShapeError(
      `backward: the output has shape ${fmtShape(root.shape)}, not a scalar; pass the upstream gradient (same shape) or reduce it first (e.g. .sum())`,
    );
  }
  if (grad !== undefined) {
    grad.assertLive('backward');
    if (!sameShape(grad.shape, root.shape)) {
      throw new ShapeError(`backward: upstream gradient of shape ${fmtShape(grad.shape)} does not match output shape ${fmtShape(root.shape)}`);
    }
  }
  const order = topoOrder(root);
  checkSavedVersions(order);
  noGrad(() =>
    tidy(() => {
      const grads = new Map<Tensor, Tensor>();
      const pending = new Map<Tensor, Tensor>();
      grads.set(root, grad ?? full(root.shape, 1));
      for (const t of order) {
        let g = grads.get(t);
        if (g === undefined) continue;
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
        if (t.node === null || t.retainsGrad) pending.set(t, g);
        const node = t.node;
        if (node !== null) {
          const thunks = node.backward(g);
          node.inputs.forEach((input, i) => {
            const thunk = thunks[i];
            if (!input.requiresGrad || !thunk) return;
            const gi = thunk();
            if (!sameShape(gi.shape, input.shape)) {
              throw new FingradError(
                `backward of '${node.op}': gradient for input ${i} has shape ${fmtShape(gi.shape)}, expected ${fmtShape(input.shape)}`,
              );
            }
            const prev = grads.get(input);
            if (prev === undefined) {
              grads.set(input, gi);
            } else {
              // Sum in a fresh tensor: gi or prev may share storage with another gradient.
              const sum = copyOf(prev);
              kernels().add_into_f32(sum.ptr, gi.ptr, gi.size);
              grads.set(input, sum);
            }
          });
        }
      }
      commitGrads(pending);
      if (options.retainGraph !== true) {
        for (const t of order) if (t.node !== null) t.node = freedNode(t.node.op);
      }
    }),
  );
}
