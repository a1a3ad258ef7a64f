// Building an ONNX graph: unique value names, float32/int64 initializers in raw_data, nodes.
import type { Tensor } from '../tensor/tensor.js';
import { OnnxExportError } from './errors.js';
import { DataType, type AttributeValue, type NodeMessage, type TensorMessage, type ValueInfoMessage, encodeModel } from './proto.js';

/**
 * fingrad's version, written into every model's metadata. It is package.json's "version"
 * (test/onnx/export.test.ts checks that they agree); the core has no version export to read.
 */
export const FINGRAD_VERSION = '0.1.0';

// IR versions of the ONNX releases that introduced each opset (onnx/docs/Versioning.md).
function irVersion(opset: number): number {
  return opset >= 21 ? 10 : opset >= 19 ? 9 : 8;
}

const ML_DOMAIN = 'ai.onnx.ml';
const ML_OPSET = 3;

// raw_data is little-endian whatever the host (TensorProto's rule), hence DataView.
function rawFloat32(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return out;
}

function rawInt64(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return out;
}

/** Collects the nodes and initializers of one graph; every value gets a unique name. */
export class GraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  private readonly taken = new Set<string>();
  private readonly claimed = new Set<string>();
  private readonly scalars = new Map<number, string>();
  /** Operator sets of other domains the nodes use, by domain. */
  readonly extraOpsets: Record<string, number> = {};

  constructor(readonly opset: number) {}

  /** A one-output node of the 'ai.onnx.ml' operator set (version 3: LabelEncoder's keys_strings / values_floats). */
  mlNode(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>>, hint?: string): string {
    const name = this.node(opType, inputs, attributes, hint);
    (this.nodes[this.nodes.length - 1] as NodeMessage).domain = ML_DOMAIN;
    this.extraOpsets[ML_DOMAIN] = ML_OPSET;
    return name;
  }

  /** A fresh name: `hint`, or `hint_2`, `hint_3`… when taken. */
  fresh(hint: string): string {
    let name = hint;
    for (let i = 2; this.taken.has(name); i++) name = `${hint}_${i}`;
    this.taken.add(name);
    return name;
  }

  /**
   * Claims a name the caller chose (graph inputs and outputs): an internal value that already
   * has it is renamed; a second claim throws.
   */
  reserve(name: string): string {
    if (this.claimed.has(name)) throw new OnnxExportError(`exportOnnx: the name '${name}' is given to two graph inputs or outputs`);
    if (this.taken.has(name)) this.renameValue(name, this.fresh(name));
    this.taken.add(name);
    this.claimed.add(name);
    return name;
  }

  private renameValue(from: string, to: string): void {
    for (const n of this.nodes) {
      for (const list of [n.inputs, n.outputs] as string[][]) list.forEach((v, j) => v === from && (list[j] = to));
    }
    for (const t of this.initializers) if (t.name === from) t.name = to;
    for (const [k, v] of this.scalars) if (v === from) this.scalars.set(k, to);
  }

  /** A float32 initializer with the values of `data` (a tensor or numbers) and shape `dims`. */
  weight(hint: string, data: Tensor | ArrayLike<number>, dims?: readonly number[]): string {
    const values = 'toFloat32Array' in data ? data.toFloat32Array() : data;
    const shape = dims ?? ('shape' in data ? data.shape : [values.length]);
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [...shape], dataType: DataType.FLOAT, raw: rawFloat32(values) });
    return name;
  }

  /** A float32 scalar constant (shared between uses). */
  scalar(value: number): string {
    let name = this.scalars.get(value);
    if (name === undefined) {
      name = this.weight(`const_${String(value).replace(/[^0-9a-z]/gi, '_')}`, [value], []);
      this.scalars.set(value, name);
    }
    return name;
  }

  /** A 1-D string initializer (category names). */
  strings(hint: string, values: readonly string[]): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [values.length], dataType: DataType.STRING, strings: [...values] });
    return name;
  }

  /** A 1-D int64 initializer (shapes, axes, slice bounds). */
  ints(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, raw: rawInt64(values) });
    return name;
  }

  /** Adds a node with `outputs` outputs (trailing optional outputs left off); returns their names. */
  nodeN(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>>, outputs: number, hint = opType.toLowerCase()): string[] {
    const names = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}_out${i}`));
    this.nodes.push({ opType, inputs: [...inputs], outputs: names, name: this.fresh(`${opType}_node`), attributes });
    return names;
  }

  /** Adds a one-output node; returns the output's name. */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, hint?: string): string {
    return this.nodeN(opType, inputs, attributes, 1, hint)[0] as string;
  }

  /**
   * Makes `value` the graph output `name`: the node that computes it writes `name` instead (an
   * Identity node when `value` is a graph input or an initializer).
   */
  output(value: string, name: string): void {
    const producer = this.nodes.find((n) => n.outputs.includes(value));
    if (value === name && producer !== undefined && !this.claimed.has(name)) {
      this.claimed.add(name);
      return;
    }
    this.reserve(name);
    if (producer === undefined) {
      this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: this.fresh('Identity_node'), attributes: {} });
      return;
    }
    this.renameValue(value, name);
  }

  /** The ModelProto bytes of this graph; 'fingrad.version' and 'fingrad.model' (= graphName) join `metadata`. */
  encode(m: { graphName: string; docString: string; inputs: readonly ValueInfoMessage[]; outputs: readonly ValueInfoMessage[]; metadata: Readonly<Record<string, string>> }): Uint8Array {
    return encodeModel({
      irVersion: irVersion(this.opset),
      opset: this.opset,
      extraOpsets: this.extraOpsets,
      producerName: 'fingrad',
      producerVersion: FINGRAD_VERSION,
      docString: m.docString,
      graphName: m.graphName,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: m.inputs,
      outputs: m.outputs,
      metadata: { 'fingrad.version': FINGRAD_VERSION, 'fingrad.model': m.graphName, ...m.metadata },
    });
  }
}
