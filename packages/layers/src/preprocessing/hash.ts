/**
 * 32-bit FNV-1a over the UTF-8 bytes of `text`, starting from `seed` mixed into the offset basis.
 * Keras uses farmhash Fingerprint64 (or keyed SipHash with a salt); Strata uses this documented,
 * dependency-free hash instead, so bucket assignments differ from Keras' (the distribution does not).
 */
export function fnv1a(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The canonical string of a token (ints as decimal, as tf.strings.as_string). */
export function tokenString(v: string | number): string {
  return typeof v === 'string' ? v : String(v);
}
