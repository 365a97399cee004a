// imageDatasetFromDirectory and the image decoders in Chromium, on generated PNG/JPEG files served
// by the dev server, against the source pixels and against what Node's pipeline (fast-png /
// jpeg-js, imageDatasetFromDirectory on a real folder) made of the same files.
import { type Tensor, ValueError, memory } from '@strata/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageFiles } from '../testing/generated';
import type { DirectoryEntry } from './file-list';
import { imageDatasetFromDirectory } from './image-dataset-from-directory';
import { convertChannels, decodeImage, decodeWithBrowser, decodeWithLibraries } from './image-io';
import { textDatasetFromDirectory } from './text-dataset-from-directory';

interface NodeResults {
  decoded: Record<string, { width: number; height: number; channels: number; data: number[] }>;
  dataset: { filePaths: string[]; classNames: string[]; batches: { images: number[]; shape: number[]; labels: number[] }[] };
}

const imageUrl = (path: string) => `${location.origin}/__data/images/${path}`;
const FILES = imageFiles();
const isJpeg = (p: string) => /\.jpe?g$/.test(p);
let node: NodeResults;
const bytes = new Map<string, Uint8Array>();

beforeAll(async () => {
  node = (await (await fetch(`${location.origin}/__data/node-images.json`)).json()) as NodeResults;
  for (const f of FILES) bytes.set(f.path, new Uint8Array(await (await fetch(imageUrl(f.path))).arrayBuffer()));
});

/** The generated source pixels as RGBA (grey replicated, alpha 255 where there is none). */
function sourceRgba(f: (typeof FILES)[number]): Uint8Array {
  const n = f.width * f.height;
  const out = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) out[p * 4 + c] = f.pixels[p * f.channels + (f.channels === 1 ? 0 : c)]!;
    out[p * 4 + 3] = f.channels === 4 ? f.pixels[p * 4 + 3]! : 255;
  }
  return out;
}

