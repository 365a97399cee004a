/**
 * The string hashes of Keras' preprocessing layers, bit-exact to TensorFlow's kernels:
 * `fingerprint64` (FarmHash Fingerprint64, behind `tf.strings.to_hash_bucket_fast`),
 * `sipHash24` (behind `to_hash_bucket_strong`, the salted Hashing layer) and `fingerprintCat64`
 * (how `tf.sparse.cross_hashed` combines feature hashes in HashedCrossing).
 *
 * Written with BigInt so it runs unchanged in Node and browsers. The engine's own
 * `util.fingerPrint64` is not used: it differs from FarmHash for lengths that are multiples of
 * 64 above 64.
 */

const MASK = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;
const KMUL = 0xc6a4a7935bd1e995n;

const u64 = (x: bigint): bigint => x & MASK;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const add = (...xs: bigint[]): bigint => xs.reduce((s, x) => s + x, 0n) & MASK;
const rotr = (v: bigint, s: bigint): bigint => (s === 0n ? v : ((v >> s) | (v << (64n - s))) & MASK);
const rotl = (v: bigint, s: bigint): bigint => ((v << s) | (v >> (64n - s))) & MASK;
const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

function fetch64(b: Uint8Array, i: number): bigint {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k]!);
  return v;
}

function fetch32(b: Uint8Array, i: number): bigint {
  return BigInt((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0);
}

function hashLen16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function hashLen0to16(s: Uint8Array): bigint {
  const len = s.length;
  if (len >= 8) {
    const m = add(K2, BigInt(len * 2));
    const a = add(fetch64(s, 0), K2);
    const b = fetch64(s, len - 8);
    const c = add(mul(rotr(b, 37n), m), a);
    const d = mul(add(rotr(a, 25n), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = add(K2, BigInt(len * 2));
    const a = fetch32(s, 0);
    return hashLen16(add(BigInt(len), a << 3n), fetch32(s, len - 4), m);
  }
  if (len > 0) {
    const y = BigInt(s[0]! + (s[len >> 1]! << 8));
    const z = BigInt(len + (s[len - 1]! << 2));
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function hashLen17to32(s: Uint8Array): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len * 2));
  const a = mul(fetch64(s, 0), K1);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  return hashLen16(add(rotr(add(a, b), 43n), rotr(c, 30n), d), add(a, rotr(add(b, K2), 18n), c), m);
}

function hashLen33to64(s: Uint8Array): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len * 2));
  const a = mul(fetch64(s, 0), K2);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  const y = add(rotr(add(a, b), 43n), rotr(c, 30n), d);
  const z = hashLen16(y, add(a, rotr(add(b, K2), 18n), c), m);
  const e = mul(fetch64(s, 16), m);
  const f = fetch64(s, 24);
  const g = mul(add(y, fetch64(s, len - 32)), m);
  const h = mul(add(z, fetch64(s, len - 24)), m);
  return hashLen16(add(rotr(add(e, f), 43n), rotr(g, 30n), h), add(e, rotr(add(f, a), 18n), g), m);
}

/** Two 64-bit values from 32 bytes at `i` and two seeds (FarmHash's WeakHashLen32WithSeeds). */
function weakHash32(s: Uint8Array, i: number, seedA: bigint, seedB: bigint): [bigint, bigint] {
  const w = fetch64(s, i);
  const x = fetch64(s, i + 8);
  const y = fetch64(s, i + 16);
  const z = fetch64(s, i + 24);
  let a = add(seedA, w);
  let b = rotr(add(seedB, a, z), 21n);
  const c = a;
  a = add(a, x, y);
  b = add(b, rotr(a, 44n));
  return [add(a, z), add(b, c)];
}

