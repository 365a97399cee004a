import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors';
import { affineQuantize, byteLength, decodeWeight, encodeWeight, floatToHalf, halfToFloat, shard } from './weights-codec';

describe('float16 (IEEE 754 binary16)', () => {
  // Bit patterns from the IEEE 754 binary16 definition: sign | 5-bit exponent (bias 15) | 10-bit fraction.
  const known: [number, number][] = [
    [0, 0x0000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -14 - 2 ** -24, 0x03ff], // largest subnormal
    [Number.POSITIVE_INFINITY, 0x7c00],
    [Number.NEGATIVE_INFINITY, 0xfc00],
  ];

  it('encodes and decodes exactly representable values', () => {
    for (const [x, h] of known) {
      expect(floatToHalf(x)).toBe(h);
      expect(halfToFloat(h)).toBe(x);
    }
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
  });

  it('rounds to nearest, ties to even (as numpy astype(float16))', () => {
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie between 0x3c00 (even) and 0x3c01
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie between 0x3c01 and 0x3c02 (even)
    expect(floatToHalf(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(floatToHalf(2 ** -25)).toBe(0x0000); // tie between 0 (even) and the smallest subnormal
    expect(floatToHalf(1.5 * 2 ** -25)).toBe(0x0001);
    expect(floatToHalf(65520)).toBe(0x7c00); // halfway to 2^16 rounds up to infinity
    expect(floatToHalf(65519)).toBe(0x7bff);
    expect(floatToHalf(1e-10)).toBe(0);
  });

  it('NaN stays NaN; every finite half survives half -> float -> half', () => {
    expect(Number.isNaN(halfToFloat(floatToHalf(Number.NaN)))).toBe(true);
    for (let h = 0; h < 0x10000; h++) {
      const x = halfToFloat(h);
      if (Number.isNaN(x)) continue;
      expect(floatToHalf(x)).toBe(h);
    }
  });
});

describe('affine uint8/uint16 quantization (tfjs-converter quantize_weights)', () => {
  it("matches tfjs-converter's documented example [0, -0.1, 1.2] -> [20, 0, 255]", () => {
    const { data, scale, min } = affineQuantize(new Float32Array([0, -0.1, 1.2]), 'uint8');
    expect(Array.from(data)).toEqual([20, 0, 255]);
    // Documented: scale 0.00509803940852, min -0.10196078817 (min nudged to -20 * scale).
    expect(scale).toBeCloseTo(0.00509803940852, 10);
    expect(min).toBeCloseTo(-0.10196078817, 10);
    expect(min).toBe(-20 * scale);
  });

  it('does not nudge a range without 0; all-equal data is zeros with scale 1', () => {
    const { data, scale, min } = affineQuantize(new Float32Array([1, 2, 3]), 'uint8');
    expect(scale).toBeCloseTo(2 / 255, 15);
    expect(min).toBe(1);
    expect(Array.from(data)).toEqual([0, 128, 255]); // (2 - 1) / (2 / 255) = 127.5 -> 128 (even)
    const flat = affineQuantize(new Float32Array([-3, -3]), 'uint16');
    expect(Array.from(flat.data)).toEqual([0, 0]);
    expect([flat.scale, flat.min]).toEqual([1, -3]);
  });

  it('uint16 uses 65535 steps and round-trips within scale / 2', () => {
    const xs = new Float32Array([-1.5, -0.25, 0, 0.3, 2]);
    const { data, scale, min } = affineQuantize(xs, 'uint16');
    expect(scale).toBeCloseTo(3.5 / 65535, 15);
    xs.forEach((x, i) => {
      expect(Math.abs(data[i]! * scale + min - x)).toBeLessThanOrEqual(scale / 2 + 1e-12);
    });
    expect(data[2]! * scale + min).toBeCloseTo(0, 12); // 0 exactly representable
  });
});

describe('weight entry encoding', () => {
  it('float32/int32/bool bytes are little-endian and sized 4/4/1', () => {
    const f = encodeWeight('a/kernel', [2], 'float32', new Float32Array([1, -2]), null);
    expect(Array.from(f.bytes)).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
    const i = encodeWeight('a/count', [1], 'int32', new Int32Array([258]), 'uint8');
    expect(Array.from(i.bytes)).toEqual([2, 1, 0, 0]); // int weights are never quantized
    expect(i.spec.quantization).toBeUndefined();
    const b = encodeWeight('a/flag', [3], 'bool', new Uint8Array([1, 0, 1]), null);
    expect(Array.from(b.bytes)).toEqual([1, 0, 1]);
    expect(byteLength(b.spec, 'm')).toBe(3);
    expect(Array.from(decodeWeight(f.spec, f.bytes, 'm'))).toEqual([1, -2]);
    expect(Array.from(decodeWeight(i.spec, i.bytes, 'm'))).toEqual([258]);
    expect(Array.from(decodeWeight(b.spec, b.bytes, 'm'))).toEqual([1, 0, 1]);
  });

  it('dequantizes uint8 int32 originals with rounding, as tfjs does', () => {
    const spec = { name: 'x', shape: [2], dtype: 'int32', quantization: { dtype: 'uint8' as const, scale: 0.4, min: 1 } };
    expect(Array.from(decodeWeight(spec, new Uint8Array([3, 4]), 'm'))).toEqual([2, 3]); // 2.2 -> 2, 2.6 -> 3
  });

  it('unsupported dtypes are FormatErrors naming the file and weight', () => {
    expect(() => byteLength({ name: 'w', shape: [1], dtype: 'complex64' }, 'model.json')).toThrow(FormatError);
    expect(() => byteLength({ name: 'w', shape: [1], dtype: 'string' }, 'model.json')).toThrow(/model.json: weight "w" has dtype "string"/);
    const bad = { name: 'w', shape: [1], dtype: 'float32', quantization: { dtype: 'int4' as never } };
    expect(() => decodeWeight(bad, new Uint8Array(1), 'model.json')).toThrow(/unknown quantization dtype "int4"/);
    const half = { name: 'w', shape: [1], dtype: 'int32', quantization: { dtype: 'float16' as const } };
    expect(() => decodeWeight(half, new Uint8Array(2), 'model.json')).toThrow(/float16 quantization is only defined for float32/);
  });

  it('shards cut at the size, the last one shorter; no bytes, no shards', () => {
    const parts = shard(new Uint8Array(10).map((_, i) => i), 4);
    expect(parts.map((p) => Array.from(p))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(shard(new Uint8Array(0), 4)).toEqual([]);
  });
});
