// The computation graph behind a tensor, read from what autograd recorded (`tensor.node`), as
// plain JSON and as Graphviz DOT or Mermaid text. Nothing is recomputed: the graph is the one
// `backward()` would walk, so read it before `backward()` (which frees it) or pass
// `{ retainGraph: true }` to backward. Fused ops say what they fused: a node recorded as
// `linear+relu` (Sequential runs Linear then ReLU as one GEMM) has `fused: ['linear', 'relu']`;
// run the forward inside `withoutFusion(fn)` to see every activation as a node of its own.
import { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { is, readOptions } from '../validate.js';
import { type ValueSummary, summarizeValues } from './tensor-stats.js';

export interface GraphNode {
  /** `t<tensor id>`: unique within the process, stable while the tensor lives. */
  id: string;
  /** The op that made the tensor; null for a leaf (an input or a parameter). */
  op: string | null;
  /** What a fused op combined (`['linear', 'relu']`); absent for other nodes. */
  fused?: string[];
  /** 'parameter' (a leaf that requires a gradient), 'input' (another leaf) or 'op'. */
  kind: 'parameter' | 'input' | 'op';
  /** The tensor's name (`tensor.name`, or a parameter's name in `options.module`). */
  name?: string;
  shape: number[];
  dtype: 'float32';
  requiresGrad: boolean;
  /**
   * For a tensor made by an op with several outputs (an LSTM layer's sequence and final
   * states, the parts of `split`): which output it is, and the node ids of all of them (some
   * may not be in this graph). Such siblings share one op: backward runs it once.
   */
  output?: { index: number; of: string[] };
  /** True when a backward pass freed this node's link to its inputs (its inputs are gone). */
  freed?: boolean;
  /** min / max / mean and the count of NaN and ±Infinity (the values themselves when few); null once disposed. */
  value: ValueSummary | null;
}

export interface GraphEdge {
  /** The input tensor's node id. */
  from: string;
  /** The node id of the op that read it. */
  to: string;
  /** Which input of `to` it is. */
  input: number;
}

export interface Graph {
  /** Every tensor reached, inputs before the ops that read them; the roots last. */
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphOptions {
  /** Names parameters by their PyTorch names in this module (`0.weight`). */
  module?: Module;
  /** Include value summaries (default true; false skips reading the tensors). */
  values?: boolean;
}

const GRAPH_SPEC = { module: is.instance(Module, 'a Module'), values: is.boolean };

const nodeId = (t: Tensor): string => `t${t.id}`;

/** @internal Every tensor behind `roots`, inputs before the tensors computed from them (depth-first post-order), each once. */
export function postOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: Array<[Tensor, number]> = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [Tensor, number];
      const inputs = top[0].node?.inputs ?? [];
      if (top[1] < inputs.length) {
        const child = inputs[top[1]++] as Tensor;
        if (!seen.has(child)) {
          seen.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(top[0]);
      }
    }
  }
  return order;
}

/**
 * The graph behind `roots` (a tensor or a list) as plain JSON: `{ nodes, edges }`, nodes with
 * op, shape, dtype, requiresGrad and a value summary, edges from each input to the op that read
 * it. `options.module` names parameters (`0.weight`).
 */
export function graph(roots: Tensor | readonly Tensor[], options: GraphOptions = {}): Graph {
  const o = readOptions('graph', options, GRAPH_SPEC);
  const list = (Array.isArray(roots) ? roots : [roots]) as unknown[];
  list.forEach((t, i) => {
    is.instance(Tensor, 'a Tensor')(t, `graph: roots${Array.isArray(roots) ? `[${i}]` : ''}`);
    (t as Tensor).assertLive('graph');
  });
  const names = new Map<Tensor, string>();
  for (const [name, p] of o.module?.namedParameters() ?? []) names.set(p, name);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const order = postOrder(list as Tensor[]);
  for (const t of order) {
    const op = t.node?.op ?? null;
    const name = t.name ?? names.get(t);
    const node: GraphNode = {
      id: nodeId(t),
      op,
      kind: op !== null ? 'op' : t.requiresGrad ? 'parameter' : 'input',
      shape: [...t.shape],
      dtype: 'float32',
      requiresGrad: t.requiresGrad,
      value: o.values === false || t.isDisposed ? null : summarizeValues(t.data),
    };
    if (op?.includes('+')) node.fused = op.split('+');
    if (name !== undefined) node.name = name;
    const outputs = t.node?.outputs;
    if (outputs !== undefined) node.output = { index: outputs.indexOf(t), of: outputs.map(nodeId) };
    if (t.node !== null && t.node.inputs.length === 0) node.freed = true;
    nodes.push(node);
    t.node?.inputs.forEach((input, i) => edges.push({ from: nodeId(input), to: node.id, input: i }));
  }
  return { nodes, edges };
}

function label(n: GraphNode): string {
  const head = n.op ?? n.name ?? n.kind;
  const sub = n.op !== null && n.name !== undefined ? ` '${n.name}'` : '';
  const which = n.output ? ` (output ${n.output.index} of ${n.output.of.length})` : '';
  return `${head}${sub}${which}\n[${n.shape.join(', ')}]`;
}

function asGraph(g: Tensor | readonly Tensor[] | Graph, options: GraphOptions): Graph {
  return 'nodes' in g && 'edges' in g ? g : graph(g as Tensor | readonly Tensor[], options);
}

// A DOT ID in double quotes: backslash and quote escaped, newlines as \n.
const dotString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The graph in Graphviz DOT (`dot -Tsvg`): leaves as ellipses (parameters shaded), ops as boxes. */
export function toDot(g: Tensor | readonly Tensor[] | Graph, options: GraphOptions = {}): string {
  const { nodes, edges } = asGraph(g, options);
  const lines = ['digraph fingrad {', '  node [fontname="monospace", fontsize=10];'];
  for (const n of nodes) {
    const style = n.kind === 'op' ? `shape=box${n.fused ? ', style="rounded,bold"' : ''}` : n.kind === 'parameter' ? 'shape=ellipse, style=filled, fillcolor="#e8eef7"' : 'shape=ellipse';
    lines.push(`  ${n.id} [label=${dotString(label(n))}, ${style}];`);
  }
  for (const e of edges) lines.push(`  ${e.from} -> ${e.to};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

// Mermaid labels: quotes and angle brackets as entity codes, newlines as <br/>.
const mermaidText = (s: string): string => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\n/g, '<br/>');

/** The graph as a Mermaid flowchart (renders in GitHub Markdown): leaves as rounded nodes, ops as boxes. */
export function toMermaid(g: Tensor | readonly Tensor[] | Graph, options: GraphOptions = {}): string {
  const { nodes, edges } = asGraph(g, options);
  const lines = ['flowchart TD'];
  for (const n of nodes) {
    const text = `"${mermaidText(label(n))}"`;
    lines.push(`  ${n.id}${n.kind === 'op' ? `[${text}]` : `(${text})`}`);
  }
  for (const e of edges) lines.push(`  ${e.from} --> ${e.to}`);
  return `${lines.join('\n')}\n`;
}
