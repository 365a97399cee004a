import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor, memory, tensor, tidy } from '@strata/core';
import { MemoryStore, writeKerasWeights, writeLegacyWeights } from '@strata/io';
import { Conv2D, Dense, Input, clearSession } from '@strata/layers';
import { Model } from '@strata/models';
import { describe, expect, it, vi } from 'vitest';
import { MobileNetV2 } from './mobilenet-v2';
import { ResNet50 } from './resnet';
import { VGG16 } from './vgg';
import { fillWeights, useTempCache } from './testing/architecture-checks';
import { getFile, getFileFromStore, hashBytes, md5Hex } from './weights';

// md5("hello"), from RFC 1321's algorithm (a widely published test vector).
const HELLO_MD5 = '5d41402abc4b2a76b9719d911017c592';
const HELLO = new TextEncoder().encode('hello');

const tmp = useTempCache('strata-apps-', () => {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

function offline(): ReturnType<typeof vi.fn> {
  const f = vi.fn(async () => {
    throw new TypeError('fetch failed');
  });
  vi.stubGlobal('fetch', f);
  return f;
}

function serve(bytes: Uint8Array): ReturnType<typeof vi.fn> {
  const f = vi.fn(async () => new Response(new Blob([bytes.slice()]), { status: 200, headers: { 'content-length': String(bytes.length) } }));
  vi.stubGlobal('fetch', f);
  return f;
}

function weightValues(model: Model): number[][] {
  return model.weights.map((v) => Array.from(v.value.dataSync()));
}

describe('getFile', () => {
  it('reads the Strata cache first, without fetching', async () => {
    const f = offline();
    mkdirSync(join(tmp.dir, 'strata', 'models'), { recursive: true });
    writeFileSync(join(tmp.dir, 'strata', 'models', 'a.bin'), HELLO);
    const got = await getFile('a.bin', 'https://example.invalid/a.bin', { fileHash: HELLO_MD5 });
    expect(new TextDecoder().decode(got.bytes)).toBe('hello');
    expect(got.path).toBe(join(tmp.dir, 'strata', 'models', 'a.bin'));
    expect(f).not.toHaveBeenCalled();
  });

  it('then the Keras cache ($KERAS_HOME/models, else ~/.keras/models)', async () => {
    offline();
    mkdirSync(join(tmp.dir, 'keras', 'models'), { recursive: true });
    writeFileSync(join(tmp.dir, 'keras', 'models', 'b.bin'), HELLO);
    expect((await getFile('b.bin', 'https://example.invalid/b.bin')).path).toBe(join(tmp.dir, 'keras', 'models', 'b.bin'));
    delete process.env.KERAS_HOME;
    process.env.HOME = join(tmp.dir, 'home');
    mkdirSync(join(tmp.dir, 'home', '.keras', 'models'), { recursive: true });
    writeFileSync(join(tmp.dir, 'home', '.keras', 'models', 'c.bin'), HELLO);
    expect((await getFile('c.bin', 'https://example.invalid/c.bin')).path).toBe(join(tmp.dir, 'home', '.keras', 'models', 'c.bin'));
  });

  it('downloads, checks the md5 and writes the file atomically into the Strata cache', async () => {
    const f = serve(HELLO);
    const got = await getFile('d.bin', 'https://example.invalid/d.bin', { fileHash: HELLO_MD5 });
    expect(f).toHaveBeenCalledWith('https://example.invalid/d.bin');
    const target = join(tmp.dir, 'strata', 'models', 'd.bin');
    expect(got.path).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('hello');
    expect(readdirSync(join(tmp.dir, 'strata', 'models'))).toEqual(['d.bin']); // no temp file left
    // A progress line was drawn on stderr.
    const written = (process.stderr.write as unknown as ReturnType<typeof vi.fn>).mock.calls.map((c) => String(c[0])).join('');
    expect(written).toContain('Downloading data from https://example.invalid/d.bin');
    expect(written).toContain('5/5 [');
  });

  it('a cached file with a wrong md5 is downloaded again', async () => {
    const f = serve(HELLO);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    mkdirSync(join(tmp.dir, 'strata', 'models'), { recursive: true });
    writeFileSync(join(tmp.dir, 'strata', 'models', 'e.bin'), 'hellx');
    const got = await getFile('e.bin', 'https://example.invalid/e.bin', { fileHash: HELLO_MD5 });
    expect(f).toHaveBeenCalledTimes(1);
    expect(new TextDecoder().decode(got.bytes)).toBe('hello');
    expect(readFileSync(join(tmp.dir, 'strata', 'models', 'e.bin'), 'utf8')).toBe('hello');
  });

  it('a download with the wrong md5 fails and is not cached', async () => {
    serve(new TextEncoder().encode('hellx'));
    await expect(getFile('g.bin', 'https://example.invalid/g.bin', { fileHash: HELLO_MD5 })).rejects.toThrow(
      /g\.bin.*https:\/\/example\.invalid\/g\.bin.*does not match the expected 5d41402abc4b2a76b9719d911017c592/,
    );
    expect(existsSync(join(tmp.dir, 'strata', 'models', 'g.bin'))).toBe(false);
  });

  it('offline: the error names the file, the URL and where to put it', async () => {
    offline();
    const err = await getFile('h.bin', 'https://example.invalid/h.bin').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain('h.bin');
    expect(msg).toContain('https://example.invalid/h.bin');
    expect(msg).toContain(join(tmp.dir, 'strata', 'models', 'h.bin'));
    expect(msg).toContain('~/.keras/models/');
  });

  it('browser path: a key-value store (IndexedDB there) caches the download', async () => {
    const store = new MemoryStore();
    const f = serve(HELLO);
    const first = await getFileFromStore(store, 'k.bin', 'https://example.invalid/k.bin', HELLO_MD5);
    expect(new TextDecoder().decode(first.bytes)).toBe('hello');
    expect(new TextDecoder().decode(store.files.get('k.bin')!)).toBe('hello');
    const second = await getFileFromStore(store, 'k.bin', 'https://example.invalid/k.bin', HELLO_MD5);
    expect(new TextDecoder().decode(second.bytes)).toBe('hello');
    expect(f).toHaveBeenCalledTimes(1);
    // A corrupted cached copy is fetched again; a bad download is refused and not stored.
    store.files.set('k.bin', new TextEncoder().encode('hellx'));
    await getFileFromStore(store, 'k.bin', 'https://example.invalid/k.bin', HELLO_MD5);
    expect(f).toHaveBeenCalledTimes(2);
    serve(new TextEncoder().encode('oops'));
    await expect(getFileFromStore(store, 'z.bin', 'https://example.invalid/z.bin', HELLO_MD5)).rejects.toThrow(/does not match/);
    expect(store.files.has('z.bin')).toBe(false);
  });

  it('HTTP errors are reported with the status', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('nope', { status: 404, statusText: 'Not Found' })));
    await expect(getFile('i.bin', 'https://example.invalid/i.bin')).rejects.toThrow(/i\.bin.*HTTP 404 Not Found/);
  });
});