function diffStats(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

describe('image decoding in the browser', () => {
  it('PNG: decodeImage gives the exact source samples (grey, RGB, RGBA with alpha), as Node does', async () => {
    for (const f of FILES.filter((g) => g.path.endsWith('.png'))) {
      const img = await decodeImage(bytes.get(f.path)!, 4, f.path);
      expect([img.width, img.height, img.channels]).toEqual([f.width, f.height, 4]);
      expect([...img.data]).toEqual([...sourceRgba(f)]);
      expect([...img.data]).toEqual(node.decoded[f.path]!.data);
    }
  });

  it("the browser's own decoder gives the same exact pixels on opaque PNGs", async () => {
    for (const f of FILES.filter((g) => g.path.endsWith('.png') && !g.path.includes('d_rgba'))) {
      const img = await decodeWithBrowser(bytes.get(f.path)!, f.path);
      expect([img.width, img.height]).toEqual([f.width, f.height]);
      expect([...img.data]).toEqual([...sourceRgba(f)]);
    }
  });

  it("JPEG: decoded by the browser's decoder, within a few levels of Node's jpeg-js and of the source", async () => {
    for (const f of FILES.filter((g) => isJpeg(g.path))) {
      const img = await decodeImage(bytes.get(f.path)!, 4, f.path);
      expect([img.width, img.height]).toEqual([f.width, f.height]);
      // It is the browser's decoder, not jpeg-js (the two differ in rounding somewhere).
      expect([...img.data]).toEqual([...(await decodeWithBrowser(bytes.get(f.path)!)).data]);
      const vsNode = diffStats(img.data, node.decoded[f.path]!.data);
      // libjpeg-turbo and jpeg-js round differently (measured: max 2-3 levels, mean 0.4), but do differ.
      expect(vsNode.max).toBeGreaterThanOrEqual(1);
      expect(vsNode.max).toBeLessThanOrEqual(4);
      expect(vsNode.mean).toBeLessThan(1);
      const vsLib = diffStats(img.data, convertChannels(decodeWithLibraries(bytes.get(f.path)!), 4).data);
      expect(vsLib).toEqual(vsNode);
      // Lossy at quality 92: close to the source overall.
      expect(diffStats(img.data, sourceRgba(f)).mean).toBeLessThan(6);
    }
  });

  it('an undecodable file is a ValueError naming it', async () => {
    await expect(decodeImage(new Uint8Array([1, 2, 3, 4]), 3, 'cats/broken.png')).rejects.toThrow(ValueError);
    await expect(decodeImage(new Uint8Array([1, 2, 3, 4]), 3, 'cats/broken.png')).rejects.toThrow(/cats\/broken\.png/);
  });
});

describe('imageDatasetFromDirectory with a file listing (the browser form)', () => {
  const options = { imageSize: [10, 12] as [number, number], batchSize: 4, seed: 7, validationSplit: 0.25, subset: 'training' as const };

  async function collect(ds: AsyncIterable<unknown>): Promise<{ images: Float32Array; shape: number[]; labels: number[] }[]> {
    const out: { images: Float32Array; shape: number[]; labels: number[] }[] = [];
    for await (const el of ds) {
      const [x, y] = el as [Tensor, Tensor];
      out.push({ images: x.dataSync() as Float32Array, shape: x.shape, labels: [...y.dataSync()] });
      x.dispose();
      y.dispose();
    }
    return out;
  }

  /** Same batches as Node's run: labels exact; PNG samples exact, JPEG samples within a few levels. */
  function expectSameAsNode(got: { images: Float32Array; shape: number[]; labels: number[] }[]): void {
    const want = node.dataset.batches;
    expect(got.map((b) => b.shape)).toEqual(want.map((b) => b.shape));
    expect(got.map((b) => b.labels)).toEqual(want.map((b) => b.labels));
    const per = 10 * 12 * 3;
    let exact = 0;
    for (let i = 0; i < got.length; i++) {
      for (let s = 0; s < got[i]!.shape[0]!; s++) {
        const d = diffStats(got[i]!.images.subarray(s * per, (s + 1) * per), want[i]!.images.slice(s * per, (s + 1) * per));
        if (d.max <= 1e-4) exact++;
        else {
          expect(d.max).toBeLessThanOrEqual(4);
          expect(d.mean).toBeLessThan(1);
        }
      }
    }
    // Every PNG of the training subset came out exactly as in Node.
    const trainingPngs = node.dataset.filePaths.filter((p) => p.endsWith('.png')).length;
    expect(exact).toBeGreaterThanOrEqual(trainingPngs);
  }

  it("URL entries: Keras' file order, classes, split and batches equal Node's run on a real folder", async () => {
    const listing: DirectoryEntry[] = FILES.map((f) => ({ path: f.path, source: imageUrl(f.path) }));
    const before = memory().numTensors;
    const ds = (await imageDatasetFromDirectory(listing, options)) as unknown as AsyncIterable<unknown> & { filePaths: string[]; classNames: string[] };
    expect(ds.classNames).toEqual(['cats', 'dogs']);
    expect(node.dataset.classNames).toEqual(['cats', 'dogs']);
    expect(ds.filePaths).toEqual(node.dataset.filePaths);
    // 8 files, int(0.25 * 8) = 2 for validation: 6 for training, in 2 batches.
    expect(ds.filePaths.length).toBe(6);
    expectSameAsNode(await collect(ds));
    expect(memory().numTensors).toBe(before);
  });

  it('File objects from <input webkitdirectory> (webkitRelativePath) give the same dataset', async () => {
    const files = FILES.map((f) => {
      const file = new File([bytes.get(f.path)! as BlobPart], f.path.split('/').at(-1)!);
      // A picked folder "photos": its name is the first segment of every relative path.
      Object.defineProperty(file, 'webkitRelativePath', { value: `photos/${f.path}` });
      return file;
    });
    const ds = (await imageDatasetFromDirectory(files, options)) as unknown as { filePaths: string[] } & AsyncIterable<unknown>;
    expect(ds.filePaths).toEqual(node.dataset.filePaths);
    expectSameAsNode(await collect(ds));
    // Blob entries work the same way, in any listing order.
    const blobs: DirectoryEntry[] = [...FILES].reverse().map((f) => ({ path: `./${f.path}`, source: new Blob([bytes.get(f.path)! as BlobPart]) }));
    const fromBlobs = (await imageDatasetFromDirectory(blobs, options)) as unknown as { filePaths: string[] } & AsyncIterable<unknown>;
    expect(fromBlobs.filePaths).toEqual(node.dataset.filePaths);
    expectSameAsNode(await collect(fromBlobs));
  });

  it('labels: null and a grayscale PNG-only listing; textDatasetFromDirectory takes listings too', async () => {
    const pngs: DirectoryEntry[] = FILES.filter((f) => f.path.endsWith('.png')).map((f) => ({ path: f.path, source: imageUrl(f.path) }));
    const ds = (await imageDatasetFromDirectory(pngs, { labels: null, imageSize: [4, 4], colorMode: 'grayscale', shuffle: false, batchSize: null, interpolation: 'nearest' })) as unknown as {
      filePaths: string[];
    } & AsyncIterable<Tensor>;
    // labels null: every file under the root, folders in sorted order (os.walk), names sorted.
    expect(ds.filePaths).toEqual(['cats/a_rgb.png', 'cats/b_grey.png', 'cats/d_rgba.png', 'dogs/f_opaque_rgba.png', 'dogs/nested/g.png']);
    const first: Tensor[] = [];
    for await (const x of ds) first.push(x);
    expect(first[0]!.shape).toEqual([4, 4, 1]);
    // Nearest 17x13 -> 4x4 from the grey PNG (b_grey is 9x11): pixel (0,0) of b_grey is its sample at row floor(0.5*11/4)=1, col floor(0.5*9/4)=1.
    const grey = FILES.find((f) => f.path === 'cats/b_grey.png')!;
    expect(first[1]!.dataSync()[0]).toBe(grey.pixels[1 * grey.width + 1]);
    for (const t of first) t.dispose();

    const texts: DirectoryEntry[] = [
      { path: 'pos/b.txt', source: new Blob(['great ✓']) },
      { path: 'neg/a.txt', source: new Blob(['bad']) },
      { path: 'pos/a.txt', source: new Blob(['fine']) },
    ];
    const tds = (await textDatasetFromDirectory(texts, { shuffle: false, batchSize: null })) as unknown as { classNames: string[] } & AsyncIterable<[string, Tensor]>;
    expect(tds.classNames).toEqual(['neg', 'pos']);
    const got: [string, number][] = [];
    for await (const [s, l] of tds) {
      got.push([s, l.dataSync()[0]!]);
      l.dispose();
    }
    expect(got).toEqual([
      ['bad', 0],
      ['fine', 1],
      ['great ✓', 1],
    ]);
  });

  it('bad listings and unreachable files are ValueErrors naming the path', async () => {
    await expect(imageDatasetFromDirectory('/some/folder', { imageSize: 4 })).rejects.toThrow(/needs Node's file system.*File objects or \{ path, source \} entries/);
    await expect(imageDatasetFromDirectory([{ path: '../x.png', source: imageUrl('x') }])).rejects.toThrow(/without "\.\."/);
    await expect(
      imageDatasetFromDirectory([
        { path: 'a/x.png', source: imageUrl('x') },
        { path: './a/x.png', source: imageUrl('x') },
      ]),
    ).rejects.toThrow('the path a/x.png is listed twice');
    await expect(imageDatasetFromDirectory([{ path: 'a/x.png', source: 42 } as unknown as DirectoryEntry])).rejects.toThrow(/at index 0/);
    await expect(imageDatasetFromDirectory([{ path: 'a/x.txt', source: imageUrl('x') }])).rejects.toThrow(/no images found in directory <listing of 1 files>/);
    const missing = imageUrl('cats/missing.png');
    const ds = await imageDatasetFromDirectory([{ path: 'cats/missing.png', source: missing }], { imageSize: 4, batchSize: null });
    await expect((ds as unknown as { toArray(): Promise<unknown> }).toArray()).rejects.toThrow(`cannot fetch cats/missing.png from ${missing}: HTTP 404`);
  });
});
