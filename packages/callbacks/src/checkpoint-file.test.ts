import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispose, memory, tensor } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkpoint file', () => {
  it('round-trips weights, optimizer variables, epoch and extra JSON', async () => {
    const before = memory().numTensors;
    const w = tensor([1.5, -2, Number.NaN, Number.POSITIVE_INFINITY, -0, 3.25], [2, 3]);
    const b = tensor([7], [1], 'int32');
    const s = tensor(0.1);
    const m = tensor([1, 0, 1], [3], 'bool');
    const empty = tensor([], [0, 2]);
    const path = join(dir, 'sub', 'a.ckpt');
    await saveCheckpoint(path, {
      weights: [
        { name: 'dense/kernel', tensor: w },
        { name: 'dense/bias', tensor: b },
        { name: 'scalar', tensor: s },
        { name: 'empty', tensor: empty },
      ],
      optimizerVariables: [{ name: 'mask', tensor: m }],
      epoch: 4,
      extra: { batch: 2, note: 'x' },
    });
    const loaded = await loadCheckpoint(path);
    expect(loaded.weights.map((x) => x.name)).toEqual(['dense/kernel', 'dense/bias', 'scalar', 'empty']);
    expect(loaded.weights[0]!.tensor.shape).toEqual([2, 3]);
    expect(loaded.weights[0]!.tensor.dtype).toBe('float32');
    const v = Array.from(loaded.weights[0]!.tensor.dataSync());
    expect(v.slice(0, 2)).toEqual([1.5, -2]);
    expect(Number.isNaN(v[2])).toBe(true);
    expect(v[3]).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(v[4], -0)).toBe(true);
    expect(v[5]).toBe(3.25);
    expect(loaded.weights[1]!.tensor.dtype).toBe('int32');
    expect(Array.from(loaded.weights[1]!.tensor.dataSync())).toEqual([7]);
    expect(loaded.weights[2]!.tensor.shape).toEqual([]);
    expect(loaded.weights[2]!.tensor.dataSync()[0]).toBe(Math.fround(0.1));
    expect(loaded.weights[3]!.tensor.shape).toEqual([0, 2]);
    expect(loaded.optimizerVariables[0]!.tensor.dtype).toBe('bool');
    expect(Array.from(loaded.optimizerVariables[0]!.tensor.dataSync())).toEqual([1, 0, 1]);
    expect(loaded.epoch).toBe(4);
    expect(loaded.extra).toEqual({ batch: 2, note: 'x' });
    dispose([w, b, s, m, empty, ...loaded.weights.map((x) => x.tensor), ...loaded.optimizerVariables.map((x) => x.tensor)]);
    expect(memory().numTensors).toBe(before);
  });

  it('writes the documented layout: magic, version, JSON header, aligned little-endian data', async () => {
    const w = tensor([1, 2, 3], [3]);
    const bytes = await encodeCheckpoint({ weights: [{ name: 'w', tensor: w }], epoch: 1 });
    w.dispose();
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('STRATACK');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint32(8, true)).toBe(1);
    const h = view.getUint32(12, true);
    expect((16 + h) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + h)));
    expect(header.weights).toEqual([{ name: 'w', shape: [3], dtype: 'float32', offset: 0, byteLength: 12 }]);
    expect(header.epoch).toBe(1);
    const data = 16 + h;
    expect([0, 1, 2].map((i) => view.getFloat32(data + 4 * i, true))).toEqual([1, 2, 3]);
    expect(bytes.length).toBe(data + 16); // 12 bytes padded to 16
  });

  it('replaces an existing file atomically and leaves no temporary file', async () => {
    const path = join(dir, 'b.ckpt');
    await writeFile(path, 'old');
    const w = tensor([5]);
    await saveCheckpoint(path, { weights: [{ name: 'w', tensor: w }] });
    w.dispose();
    expect(await readdir(dir)).toEqual(['b.ckpt']);
    const loaded = await loadCheckpoint(path);
    expect(loaded.weights[0]!.tensor.dataSync()[0]).toBe(5);
    expect(loaded.epoch).toBeNull();
    dispose(loaded.weights.map((x) => x.tensor));
  });

  it('reports truncated and corrupt files by name', async () => {
    const w = tensor([1, 2, 3, 4]);
    const path = join(dir, 'c.ckpt');
    await saveCheckpoint(path, { weights: [{ name: 'kernel', tensor: w }] });
    w.dispose();
    const full = await readFile(path);
    // Cut into the data.
    await writeFile(path, full.subarray(0, full.length - 4));
    await expect(loadCheckpoint(path)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(path)).rejects.toThrow(new RegExp(`${path.replace(/[.\\]/g, '\\$&')}: truncated: array 'kernel'`));
    // Cut into the header.
    await writeFile(path, full.subarray(0, 30));
    await expect(loadCheckpoint(path)).rejects.toThrow(/c\.ckpt: truncated: the header needs/);
    await writeFile(path, full.subarray(0, 5));
    await expect(loadCheckpoint(path)).rejects.toThrow(/c\.ckpt: truncated: 5 bytes/);
    // Wrong magic.
    const bad = Buffer.from(full);
    bad[0] = 0x41;
    await writeFile(path, bad);
    await expect(loadCheckpoint(path)).rejects.toThrow(/c\.ckpt: not a Strata checkpoint/);
    // Garbled header JSON.
    const garbled = Buffer.from(full);
    garbled[16] = 0x7d;
    await writeFile(path, garbled);
    await expect(loadCheckpoint(path)).rejects.toThrow(/c\.ckpt: corrupt header/);
    expect(() => decodeCheckpoint(new Uint8Array(3), 'mem')).toThrow(/Checkpoint mem: truncated/);
  });

  it('rejects unsupported dtypes by array name', async () => {
    const c = tensor(['a', 'b'] as never, [2], 'string' as never);
    await expect(encodeCheckpoint({ weights: [{ name: 'names', tensor: c }] })).rejects.toThrow(/'names' has dtype string/);
    c.dispose();
  });
});