describe('md5 / sha256 in Node and in the browser', () => {
  // RFC 1321, appendix A.5 test suite.
  const rfc1321: [string, string][] = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ];

  it('md5Hex (spark-md5, the browser path) gives the RFC 1321 test vectors', () => {
    for (const [text, md5] of rfc1321) expect(md5Hex(new TextEncoder().encode(text))).toBe(md5);
  });

  it('hashBytes agrees on both runtimes, for md5 and sha256, also on a view into a larger buffer', async () => {
    for (const [text, md5] of rfc1321) {
      const bytes = new TextEncoder().encode(text);
      expect(await hashBytes(bytes, md5, 'browser')).toBe(md5);
      expect(await hashBytes(bytes, md5, 'node')).toBe(md5);
    }
    // FIPS 180-2 example: sha256("abc"); a 64-digit hash selects sha256 as in Keras.
    const sha = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(await hashBytes(new TextEncoder().encode('abc'), sha, 'browser')).toBe(sha);
    expect(await hashBytes(new TextEncoder().encode('abc'), sha, 'node')).toBe(sha);
    // A view (offset, shorter) into a bigger buffer, several MD5 blocks long.
    const big = new Uint8Array(300_001).map((_, i) => (i * 31 + 7) & 255);
    const view = big.subarray(13, 200_013);
    const expected = createHash('md5').update(view).digest('hex');
    expect(md5Hex(view)).toBe(expected);
    expect(await hashBytes(view, 'x'.repeat(32), 'browser')).toBe(expected);
  });

  it('browser path: a cached file with a wrong md5 is fetched again; a wrong download names file, URL and both md5s', async () => {
    const store = new MemoryStore();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    store.files.set('w.bin', new TextEncoder().encode('hellx'));
    const f = serve(HELLO);
    const got = await getFileFromStore(store, 'w.bin', 'https://example.invalid/w.bin', HELLO_MD5, 'browser');
    expect(new TextDecoder().decode(got.bytes)).toBe('hello');
    expect(f).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/w\.bin.*md5.*5d41402abc4b2a76b9719d911017c592.*downloaded again/);
    expect(new TextDecoder().decode(store.files.get('w.bin')!)).toBe('hello');
    // The good cached copy is now used without fetching.
    await getFileFromStore(store, 'w.bin', 'https://example.invalid/w.bin', HELLO_MD5, 'browser');
    expect(f).toHaveBeenCalledTimes(1);

    const bad = new TextEncoder().encode('hellx');
    serve(bad);
    const actual = createHash('md5').update(bad).digest('hex');
    const err = await getFileFromStore(store, 'v.bin', 'https://example.invalid/v.bin', HELLO_MD5, 'browser').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    for (const part of ['v.bin', 'https://example.invalid/v.bin', HELLO_MD5, actual]) expect(msg).toContain(part);
    expect(store.files.has('v.bin')).toBe(false);
  });

  it('Node path: a download with the wrong md5 names file, URL and both md5s', async () => {
    const bad = new TextEncoder().encode('hellx');
    serve(bad);
    const actual = createHash('md5').update(bad).digest('hex');
    const msg = await getFile('u.bin', 'https://example.invalid/u.bin', { fileHash: HELLO_MD5 }).then(
      () => '',
      (e: Error) => e.message,
    );
    for (const part of ['u.bin', 'https://example.invalid/u.bin', `hash ${actual}`, `expected ${HELLO_MD5}`]) expect(msg).toContain(part);
  });
});

