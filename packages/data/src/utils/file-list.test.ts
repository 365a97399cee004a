// The browser form of the directory utilities (a listing of files), checked in Node against the
// same files in a real folder: same Keras file order, labels, split and pixels.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, ValueError, memory } from '@strata/core';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DirectoryEntry, listFolder, toFileMap } from './file-list';
import { imageDatasetFromDirectory } from './image-dataset-from-directory';
import { indexDirectory, listingDirectoryView } from './index-directory';
import { textDatasetFromDirectory } from './text-dataset-from-directory';

// Each file is a flat 3x2 RGB PNG whose red channel identifies it.
const files: Record<string, number> = {
  'b/z.png': 11,
  'a/y.png': 22,
  'a/sub/x.png': 33,
  'a/A.PNG': 44,
  'a-b/w.png': 55,
  'b/deep/er/v.png': 66,
  'c.png': 77,
  '.hidden/u.png': 88,
};
const png = (v: number) => encodePng({ width: 3, height: 2, channels: 3, depth: 8, data: new Uint8Array(18).map((_, i) => (i % 3 === 0 ? v : 5)) });
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-listing-'));
  for (const [p, v] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), png(v));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const listing = (): DirectoryEntry[] => Object.entries(files).map(([path, v]) => ({ path, source: new Blob([png(v) as BlobPart]) }));
const relative = (paths: string[]) => paths.map((p) => p.slice(root.length + 1));

async function redValues(ds: AsyncIterable<unknown>): Promise<[number, number][]> {
  const out: [number, number][] = [];
  for await (const el of ds) {
    const [x, y] = el as [Tensor, Tensor];
    out.push([x.dataSync()[0]!, y.dataSync()[0]!]);
    x.dispose();
    y.dispose();
  }
  return out;
}

describe('directory listings (browser form) match the real folder', () => {
  it('indexDirectory: same order and labels for inferred, null and explicit labels, shuffled or not', async () => {
    const view = listingDirectoryView(toFileMap(listing(), 't'));
    for (const labels of ['inferred', null, [0, 1, 1, 0, 1, 0, 1, 1]] as const) {
      for (const shuffle of [false, true]) {
        const onDisk = await indexDirectory(root, labels, ['.png'], { shuffle, seed: 3 });
        const listed = await indexDirectory('', labels, ['.png'], { shuffle, seed: 3, view });
        expect(listed.filePaths).toEqual(relative(onDisk.filePaths));
        expect(listed.labels).toEqual(onDisk.labels);
        expect(listed.classNames).toEqual(onDisk.classNames);
      }
    }
    // Independent check of Keras' order (sorted os.walk, hidden class folders skipped): a, a-b, b.
    const plain = await indexDirectory('', 'inferred', ['.png'], { shuffle: false, view });
    expect(plain.filePaths).toEqual(['a/A.PNG', 'a/y.png', 'a/sub/x.png', 'a-b/w.png', 'b/z.png', 'b/deep/er/v.png']);
    expect(plain.labels).toEqual([0, 0, 0, 1, 2, 2]);
  });

  it('imageDatasetFromDirectory: same elements from Blob entries as from the folder, with a split', async () => {
    const opts = { imageSize: [2, 3] as [number, number], batchSize: null, seed: 9, validationSplit: 0.34, subset: 'validation' as const };
    const before = memory().numTensors;
    const a = (await imageDatasetFromDirectory(root, opts)) as unknown as AsyncIterable<unknown> & { filePaths: string[] };
    const b = (await imageDatasetFromDirectory(listing(), opts)) as unknown as AsyncIterable<unknown> & { filePaths: string[] };
    expect(b.filePaths).toEqual(relative(a.filePaths));
    const va = await redValues(a);
    expect(va.length).toBe(2);
    expect(await redValues(b)).toEqual(va);
    // The red channel identifies the file: the elements are the listed files with their labels.
    const classOf = (p: string) => ['a', 'a-b', 'b'].indexOf(p.split('/')[0]!);
    const byRed = (x: [number, number], y: [number, number]) => x[0] - y[0];
    expect([...va].sort(byRed)).toEqual(b.filePaths.map((p): [number, number] => [files[p]!, classOf(p)]).sort(byRed));
    expect(memory().numTensors).toBe(before);
  });

  it('textDatasetFromDirectory reads Blob entries', async () => {
    const ds = (await textDatasetFromDirectory(
      [
        { path: 'x/2.txt', source: new Blob(['two']) },
        { path: 'x/1.txt', source: new Blob(['one']) },
      ],
      { shuffle: false, batchSize: null, labelMode: null },
    )) as unknown as { toArray(): Promise<string[]> };
    expect(await ds.toArray()).toEqual(['one', 'two']);
  });

  it('listFolder lists files and implied folders; bad listings are ValueErrors', () => {
    const map = toFileMap([{ path: '/a//b/./c.png', source: 'u' }, { path: 'a/d.png', source: 'v' }], 't');
    expect([...map.keys()]).toEqual(['a/b/c.png', 'a/d.png']);
    expect(listFolder(map, '')).toEqual([{ name: 'a', isDir: true }]);
    expect(listFolder(map, 'a')).toEqual([
      { name: 'b', isDir: true },
      { name: 'd.png', isDir: false },
    ]);
    expect(listFolder(map, 'zz')).toBeNull();
    expect(() => toFileMap([{ path: 'a/../b.png', source: 'u' }], 'who')).toThrow(ValueError);
    expect(() => toFileMap([{ path: '', source: 'u' }], 'who')).toThrow(/who: every listed file needs a relative path/);
    expect(() => toFileMap([{ path: 'x', source: 1 } as unknown as DirectoryEntry], 'who')).toThrow(/Received at index 0: \[object Object\]/);
    expect(() => toFileMap([{ path: 'x', source: 'a' }, { path: './x', source: 'b' }], 'who')).toThrow('who: the path x is listed twice.');
  });
});
