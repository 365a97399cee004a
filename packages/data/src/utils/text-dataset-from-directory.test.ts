import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, memory } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryDataset } from './directory-dataset';
import { type TextElement, textDatasetFromDirectory } from './text-dataset-from-directory';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-txt-'));
  mkdirSync(join(root, 'neg'));
  mkdirSync(join(root, 'pos'));
  writeFileSync(join(root, 'neg', '1.txt'), 'bad movie');
  writeFileSync(join(root, 'neg', '0.txt'), 'awful');
  writeFileSync(join(root, 'pos', '2.txt'), 'great film');
  writeFileSync(join(root, 'pos', 'é.txt'), 'héllo');
  writeFileSync(join(root, 'pos', 'skip.md'), 'not text');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('textDatasetFromDirectory', () => {
  it('yields string batches with int labels in sorted order; leaks nothing', async () => {
    const before = memory().numTensors;
    const ds = (await textDatasetFromDirectory(root, { shuffle: false, batchSize: 3 })) as DirectoryDataset<TextElement>;
    expect(ds.classNames).toEqual(['neg', 'pos']);
    expect(ds.filePaths.map((p) => p.slice(root.length + 1))).toEqual(['neg/0.txt', 'neg/1.txt', 'pos/2.txt', 'pos/é.txt']);
    const texts: string[] = [];
    const labels: number[] = [];
    for await (const el of ds) {
      const [x, y] = el as [Tensor, Tensor];
      expect(x.dtype).toBe('string');
      texts.push(...(x.arraySync() as unknown as string[]));
      labels.push(...(y.arraySync() as number[]));
      x.dispose();
      y.dispose();
    }
    expect(texts).toEqual(['awful', 'bad movie', 'great film', 'héllo']);
    expect(labels).toEqual([0, 0, 1, 1]);
    expect(memory().numTensors).toBe(before);
  });
  it('maxLength keeps the first bytes; unbatched elements are strings', async () => {
    const ds = (await textDatasetFromDirectory(root, { shuffle: false, batchSize: null, maxLength: 3, labelMode: null })) as DirectoryDataset<TextElement>;
    const all = await ds.toArray();
    // 'héllo' is h (1 byte) + é (2 bytes): 3 bytes are 'hé'.
    expect(all).toEqual(['awf', 'bad', 'gre', 'hé']);
  });
  it('validation split with a seed partitions the files', async () => {
    const [a, b] = (await textDatasetFromDirectory(root, { validationSplit: 0.5, subset: 'both', seed: 3 })) as DirectoryDataset<TextElement>[];
    expect(a!.filePaths.length).toBe(2);
    expect(b!.filePaths.length).toBe(2);
    expect(new Set([...a!.filePaths, ...b!.filePaths]).size).toBe(4);
  });
  it('errors name the argument', async () => {
    await expect(textDatasetFromDirectory(root, { maxLength: -1 })).rejects.toThrow(/max_length=-1/);
    await expect(textDatasetFromDirectory(root, { labels: [0, 1], classNames: ['x'] })).rejects.toThrow(/only pass `class_names` if `labels="inferred"`/);
    await expect(textDatasetFromDirectory('', {})).rejects.toThrow(/`directory` must be a non-empty path/);
  });
});