/** FarmHash Fingerprint64 of `bytes` as an unsigned 64-bit BigInt (TensorFlow's `Fingerprint64`). */
export function fingerprint64(bytes: Uint8Array): bigint {
  const len = bytes.length;
  if (len <= 16) return hashLen0to16(bytes);
  if (len <= 32) return hashLen17to32(bytes);
  if (len <= 64) return hashLen33to64(bytes);

  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), fetch64(bytes, 0));
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = end + ((len - 1) & 63) - 63;
  let p = 0;
  do {
    x = mul(rotr(add(x, y, v[0], fetch64(bytes, p + 8)), 37n), K1);
    y = mul(rotr(add(y, v[1], fetch64(bytes, p + 48)), 42n), K1);
    x ^= w[1];
    y = add(y, v[0], fetch64(bytes, p + 40));
    z = mul(rotr(add(z, w[0]), 33n), K1);
    v = weakHash32(bytes, p, mul(v[1], K1), add(x, w[0]));
    w = weakHash32(bytes, p + 32, add(z, w[1]), add(y, fetch64(bytes, p + 16)));
    [z, x] = [x, z];
    p += 64;
  } while (p !== end);
  const m = add(K1, (z & 0xffn) << 1n);
  p = last64;
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rotr(add(x, y, v[0], fetch64(bytes, p + 8)), 37n), m);
  y = mul(rotr(add(y, v[1], fetch64(bytes, p + 48)), 42n), m);
  x ^= mul(w[1], 9n);
  y = add(y, mul(v[0], 9n), fetch64(bytes, p + 40));
  z = mul(rotr(add(z, w[0]), 33n), m);
  v = weakHash32(bytes, p, mul(v[1], m), add(x, w[0]));
  w = weakHash32(bytes, p + 32, add(z, w[1]), add(y, fetch64(bytes, p + 16)));
  [z, x] = [x, z];
  return hashLen16(add(hashLen16(v[0], w[0], m), mul(shiftMix(y), K0), z), add(hashLen16(v[1], w[1], m), x), m);
}

/** SipHash-2-4 of `bytes` under the 128-bit key `(k0, k1)` (TensorFlow's `StrongKeyedHash`). */
export function sipHash24(bytes: Uint8Array, k0: bigint, k1: bigint): bigint {
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const round = (): void => {
    v0 = add(v0, v1);
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = add(v2, v3);
    v3 = rotl(v3, 16n) ^ v2;
    v0 = add(v0, v3);
    v3 = rotl(v3, 21n) ^ v0;
    v2 = add(v2, v1);
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const compress = (m: bigint): void => {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  };
  const len = bytes.length;
  const full = len - (len % 8);
  for (let i = 0; i < full; i += 8) compress(fetch64(bytes, i));
  // The last block: the remaining bytes, then the length's low byte in the top byte.
  let last = BigInt(len & 0xff) << 56n;
  for (let i = full; i < len; i++) last |= BigInt(bytes[i]!) << BigInt(8 * (i - full));
  compress(last);
  v2 ^= 0xffn;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/** Combines two fingerprints, order-dependently (TensorFlow's `FingerprintCat64`). */
export function fingerprintCat64(fp1: bigint, fp2: bigint): bigint {
  let r = fp1 ^ KMUL;
  r ^= mul(shiftMix(mul(fp2, KMUL)), KMUL);
  r = mul(r, KMUL);
  r = mul(shiftMix(r), KMUL);
  return shiftMix(r);
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of a token: strings as they are, numbers in decimal (`tf.strings.as_string`). */
export function tokenBytes(v: string | number): Uint8Array {
  return encoder.encode(tokenString(v));
}

/** The canonical string of a token (ints as decimal, as `tf.strings.as_string`). */
export function tokenString(v: string | number): string {
  return typeof v === 'string' ? v : String(v);
}

/** `tf.strings.to_hash_bucket_fast`: `Fingerprint64(token) mod numBuckets`. */
export function hashBucketFast(v: string | number, numBuckets: number): number {
  return Number(fingerprint64(tokenBytes(v)) % BigInt(numBuckets));
}

/** `tf.strings.to_hash_bucket_strong`: `SipHash(key, token) mod numBuckets`. */
export function hashBucketStrong(v: string | number, numBuckets: number, key: readonly [number, number]): number {
  return Number(sipHash24(tokenBytes(v), u64(BigInt(key[0])), u64(BigInt(key[1]))) % BigInt(numBuckets));
}
