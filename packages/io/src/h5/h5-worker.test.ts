import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fixturePath } from '@strata/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { FormatError, IoError } from '../errors';
import { type H5Group, readH5, writeH5 } from './h5-file';
import { WORKER_FUNCTIONS } from './h5-ops';
import { h5TimeLimitMs, h5Worker, h5WorkerRestarts, setH5TimeLimit, stopH5Worker } from './h5-worker';

/** `bytes` with the given [offset, value] bytes overwritten. */
function patched(bytes: Uint8Array, patches: readonly (readonly [number, number])[]): Uint8Array {
  const out = bytes.slice();
  for (const [at, value] of patches) out[at] = value;
  return out;
}

// Found by the fuzz test (src/fuzz.test.ts, lcg(3), run 513): six bytes of the mlp model.h5
// fixture changed; the file opens, then libhdf5 walks a B-tree that never ends.
const LOOPING_MODEL_H5: [number, number][] = [
  [2551, 48],
  [4040, 222],
  [7311, 135],
  [10378, 86],
  [12828, 76],
  [13563, 186],
];

// Found by mutating the mlp model.weights.h5 fixture: a fresh libhdf5 instance calls abort()
// while reading it.
const ABORTING_WEIGHTS_H5: [number, number][] = [
  [1891, 153],
  [2051, 111],
  [3685, 209],
  [4601, 158],
  [5204, 158],
  [6221, 101],
  [7088, 106],
];

const fixture = (name: string) => new Uint8Array(readFileSync(fixturePath('mlp', name)));

/** Everything `fn` can read: keys, kinds, attributes and datasets of the whole tree. */
function readAll(g: H5Group): unknown {
  const out: Record<string, unknown> = {};
  for (const name of g.attrNames()) out[`@${name}`] = g.attr(name);
  for (const key of g.keys()) {
    if (g.kind(key) === 'group') out[key] = readAll(g.requireGroup(key));
    else out[key] = Array.from(g.readDataset(key)!.data as Float32Array);
  }
  return out;
}

const scratchFiles = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`strata-h5-${process.pid}-`) && f.endsWith('.h5'));

