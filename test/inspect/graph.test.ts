import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';

const { nn } = fg;

// A small parser for the DOT subset toDot writes (and any tool would accept): digraph header,
// attribute statements, node statements with attribute lists, edges; quoted IDs with escapes.
function parseDot(text: string): { nodes: Map<string, Record<string, string>>; edges: Array<[string, string]> } {
  const tokens: string[] = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*")|(->)|([{}[\];,=])|([A-Za-z_][A-Za-z0-9_]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)))/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.trimEnd().length && (m = re.exec(text)) !== null) {
    const tok = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (tok === undefined) throw new Error(`DOT: cannot read at ${at}`);
    tokens.push(tok);
    at = re.lastIndex;
  }
  if (at < text.trimEnd().length) throw new Error(`DOT: stray text at ${at}: ${text.slice(at, at + 20)}`);
  let i = 0;
  const next = (): string => {
    const t = tokens[i++];
    if (t === undefined) throw new Error('DOT: unexpected end');
    return t;
  };
  const expectTok = (t: string): void => {
    const got = next();
    if (got !== t) throw new Error(`DOT: expected ${t}, got ${got}`);
  };
  const unquote = (t: string): string => (t.startsWith('"') ? t.slice(1, -1).replace(/\\n/g, '\n').replace(/\\(.)/g, '$1') : t);
  const attrs = (): Record<string, string> => {
    const out: Record<string, string> = {};
    if (tokens[i] !== '[') return out;
    next();
    while (tokens[i] !== ']') {
      const k = unquote(next());
      expectTok('=');
      out[k] = unquote(next());
      if (tokens[i] === ',' || tokens[i] === ';') next();
    }
    next();
    return out;
  };
  expectTok('digraph');
  if (tokens[i] !== '{') next();
  expectTok('{');
  const nodes = new Map<string, Record<string, string>>();
  const edges: Array<[string, string]> = [];
  while (tokens[i] !== '}') {
    const id = unquote(next());
    if (tokens[i] === '->') {
      next();
      edges.push([id, unquote(next())]);
      attrs();
    } else if (id === 'node' || id === 'edge' || id === 'graph') attrs();
    else nodes.set(id, attrs());
    if (tokens[i] === ';') next();
  }
  expectTok('}');
  if (i !== tokens.length) throw new Error('DOT: text after the graph');
  return { nodes, edges };
}

