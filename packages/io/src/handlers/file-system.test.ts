import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IoError } from '../errors';
import { FileSystemStore, type FsLike } from './file-system';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-io-fs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (...b: number[]) => new Uint8Array(b);

describe('FileSystemStore', () => {
  it('writes files (creating missing directories) and reads back the same bytes', async () => {
    const store = new FileSystemStore(join(dir, 'a', 'b'));
    await store.write([
      { path: 'model.json', data: bytes(123, 125) },
      { path: './group1-shard1of1.bin', data: bytes(0, 1, 2, 255) },
    ]);
    expect([...readFileSync(join(dir, 'a', 'b', 'group1-shard1of1.bin'))]).toEqual([0, 1, 2, 255]);
    expect([...(await store.read('model.json'))]).toEqual([123, 125]);
    const read = await store.read('group1-shard1of1.bin');
    expect(read).toBeInstanceOf(Uint8Array);
    expect([...read]).toEqual([0, 1, 2, 255]);
    // No temp files are left beside the results.
    expect(readdirSync(join(dir, 'a', 'b')).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
  });

  it('reports progress per file, ending at 1', async () => {
    const seen: number[] = [];
    await new FileSystemStore(dir).write(
      [
        { path: 'x', data: bytes(1) },
        { path: 'y', data: bytes(2) },
        { path: 'z', data: bytes(3) },
        { path: 'w', data: bytes(4) },
      ],
      { onProgress: (f) => seen.push(f) },
    );
    expect(seen).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('a write that fails half way leaves the old file intact and no partial or temp file', async () => {
    writeFileSync(join(dir, 'm.keras'), 'OLD CONTENT');
    const failing: FsLike = {
      ...(fsp as unknown as FsLike),
      async writeFile(path: string, data: Uint8Array) {
        // Half the bytes reach the disk, then the "disk" fails.
        await fsp.writeFile(path, data.subarray(0, data.length >> 1));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
    };
    const store = new FileSystemStore(dir, { fs: failing });
    const err = await store.write([{ path: 'm.keras', data: new Uint8Array(100).fill(7) }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).file).toBe(join(dir, 'm.keras').replace(/\\/g, '/'));
    expect((err as IoError).message).toMatch(/m\.keras.*no space left/);
    expect(readFileSync(join(dir, 'm.keras'), 'utf8')).toBe('OLD CONTENT');
    expect(readdirSync(dir)).toEqual(['m.keras']);
  });

  it('a failing rename also leaves the old file and removes the temp file', async () => {
    writeFileSync(join(dir, 'w.weights.h5'), 'OLD');
    const failing: FsLike = {
      ...(fsp as unknown as FsLike),
      async rename() {
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      },
    };
    const err = await new FileSystemStore(dir, { fs: failing }).write([{ path: 'w.weights.h5', data: bytes(1, 2) }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/w\.weights\.h5.*permission denied/);
    expect(readFileSync(join(dir, 'w.weights.h5'), 'utf8')).toBe('OLD');
    expect(readdirSync(dir)).toEqual(['w.weights.h5']);
  });

  it('the new content replaces the old one in place', async () => {
    writeFileSync(join(dir, 'm.h5'), 'OLD');
    await new FileSystemStore(dir).write([{ path: 'm.h5', data: bytes(78, 69, 87) }]);
    expect(readFileSync(join(dir, 'm.h5'), 'utf8')).toBe('NEW');
  });

  it('overwrite: false refuses an existing file before writing anything', async () => {
    writeFileSync(join(dir, 'b.bin'), 'OLD');
    const store = new FileSystemStore(dir);
    await expect(
      store.write(
        [
          { path: 'a.bin', data: bytes(1) },
          { path: 'b.bin', data: bytes(2) },
        ],
        { overwrite: false },
      ),
    ).rejects.toThrow(/b\.bin: the file already exists and overwrite is false/);
    expect(readdirSync(dir)).toEqual(['b.bin']);
  });

  it('a missing file is an IoError naming the path', async () => {
    const err = await new FileSystemStore(dir).read('nope.keras').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toContain('nope.keras');
    expect((err as Error).message).toMatch(/no such file/);
  });

  it('writing over a directory is refused, naming it', async () => {
    mkdirSync(join(dir, 'taken.keras'));
    await expect(new FileSystemStore(dir).write([{ path: 'taken.keras', data: bytes(1) }])).rejects.toThrow(/taken\.keras: is an existing directory/);
  });

  it('reading a directory names it', async () => {
    mkdirSync(join(dir, 'sub'));
    await expect(new FileSystemStore(dir).read('sub')).rejects.toThrow(/sub: cannot read the file: is a directory/);
  });
});
