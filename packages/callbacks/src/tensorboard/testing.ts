// Test helper (not exported): an event-file reader written independently of the writer. It has
// its own bit-by-bit CRC-32C and its own protobuf decoder, so a bug shared with the writer's code
// cannot cancel out.

/** CRC-32C, one bit at a time (no table). */
export function referenceCrc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's mask, in BigInt arithmetic: rotate right 15, add 0xA282EAD8, mod 2^32. */
export function referenceMask(crc: number): number {
  const c = BigInt(crc);
  const rotated = ((c >> 15n) | (c << 17n)) & 0xffffffffn;
  return Number((rotated + 0xa282ead8n) & 0xffffffffn);
}

/** Splits TFRecord framing, checking both CRCs of every record. */
export function readRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < file.length) {
    if (pos + 12 > file.length) throw new Error(`truncated record header at byte ${pos}`);
    const length = Number(view.getBigUint64(pos, true));
    const lengthCrc = view.getUint32(pos + 8, true);
    if (lengthCrc !== referenceMask(referenceCrc32c(file.subarray(pos, pos + 8)))) {
      throw new Error(`bad length CRC at byte ${pos}`);
    }
    const start = pos + 12;
    if (start + length + 4 > file.length) throw new Error(`truncated record at byte ${pos}`);
    const data = file.subarray(start, start + length);
    const dataCrc = view.getUint32(start + length, true);
    if (dataCrc !== referenceMask(referenceCrc32c(data))) throw new Error(`bad data CRC at byte ${pos}`);
    out.push(data);
    pos = start + length + 4;
  }
  return out;
}