describe('graph', () => {
  it('gives nodes and edges of a known expression as plain JSON', () => {
    fg.tidy(() => {
      const a = fg.tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
      a.name = 'a';
      const b = fg.tensor([1, -1]);
      const c = fg.add(a, b);
      const d = fg.relu(fg.mul(c, -1));
      const e = fg.sum(d);
      const g = fg.graph(e);
      const id = (t: fg.Tensor): string => `t${t.id}`;
      expect(JSON.parse(JSON.stringify(g))).toEqual({
        nodes: [
          { id: id(a), op: null, kind: 'parameter', name: 'a', shape: [2, 2], dtype: 'float32', requiresGrad: true, value: { min: 1, max: 4, mean: 2.5, nan: 0, inf: 0, values: [1, 2, 3, 4] } },
          { id: id(b), op: null, kind: 'input', shape: [2], dtype: 'float32', requiresGrad: false, value: { min: -1, max: 1, mean: 0, nan: 0, inf: 0, values: [1, -1] } },
          { id: id(c), op: 'add', kind: 'op', shape: [2, 2], dtype: 'float32', requiresGrad: true, value: { min: 1, max: 4, mean: 2.5, nan: 0, inf: 0, values: [2, 1, 4, 3] } },
          { id: `t${(d.node?.inputs[0] as fg.Tensor).id}`, op: 'mul', kind: 'op', shape: [2, 2], dtype: 'float32', requiresGrad: true, value: { min: -4, max: -1, mean: -2.5, nan: 0, inf: 0, values: [-2, -1, -4, -3] } },
          { id: id(d), op: 'relu', kind: 'op', shape: [2, 2], dtype: 'float32', requiresGrad: true, value: { min: 0, max: 0, mean: 0, nan: 0, inf: 0, values: [0, 0, 0, 0] } },
          { id: id(e), op: 'sum', kind: 'op', shape: [], dtype: 'float32', requiresGrad: true, value: { min: 0, max: 0, mean: 0, nan: 0, inf: 0, values: [0] } },
        ],
        edges: [
          { from: id(a), to: id(c), input: 0 },
          { from: id(b), to: id(c), input: 1 },
          { from: id(c), to: `t${(d.node?.inputs[0] as fg.Tensor).id}`, input: 0 },
          { from: `t${(d.node?.inputs[0] as fg.Tensor).id}`, to: id(d), input: 0 },
          { from: id(d), to: id(e), input: 0 },
        ],
      });
      e.backward();
      expect(fg.graph(e).nodes.map((n) => n.freed ?? false)).toEqual([true]);
    });
  });

  it('says what a fused node fused, names parameters, and shows every activation without fusion', () => {
    fg.manualSeed(3);
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 1), new nn.Sigmoid());
    fg.tidy(() => {
      const x = fg.ones([2, 4]);
      const g = fg.graph(model.forward(x), { module: model });
      expect(g.nodes.filter((n) => n.kind === 'op').map((n) => [n.op, n.fused])).toEqual([['linear+relu', ['linear', 'relu']], ['linear+sigmoid', ['linear', 'sigmoid']]]);
      expect(g.nodes.filter((n) => n.kind === 'parameter').map((n) => n.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
      const plain = fg.graph(fg.withoutFusion(() => model.forward(x)), { values: false });
      expect(plain.nodes.filter((n) => n.kind === 'op').map((n) => n.op)).toEqual(['linear', 'relu', 'linear', 'sigmoid']);
      expect(plain.nodes.every((n) => n.value === null && n.fused === undefined)).toBe(true);
    });
  });

  it('writes DOT that parses back into the same nodes and edges', () => {
    fg.tidy(() => {
      const w = fg.tensor([[0.5, -1]], undefined, { requiresGrad: true });
      w.name = 'w "quoted"\\';
      const x = fg.tensor([[1, 2], [3, 4]]);
      const loss = fg.mean(fg.sigmoid(fg.matmul(x, fg.transpose(w, 0, 1))));
      const g = fg.graph(loss);
      const dot = fg.toDot(loss);
      const parsed = parseDot(dot);
      expect([...parsed.nodes.keys()]).toEqual(g.nodes.map((n) => n.id));
      expect(parsed.edges).toEqual(g.edges.map((e) => [e.from, e.to]));
      for (const n of g.nodes) {
        const labelText = parsed.nodes.get(n.id)?.label as string;
        expect(labelText.split('\n')).toEqual([n.op ?? n.name ?? n.kind, `[${n.shape.join(', ')}]`]);
        expect(parsed.nodes.get(n.id)?.shape).toBe(n.kind === 'op' ? 'box' : 'ellipse');
      }
      expect(fg.toDot(g)).toBe(dot);
      expect(() => parseDot(dot.replace('->', '-'))).toThrow();
    });
  });

  it('writes a Mermaid flowchart with one line per node and edge', () => {
    fg.tidy(() => {
      const x = fg.tensor([1, 2], undefined, { requiresGrad: true });
      const y = fg.sum(fg.mul(x, x));
      const g = fg.graph(y);
      const lines = fg.toMermaid(y).trimEnd().split('\n');
      expect(lines[0]).toBe('flowchart TD');
      const nodeLines = lines.filter((l) => /^ {2}t\d+[[(]"/.test(l));
      const edgeLines = lines.filter((l) => /^ {2}t\d+ --> t\d+$/.test(l));
      expect(nodeLines.length + edgeLines.length + 1).toBe(lines.length);
      expect(nodeLines.map((l) => l.trim().split(/[[(]/)[0])).toEqual(g.nodes.map((n) => n.id));
      expect(edgeLines.map((l) => l.trim())).toEqual(g.edges.map((e) => `${e.from} --> ${e.to}`));
      expect(nodeLines[1]).toContain('"mul<br/>[2]"');
    });
  });

  it('checks its arguments', () => {
    fg.tidy(() => {
      const x = fg.ones([2]);
      expect(() => fg.graph(x, { modul: new nn.ReLU() } as never)).toThrow(/did you mean 'module'/);
      expect(() => fg.graph(42 as never)).toThrow(/graph: roots must be a Tensor/);
      expect(() => fg.graph(x, { module: {} as never })).toThrow(fg.ArgumentError);
    });
  });
});
