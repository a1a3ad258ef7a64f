// The ONNX messages fingrad writes, encoded with protobufjs's wire `Writer` from
// 'protobufjs/minimal'. Why not generated code or reflection: protobufjs's reflection (and the
// code pbjs would generate in its default "static-module" mode on top of it) compiles
// encoders with `new Function`, which a strict Content-Security-Policy forbids, and pbjs
// (protobufjs-cli) is not a dependency. So each message below is written field by field with
// the field numbers and wire types of onnx/onnx.proto (proto2 syntax; numbers unchanged since IR
// version 3); the library does the varint, fixed32 and length-delimited encoding. Only the
// fields export needs are here; every number was checked against onnx.proto:
//   ModelProto: ir_version 1, producer_name 2, producer_version 3, domain 4, model_version 5,
//     doc_string 6, graph 7, opset_import 8, metadata_props 14
//   OperatorSetIdProto: domain 1, version 2          StringStringEntryProto: key 1, value 2
//   GraphProto: node 1, name 2, initializer 5, doc_string 10, input 11, output 12
//   NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7
//   AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, strings 9, type 20
//   TensorProto: dims 1, data_type 2, string_data 6, name 8, raw_data 9 (strings cannot be raw_data)
//   ValueInfoProto: name 1, type 2   TypeProto: tensor_type 1   TypeProto.Tensor: elem_type 1, shape 2
//   TensorShapeProto: dim 1   Dimension: dim_value 1, dim_param 2
import { Writer } from 'protobufjs/minimal.js';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7, STRING: 8, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

// Wire types.
const VARINT = 0;
const LEN = 2;
const FIXED32 = 5;
const tag = (field: number, wire: number): number => (field << 3) | wire;

/** An initializer or constant: float32 or int64 values little-endian in `raw`, or UTF-8 `strings`. */
export type TensorMessage = { name: string; dims: readonly number[] } & ({ dataType: typeof DataType.FLOAT | typeof DataType.INT64; raw: Uint8Array } | { dataType: typeof DataType.STRING; strings: readonly string[] });

/** A node attribute; the variant follows the JavaScript value. */
export type AttributeValue = number | string | TensorMessage | { ints: readonly number[] } | { floats: readonly number[] } | { strings: readonly string[] } | { int: number } | { float: number };

export interface NodeMessage {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attributes: Readonly<Record<string, AttributeValue>>;
  /** Operator set domain; absent for the default ('ai.onnx'), 'ai.onnx.ml' for the ML operators. */
  domain?: string;
}

/** A graph input or output: its element type (default float32) and a shape of sizes and named (dynamic) dimensions, or no shape (unknown rank). */
export interface ValueInfoMessage {
  name: string;
  shape: ReadonlyArray<number | string> | null;
  elemType?: DataTypeCode;
}

export interface ModelMessage {
  irVersion: number;
  opset: number;
  /** Operator sets besides the default domain's, by domain ({ 'ai.onnx.ml': 3 }). */
  extraOpsets?: Readonly<Record<string, number>>;
  producerName: string;
  producerVersion: string;
  docString: string;
  graphName: string;
  nodes: readonly NodeMessage[];
  initializers: readonly TensorMessage[];
  inputs: readonly ValueInfoMessage[];
  outputs: readonly ValueInfoMessage[];
  metadata: Readonly<Record<string, string>>;
}

const utf8 = new TextEncoder();

function writeTensor(w: Writer, t: TensorMessage): void {
  for (const d of t.dims) w.uint32(tag(1, VARINT)).int64(d);
  w.uint32(tag(2, VARINT)).int32(t.dataType);
  if ('strings' in t) for (const v of t.strings) w.uint32(tag(6, LEN)).bytes(utf8.encode(v));
  w.uint32(tag(8, LEN)).string(t.name);
  if ('raw' in t) w.uint32(tag(9, LEN)).bytes(t.raw);
}

