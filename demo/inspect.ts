// One training step taken apart, in the worker: the graph of the task's objective on the probe
// rows (graph()) with the gradient that reached every node (retainGrad on the intermediate
// tensors), and a finite-difference check of one parameter's gradient.
import * as fg from '../src/index.js';
import type { GradcheckReport, InspectGraph, InspectNode } from './protocol.js';
import type { TaskRun } from './tasks/task.js';

/** Elements compared per parameter: the largest analytic gradients (near-zero ones only show float32 noise). */
const CHECKED = 12;
/** Central-difference step on the float32 weight: truncation error O(eps²) against rounding O(ulp(loss)/eps). */
const EPS = 1e-3;
const TOLERANCE = 1e-2;

/** Every tensor behind `root`, by graph() node id (`t<id>`). */
function tensorsBehind(root: fg.Tensor): Map<string, fg.Tensor> {
  const out = new Map<string, fg.Tensor>();
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop() as fg.Tensor;
    if (out.has(`t${t.id}`)) continue;
    out.set(`t${t.id}`, t);
    stack.push(...(t.node?.inputs ?? []));
  }
  return out;
}

export function inspectStep(run: TaskRun): InspectGraph {
  const model = run.network();
  model.eval();
  try {
    return fg.tidy(() => {
      model.zeroGrad();
      const loss = run.objective();
      const g = fg.graph(loss, { module: model });
      const tensors = tensorsBehind(loss);
      for (const t of tensors.values()) if (t.node !== null && t.requiresGrad) t.retainGrad();
      loss.backward();
      const nodes = g.nodes.map((n): InspectNode => {
        const grad = tensors.get(n.id)?.grad ?? null;
        const gs = grad === null || grad.isDisposed ? null : fg.tensorStats(grad);
        const label = n.op !== null ? `${n.op}${n.name !== undefined ? ` '${n.name}'` : ''}` : (n.name ?? n.kind);
        return {
          id: n.id,
          label,
          kind: n.kind,
          shape: n.shape,
          value: n.value && { min: n.value.min, max: n.value.max, mean: n.value.mean },
          grad: gs && { norm: gs.norm, min: gs.min, max: gs.max, mean: gs.mean },
        };
      });
      model.zeroGrad();
      return { nodes, edges: g.edges.map(({ from, to }) => ({ from, to })), objective: run.objectiveName };
    });
  } finally {
    model.train();
  }
}

/** Analytic (backward) against central-difference gradients of the objective for the largest entries of one parameter. */
export function gradcheckParameter(run: TaskRun, name: string): GradcheckReport {
  const model = run.network();
  const found = model.namedParameters().find(([n]) => n === name);
  if (found === undefined) throw new Error(`gradcheck: no parameter '${name}'`);
  const p = found[1];
  model.eval();
  try {
    model.zeroGrad();
    const analytic = fg.tidy(() => {
      run.objective().backward();
      return (p.grad as fg.Tensor).toFloat32Array();
    });
    model.zeroGrad();
    const scale = analytic.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const order = Array.from(analytic.keys()).sort((a, b) => Math.abs(analytic[b] as number) - Math.abs(analytic[a] as number)).slice(0, CHECKED);
    const objective = (): number => fg.tidy(() => run.objective().item());
    const strides = p.shape.map((_, d) => p.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    const rows = fg.noGrad(() =>
      order.map((i) => {
        // p.data is a fresh view of the heap each time: memory may grow between calls.
        const saved = p.data[i] as number;
        const difference = (h: number): number => {
          const hi = Math.fround(saved + h);
          const lo = Math.fround(saved - h);
          p.data[i] = hi;
          const up = objective();
          p.data[i] = lo;
          const down = objective();
          p.data[i] = saved;
          return (up - down) / (hi - lo);
        };
        const numeric = difference(EPS);
        const a = analytic[i] as number;
        const denom = Math.max(Math.abs(a), Math.abs(numeric), 1e-2 * scale, 1e-12);
        // A ReLU switching inside ±2·eps makes the loss non-smooth there: the differences at eps
        // and 2·eps then disagree, and such an element says nothing about backward's rule.
        const smooth = Math.abs(numeric - difference(2 * EPS)) <= TOLERANCE * denom;
        return { coords: strides.map((s, d) => Math.floor(i / s) % (p.shape[d] as number)), analytic: a, numeric, relError: Math.abs(a - numeric) / denom, smooth };
      }),
    );
    return { parameter: name, shape: [...p.shape], rows, eps: EPS, tolerance: TOLERANCE };
  } finally {
    model.train();
  }
}
