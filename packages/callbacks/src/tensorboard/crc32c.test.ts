import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc32c, maskedCrc32c } from './crc32c';
import { referenceCrc32c, referenceMask } from './testing';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the standard check value', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  });

  it('matches the RFC 3720 (iSCSI) test vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('is 0 for no bytes and differs from the IEEE CRC-32', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // IEEE CRC-32 of "123456789" is 0xCBF43926: a writer using it would be rejected.
    expect(crc32c(ascii('123456789'))).not.toBe(0xcbf43926);
  });

  it('agrees with a bit-by-bit implementation on arbitrary data', () => {
    let seed = 12345;
    for (const n of [1, 7, 8, 63, 64, 1000]) {
      const data = Uint8Array.from({ length: n }, () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed >>> 24;
      });
      expect(crc32c(data)).toBe(referenceCrc32c(data));
    }
  });
});

describe('maskCrc32c', () => {
  it('matches the header of a real TensorFlow event file', () => {
    // First record of a file written by TF 2.21: length 62 (0x3e), stored masked CRC d9 d2 40 e7.
    const header = Uint8Array.from([0x3e, 0, 0, 0, 0, 0, 0, 0]);
    expect(maskedCrc32c(header)).toBe(0xe740d2d9);
  });

  it('rotates right by 15 and adds 0xA282EAD8 modulo 2^32', () => {
    for (const c of [0, 1, 0x7fff, 0x8000, 0xe3069283, 0xffffffff, 0x12345678]) {
      expect(maskCrc32c(c)).toBe(referenceMask(c));
    }
    expect(maskCrc32c(0)).toBe(0xa282ead8);
    // 1 rotated right by 15 is 1 << 17.
    expect(maskCrc32c(1)).toBe((0x20000 + 0xa282ead8) >>> 0);
    // Wraps past 2^32: 0xFFFFFFFF rotates to itself.
    expect(maskCrc32c(0xffffffff)).toBe(0xa282ead7);
    expect(maskedCrc32c(ascii('123456789'))).toBe(referenceMask(0xe3069283));
  });
});
