// keras.utils.get_file in the browser: IndexedDB is the cache, and files are checked with md5
// (spark-md5, as WebCrypto has none) or sha256 (WebCrypto) before they are used or cached.
import { IoError } from '@strata/io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFile } from './weights';

const FOX = 'The quick brown fox jumps over the lazy dog';
// Published digests of FOX (md5: RFC 1321's algorithm; sha256: FIPS 180-4's).
const FOX_MD5 = '9e107d9d372bb6826bd81d3542a419d6';
const FOX_SHA256 = 'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592';

describe('getFile in the browser', () => {
  const realFetch = globalThis.fetch;
  const fetched: string[] = [];
  let url = '';
  beforeAll(() => {
    url = URL.createObjectURL(new Blob([new TextEncoder().encode(FOX)]));
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      fetched.push(String(input));
      return realFetch(input, init);
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
    URL.revokeObjectURL(url);
  });

  it('downloads once, checks the md5, then serves the file from IndexedDB', async () => {
    const name = `fox-${Date.now()}.bin`;
    const first = await getFile(name, url, { fileHash: FOX_MD5, progress: false });
    expect(new TextDecoder().decode(first.bytes)).toBe(FOX);
    // One IndexedDB record per file: indexeddb://<record>/<member>.
    expect(first.path).toBe(`indexeddb://keras-applications/models/${name}/${name}`);
    expect(fetched.filter((u) => u === url)).toHaveLength(1);
    const second = await getFile(name, url, { fileHash: FOX_MD5, progress: false });
    expect(new TextDecoder().decode(second.bytes)).toBe(FOX);
    expect(fetched.filter((u) => u === url)).toHaveLength(1); // from the cache
  });

  it('checks sha256 hashes with WebCrypto', async () => {
    const got = await getFile(`fox-sha-${Date.now()}.bin`, url, { fileHash: FOX_SHA256, progress: false });
    expect(got.bytes.length).toBe(FOX.length);
  });

  it('refuses a download whose hash differs, naming the file, the URL and both hashes', async () => {
    const wrong = '0'.repeat(32);
    const name = `fox-bad-${Date.now()}.bin`;
    const err = await getFile(name, url, { fileHash: wrong, progress: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    const message = (err as Error).message;
    for (const part of [name, url, wrong, FOX_MD5]) expect(message).toContain(part);
    // Nothing was cached: the next call downloads again.
    const before = fetched.length;
    await getFile(name, url, { fileHash: FOX_MD5, progress: false });
    expect(fetched.length).toBe(before + 1);
  });
});
