import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IoError } from '../errors';
import { HttpStore } from './http';

/** A pseudo-random but reproducible payload, so byte mix-ups cannot pass. */
function payload(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const files: Record<string, Uint8Array> = {
  '/models/m1/model.json': new TextEncoder().encode('{"modelTopology":{}}'),
  '/models/m1/group1-shard1of2.bin': payload(200_000, 1),
  '/models/m1/group1-shard2of2.bin': payload(1000, 2),
  '/models/shared/weights.bin': payload(50, 3),
};
const uploads: { method: string; contentType: string; body: Buffer }[] = [];

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        uploads.push({ method: req.method!, contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) });
        res.writeHead(url.pathname.includes('refuse') ? 500 : 200).end('ok');
      });
      return;
    }
    const data = files[url.pathname];
    if (data == null) {
      res.writeHead(404, 'Not Found').end('missing');
      return;
    }
    if (url.searchParams.has('chunked')) {
      // No content-length: progress is unknown until the end.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) });
    }
    // Several writes so the client sees several chunks.
    const step = 16384;
    for (let i = 0; i < data.length; i += step) res.write(data.subarray(i, i + step));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('HttpStore', () => {
  it('fetches the main file and shards resolved against the model.json URL, with progress from content-length', async () => {
    const store = new HttpStore(`${base}/models/m1/model.json`);
    const json = await store.read(`${base}/models/m1/model.json`);
    expect(new TextDecoder().decode(json)).toBe('{"modelTopology":{}}');
    const seen: number[] = [];
    const shard = await store.read('group1-shard1of2.bin', (f) => seen.push(f));
    expect(shard.length).toBe(200_000);
    expect(Buffer.from(shard).equals(Buffer.from(files['/models/m1/group1-shard1of2.bin']!))).toBe(true);
    // Intermediate fractions strictly increase, stay inside (0, 1), and the last call is 1.
    expect(seen.length).toBeGreaterThan(2);
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    expect(seen.slice(0, -1).every((f) => f > 0 && f < 1)).toBe(true);
    // "./" and "../" paths resolve like URLs.
    expect([...(await store.read('./group1-shard2of2.bin'))]).toEqual([...files['/models/m1/group1-shard2of2.bin']!]);
    expect([...(await store.read('../shared/weights.bin'))]).toEqual([...files['/models/shared/weights.bin']!]);
  });

  it('without content-length, progress only reports 1 at the end', async () => {
    const seen: number[] = [];
    const store = new HttpStore(`${base}/models/m1/group1-shard1of2.bin?chunked`);
    const data = await store.read(`${base}/models/m1/group1-shard1of2.bin?chunked`, (f) => seen.push(f));
    expect(data.length).toBe(200_000);
    expect(seen).toEqual([1]);
  });

  it('a 404 is an IoError naming the URL and the status', async () => {
    const store = new HttpStore(`${base}/models/m1/model.json`);
    const err = await store.read('group9-shard1of1.bin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).file).toBe(`${base}/models/m1/group9-shard1of1.bin`);
    expect((err as Error).message).toMatch(/group9-shard1of1\.bin: HTTP 404 Not Found/);
  });

  it('a refused connection is an IoError naming the URL', async () => {
    const store = new HttpStore('http://127.0.0.1:1/model.json');
    await expect(store.read('model.json')).rejects.toThrow(/127\.0\.0\.1:1\/model\.json: request failed/);
  });

  it('uploads all files in one multipart POST, as tfjs io.http does', async () => {
    uploads.length = 0;
    const store = new HttpStore(`${base}/upload`);
    await store.write([
      { path: 'model.json', data: new TextEncoder().encode('{"a":1}') },
      { path: 'group1-shard1of1.bin', data: new Uint8Array([1, 2, 3]) },
    ]);
    expect(uploads.length).toBe(1);
    expect(uploads[0]!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(new Uint8Array(uploads[0]!.body), { headers: { 'content-type': uploads[0]!.contentType } }).formData();
    const json = form.get('model.json') as File;
    const bin = form.get('group1-shard1of1.bin') as File;
    expect(await json.text()).toBe('{"a":1}');
    expect([...new Uint8Array(await bin.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('a failed upload names the URL and status', async () => {
    await expect(new HttpStore(`${base}/refuse`).write([{ path: 'm.keras', data: new Uint8Array(1) }])).rejects.toThrow(
      /\/refuse: upload failed: HTTP 500/,
    );
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const store = new HttpStore('https://example.test/a/model.json', {
      fetch: async (url) => {
        calls.push(url);
        return new Response(new Uint8Array([9, 8]), { status: 200 });
      },
    });
    expect([...(await store.read('w.bin'))]).toEqual([9, 8]);
    expect(calls).toEqual(['https://example.test/a/w.bin']);
  });
});