describe('HDF5 parsing in a worker thread (Node)', () => {
  afterEach(() => setH5TimeLimit());

  it('reads through a worker thread, one for all files', async () => {
    const first = await h5Worker();
    expect(first).not.toBeNull();
    const bytes = await writeH5((root) => {
      root.setStringAttr('note', 'héllo');
      root.writeDataset('g/x', Float32Array.from([1.5, -2]), [2], 'float32');
    });
    const scratchBefore = scratchFiles();
    const read = await readH5(bytes, 'w.h5', (root) => {
      // The bytes sit in one scratch file while the worker has them open, and only then.
      expect(scratchFiles()).toHaveLength(scratchBefore.length + 1);
      return readAll(root);
    });
    expect(read).toEqual({ '@note': 'héllo', g: { x: [1.5, -2] } });
    expect(scratchFiles()).toEqual(scratchBefore);
    expect(await h5Worker()).toBe(first);
  });

  it('the time limit is 10 s + 1 s per MiB by default, and configurable', () => {
    expect(h5TimeLimitMs(0)).toBe(10_000);
    expect(h5TimeLimitMs(3 * 2 ** 20)).toBe(13_000);
    setH5TimeLimit({ baseMs: 500 });
    expect(h5TimeLimitMs(2 ** 19)).toBe(1_000);
    setH5TimeLimit({ baseMs: 0, perMBMs: 4_000 });
    expect(h5TimeLimitMs(2 ** 20)).toBe(4_000);
    setH5TimeLimit();
    expect(h5TimeLimitMs(2 ** 20)).toBe(11_000);
  });

  it('a file that sends libhdf5 into an endless loop is a FormatError naming the file after the time limit; the next file reads', async () => {
    setH5TimeLimit({ baseMs: 1_500, perMBMs: 0 });
    const original = fixture('model.h5');
    const bytes = patched(original, LOOPING_MODEL_H5);
    const restarts = h5WorkerRestarts();
    const scratchBefore = new Set(scratchFiles());
    const t0 = Date.now();
    const err = await readH5(bytes, 'looping.h5', (root) => readAll(root)).catch((e: unknown) => e);
    const ms = Date.now() - t0;
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).file).toBe('looping.h5');
    expect((err as FormatError).message).toBe('looping.h5: the HDF5 library did not finish parsing it in 1.5 s; the file is corrupt');
    expect(ms).toBeGreaterThanOrEqual(1_450);
    expect(ms).toBeLessThan(6_000);
    expect(h5WorkerRestarts()).toBe(restarts + 1);
    expect(scratchFiles().filter((f) => !scratchBefore.has(f))).toEqual([]);
    // A fresh worker serves the next file.
    const config = await readH5(original, 'model.h5', (root) => root.stringAttr('model_config'));
    expect(JSON.parse(config!).class_name).toBe('Sequential');
  }, 30_000);

  it('the time-out stands even when the callback catches it and returns normally', async () => {
    setH5TimeLimit({ baseMs: 1_000, perMBMs: 0 });
    const bytes = patched(fixture('model.h5'), LOOPING_MODEL_H5);
    let caught: unknown = null;
    const err = await readH5(bytes, 'swallow.h5', (root) => {
      try {
        return readAll(root);
      } catch (e) {
        caught = e;
        return 'swallowed';
      }
    }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(FormatError);
    expect(err).toBe(caught);
  }, 30_000);

  it('a file open while another one times out fails with an IoError saying to try again', async () => {
    setH5TimeLimit({ baseMs: 1_000, perMBMs: 0 });
    const good = fixture('model.weights.h5');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const open = readH5(good, 'good.h5', async (root) => {
      const before = root.keys();
      await gate;
      return [before, root.keys()];
    }).catch((e: unknown) => e);
    const looping = await readH5(patched(fixture('model.h5'), LOOPING_MODEL_H5), 'looping.h5', (root) => readAll(root)).catch((e: unknown) => e);
    expect(looping).toBeInstanceOf(FormatError);
    release();
    const err = await open;
    expect(err).toBeInstanceOf(IoError);
    expect(err).not.toBeInstanceOf(FormatError);
    expect((err as IoError).message).toBe('good.h5: the HDF5 worker was restarted while this file was open (it failed on another file); try again');
    // Retrying works.
    expect(await readH5(good, 'good.h5', (root) => root.keys())).toEqual((await readH5(good, 'again.h5', (root) => root.keys())));
  }, 30_000);

  it('an abort() inside libhdf5 is a FormatError naming the file; the worker is replaced and the original reads', async () => {
    const original = fixture('model.weights.h5');
    // On a fresh library instance: whether libhdf5 aborts on this input depends on its heap.
    await stopH5Worker();
    const restarts = h5WorkerRestarts();
    const err = await readH5(patched(original, ABORTING_WEIGHTS_H5), 'aborts.weights.h5', (root) => readAll(root)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).message).toMatch(/^aborts\.weights\.h5: the HDF5 library rejected the file: it crashed while parsing it \(.*abort.*\); the file is corrupt$/);
    expect(h5WorkerRestarts()).toBe(restarts + 1);
    const tree = (await readH5(original, 'model.weights.h5', (root) => readAll(root))) as Record<string, unknown>;
    expect(Object.keys(tree)).toContain('layers');
  }, 30_000);

  it("the worker's source is only the listed functions, each a plain function declaration", () => {
    for (const f of WORKER_FUNCTIONS) {
      const src = f.toString();
      expect(src.startsWith(`function ${f.name}(`)).toBe(true);
      // Compiles on its own (a syntax error or a stray `export` would throw here).
      expect(() => new Function(src)).not.toThrow();
    }
  });
});
