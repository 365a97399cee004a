// loadModel in Chromium: Keras' .keras (fflate) and legacy .h5 (h5wasm's browser build) fixtures and
// TF.js model.json + shards, from in-memory bytes and over http(s) with progress.
import { memory } from '@strata/core';
import { tensorLeak } from '@strata/test-utils/browser';
import { describe, expect, it } from 'vitest';
import { IoError, MemoryStore, loadModel, saveModel } from '../index';
import { checkProgress, disposeModel, expectGolden, fixtureBytes, fixtureIo, fixtureUrl, progressLog } from './browser-fixtures';

const FIXTURES = ['mlp', 'cnn', 'functional'] as const;

describe('loadModel in the browser', () => {
  it('runs in a real browser, on the browser build of h5wasm', () => {
    // The Node build of h5wasm (NODERAWFS) would be picked if the page looked like Node.
    expect(typeof window).toBe('object');
    expect(typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node).toBe('undefined');
  });

  for (const name of FIXTURES) {
    it(`${name}: .keras and .h5 bytes in memory predict Keras' outputs`, async () => {
      const io = await fixtureIo(name);
      for (const file of ['model.keras', 'model.h5']) {
        const bytes = await fixtureBytes(name, file);
        const log = progressLog();
        const model = await loadModel(bytes, { onProgress: log.onProgress });
        expectGolden(model, io);
        expect(log.values).toEqual([1]);
        // An ArrayBuffer works as well as a Uint8Array.
        const again = await loadModel(bytes.slice().buffer);
        expectGolden(again, io);
        disposeModel(model);
        disposeModel(again);
      }
    });

    it(`${name}: .keras and .h5 over http, with monotonic progress ending at 1`, async () => {
      const io = await fixtureIo(name);
      for (const file of ['model.keras', 'model.h5']) {
        const log = progressLog();
        const model = await loadModel(fixtureUrl(name, file), { onProgress: log.onProgress });
        expectGolden(model, io);
        checkProgress(log.values);
        // The server sends 8 slices with content-length: fractions below 1 arrive while the body streams.
        expect(log.values.filter((v) => v > 0 && v < 1).length).toBeGreaterThanOrEqual(3);
        disposeModel(model);
      }
    });

    it(`${name}: TF.js model.json + shards, from memory and uploaded/served over http`, async () => {
      const io = await fixtureIo(name);
      const source = await loadModel(await fixtureBytes(name, 'model.keras'));
      // Small shards so the manifest lists several files.
      const store = new MemoryStore();
      await saveModel(source, store.at('model.json'), { shardSizeBytes: 256 });
      const json = JSON.parse(new TextDecoder().decode(store.files.get('model.json')!)) as { weightsManifest: { paths: string[] }[] };
      const paths = json.weightsManifest.flatMap((g) => g.paths);
      expect(paths.length).toBeGreaterThan(1);
      const fromMemory = await loadModel({ modelJson: json, weightData: paths.map((p) => store.files.get(p)!) });
      expectGolden(fromMemory, io);

      // http: the save handler POSTs every file as multipart form data; the test route serves them back.
      const url = `${location.origin}/__io/upload/${name}-tfjs/model.json`;
      await saveModel(source, url, { shardSizeBytes: 256 });
      for (const p of paths) {
        const served = new Uint8Array(await (await fetch(`${location.origin}/__io/upload/${name}-tfjs/${p}`)).arrayBuffer());
        expect(served).toEqual(store.files.get(p));
      }
      const log = progressLog();
      const fromHttp = await loadModel(url, { onProgress: log.onProgress });
      expectGolden(fromHttp, io);
      checkProgress(log.values);
      expect(log.values.length).toBeGreaterThan(paths.length);
      for (const m of [source, fromMemory, fromHttp]) disposeModel(m);
    });
  }

  it('without content-length, progress is 1 once, at the end', async () => {
    const io = await fixtureIo('mlp');
    const log = progressLog();
    const model = await loadModel(fixtureUrl('mlp', 'model.keras', { noLength: true }), { onProgress: log.onProgress });
    expectGolden(model, io);
    expect(log.values).toEqual([1]);
    disposeModel(model);
  });

  it('a 404 or 500 is an IoError naming the URL and the status', async () => {
    for (const status of [404, 500]) {
      const url = `${location.origin}/__io/status/${status}/model.keras`;
      const err = await loadModel(url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IoError);
      expect((err as IoError).file).toBe(url);
      expect((err as IoError).message).toContain(`${url}: HTTP ${status}`);
    }
    const missing = `${location.origin}/__io/fixtures/mlp/no-such-file.keras`;
    await expect(loadModel(missing)).rejects.toThrow(`${missing}: HTTP 404`);
  });

  it('a TF.js model.json whose shard is missing names the shard URL', async () => {
    const model = await loadModel(await fixtureBytes('mlp', 'model.keras'));
    const store = new MemoryStore();
    await saveModel(model, store.at('model.json'));
    // Upload model.json alone.
    const form = new FormData();
    form.append('model.json', new Blob([store.files.get('model.json')! as BlobPart]), 'model.json');
    const base = `${location.origin}/__io/upload/no-shards`;
    expect((await fetch(`${base}/model.json`, { method: 'POST', body: form })).ok).toBe(true);
    const err = await loadModel(`${base}/model.json`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).file).toBe(`${base}/group1-shard1of1.bin`);
    expect((err as Error).message).toBe(`${base}/group1-shard1of1.bin: HTTP 404 Not Found`);
    disposeModel(model);
  });

  it('an unreachable host is an IoError naming the URL', async () => {
    // Port 9 (discard) is closed on the test machine; the browser refuses the connection.
    const url = 'http://127.0.0.1:9/model.keras';
    const err = await loadModel(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).message).toMatch(/^http:\/\/127\.0\.0\.1:9\/model\.keras: request failed: /);
  });

  it('loading and predicting leaks no tensor', async () => {
    const io = await fixtureIo('functional');
    const keras = await fixtureBytes('functional', 'model.keras');
    const h5 = await fixtureBytes('functional', 'model.h5');
    const before = memory().numTensors;
    const leaked = await tensorLeak(async () => {
      for (const source of [keras, h5, fixtureUrl('functional', 'model.keras')]) {
        const model = await loadModel(source);
        expect(memory().numTensors - before).toBe(model.weights.length);
        expectGolden(model, io);
        disposeModel(model);
      }
    });
    expect(leaked).toBe(0);
  });
});