describe('loading weights into the applications', () => {
  const small = { alpha: 0.35, inputShape: [96, 96, 3] as [number, number, number], classes: 10 };

  async function referenceModel(): Promise<{ model: Model; values: number[][]; out: number[] }> {
    clearSession();
    const model = await MobileNetV2({ ...small, weights: null });
    fillWeights(model, 7);
    const x = tensor(Array.from({ length: 96 * 96 * 3 }, (_, i) => Math.cos(i / 7) * 0.8), [1, 96, 96, 3]);
    const out = tidy(() => Array.from((model.apply(x) as Tensor).dataSync()));
    x.dispose();
    return { model, values: weightValues(model), out };
  }

  it('weights: <path of a legacy .h5> (Keras Applications layout) loads every value exactly', async () => {
    const ref = await referenceModel();
    const file = join(tmp.dir, 'mnv2.h5');
    writeFileSync(file, await writeLegacyWeights(ref.model));
    ref.model.dispose();
    const before = memory().numTensors;
    const m = await MobileNetV2({ ...small, weights: file });
    expect(weightValues(m)).toEqual(ref.values);
    const x = tensor(Array.from({ length: 96 * 96 * 3 }, (_, i) => Math.cos(i / 7) * 0.8), [1, 96, 96, 3]);
    const out = tidy(() => Array.from((m.apply(x) as Tensor).dataSync()));
    expect(out).toEqual(ref.out);
    x.dispose();
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('weights: <path of a Keras 3 .weights.h5> loads every value exactly', async () => {
    const ref = await referenceModel();
    const file = join(tmp.dir, 'mnv2.weights.h5');
    writeFileSync(file, await writeKerasWeights(ref.model));
    ref.model.dispose();
    const m = await MobileNetV2({ ...small, weights: file });
    expect(weightValues(m)).toEqual(ref.values);
    m.dispose();
  });

  it("weights: 'imagenet' reads Keras' file name from the cache (no download)", async () => {
    clearSession();
    const f = offline();
    const src = await MobileNetV2({ alpha: 0.35, inputShape: [96, 96, 3], includeTop: false, weights: null });
    fillWeights(src, 11);
    const values = weightValues(src);
    mkdirSync(join(tmp.dir, 'keras', 'models'), { recursive: true });
    writeFileSync(join(tmp.dir, 'keras', 'models', 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5'), await writeLegacyWeights(src));
    src.dispose();
    const m = await MobileNetV2({ alpha: 0.35, inputShape: [96, 96, 3], includeTop: false, weights: 'imagenet' });
    expect(f).not.toHaveBeenCalled();
    expect(weightValues(m)).toEqual(values);
    m.dispose();
  });

  it("weights: 'imagenet' offline: the error names Keras' file and URL; nothing leaks", async () => {
    clearSession();
    offline();
    const before = memory().numTensors;
    const err = await ResNet50({ includeTop: false, inputShape: [32, 32, 3] }).catch((e: Error) => e);
    expect((err as Error).message).toContain('resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5');
    expect((err as Error).message).toContain(
      'https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
    expect(memory().numTensors).toBe(before);
    const err2 = await MobileNetV2({ alpha: 0.5, inputShape: [128, 128, 3], includeTop: false }).catch((e: Error) => e);
    expect((err2 as Error).message).toContain(
      'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_128_no_top.h5',
    );
    const err3 = await VGG16({ includeTop: false, inputShape: [32, 32, 3] }).catch((e: Error) => e);
    expect((err3 as Error).message).toContain('vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5');
  });

  it("ResNet50 'imagenet' from a cached file with the wrong md5 is refused after a failed re-download", async () => {
    clearSession();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    serve(HELLO);
    mkdirSync(join(tmp.dir, 'strata', 'models'), { recursive: true });
    writeFileSync(join(tmp.dir, 'strata', 'models', 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'), HELLO);
    await expect(ResNet50({ includeTop: false, inputShape: [32, 32, 3] })).rejects.toThrow(/does not match the expected 4d473c1dd8becc155b73f8504c6f6626/);
  });

  it('a file of another alpha or another model fails with a clear error, not silently', async () => {
    clearSession();
    const other = await MobileNetV2({ alpha: 0.5, inputShape: [96, 96, 3], classes: 10, weights: null });
    const file = join(tmp.dir, 'alpha05.h5');
    writeFileSync(file, await writeLegacyWeights(other));
    other.dispose();
    const before = memory().numTensors;
    const e1 = await MobileNetV2({ ...small, weights: file }).catch((e: Error) => e);
    expect((e1 as Error).message).toMatch(/alpha05\.h5/);
    expect((e1 as Error).message).toMatch(/shape mismatch .*block_1_project.*\(1, 1, 48, 8\).*\(1, 1, 48, 16\)/);
    expect(memory().numTensors).toBe(before);
    const inp = Input({ shape: [8, 8, 3] });
    const tiny = new Model({ inputs: inp, outputs: new Dense(2).apply(new Conv2D(4, 3).apply(inp)), name: 'tiny' });
    const tinyFile = join(tmp.dir, 'tiny.h5');
    writeFileSync(tinyFile, await writeLegacyWeights(tiny));
    tiny.dispose();
    const err = await MobileNetV2({ ...small, weights: tinyFile }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/tiny\.h5/);
    expect((err as Error).message).toMatch(/layer count mismatch.*expects 105 layers with weights.*the file has 2/);
    expect(memory().numTensors).toBe(before);
  }, 30000);

  it('a Keras 3 .weights.h5 of another alpha or another model fails with a clear error too', async () => {
    clearSession();
    const other = await MobileNetV2({ alpha: 0.5, inputShape: [96, 96, 3], classes: 10, weights: null });
    const file = join(tmp.dir, 'alpha05.weights.h5');
    writeFileSync(file, await writeKerasWeights(other));
    other.dispose();
    const before = memory().numTensors;
    const msg = await MobileNetV2({ ...small, weights: file }).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(msg).toContain('alpha05.weights.h5');
    expect(msg).toMatch(/could not be loaded: layer "block_1_project" .*expects shape \(1, 1, 48, 8\), the file has \(1, 1, 48, 16\)/);
    expect(memory().numTensors).toBe(before);
    const inp = Input({ shape: [8, 8, 3] });
    const tiny = new Model({ inputs: inp, outputs: new Dense(2).apply(new Conv2D(4, 3).apply(inp)), name: 'tiny' });
    const tinyFile = join(tmp.dir, 'tiny.weights.h5');
    writeFileSync(tinyFile, await writeKerasWeights(tiny));
    tiny.dispose();
    const msg2 = await MobileNetV2({ ...small, weights: tinyFile }).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(msg2).toContain('tiny.weights.h5');
    expect(msg2).toMatch(/layer "bn_Conv1" .*expected 4 variables, but received 0/);
    expect(memory().numTensors).toBe(before);
  }, 30000);

  it('weights: <http URL> downloads the file (no cache) and loads it', async () => {
    const ref = await referenceModel();
    const bytes = await writeLegacyWeights(ref.model);
    ref.model.dispose();
    const f = serve(bytes);
    const m = await MobileNetV2({ ...small, weights: 'https://example.invalid/my/mnv2.h5' });
    expect(f).toHaveBeenCalledWith('https://example.invalid/my/mnv2.h5');
    expect(weightValues(m)).toEqual(ref.values);
    expect(existsSync(join(tmp.dir, 'strata'))).toBe(false);
    m.dispose();
  }, 30000);

  it('a path that does not exist is refused with Keras\' message', async () => {
    await expect(MobileNetV2({ weights: join(tmp.dir, 'missing.h5') })).rejects.toThrow(
      /The `weights` argument should be either `None` \(random initialization\), `imagenet` \(pre-training on ImageNet\), or the path to the weights file to be loaded\. {2}Received `weights=.*missing\.h5`/,
    );
    await expect(VGG16({ weights: join(tmp.dir, 'missing.h5') })).rejects.toThrow(/'imagenet' \(pre-training on ImageNet\).*Received: weights=/);
  });
});
