// The computation graph of one training step as SVG: a layered layout (each node one row below
// its deepest input, nodes in a row in graph() order: inputs before the ops that read them) —
// enough for the tens of nodes a small model's step has, and no layout library to vet for the
// page's CSP. Clicking a node (or Enter on it) shows its value and gradient summary.
import type { InspectGraph, InspectNode } from '../protocol.js';
import { svg } from './svg.js';

const NODE_W = 168;
const NODE_H = 34;
const GAP_X = 16;
const GAP_Y = 26;

const num = (v: number | null): string => (v === null ? '—' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(4) : v.toExponential(2));

function describe(n: InspectNode): string {
  const value = n.value ? `value: min ${num(n.value.min)}, mean ${num(n.value.mean)}, max ${num(n.value.max)}` : 'value: none kept (not recorded, or the tensor was freed)';
  const grad = n.grad ? `gradient: ‖g‖ ${num(n.grad.norm)}, min ${num(n.grad.min)}, mean ${num(n.grad.mean)}, max ${num(n.grad.max)}` : 'gradient: none (no gradient flows to this node)';
  return `${n.label} — ${n.kind}, shape [${n.shape.join(', ')}]\n${value}\n${grad}`;
}

/** Draws `g` into `host`; `info` shows the clicked node. */
export function drawGraph(host: HTMLElement, info: HTMLElement, g: InspectGraph): void {
  const level = new Map<string, number>();
  const inputs = new Map<string, string[]>();
  for (const e of g.edges) inputs.set(e.to, [...(inputs.get(e.to) ?? []), e.from]);
  for (const n of g.nodes) level.set(n.id, Math.max(-1, ...(inputs.get(n.id) ?? []).map((i) => level.get(i) ?? 0)) + 1);
  // Leaves (inputs, parameters) sit one row above their first reader, not all in the top row:
  // each weight appears beside the op that uses it.
  for (const n of g.nodes) {
    if (inputs.has(n.id)) continue;
    const readers = g.edges.filter((e) => e.from === n.id).map((e) => level.get(e.to) as number);
    if (readers.length > 0) level.set(n.id, Math.max(0, Math.min(...readers) - 1));
  }
  const rows: InspectNode[][] = [];
  for (const n of g.nodes) (rows[level.get(n.id) as number] ??= []).push(n);
  for (let r = 0; r < rows.length; r++) rows[r] ??= [];
  const widest = Math.max(...rows.map((r) => r.length));
  const width = widest * (NODE_W + GAP_X) + GAP_X;
  const height = rows.length * (NODE_H + GAP_Y) + GAP_Y;
  const at = new Map<string, { x: number; y: number }>();
  rows.forEach((row, r) => {
    const offset = (width - row.length * (NODE_W + GAP_X) + GAP_X) / 2;
    row.forEach((n, i) => at.set(n.id, { x: offset + i * (NODE_W + GAP_X), y: GAP_Y + r * (NODE_H + GAP_Y) }));
  });

  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'graph', role: 'img', 'aria-label': `computation graph: ${g.nodes.length} nodes` });
  for (const e of g.edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b) continue;
    const [x1, y1, x2, y2] = [a.x + NODE_W / 2, a.y + NODE_H, b.x + NODE_W / 2, b.y];
    root.append(svg('path', { d: `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`, class: 'edge' }));
  }
  let selected: SVGGElement | null = null;
  for (const n of g.nodes) {
    const p = at.get(n.id) as { x: number; y: number };
    const node = svg('g', { class: `node ${n.kind}`, transform: `translate(${p.x},${p.y})`, tabindex: 0, 'data-id': n.id });
    const text = n.label.length > 24 ? `${n.label.slice(0, 23)}…` : n.label;
    node.append(
      svg('rect', { width: NODE_W, height: NODE_H, rx: n.kind === 'op' ? 4 : 16 }),
      svg('text', { x: NODE_W / 2, y: 14, class: 'name' }, text),
      svg('text', { x: NODE_W / 2, y: 28, class: 'shape' }, `[${n.shape.join(', ')}]`),
      svg('title', {}, n.label),
    );
    const show = (): void => {
      selected?.classList.remove('selected');
      selected = node;
      node.classList.add('selected');
      info.textContent = describe(n);
      info.dataset.node = n.id;
    };
    node.addEventListener('click', show);
    node.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') show();
    });
    root.append(node);
  }
  host.replaceChildren(root);
  info.textContent = `${g.nodes.length} nodes. Click one to see its value and gradient.`;
  delete info.dataset.node;
}