function writeAttribute(w: Writer, name: string, v: AttributeValue): void {
  w.uint32(tag(1, LEN)).string(name);
  if (typeof v === 'number') {
    // A bare number is an INT when integral, FLOAT otherwise; { float } forces FLOAT.
    if (Number.isInteger(v)) w.uint32(tag(3, VARINT)).int64(v).uint32(tag(20, VARINT)).int32(AttributeType.INT);
    else w.uint32(tag(2, FIXED32)).float(v).uint32(tag(20, VARINT)).int32(AttributeType.FLOAT);
  } else if (typeof v === 'string') {
    w.uint32(tag(4, LEN)).bytes(utf8.encode(v)).uint32(tag(20, VARINT)).int32(AttributeType.STRING);
  } else if ('int' in v) {
    w.uint32(tag(3, VARINT)).int64(v.int).uint32(tag(20, VARINT)).int32(AttributeType.INT);
  } else if ('float' in v) {
    w.uint32(tag(2, FIXED32)).float(v.float).uint32(tag(20, VARINT)).int32(AttributeType.FLOAT);
  } else if ('ints' in v) {
    for (const i of v.ints) w.uint32(tag(8, VARINT)).int64(i);
    w.uint32(tag(20, VARINT)).int32(AttributeType.INTS);
  } else if ('floats' in v) {
    for (const f of v.floats) w.uint32(tag(7, FIXED32)).float(f);
    w.uint32(tag(20, VARINT)).int32(AttributeType.FLOATS);
  } else if ('strings' in v) {
    for (const s of v.strings) w.uint32(tag(9, LEN)).bytes(utf8.encode(s));
    w.uint32(tag(20, VARINT)).int32(AttributeType.STRINGS);
  } else {
    writeTensor(w.uint32(tag(5, LEN)).fork(), v);
    w.ldelim().uint32(tag(20, VARINT)).int32(AttributeType.TENSOR);
  }
}

function writeNode(w: Writer, n: NodeMessage): void {
  for (const i of n.inputs) w.uint32(tag(1, LEN)).string(i);
  for (const o of n.outputs) w.uint32(tag(2, LEN)).string(o);
  w.uint32(tag(3, LEN)).string(n.name);
  w.uint32(tag(4, LEN)).string(n.opType);
  for (const [name, v] of Object.entries(n.attributes)) {
    writeAttribute(w.uint32(tag(5, LEN)).fork(), name, v);
    w.ldelim();
  }
  if (n.domain !== undefined) w.uint32(tag(7, LEN)).string(n.domain);
}

function writeValueInfo(w: Writer, v: ValueInfoMessage): void {
  w.uint32(tag(1, LEN)).string(v.name);
  const type = w.uint32(tag(2, LEN)).fork();
  const tensor = type.uint32(tag(1, LEN)).fork();
  tensor.uint32(tag(1, VARINT)).int32(v.elemType ?? DataType.FLOAT);
  if (v.shape !== null) {
    const shape = tensor.uint32(tag(2, LEN)).fork();
    for (const d of v.shape) {
      shape.uint32(tag(1, LEN)).fork();
      if (typeof d === 'number') shape.uint32(tag(1, VARINT)).int64(d);
      else shape.uint32(tag(2, LEN)).string(d);
      shape.ldelim();
    }
    shape.ldelim(); // shape
  }
  tensor.ldelim(); // tensor_type
  type.ldelim(); // type
}

/** The serialised ModelProto. */
export function encodeModel(m: ModelMessage): Uint8Array {
  const w = Writer.create();
  w.uint32(tag(1, VARINT)).int64(m.irVersion);
  w.uint32(tag(2, LEN)).string(m.producerName);
  w.uint32(tag(3, LEN)).string(m.producerVersion);
  w.uint32(tag(6, LEN)).string(m.docString);
  const graph = w.uint32(tag(7, LEN)).fork();
  for (const n of m.nodes) {
    writeNode(graph.uint32(tag(1, LEN)).fork(), n);
    graph.ldelim();
  }
  graph.uint32(tag(2, LEN)).string(m.graphName);
  for (const t of m.initializers) {
    writeTensor(graph.uint32(tag(5, LEN)).fork(), t);
    graph.ldelim();
  }
  for (const [field, list] of [[11, m.inputs], [12, m.outputs]] as const) {
    for (const v of list) {
      writeValueInfo(graph.uint32(tag(field, LEN)).fork(), v);
      graph.ldelim();
    }
  }
  graph.ldelim();
  // The default ("ai.onnx") domain: the empty string.
  w.uint32(tag(8, LEN)).fork().uint32(tag(1, LEN)).string('').uint32(tag(2, VARINT)).int64(m.opset).ldelim();
  for (const [domain, version] of Object.entries(m.extraOpsets ?? {})) {
    w.uint32(tag(8, LEN)).fork().uint32(tag(1, LEN)).string(domain).uint32(tag(2, VARINT)).int64(version).ldelim();
  }
  for (const [key, value] of Object.entries(m.metadata)) {
    w.uint32(tag(14, LEN)).fork().uint32(tag(1, LEN)).string(key).uint32(tag(2, LEN)).string(value).ldelim();
  }
  return new Uint8Array(w.finish());
}
