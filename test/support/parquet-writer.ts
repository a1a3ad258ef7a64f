// A minimal Parquet writer for tests (no Parquet writer is installed: hyparquet only reads):
// uncompressed, PLAIN-encoded, one data page (v1) per column chunk, optional columns with
// definition levels as RLE runs, several row groups. Enough for the format features the reader
// must handle; the thrift compact protocol is written by hand below.
type Thrift = { i32: number } | { i64: number } | { bin: Uint8Array | string } | { list: [number, Thrift[]] } | { struct: Array<[number, Thrift]> };

const I32 = 5;
const I64 = 6;
const BIN = 8;
const LIST = 9;
const STRUCT = 12;

class Bytes {
  out: number[] = [];
  varint(n: number): void {
    let v = BigInt(n);
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      this.out.push(b);
    } while (v > 0n);
  }
  zigzag(n: number): void {
    const v = BigInt(n);
    this.varint(Number(v >= 0n ? v << 1n : (-v << 1n) - 1n));
  }
  raw(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.out.push(b[i] as number);
  }
}

const typeOf = (t: Thrift): number => ('i32' in t ? I32 : 'i64' in t ? I64 : 'bin' in t ? BIN : 'list' in t ? LIST : STRUCT);

function write(b: Bytes, t: Thrift): void {
  if ('i32' in t) b.zigzag(t.i32);
  else if ('i64' in t) b.zigzag(t.i64);
  else if ('bin' in t) {
    const bytes = typeof t.bin === 'string' ? new TextEncoder().encode(t.bin) : t.bin;
    b.varint(bytes.length);
    b.raw(bytes);
  } else if ('list' in t) {
    const [elem, items] = t.list;
    if (items.length < 15) b.out.push((items.length << 4) | elem);
    else {
      b.out.push(0xf0 | elem);
      b.varint(items.length);
    }
    for (const item of items) write(b, item);
  } else {
    let last = 0;
    for (const [id, v] of t.struct) {
      b.out.push(((id - last) << 4) | typeOf(v));
      last = id;
      write(b, v);
    }
    b.out.push(0);
  }
}

function thrift(t: Thrift): number[] {
  const b = new Bytes();
  write(b, t);
  return b.out;
}

export type ParquetColumn = { name: string; type: 'double' | 'int64' | 'boolean' | 'string'; values: Array<number | string | boolean | null> };

const PHYSICAL = { boolean: 0, int64: 2, double: 5, string: 6 } as const;

function pageData(col: ParquetColumn, start: number, end: number): number[] {
  const b = new Bytes();
  // Definition levels: RLE runs of 1 (present) / 0 (null), with a 4-byte length prefix.
  const levels = new Bytes();
  for (let i = start; i < end; ) {
    const present = col.values[i] !== null ? 1 : 0;
    let j = i;
    while (j < end && (col.values[j] !== null ? 1 : 0) === present) j++;
    levels.varint((j - i) << 1);
    levels.out.push(present);
    i = j;
  }
  const len = levels.out.length;
  b.raw([len & 255, (len >> 8) & 255, (len >> 16) & 255, len >>> 24]);
  b.raw(levels.out);
  const present = col.values.slice(start, end).filter((v) => v !== null);
  if (col.type === 'double') for (const v of present) b.raw(new Uint8Array(new Float64Array([v as number]).buffer));
  if (col.type === 'int64') for (const v of present) b.raw(new Uint8Array(new BigInt64Array([BigInt(v as number)]).buffer));
  if (col.type === 'string') {
    for (const v of present) {
      const s = new TextEncoder().encode(v as string);
      b.raw(new Uint8Array(new Uint32Array([s.length]).buffer));
      b.raw(s);
    }
  }
  if (col.type === 'boolean') {
    const bits = new Uint8Array(Math.ceil(present.length / 8));
    present.forEach((v, i) => {
      if (v) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
    });
    b.raw(bits);
  }
  return b.out;
}

/** A Parquet file of `columns` (all the same length) in row groups of `groupRows`. */
export function writeParquet(columns: ParquetColumn[], groupRows: number): Uint8Array {
  const n = columns[0]?.values.length ?? 0;
  const out: number[] = [...new TextEncoder().encode('PAR1')];
  const groups: Thrift[] = [];
  for (let s = 0; s < n; s += groupRows) {
    const e = Math.min(n, s + groupRows);
    const chunks: Thrift[] = [];
    let groupBytes = 0;
    for (const col of columns) {
      const data = pageData(col, s, e);
      const header = thrift({ struct: [[1, { i32: 0 }], [2, { i32: data.length }], [3, { i32: data.length }], [5, { struct: [[1, { i32: e - s }], [2, { i32: 0 }], [3, { i32: 3 }], [4, { i32: 3 }]] }]] });
      const offset = out.length;
      out.push(...header, ...data);
      const size = header.length + data.length;
      groupBytes += size;
      chunks.push({
        struct: [
          [2, { i64: offset }],
          [3, { struct: [[1, { i32: PHYSICAL[col.type] }], [2, { list: [I32, [{ i32: 0 }, { i32: 3 }]] }], [3, { list: [BIN, [{ bin: col.name }]] }], [4, { i32: 0 }], [5, { i64: e - s }], [6, { i64: size }], [7, { i64: size }], [9, { i64: offset }]] }],
        ],
      });
    }
    groups.push({ struct: [[1, { list: [STRUCT, chunks] }], [2, { i64: groupBytes }], [3, { i64: e - s }]] });
  }
  const schema: Thrift[] = [
    { struct: [[4, { bin: 'schema' }], [5, { i32: columns.length }]] },
    ...columns.map((c): Thrift => ({ struct: [[1, { i32: PHYSICAL[c.type] }], [3, { i32: 1 }], [4, { bin: c.name }], ...(c.type === 'string' ? [[6, { i32: 0 }] as [number, Thrift]] : [])] })),
  ];
  const footer = thrift({ struct: [[1, { i32: 1 }], [2, { list: [STRUCT, schema] }], [3, { i64: n }], [4, { list: [STRUCT, groups] }]] });
  out.push(...footer);
  const len = footer.length;
  out.push(len & 255, (len >> 8) & 255, (len >> 16) & 255, len >>> 24);
  out.push(...new TextEncoder().encode('PAR1'));
  return Uint8Array.from(out);
}
