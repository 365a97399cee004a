// A minimal protocol-buffers encoder: just the wire types the TensorFlow event protos need. Writing
// the few messages by hand keeps the package free of a protobuf runtime and code generation.
import { ValueError } from '@strata/core';

/** Protobuf wire types (the low 3 bits of a field key). */
export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  FIXED32: 5,
} as const;

const TEXT = new TextEncoder();

/**
 * Appends protobuf fields to a growing buffer; `finish()` returns the encoded message.
 *
 * The caller decides which fields to write: proto3 leaves out scalar fields equal to their default
 * (0, '', empty bytes), and callers that want byte-identical output to TensorFlow's C++ writer
 * skip those themselves, and write fields in field-number order as it does.
 */
export class ProtobufWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  private reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * A raw base-128 varint. Numbers must be integers; negatives (int32/int64 fields) are written as
   * their 64-bit two's complement (10 bytes), as protobuf does. Bigints cover the full int64 range.
   */
  rawVarint(value: number | bigint): this {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw new ValueError(`ProtobufWriter: a varint must be an integer, got ${value}.`);
      if (value >= 0 && value <= 0x7fffffff) {
        this.reserve(5);
        let v = value;
        while (v > 0x7f) {
          this.buf[this.len++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        this.buf[this.len++] = v;
        return this;
      }
      if (value >= 0 && Number.isSafeInteger(value)) {
        this.reserve(10);
        let v = value;
        while (v > 0x7f) {
          this.buf[this.len++] = (v % 128) | 0x80;
          v = Math.floor(v / 128);
        }
        this.buf[this.len++] = v;
        return this;
      }
      if (!Number.isSafeInteger(value)) {
        throw new ValueError(`ProtobufWriter: ${value} is not a safe integer; pass a bigint for int64 values this large.`);
      }
      value = BigInt(value);
    }
    if (value < -(1n << 63n) || value >= 1n << 64n) {
      throw new ValueError(`ProtobufWriter: ${value} does not fit in 64 bits.`);
    }
    let v = BigInt.asUintN(64, value);
    this.reserve(10);
    while (v > 0x7fn) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
    return this;
  }

  /** The key of a field: `(field << 3) | wireType`. */
  key(field: number, wireType: number): this {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) {
      throw new ValueError(`ProtobufWriter: field numbers are integers in [1, 2^29 - 1], got ${field}.`);
    }
    return this.rawVarint(field * 8 + wireType);
  }

  /** An int32/int64/uint32/uint64/enum/bool field (varint). */
  varint(field: number, value: number | bigint | boolean): this {
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    return this.key(field, WireType.VARINT).rawVarint(v);
  }

  /** A `double` field (fixed64, little-endian IEEE 754). */
  double(field: number, value: number): this {
    this.key(field, WireType.FIXED64);
    this.reserve(8);
    this.view.setFloat64(this.len, value, true);
    this.len += 8;
    return this;
  }

  /** A `float` field (fixed32, little-endian; the value is rounded to float32). */
  float(field: number, value: number): this {
    this.key(field, WireType.FIXED32);
    this.reserve(4);
    this.view.setFloat32(this.len, value, true);
    this.len += 4;
    return this;
  }

  /** A `fixed64`/`sfixed64` field. */
  fixed64(field: number, value: bigint): this {
    this.key(field, WireType.FIXED64);
    this.reserve(8);
    this.view.setBigUint64(this.len, BigInt.asUintN(64, value), true);
    this.len += 8;
    return this;
  }

  /** A `bytes` field (length-delimited). */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WireType.LENGTH_DELIMITED).rawVarint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  /** A `string` field (UTF-8, length-delimited). */
  string(field: number, value: string): this {
    return this.bytes(field, TEXT.encode(value));
  }

  /** An embedded message field; `message` is an encoded message or a writer holding one. */
  message(field: number, message: ProtobufWriter | Uint8Array): this {
    return this.bytes(field, message instanceof ProtobufWriter ? message.finish() : message);
  }

  /** A packed `repeated double` field (omitted when empty, as protobuf does). */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    this.key(field, WireType.LENGTH_DELIMITED).rawVarint(values.length * 8);
    this.reserve(values.length * 8);
    for (let i = 0; i < values.length; i++) {
      this.view.setFloat64(this.len, values[i]!, true);
      this.len += 8;
    }
    return this;
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