/** One decoded field: varints as bigint, fixed64/fixed32 and length-delimited as raw bytes. */
export interface RawField {
  field: number;
  wire: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

/** Decodes the top level of a protobuf message into its fields, in order. */
export function decodeFields(msg: Uint8Array): RawField[] {
  const fields: RawField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= msg.length) throw new Error('truncated varint');
      const b = msg[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (pos < msg.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ field, wire, varint: readVarint() });
    else if (wire === 1) {
      fields.push({ field, wire, bytes: msg.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 5) {
      fields.push({ field, wire, bytes: msg.subarray(pos, pos + 4) });
      pos += 4;
    } else if (wire === 2) {
      const n = Number(readVarint());
      if (pos + n > msg.length) throw new Error('truncated length-delimited field');
      fields.push({ field, wire, bytes: msg.subarray(pos, pos + n) });
      pos += n;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return fields;
}

const text = new TextDecoder();

function f64(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
}

export interface DecodedValue {
  tag: string;
  pluginName: string | null;
  pluginContent: Uint8Array | null;
  dtype: number;
  shape: number[];
  tensorContent: Uint8Array;
  /** The raw fields of `Summary.Value`, in file order. */
  fieldOrder: number[];
}

export interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion: string | null;
  sourceWriter: string | null;
  values: DecodedValue[];
  fieldOrder: number[];
}

function decodeTensor(bytes: Uint8Array): { dtype: number; shape: number[]; content: Uint8Array } {
  let dtype = 0;
  const shape: number[] = [];
  let content: Uint8Array = new Uint8Array(0);
  for (const f of decodeFields(bytes)) {
    if (f.field === 1 && f.wire === 0) dtype = Number(f.varint);
    else if (f.field === 2 && f.wire === 2) {
      for (const d of decodeFields(f.bytes!)) {
        if (d.field !== 2) throw new Error(`unexpected TensorShapeProto field ${d.field}`);
        let size = 0;
        for (const s of decodeFields(d.bytes!)) if (s.field === 1) size = Number(s.varint);
        shape.push(size);
      }
    } else if (f.field === 4 && f.wire === 2) content = f.bytes!;
    else throw new Error(`unexpected TensorProto field ${f.field}`);
  }
  return { dtype, shape, content };
}

function decodeValue(bytes: Uint8Array): DecodedValue {
  const v: DecodedValue = {
    tag: '',
    pluginName: null,
    pluginContent: null,
    dtype: 0,
    shape: [],
    tensorContent: new Uint8Array(0),
    fieldOrder: [],
  };
  for (const f of decodeFields(bytes)) {
    v.fieldOrder.push(f.field);
    if (f.field === 1) v.tag = text.decode(f.bytes);
    else if (f.field === 8) {
      const t = decodeTensor(f.bytes!);
      v.dtype = t.dtype;
      v.shape = t.shape;
      v.tensorContent = t.content;
    } else if (f.field === 9) {
      for (const m of decodeFields(f.bytes!)) {
        if (m.field !== 1) throw new Error(`unexpected SummaryMetadata field ${m.field}`);
        for (const p of decodeFields(m.bytes!)) {
          if (p.field === 1) v.pluginName = text.decode(p.bytes);
          else if (p.field === 2) v.pluginContent = p.bytes!;
        }
      }
    } else throw new Error(`unexpected Summary.Value field ${f.field}`);
  }
  return v;
}

/** Decodes an `Event` proto. */
export function decodeEvent(bytes: Uint8Array): DecodedEvent {
  const e: DecodedEvent = { wallTime: 0, step: 0, fileVersion: null, sourceWriter: null, values: [], fieldOrder: [] };
  for (const f of decodeFields(bytes)) {
    e.fieldOrder.push(f.field);
    if (f.field === 1 && f.wire === 1) e.wallTime = f64(f.bytes!);
    else if (f.field === 2 && f.wire === 0) e.step = Number(BigInt.asIntN(64, f.varint!));
    else if (f.field === 3 && f.wire === 2) e.fileVersion = text.decode(f.bytes);
    else if (f.field === 5 && f.wire === 2) {
      for (const s of decodeFields(f.bytes!)) {
        if (s.field !== 1) throw new Error(`unexpected Summary field ${s.field}`);
        e.values.push(decodeValue(s.bytes!));
      }
    } else if (f.field === 10 && f.wire === 2) {
      for (const s of decodeFields(f.bytes!)) if (s.field === 1) e.sourceWriter = text.decode(s.bytes);
    } else throw new Error(`unexpected Event field ${f.field} (wire ${f.wire})`);
  }
  return e;
}

/** The float32 value of a scalar summary (DT_FLOAT, shape [], 4 bytes). */
export function scalarOf(v: DecodedValue): number {
  if (v.dtype !== 1 || v.shape.length !== 0 || v.tensorContent.length !== 4) {
    throw new Error(`${v.tag}: not a float32 scalar (dtype ${v.dtype}, shape [${v.shape}])`);
  }
  const c = v.tensorContent;
  return new DataView(c.buffer, c.byteOffset, 4).getFloat32(0, true);
}

/** The `[k, 3]` buckets of a histogram summary (DT_DOUBLE), as rows. */
export function histogramOf(v: DecodedValue): number[][] {
  if (v.dtype !== 2 || v.shape.length !== 2 || v.shape[1] !== 3) {
    throw new Error(`${v.tag}: not a [k, 3] float64 tensor (dtype ${v.dtype}, shape [${v.shape}])`);
  }
  const c = v.tensorContent;
  const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
  const rows: number[][] = [];
  for (let i = 0; i < v.shape[0]!; i++) {
    rows.push([0, 1, 2].map((j) => view.getFloat64((i * 3 + j) * 8, true)));
  }
  return rows;
}

/** Every event of every `*tfevents*` file in `dir` (files in name order). */
export async function readEventDir(dir: string): Promise<{ files: string[]; events: DecodedEvent[] }> {
  const fs = await import('node:fs/promises');
  const files = (await fs.readdir(dir)).filter((f) => f.includes('tfevents')).sort();
  const events: DecodedEvent[] = [];
  for (const f of files) {
    const data = new Uint8Array(await fs.readFile(`${dir}/${f}`));
    for (const r of readRecords(data)) events.push(decodeEvent(r));
  }
  return { files, events };
}

/** `(tag, step, value)` of every scalar summary in `events`, in file order. */
export function scalars(events: readonly DecodedEvent[]): { tag: string; step: number; value: number }[] {
  const out: { tag: string; step: number; value: number }[] = [];
  for (const e of events) {
    for (const v of e.values) if (v.pluginName === 'scalars') out.push({ tag: v.tag, step: e.step, value: scalarOf(v) });
  }
  return out;
}
