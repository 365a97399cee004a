import { describe, expect, it } from 'vitest';
import { fingerprint64, fingerprintCat64, hashBucketFast, hashBucketStrong, sipHash24 } from './hash';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('fingerprint64 (FarmHash Fingerprint64)', () => {
  // Published Fingerprint64 values, one or more per length class (0-16, 17-32, 33-64, 65+ bytes).
  const vectors: [string, bigint][] = [
    ['', 0x9ae16a3b2f90404fn],
    ['a', 0xb3454265b6df75e3n],
    ['abc', 0x24a5b3a074e7f369n],
    ['abcd', 0x1a5502de4a1f8101n],
    ['abcdefgh', 0xfee9d22990c82909n],
    ['0123456789', 0xad052244b781c4ebn],
    ["0123456789'01234", 0x4283d4ef43627f64n],
    ['0123456789=012345', 0x46a7416ed4861e3bn],
    ['0123456789$0123456789!0', 0xd78d5f852d522e6an],
    ['C is as portable as Stonehedge!!', 0xb944f8a16261e414n],
    ['Discard medicine more than two years old.', 0xe8f89ab6df9bdd25n],
    ['Free! Free!/A trip/to Mars/for 900/empty jars/Burma Shave', 0x5d14f96c18fe3d5en],
    ["It's well we cannot hear the screams/That we create in others' dreams.", 0x1d85702503ac7eb4n],
    [
      'The fugacity of a constituent in a mixture of gases at a given temperature is proportional to its mole fraction.  Lewis-Randall Rule',
      0x098eff6958c5e91an,
    ],
    [
      'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.',
      0xc3f02c4ffd5d71e6n,
    ],
  ];
  it.each(vectors)('%j', (text, expected) => {
    expect(fingerprint64(utf8(text))).toBe(expected);
  });

  it("gives TensorFlow's to_hash_bucket_fast buckets", () => {
    // tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3) in TensorFlow's docs.
    expect(['Hello', 'TensorFlow', '2.x'].map((s) => hashBucketFast(s, 3))).toEqual([0, 2, 2]);
  });
});

describe('sipHash24', () => {
  const key0 = 0x0706050403020100n;
  const key1 = 0x0f0e0d0c0b0a0908n;
  const message = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
  it('matches the SipHash reference vectors (key 00..0f, message 00..n-1)', () => {
    expect(sipHash24(message(0), key0, key1)).toBe(0x726fdb47dd0e0e31n);
    expect(sipHash24(message(1), key0, key1)).toBe(0x74f839c593dc67fdn);
    // The paper's worked example: a 15-byte message.
    expect(sipHash24(message(15), key0, key1)).toBe(0xa129ca6149be45e5n);
  });

  it("gives TensorFlow's to_hash_bucket_strong buckets", () => {
    // tf.strings.to_hash_bucket_strong(["Hello", "TF"], 3, [1, 2]) in TensorFlow's docs.
    expect(['Hello', 'TF'].map((s) => hashBucketStrong(s, 3, [1, 2]))).toEqual([2, 0]);
  });
});

describe('fingerprintCat64', () => {
  it('is order-dependent and stays within 64 bits', () => {
    const a = fingerprint64(utf8('a'));
    const b = fingerprint64(utf8('b'));
    expect(fingerprintCat64(a, b)).not.toBe(fingerprintCat64(b, a));
    for (const v of [fingerprintCat64(a, b), fingerprintCat64(0n, (1n << 64n) - 1n)]) {
      expect(v >= 0n && v < 1n << 64n).toBe(true);
    }
  });
});
