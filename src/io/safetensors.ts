// The safetensors format (Hugging Face), bytes in and bytes out, with no Node API so it runs in
// browsers too:
//
//   [u64 little-endian N][N bytes of UTF-8 JSON header, space-padded to a multiple of 8][data]
//
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets into
// the data section), plus an optional "__metadata__" object of string → string. Readers
// (the Rust `safetensors` crate behind `safetensors.torch.load_file`) require the offsets,
// sorted, to tile the data section exactly: no gap, no overlap, last end = end of file, and
// each range to be exactly product(shape) × dtype size bytes. We check all of that, plus
// unique names (JSON.parse would silently keep the last duplicate) and the 100 MB header cap.
//
// Writing mirrors the reference writer: "__metadata__" first, tensors in name order (all are
// F32, the reference's sort key is (dtype, name)), compact JSON, padding with spaces so the
// data starts 8-byte aligned. For float32 tensors and one metadata key our bytes equal what
// `safetensors.torch.save_file` writes.
import { ArgumentError, ValueError, fmtShape } from '../errors.js';
import { describe, isPlainObject } from '../validate.js';
import type { StateValue } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';

/** A malformed or unsupported safetensors file, or tensors that cannot be written as one. */
export class SafetensorsError extends ValueError {}

/** The element types fingrad reads (each converted to float32 on load). */
export type SafetensorsDtype = 'F32' | 'F64' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

/** One decoded tensor: float32 values whatever the stored dtype, and the stored dtype. */
export interface DecodedTensor {
  shape: number[];
  data: Float32Array;
  /**
   * The dtype in the file. Values are converted to float32: F64 and 64/32-bit integers are
   * rounded to the nearest float32 (integers above 2^24 lose precision), F16/BF16 are exact.
   */
  dtype: SafetensorsDtype;
}

export interface DecodedSafetensors {
  /** Tensors by name, in file (offset) order. */
  tensors: Record<string, DecodedTensor>;
  /** The "__metadata__" strings ({} if the file has none). */
  metadata: Record<string, string>;
}

/** Header size limit of the reference implementation; larger headers are rejected as hostile. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

// Valid safetensors dtypes that fingrad does not convert (so the message can say which).
const UNSUPPORTED_DTYPES = new Set(['F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'C64']);

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(op: string, message: string): never {
  throw new SafetensorsError(`${op}: ${message}`);
}

// Sets an own enumerable property even for names like "__proto__".
function define<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

// Unicode code point order, which is UTF-8 byte order: the reference writer sorts names that way.
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done === true || cb.done === true) return (ca.done === true ? 0 : 1) - (cb.done === true ? 0 : 1);
    const d = (ca.value.codePointAt(0) as number) - (cb.value.codePointAt(0) as number);
    if (d !== 0) return d;
  }
}

function elementCount(op: string, name: string, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail(op, `tensor '${name}' has an invalid shape ${fmtShape(shape)} (dimensions must be non-negative integers)`);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) fail(op, `tensor '${name}' of shape ${fmtShape(shape)} has too many elements`);
  return n;
}

/**
 * Serialises float32 tensors (fingrad tensors, or `{shape, data}` values) to safetensors bytes
 * that PyTorch (`safetensors.torch.load_file`) and Hugging Face tools read. `metadata` becomes
 * the header's "__metadata__" (string → string; omitted when undefined).
 */
