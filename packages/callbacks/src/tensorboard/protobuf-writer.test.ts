import { ValueError } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { ProtobufWriter, WireType } from './protobuf-writer';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('ProtobufWriter', () => {
  it('encodes varints as in the protobuf encoding guide', () => {
    expect(hex(new ProtobufWriter().varint(1, 150).finish())).toBe('08 96 01');
    expect(hex(new ProtobufWriter().varint(1, 1).finish())).toBe('08 01');
    expect(hex(new ProtobufWriter().varint(1, 0).finish())).toBe('08 00');
    expect(hex(new ProtobufWriter().rawVarint(300).finish())).toBe('ac 02');
    expect(hex(new ProtobufWriter().rawVarint(127).finish())).toBe('7f');
    expect(hex(new ProtobufWriter().rawVarint(128).finish())).toBe('80 01');
    expect(hex(new ProtobufWriter().varint(2, true).finish())).toBe('10 01');
  });

  it('encodes values past 2^31 and negative int64 as 64-bit two\'s complement', () => {
    // Bit 35 is bit 0 of the sixth 7-bit group.
    expect(hex(new ProtobufWriter().rawVarint(2 ** 35).finish())).toBe('80 80 80 80 80 01');
    expect(hex(new ProtobufWriter().rawVarint(0xffffffff).finish())).toBe('ff ff ff ff 0f');
    expect(hex(new ProtobufWriter().rawVarint(-1).finish())).toBe('ff ff ff ff ff ff ff ff ff 01');
    expect(hex(new ProtobufWriter().rawVarint(-2n).finish())).toBe('fe ff ff ff ff ff ff ff ff 01');
    expect(hex(new ProtobufWriter().rawVarint(1n << 63n).finish())).toBe('80 80 80 80 80 80 80 80 80 01');
    expect(hex(new ProtobufWriter().rawVarint(Number.MAX_SAFE_INTEGER).finish())).toBe('ff ff ff ff ff ff ff 0f');
  });

  it('encodes strings, doubles, floats, fixed64 and nested messages', () => {
    expect(hex(new ProtobufWriter().string(2, 'testing').finish())).toBe('12 07 74 65 73 74 69 6e 67');
    expect(hex(new ProtobufWriter().double(1, 1).finish())).toBe('09 00 00 00 00 00 00 f0 3f');
    expect(hex(new ProtobufWriter().double(1, -2.5).finish())).toBe('09 00 00 00 00 00 00 04 c0');
    expect(hex(new ProtobufWriter().float(3, 1).finish())).toBe('1d 00 00 80 3f');
    expect(hex(new ProtobufWriter().fixed64(1, 258n).finish())).toBe('09 02 01 00 00 00 00 00 00');
    const inner = new ProtobufWriter().varint(1, 150);
    // The guide's embedded-message example: field 3 holding {1: 150}.
    expect(hex(new ProtobufWriter().message(3, inner).finish())).toBe('1a 03 08 96 01');
    expect(hex(new ProtobufWriter().message(3, new Uint8Array(0)).finish())).toBe('1a 00');
    expect(hex(new ProtobufWriter().bytes(4, Uint8Array.from([1, 2])).finish())).toBe('22 02 01 02');
  });

  it('encodes packed doubles and leaves out an empty packed field', () => {
    expect(hex(new ProtobufWriter().packedDoubles(7, [1, 2]).finish())).toBe(
      '3a 10 00 00 00 00 00 00 f0 3f 00 00 00 00 00 00 00 40',
    );
    expect(new ProtobufWriter().packedDoubles(7, []).length).toBe(0);
  });

  it('uses multi-byte keys for large field numbers and grows its buffer', () => {
    expect(hex(new ProtobufWriter().varint(16, 1).finish())).toBe('80 01 01');
    const w = new ProtobufWriter(16);
    const big = new Uint8Array(1000).fill(7);
    w.bytes(1, big).varint(2, 5);
    const out = w.finish();
    expect(out.length).toBe(1 + 2 + 1000 + 2);
    expect(hex(out.subarray(0, 3))).toBe('0a e8 07');
    expect(out[1002]).toBe(7);
    expect(hex(out.subarray(1003))).toBe('10 05');
    expect(WireType).toEqual({ VARINT: 0, FIXED64: 1, LENGTH_DELIMITED: 2, FIXED32: 5 });
  });

  it('rejects values it cannot encode', () => {
    expect(() => new ProtobufWriter().varint(1, 1.5)).toThrow(ValueError);
    expect(() => new ProtobufWriter().varint(1, 1.5)).toThrow(/integer, got 1.5/);
    expect(() => new ProtobufWriter().varint(0, 1)).toThrow(/field numbers .* got 0/);
    expect(() => new ProtobufWriter().rawVarint(2 ** 60)).toThrow(/not a safe integer/);
    expect(() => new ProtobufWriter().rawVarint(1n << 64n)).toThrow(/does not fit in 64 bits/);
  });
});
