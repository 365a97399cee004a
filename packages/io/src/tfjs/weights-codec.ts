import { FormatError } from '../errors';

/** tfjs' `WeightsManifestEntry.quantization`. */
export interface TfjsQuantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
  original_dtype?: string;
}

/** One entry of a `weightsManifest` group (tfjs `WeightsManifestEntry`). */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  group?: string;
  quantization?: TfjsQuantization;
}

/** A decoded weight: values as float32 or int32 (bool is stored as 0/1 int32 values). */
export interface DecodedWeight {
  spec: TfjsWeightSpec;
  values: Float32Array | Int32Array;
}

/** Bytes per element in the binary data for a stored dtype (tfjs `DTYPE_VALUE_SIZE_MAP`). */
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Bytes a manifest entry occupies in its group's buffer. */
export function byteLength(spec: TfjsWeightSpec, file: string): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES[stored];
  if (size == null) {
    throw new FormatError(file, `weight "${spec.name}" has dtype "${stored}", which is not supported (float32, int32, bool, and uint8/uint16/float16 quantization are).`);
  }
  return elementCount(spec.shape) * size;
}

// ------------------------------------------------------------------ float16

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits to a number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero or subnormal
  if (exp === 0x1f) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * A float32 value to binary16 bits, rounding to nearest with ties to even, as numpy's
 * `astype(np.float16)` (which tfjs-converter uses) does; overflow gives infinity.
 */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the full significand into 10 bits with rounding.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let out = mant >>> shift;
    if (rest > half || (rest === half && (out & 1) === 1)) out += 1;
    return sign | out;
  }
  let out = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (out & 1) === 1)) out += 1; // a carry into the exponent is correct (may give inf)
  return sign | out;
}

// ------------------------------------------------------------------ affine quantization

/** numpy's `np.round`: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * tfjs-converter's `quantize_weights` for uint8/uint16: scale = (max - min) / qmax, with the
 * range nudged so that 0 is exactly representable when it lies inside it; all-equal data
 * quantizes to zeros with scale 1.
 */
export function affineQuantize(values: Float32Array, dtype: 'uint8' | 'uint16'): { data: Uint8Array | Uint16Array; scale: number; min: number } {
  const qmax = dtype === 'uint8' ? 255 : 65535;
  const data = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (values.length === 0 || lo === hi) return { data, scale: 1, min: values.length === 0 ? 0 : lo };
  const scale = (hi - lo) / qmax;
  let min = lo;
  let max = hi;
  if (lo <= 0 && 0 <= hi) {
    const zeroPoint = roundHalfEven(-lo / scale);
    min = -zeroPoint * scale;
    max = qmax * scale + min;
  }
  for (let i = 0; i < values.length; i++) {
    const clipped = Math.min(Math.max(values[i]!, min), max);
    data[i] = roundHalfEven((clipped - min) / scale);
  }
  return { data, scale, min };
}

// ------------------------------------------------------------------ encode / decode

/** The bytes of one weight, quantized as asked (only float32 weights are quantized, as in tfjs-converter). */
export function encodeWeight(
  name: string,
  shape: number[],
  dtype: string,
  values: Float32Array | Int32Array | Uint8Array,
  quantization: 'float16' | 'uint8' | null | undefined,
): { spec: TfjsWeightSpec; bytes: Uint8Array } {
  const spec: TfjsWeightSpec = { name, shape: [...shape], dtype };
  if (quantization != null && dtype === 'float32') {
    const floats = values as Float32Array;
    if (quantization === 'float16') {
      const out = new Uint16Array(floats.length);
      for (let i = 0; i < floats.length; i++) out[i] = floatToHalf(floats[i]!);
      spec.quantization = { dtype: 'float16', original_dtype: 'float32' };
      return { spec, bytes: littleEndianBytes(out) };
    }
    const { data, scale, min } = affineQuantize(floats, quantization);
    spec.quantization = { dtype: quantization, min, scale, original_dtype: 'float32' };
    return { spec, bytes: littleEndianBytes(data) };
  }
  if (dtype === 'bool') return { spec, bytes: Uint8Array.from(values, (v) => (v ? 1 : 0)) };
  if (dtype === 'float32') return { spec, bytes: littleEndianBytes(Float32Array.from(values)) };
  if (dtype === 'int32') return { spec, bytes: littleEndianBytes(Int32Array.from(values)) };
  throw new FormatError(undefined, `weight "${name}" has dtype "${dtype}", which the TF.js format cannot store (float32, int32 and bool can).`);
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(a: Float32Array | Int32Array | Uint16Array | Uint8Array): Uint8Array {
  if (a instanceof Uint8Array) return a;
  if (littleEndianHost) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  a.forEach((v, i) => {
    if (a instanceof Float32Array) view.setFloat32(i * 4, v, true);
    else if (a instanceof Int32Array) view.setInt32(i * 4, v, true);
    else view.setUint16(i * 2, v, true);
  });
  return out;
}

/**
 * Decodes one entry from `bytes` (exactly its `byteLength`): dequantizes uint8/uint16
 * (`q * scale + min`, rounded for int32 originals as tfjs does) and float16 (IEEE half).
 */
export function decodeWeight(spec: TfjsWeightSpec, bytes: Uint8Array, file: string): Float32Array | Int32Array {
  const n = elementCount(spec.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = spec.quantization;
  const intOut = spec.dtype === 'int32' || spec.dtype === 'bool';
  const out = intOut ? new Int32Array(n) : new Float32Array(n);
  if (q != null) {
    if (q.dtype === 'float16') {
      if (spec.dtype !== 'float32') throw new FormatError(file, `weight "${spec.name}": float16 quantization is only defined for float32 weights, got dtype "${spec.dtype}".`);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    if (q.dtype !== 'uint8' && q.dtype !== 'uint16') {
      throw new FormatError(file, `weight "${spec.name}" has unknown quantization dtype "${String(q.dtype)}" (uint8, uint16 or float16 expected).`);
    }
    if (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min)) {
      throw new FormatError(file, `weight "${spec.name}": ${q.dtype} quantization needs numeric "scale" and "min", got ${JSON.stringify(q)}.`);
    }
    for (let i = 0; i < n; i++) {
      const v = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
      const x = v * q.scale + q.min;
      out[i] = intOut ? Math.round(x) : x;
    }
    return out;
  }
  if (spec.dtype === 'float32') for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  else if (spec.dtype === 'int32') for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
  else if (spec.dtype === 'bool') for (let i = 0; i < n; i++) out[i] = view.getUint8(i) ? 1 : 0;
  else throw new FormatError(file, `weight "${spec.name}" has dtype "${spec.dtype}", which is not supported (float32, int32 and bool are).`);
  return out;
}

/** Cuts a buffer into shards of at most `size` bytes (tfjs-converter's sharding; no shards for no bytes). */
export function shard(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.slice(at, at + size));
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
