import { ValueError } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors';
import { arraySplit, readChunkedStringList, writeChunkedStringList } from './attributes';
import { isHdf5, readH5, writeH5 } from './h5-file';
import { loadH5wasm, scratchPath } from './h5wasm';

/** Bytes of a file made with h5wasm directly (for what our writer refuses to make, e.g. links). */
async function rawFile(fill: (f: import('h5wasm').File) => void): Promise<Uint8Array> {
  const mod = await loadH5wasm();
  const path = await scratchPath();
  const f = new mod.File(path, 'w');
  fill(f);
  f.close();
  const bytes = new Uint8Array(mod.FS!.readFile(path));
  mod.FS!.unlink(path);
  return bytes;
}

describe('h5 wrapper', () => {
  it('datasets round-trip with their shapes and types (float32, float64, int32, int64 as BigInt, uint8, scalars)', async () => {
    const bytes = await writeH5((root) => {
      root.writeDataset('a/f32', Float32Array.from([1.5, -2, 3.25, 0.1, 5, 6]), [2, 3], 'float32');
      root.writeDataset('a/f64', [0.1, 0.2], [2], 'float64');
      root.writeDataset('i32', Int32Array.from([-7, 8, 2147483647]), [3], 'int32');
      root.writeDataset('i64', BigInt64Array.from([2n ** 40n]), [], 'int64');
      root.writeDataset('i64n', [5, -6], [2], 'int64');
      root.writeDataset('u8', Uint8Array.from([0, 255]), [1, 2], 'uint8');
    });
    expect(isHdf5(bytes)).toBe(true);
    // Superblock version 0, as h5py writes with its default library-version bounds.
    expect(bytes[8]).toBe(0);
    const read = await readH5(bytes, 'x.h5', (root) => ({
      keys: root.keys(),
      f32: root.readDataset('a/f32'),
      f64: root.readDataset('a/f64'),
      i32: root.readDataset('i32'),
      i64: root.readDataset('i64'),
      i64n: root.readDataset('i64n'),
      u8: root.readDataset('u8'),
      missing: root.readDataset('nope'),
    }));
    expect(read.keys).toEqual(['a', 'i32', 'i64', 'i64n', 'u8']);
    expect(read.f32).toEqual({ data: Float32Array.from([1.5, -2, 3.25, 0.1, 5, 6]), shape: [2, 3], dtype: 'float32' });
    expect(read.f64).toEqual({ data: Float64Array.from([0.1, 0.2]), shape: [2], dtype: 'float64' });
    expect(read.i32).toEqual({ data: Int32Array.from([-7, 8, 2147483647]), shape: [3], dtype: 'int32' });
    expect(read.i64).toEqual({ data: BigInt64Array.from([2n ** 40n]), shape: [], dtype: 'int64' });
    expect(read.i64n!.data).toEqual(BigInt64Array.from([5n, -6n]));
    expect(read.u8).toEqual({ data: Uint8Array.from([0, 255]), shape: [1, 2], dtype: 'uint8' });
    expect(read.missing).toBeNull();
  });

  it('string attributes: variable and fixed length, scalar and arrays, ASCII and UTF-8; empty lists as float64 []', async () => {
    const bytes = await writeH5((root) => {
      const g = root.createGroup('g/h');
      g.setStringAttr('name', 'dense_1');
      g.setStringAttr('utf', 'café β/δ');
      g.setStringAttr('fixed', 'abc', { fixedLength: true });
      g.setStringListAttr('list', ['x', 'yy', 'zzz']);
      g.setStringListAttr('flist', ['x', 'yy', 'zzz'], { fixedLength: true });
      g.setStringListAttr('ulist', ['é', 'ü/ß']);
      g.setStringListAttr('empty', []);
      g.setNumberListAttr('nums', [1, 2.5]);
    });
    const attrs = await readH5(bytes, undefined, (root) => {
      const g = root.requireGroup('g/h');
      return {
        names: g.attrNames().sort(),
        name: g.stringAttr('name'),
        utf: g.stringAttr('utf'),
        fixed: g.stringAttr('fixed'),
        list: g.stringListAttr('list'),
        flist: g.stringListAttr('flist'),
        ulist: g.stringListAttr('ulist'),
        empty: g.stringListAttr('empty'),
        emptyRaw: g.attr('empty'),
        nums: g.attr('nums'),
        missing: g.stringAttr('missing'),
      };
    });
    expect(attrs).toEqual({
      names: ['empty', 'fixed', 'flist', 'list', 'name', 'nums', 'ulist', 'utf'],
      name: 'dense_1',
      utf: 'café β/δ',
      fixed: 'abc',
      list: ['x', 'yy', 'zzz'],
      flist: ['x', 'yy', 'zzz'],
      ulist: ['é', 'ü/ß'],
      empty: [],
      emptyRaw: [],
      nums: [1, 2.5],
      missing: null,
    });
  });

  it("chunked string lists follow Keras' save_attributes_to_hdf5_group (numpy <U bytes over 64512 -> array_split)", async () => {
    // 3000 names of 20 characters: numpy stores 3000*20*4 = 240000 bytes. 3 chunks of 1000 are
    // 80000 bytes each (too big); 4 chunks of 750 are 60000 bytes each (fit).
    const names = Array.from({ length: 3000 }, (_, i) => `layer_${String(i).padStart(14, '0')}`);
    expect(names[0]!.length).toBe(20);
    const bytes = await writeH5((root) => {
      writeChunkedStringList(root, 'layer_names', names);
      writeChunkedStringList(root, 'small', ['a', 'b']);
    });
    const read = await readH5(bytes, 'x', (root) => ({
      attrs: root.attrNames().sort(),
      sizes: [0, 1, 2, 3].map((i) => root.stringListAttr(`layer_names${i}`)!.length),
      all: readChunkedStringList(root, 'layer_names'),
      small: readChunkedStringList(root, 'small'),
      none: readChunkedStringList(root, 'absent'),
    }));
    expect(read.attrs).toEqual(['layer_names0', 'layer_names1', 'layer_names2', 'layer_names3', 'small']);
    expect(read.sizes).toEqual([750, 750, 750, 750]);
    expect(read.all).toEqual(names);
    expect(read.small).toEqual(['a', 'b']);
    expect(read.none).toBeNull();
    // np.array_split: the first len % n parts get one more element.
    expect(arraySplit([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5], [6, 7]]);
    await expect(writeH5((root) => writeChunkedStringList(root, 'x', ['a'.repeat(64513)]))).rejects.toThrow(/larger than 64512 bytes/);
  });

  it('refuses soft links, broken soft links and external links, naming the file and the path', async () => {
    const bytes = await rawFile((f) => {
      const g = f.create_group('layers');
      g.create_dataset({ name: 'real', data: Float32Array.from([1]), shape: [1], dtype: '<f' });
      g.create_soft_link('/layers/real', 'soft');
      g.create_soft_link('/nowhere', 'broken');
      g.create_external_link('other.h5', '/x', 'ext');
      f.create_soft_link('/layers', 'alias');
    });
    const attempt = (path: string) => readH5(bytes, 'links.h5', (root) => root.readDataset(path)).catch((e: unknown) => e);
    expect(await readH5(bytes, 'links.h5', (root) => root.readDataset('layers/real')!.data)).toEqual(Float32Array.from([1]));
    for (const [path, what] of [
      ['layers/soft', 'soft link'],
      ['layers/broken', 'soft link'],
      ['layers/ext', 'external link'],
      ['alias/real', 'soft link'],
    ] as const) {
      const err = await attempt(path);
      expect(err).toBeInstanceOf(FormatError);
      expect((err as Error).message).toMatch(new RegExp(`^links\\.h5: /${path.split('/')[0]}.*${what}`));
    }
  });

  it('refuses a dataset whose declared size is larger than the file (before allocating it)', async () => {
    // A chunked dataset resized to 100000 x 1000 float32 (400 MB declared) whose chunks were never
    // written: the file stays a few KB.
    const bytes = await rawFile((f) => {
      f.create_dataset({ name: 'big', data: new Float32Array(1000), shape: [1, 1000], maxshape: [null, 1000], chunks: [1, 1000], dtype: '<f' });
      (f.get('big') as import('h5wasm').Dataset).resize([100000, 1000]);
    });
    expect(bytes.length).toBeLessThan(100000);
    const err = await readH5(bytes, 'bomb.h5', (root) => root.readDataset('big')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(
      new RegExp(`^bomb\\.h5: /big declares 400000000 bytes \\(shape \\[100000, 1000\\]\\), more than the ${bytes.length}-byte file can hold`),
    );
  });

  it('bad bytes: not HDF5, truncated, or not a Uint8Array -> FormatError; writing float16 -> ValueError', async () => {
    const good = await writeH5((root) => root.writeDataset('d', new Float32Array(1000), [1000], 'float32'));
    for (const bad of [new Uint8Array(0), new TextEncoder().encode('PK\u0003\u0004'), good.slice(0, 600), good.slice(0, good.length - 1000)]) {
      const err = await readH5(bad, 'bad.h5', (root) => root.readDataset('d')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).file).toBe('bad.h5');
    }
    await expect(readH5([1, 2] as unknown as Uint8Array, 'arr.h5', () => 0)).rejects.toThrow(/^arr\.h5: expected the bytes/);
    await expect(writeH5((root) => root.writeDataset('h', new Uint16Array(2), [2], 'float16'))).rejects.toThrow(ValueError);
    await expect(writeH5((root) => root.writeDataset('h', new Float32Array(3), [2], 'float32'))).rejects.toThrow(/3 values for shape \[2\]/);
  });

  it('a read-only file refuses writes; errors thrown by the callback pass through unchanged', async () => {
    const bytes = await writeH5((root) => {
      root.createGroup('g');
    });
    await expect(readH5(bytes, 'ro.h5', (root) => root.createGroup('x'))).rejects.toThrow(/open for reading only/);
    class Mine extends Error {}
    await expect(readH5(bytes, 'ro.h5', () => { throw new FormatError('ro.h5', 'custom'); })).rejects.toThrow('ro.h5: custom');
    const err = await readH5(bytes, 'ro.h5', () => { throw new Mine('boom'); }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe('ro.h5: corrupt HDF5 file (boom)');
  });
});
