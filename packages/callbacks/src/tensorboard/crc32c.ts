// CRC-32C (Castagnoli), the checksum TFRecord framing uses. Not the IEEE CRC-32 of zlib/PNG: the
// polynomial differs, and TensorBoard rejects records checked with the wrong one.

/** The reflected Castagnoli polynomial. */
const POLY = 0x82f63b78;

/** TFRecord's mask constant, added after rotating the checksum. */
const MASK_DELTA = 0xa282ead8;

let table: Uint32Array | null = null;

/** The 256-entry table: the CRC of each byte value, built once on first use. */
function crcTable(): Uint32Array {
  if (table != null) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32C of `bytes` (init and final xor 0xFFFFFFFF), as an unsigned 32-bit number.
 * `crc32c(utf8("123456789")) === 0xe3069283`.
 */
export function crc32c(bytes: Uint8Array): number {
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * TFRecord's masked CRC: rotate right by 15 bits, then add 0xA282EAD8 (mod 2^32). Checksums of
 * data that itself holds checksums are otherwise weak; the mask breaks that.
 */
export function maskCrc32c(crc: number): number {
  const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
  return (rotated + MASK_DELTA) >>> 0;
}

/** `maskCrc32c(crc32c(bytes))`. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc32c(crc32c(bytes));
}
