import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory } from '@strata/core';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryDataset } from './directory-dataset';
import { type ImageElement, imageDatasetFromDirectory } from './image-dataset-from-directory';
import { getTrainingOrValidationSplit, indexDirectory } from './index-directory';
import { IMAGE_FORMATS } from './image-io';

let root: string;
// Each PNG is a flat 2x3 RGB image whose red channel identifies it.
const ids: Record<string, number> = { 'a/A1.PNG': 10, 'a/a0.png': 20, 'b/.hidden.png': 30, 'b/b0.png': 40, 'b/b1.png': 50, 'b/sub/b2.png': 60 };

function png(value: number): Uint8Array {
  const data = new Uint8Array(2 * 3 * 3);
  for (let p = 0; p < 6; p++) data.set([value, 7, 9], p * 3);
  return encodePng({ width: 3, height: 2, data, channels: 3, depth: 8 });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-img-'));
  for (const d of ['a', 'b/sub', '.git']) mkdirSync(join(root, d), { recursive: true });
  for (const [rel, v] of Object.entries(ids)) writeFileSync(join(root, rel), png(v));
  const rgba = new Uint8Array(3 * 2 * 4);
  for (let p = 0; p < 6; p++) rgba.set([70, 7, 9, 255], p * 4);
  writeFileSync(join(root, 'a/a2.jpg'), jpeg.encode({ width: 3, height: 2, data: rgba }, 100).data);
  writeFileSync(join(root, 'b/notes.txt'), 'not an image');
  writeFileSync(join(root, '.git/x.png'), png(1));
  writeFileSync(join(root, 'c.png'), png(2));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rel = (paths: string[]): string[] => paths.map((p) => p.slice(root.length + 1));
const sorted = ['a/A1.PNG', 'a/a0.png', 'a/a2.jpg', 'b/.hidden.png', 'b/b0.png', 'b/b1.png', 'b/sub/b2.png'];

describe('indexDirectory (Keras index_directory)', () => {
  it('lists class folders in order, files sorted per folder, recursing; hidden class folders skipped', async () => {
    // Reference: os.walk + sorted as in Keras, printed by Python for the same tree.
    const r = await indexDirectory(root, 'inferred', IMAGE_FORMATS, { shuffle: false });
    expect(rel(r.filePaths)).toEqual(sorted);
    expect(r.labels).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(r.classNames).toEqual(['a', 'b']);
  });
  it('shuffles with np.random.RandomState(seed) order', async () => {
    const r = await indexDirectory(root, 'inferred', IMAGE_FORMATS, { shuffle: true, seed: 1337 });
    expect(rel(r.filePaths)).toEqual(['b/sub/b2.png', 'a/a2.jpg', 'a/a0.png', 'b/.hidden.png', 'a/A1.PNG', 'b/b0.png', 'b/b1.png']);
    expect(r.labels).toEqual([1, 0, 0, 1, 0, 1, 1]);
  });
  it('labels null lists every file under the directory; explicit classNames reorder classes', async () => {
    const r = await indexDirectory(root, null, IMAGE_FORMATS, { shuffle: false });
    expect(rel(r.filePaths)).toEqual(['c.png', '.git/x.png', ...sorted]);
    expect(r.labels).toBeNull();
    const c = await indexDirectory(root, 'inferred', IMAGE_FORMATS, { shuffle: false, classNames: ['b', 'a'] });
    expect(c.labels).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(rel(c.filePaths).slice(0, 2)).toEqual(['b/.hidden.png', 'b/b0.png']);
  });
  it('manual labels give sorted string class names; bad class names are named', async () => {
    const r = await indexDirectory(root, [5, 3, 3, 5, 5, 3, 3, 3, 5], IMAGE_FORMATS, { shuffle: false });
    expect(r.classNames).toEqual(['3', '5']);
    await expect(indexDirectory(root, [1, 2], IMAGE_FORMATS, { shuffle: false })).rejects.toThrow(/len\(labels\) is 2 while we found 9 files/);
    await expect(indexDirectory(root, 'inferred', IMAGE_FORMATS, { classNames: ['a', 'zzz'] })).rejects.toThrow(/class_names=\["a","zzz"\]/);
    await expect(indexDirectory(join(root, 'nope'), 'inferred', IMAGE_FORMATS)).rejects.toThrow(/cannot read `directory` .*nope/);
  });
  it('follows symlinked folders only with followLinks (folder k sorts before k/linked)', async () => {
    const linkRoot = mkdtempSync(join(tmpdir(), 'strata-link-'));
    try {
      mkdirSync(join(linkRoot, 'k'));
      writeFileSync(join(linkRoot, 'k', 'z.png'), png(1));
      symlinkSync(join(root, 'a'), join(linkRoot, 'k', 'linked'));
      const no = await indexDirectory(linkRoot, 'inferred', IMAGE_FORMATS, { shuffle: false });
      expect(no.filePaths.map((p) => p.slice(linkRoot.length + 1))).toEqual(['k/z.png']);
      const yes = await indexDirectory(linkRoot, 'inferred', IMAGE_FORMATS, { shuffle: false, followLinks: true });
      expect(yes.filePaths.map((p) => p.slice(linkRoot.length + 1))).toEqual(['k/z.png', 'k/linked/A1.PNG', 'k/linked/a0.png', 'k/linked/a2.jpg']);
    } finally {
      rmSync(linkRoot, { recursive: true, force: true });
    }
  });
});

describe('getTrainingOrValidationSplit', () => {
  it('takes the last int(split * n) as validation (Python slicing)', () => {
    expect(getTrainingOrValidationSplit([1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 1, 1, 1, 1], 0.3, 'training')).toEqual([
      [1, 2, 3, 4, 5],
      [0, 0, 0, 1, 1],
    ]);
    expect(getTrainingOrValidationSplit([1, 2, 3, 4, 5, 6, 7], null, 0.3, 'validation')).toEqual([[6, 7], null]);
    // int(0.1 * 7) = 0: x[:-0] is empty, x[-0:] is everything.
    expect(getTrainingOrValidationSplit([1, 2, 3], null, 0.1, 'training')).toEqual([[], null]);
    expect(getTrainingOrValidationSplit([1, 2, 3], null, 0.1, 'validation')).toEqual([[1, 2, 3], null]);
  });
});

async function drain(ds: AsyncIterable<ImageElement>): Promise<{ red: number[]; labels: number[][] | number[]; shapes: number[][] }> {
  const red: number[] = [];
  const labels: (number | number[])[] = [];
  const shapes: number[][] = [];
  for await (const el of ds) {
    const [x, y] = el as [Tensor, Tensor];
    shapes.push([...x.shape]);
    const v = x.dataSync();
    const per = x.shape.slice(1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < x.shape[0]!; i++) red.push(Math.round(v[i * per]!));
    labels.push(...(y.arraySync() as number[]));
    x.dispose();
    y.dispose();
  }
  return { red, labels: labels as number[], shapes };
}

describe('imageDatasetFromDirectory', () => {
  it('yields float32 [b, h, w, 3] batches and int labels in Keras file order (shuffle off)', async () => {
    const before = memory().numTensors;
    const ds = (await imageDatasetFromDirectory(root, { imageSize: [2, 3], batchSize: 4, shuffle: false })) as DirectoryDataset<ImageElement>;
    expect(ds.classNames).toEqual(['a', 'b']);
    expect(rel(ds.filePaths)).toEqual(sorted);
    const { red, labels, shapes } = await drain(ds);
    expect(shapes).toEqual([
      [4, 2, 3, 3],
      [3, 2, 3, 3],
    ]);
    expect(red.map((v, i) => (i === 2 ? Math.abs(v - 70) <= 3 : v === [10, 20, 0, 30, 40, 50, 60][i]))).toEqual(Array(7).fill(true));
    expect(labels).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(memory().numTensors).toBe(before);
  });
  it('validation_split with a seed partitions the shuffled files as Keras does', async () => {
    const [train, val] = (await imageDatasetFromDirectory(root, {
      imageSize: [2, 3],
      validationSplit: 0.3,
      subset: 'both',
      seed: 1337,
      labelMode: 'categorical',
    })) as [DirectoryDataset<ImageElement>, DirectoryDataset<ImageElement>];
    // np.random.RandomState(1337).shuffle of the sorted list, then the last int(0.3 * 7) = 2 files.
    expect(rel(train.filePaths)).toEqual(['b/sub/b2.png', 'a/a2.jpg', 'a/a0.png', 'b/.hidden.png', 'a/A1.PNG']);
    expect(rel(val.filePaths)).toEqual(['b/b0.png', 'b/b1.png']);
    const v = await drain(val);
    expect(v.red).toEqual([40, 50]);
    expect(v.labels).toEqual([
      [0, 1],
      [0, 1],
    ]);
    const t = await drain(train);
    expect([...t.red].sort((a, b) => a - b).map((r) => (Math.abs(r - 70) <= 3 ? 70 : r))).toEqual([10, 20, 30, 60, 70]);
    const single = (await imageDatasetFromDirectory(root, { imageSize: [2, 3], validationSplit: 0.3, subset: 'training', seed: 1337 })) as DirectoryDataset<ImageElement>;
    expect(single.filePaths).toEqual(train.filePaths);
  });
  it('binary labels are float [b, 1]; grayscale has 1 channel; labelMode null yields images only; resize applies', async () => {
    const ds = (await imageDatasetFromDirectory(root, {
      imageSize: 4,
      labelMode: 'binary',
      colorMode: 'grayscale',
      batchSize: 8,
      shuffle: false,
    })) as DirectoryDataset<ImageElement>;
    for await (const el of ds) {
      const [x, y] = el as [Tensor, Tensor];
      expect(x.shape).toEqual([7, 4, 4, 1]);
      expect(y.shape).toEqual([7, 1]);
      expect(y.dtype).toBe('float32');
      expect(y.arraySync()).toEqual([[0], [0], [0], [1], [1], [1], [1]]);
      // Flat images stay flat after a bilinear resize: grey = round(.299 r + .587 * 7 + .114 * 9).
      expect(x.dataSync()[0]).toBeCloseTo(Math.round(0.299 * 10 + 0.587 * 7 + 0.114 * 9), 4);
      x.dispose();
      y.dispose();
    }
    const noLabels = (await imageDatasetFromDirectory(root, { labelMode: null, imageSize: [2, 3], batchSize: null, shuffle: false })) as DirectoryDataset<ImageElement>;
    const first = await noLabels.take(1).toArray();
    expect((first[0] as Tensor).shape).toEqual([2, 3, 3]);
    (first[0] as Tensor).dispose();
    expect(noLabels.classNames).toBeNull();
  });
  it('checks its arguments as Keras does', async () => {
    await expect(imageDatasetFromDirectory(root, { colorMode: 'cmyk' as never })).rejects.toThrow(/`color_mode` must be one of.*color_mode=cmyk/);
    await expect(imageDatasetFromDirectory(root, { labelMode: 'sparse' as never })).rejects.toThrow(/label_mode=sparse/);
    await expect(imageDatasetFromDirectory(root, { validationSplit: 0.2, subset: 'training' })).rejects.toThrow(/must provide a `seed`/);
    await expect(imageDatasetFromDirectory(root, { validationSplit: 0.2 })).rejects.toThrow(/if `subset` is set, `validation_split` must be set/);
    await expect(imageDatasetFromDirectory(root, { imageSize: [2] as never })).rejects.toThrow(/image_size/);
    await expect(imageDatasetFromDirectory(root, { interpolation: 'bicubic' })).rejects.toThrow(/interpolation="bicubic"/);
    await expect(imageDatasetFromDirectory(root, { classNames: ['a', 'b', 'c'], labelMode: 'binary' })).rejects.toThrow(/class_names/);
    await expect(imageDatasetFromDirectory(join(root, 'a'), {})).rejects.toThrow(/no images found in directory/);
  });
});