export function encodeSafetensors(tensors: Record<string, StateValue>, metadata?: Record<string, string>): Uint8Array {
  const op = 'encodeSafetensors';
  if (!isPlainObject(tensors)) throw new ArgumentError(`${op}: tensors must be an object of name → tensor, got ${describe(tensors)}`, op, 'tensors');
  const names = Object.keys(tensors).sort(compareCodePoints);
  const parts: string[] = [];
  if (metadata !== undefined) {
    const entries = Object.keys(metadata).sort(compareCodePoints).map((k) => {
      const v = metadata[k];
      if (typeof v !== 'string') fail(op, `metadata '${k}' must be a string, got ${typeof v} (safetensors metadata is string → string)`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
    parts.push(`"${METADATA_KEY}":{${entries.join(',')}}`);
  }
  const layout: Array<{ name: string; begin: number; value: StateValue }> = [];
  let offset = 0;
  for (const name of names) {
    if (name === METADATA_KEY) fail(op, `'${METADATA_KEY}' is reserved by the format and cannot name a tensor`);
    const value = tensors[name] as StateValue;
    if (value instanceof Tensor) value.assertLive(op);
    const count = elementCount(op, name, value.shape);
    if (value.data.length !== count) {
      fail(op, `tensor '${name}' has ${value.data.length} values but shape ${fmtShape(value.shape)} needs ${count}`);
    }
    const end = offset + count * 4;
    parts.push(`${JSON.stringify(name)}:{"dtype":"F32","shape":[${value.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    layout.push({ name, begin: offset, value });
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerBytes = json.length + ((8 - (json.length % 8)) % 8);
  if (headerBytes > SAFETENSORS_MAX_HEADER_BYTES) fail(op, `header of ${headerBytes} bytes exceeds the format's ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`);
  const out = new Uint8Array(8 + headerBytes + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes, true); // high half of the u64 stays 0: the header is < 2^32
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerBytes);
  const base = 8 + headerBytes;
  for (const { begin, value } of layout) {
    // Read the tensor's data only now: a live view into WASM memory is invalidated by growth.
    const data = value.data instanceof Float32Array ? value.data : Float32Array.from(value.data);
    if (hostIsLittleEndian) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), base + begin);
    } else {
      for (let i = 0; i < data.length; i++) view.setFloat32(base + begin + 4 * i, data[i] as number, true);
    }
  }
  return out;
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

// Names of the top-level object's members in source order (text is known-valid JSON).
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      if (depth === 1) {
        let j = i + 1;
        while (j < text.length && ' \t\n\r'.includes(text.charAt(j))) j++;
        if (text.charAt(j) === ':') keys.push(JSON.parse(text.slice(start, i + 1)) as string);
      }
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return keys;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseEntry(op: string, name: string, raw: unknown): HeaderEntry {
  if (!isRecord(raw)) fail(op, `header entry '${name}' must be an object {dtype, shape, data_offsets}, got ${JSON.stringify(raw)}`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') fail(op, `tensor '${name}' has no string "dtype"`);
  if (!(dtype in DTYPE_BYTES)) {
    if (UNSUPPORTED_DTYPES.has(dtype)) {
      fail(op, `tensor '${name}' has dtype ${dtype}, which fingrad does not read (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    }
    fail(op, `tensor '${name}' has unknown dtype '${dtype}' (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) fail(op, `tensor '${name}' has no "shape" array of integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
    fail(op, `tensor '${name}' needs "data_offsets": [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(op, `tensor '${name}' has data_offsets [${begin}, ${end}] with end before begin`);
  const dims = shape as number[];
  const bytes = elementCount(op, name, dims) * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (bytes !== end - begin) {
    fail(op, `tensor '${name}' of dtype ${dtype} and shape ${fmtShape(dims)} needs ${bytes} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: [...dims], begin, end };
}

function parseHeader(op: string, bytes: Uint8Array): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  if (bytes.length < 8) fail(op, `file is truncated: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > SAFETENSORS_MAX_HEADER_BYTES) fail(op, `header length ${n} exceeds the format's ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit (corrupted or not a safetensors file)`);
  if (8 + n > bytes.length) fail(op, `file is truncated: header length is ${n} bytes but only ${bytes.length - 8} follow the length prefix`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(op, 'header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(op, `header is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(header)) fail(op, `header must be a JSON object, got ${Array.isArray(header) ? 'an array' : typeof header}`);
  const seen = new Set<string>();
  for (const key of topLevelKeys(text)) {
    if (seen.has(key)) fail(op, `header names '${key}' twice; tensor names must be unique`);
    seen.add(key);
  }
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (!isRecord(raw)) fail(op, `"${METADATA_KEY}" must be an object of strings`);
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') fail(op, `"${METADATA_KEY}" value '${k}' must be a string, got ${JSON.stringify(v)}`);
        define(metadata, k, v);
      }
    } else {
      entries.push(parseEntry(op, name, raw));
    }
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = '';
  for (const e of entries) {
    if (e.begin > cursor) {
      fail(op, `bytes [${cursor}, ${e.begin}) ${previous ? `between '${previous}' and '${e.name}'` : `before '${e.name}'`} belong to no tensor (offsets must tile the data without gaps)`);
    }
    if (e.begin < cursor) fail(op, `tensor '${e.name}' [${e.begin}, ${e.end}) overlaps '${previous}' which ends at ${cursor}`);
    cursor = e.end;
    previous = e.name;
  }
  const dataLength = bytes.length - 8 - n;
  if (cursor > dataLength) fail(op, `file is truncated: tensor data needs ${cursor} bytes after the header but only ${dataLength} are present`);
  if (cursor < dataLength) fail(op, `${dataLength - cursor} bytes after the last tensor belong to no tensor (offsets must cover the data exactly)`);
  return { entries, metadata, dataStart: 8 + n };
}

/**
 * @internal Throws an ArgumentError unless `bytes` is a Uint8Array. A path string, the common
 * mistake, gets a pointer to the functions that read files.
 */
export function checkBytes(op: string, bytes: unknown): asserts bytes is Uint8Array {
  if (bytes instanceof Uint8Array) return;
  if (typeof bytes === 'string') {
    throw new ArgumentError(`${op}: bytes must be a Uint8Array, got the string '${bytes.length > 200 ? `${bytes.slice(0, 200)}…` : bytes}'; to read a file use the *File functions (loadModelFile, loadSafetensorsFile; Node)`, op, 'bytes');
  }
  throw new ArgumentError(`${op}: bytes must be a Uint8Array (the file's contents), got ${describe(bytes)}`, op, 'bytes');
}

const bf16Scratch = new DataView(new ArrayBuffer(4));

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

function decodeValues(bytes: Uint8Array, start: number, entry: HeaderEntry): Float32Array {
  const count = (entry.end - entry.begin) / DTYPE_BYTES[entry.dtype];
  const out = new Float32Array(count);
  if (entry.dtype === 'F32' && hostIsLittleEndian) {
    new Uint8Array(out.buffer).set(bytes.subarray(start, start + count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * DTYPE_BYTES[entry.dtype]);
  const read: (i: number) => number = {
    F32: (i: number) => view.getFloat32(4 * i, true),
    F64: (i: number) => view.getFloat64(8 * i, true),
    F16: (i: number) => halfToFloat(view.getUint16(2 * i, true)),
    BF16: (i: number) => {
      bf16Scratch.setUint32(0, view.getUint16(2 * i, true) << 16);
      return bf16Scratch.getFloat32(0);
    },
    I64: (i: number) => Number(view.getBigInt64(8 * i, true)),
    U64: (i: number) => Number(view.getBigUint64(8 * i, true)),
    I32: (i: number) => view.getInt32(4 * i, true),
    U32: (i: number) => view.getUint32(4 * i, true),
    I16: (i: number) => view.getInt16(2 * i, true),
    U16: (i: number) => view.getUint16(2 * i, true),
    I8: (i: number) => view.getInt8(i),
    U8: (i: number) => view.getUint8(i),
    BOOL: (i: number) => (view.getUint8(i) === 0 ? 0 : 1),
  }[entry.dtype];
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}

/**
 * Parses safetensors bytes (validated like the reference reader) into float32 values with
 * their shapes; other dtypes are converted (see `DecodedTensor.dtype`). The result owns its
 * memory and can be passed to `Module.loadStateDict` as is.
 */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  checkBytes('decodeSafetensors', bytes);
  const { entries, metadata, dataStart } = parseHeader('decodeSafetensors', bytes);
  const tensors: Record<string, DecodedTensor> = {};
  for (const entry of entries) {
    define(tensors, entry.name, { shape: entry.shape, data: decodeValues(bytes, dataStart + entry.begin, entry), dtype: entry.dtype });
  }
  return { tensors, metadata };
}
