import { createHash } from 'node:crypto';
import { memory, tensor } from '@strata/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLASS_INDEX_MD5, decodePredictions, loadClassIndex, resetClassIndexCache } from './decode-predictions';
import { IMAGENET_CLASS_INDEX } from './imagenet-class-index';

afterEach(() => {
  vi.unstubAllGlobals();
  resetClassIndexCache();
});

/** The index as Python's `json.dump` writes Keras' imagenet_class_index.json (", " and ": " separators, ASCII). */
function asKerasJson(index: Record<string, [string, string]>): string {
  const keys = Object.keys(index);
  return `{${keys.map((k) => `${JSON.stringify(k)}: [${JSON.stringify(index[k]![0])}, ${JSON.stringify(index[k]![1])}]`).join(', ')}}`;
}

describe('the shipped ImageNet class index', () => {
  it('has 1000 classes "0".."999" with unique, strictly increasing wnids', () => {
    const keys = Object.keys(IMAGENET_CLASS_INDEX);
    expect(keys).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
    const wnids = keys.map((k) => IMAGENET_CLASS_INDEX[k]![0]);
    for (const w of wnids) expect(w).toMatch(/^n\d{8}$/);
    expect(new Set(wnids).size).toBe(1000);
    for (let i = 1; i < 1000; i++) expect(wnids[i]! > wnids[i - 1]!).toBe(true);
    for (const k of keys) expect(IMAGENET_CLASS_INDEX[k]![1]).toMatch(/^\S+$/); // WordNet words: '_' for spaces
  });

  it("matches the entries of Keras' imagenet_class_index.json", () => {
    // From Keras' file (as distributed at CLASS_INDEX_URL), including the duplicate names and
    // the classes whose WordNet word list alone is ambiguous (echidna, bow, corn).
    const known: [number, string, string][] = [
      [0, 'n01440764', 'tench'],
      [1, 'n01443537', 'goldfish'],
      [2, 'n01484850', 'great_white_shark'],
      [20, 'n01601694', 'water_ouzel'],
      [102, 'n01872401', 'echidna'],
      [107, 'n01910747', 'jellyfish'],
      [134, 'n02012849', 'crane'],
      [151, 'n02085620', 'Chihuahua'],
      [456, 'n02879718', 'bow'],
      [477, 'n02966687', "carpenter's_kit"],
      [517, 'n03126707', 'crane'],
      [607, 'n03590841', "jack-o'-lantern"],
      [638, 'n03710637', 'maillot'],
      [639, 'n03710721', 'maillot'],
      [664, 'n03782006', 'monitor'],
      [982, 'n10148035', 'groom'],
      [987, 'n12144580', 'corn'],
      [999, 'n15075141', 'toilet_tissue'],
    ];
    for (const [i, wnid, name] of known) expect([i, ...IMAGENET_CLASS_INDEX[String(i)]!]).toEqual([i, wnid, name]);
  });

  it("serialized like Keras' file, it has Keras' md5 (so every entry is Keras')", () => {
    expect(createHash('md5').update(asKerasJson(IMAGENET_CLASS_INDEX)).digest('hex')).toBe(CLASS_INDEX_MD5);
    // The check can fail: one changed name changes the md5.
    const altered = { ...IMAGENET_CLASS_INDEX, '517': ['n03126707', 'crane_machine'] as [string, string] };
    expect(createHash('md5').update(asKerasJson(altered)).digest('hex')).not.toBe(CLASS_INDEX_MD5);
  });
});

describe('decodePredictions with the shipped index', () => {
  it('needs no network: returns the top-k [wnid, name, score] sorted, per row', async () => {
    const fetchSpy = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    vi.stubGlobal('fetch', fetchSpy);
    const rows = [new Array(1000).fill(0), new Array(1000).fill(0)];
    rows[0]![134] = 0.3;
    rows[0]![517] = 0.6;
    rows[0]![0] = 0.1;
    rows[1]![999] = 0.7;
    rows[1]![638] = 0.2;
    rows[1]![639] = 0.05;
    rows[1]![151] = 0.04;
    const preds = tensor(rows.flat(), [2, 1000]);
    const before = memory().numTensors;
    const out = await decodePredictions(preds, 3);
    expect(memory().numTensors).toBe(before);
    preds.dispose();
    expect(out[0]!.map(([w, n]) => [w, n])).toEqual([
      ['n03126707', 'crane'],
      ['n02012849', 'crane'],
      ['n01440764', 'tench'],
    ]);
    expect(out[0]!.map((r) => r[2])).toEqual([Math.fround(0.6), Math.fround(0.3), Math.fround(0.1)]);
    expect(out[1]!.map(([w, n]) => [w, n])).toEqual([
      ['n15075141', 'toilet_tissue'],
      ['n03710637', 'maillot'],
      ['n03710721', 'maillot'],
    ]);
    // Default top is 5, as Keras.
    expect((await decodePredictions(rows))[1]!.map((r) => r[1])).toEqual(['toilet_tissue', 'maillot', 'maillot', 'Chihuahua', expect.any(String)]);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('loadClassIndex returns the shipped index; a classIndex option still overrides it', async () => {
    expect(await loadClassIndex()).toBe(IMAGENET_CLASS_INDEX);
    const custom: Record<string, [string, string]> = {};
    for (let i = 0; i < 1000; i++) custom[String(i)] = [`id${i}`, `name${i}`];
    const row = new Array(1000).fill(0);
    row[5] = 1;
    expect((await decodePredictions([row], 1, { classIndex: custom }))[0]).toEqual([['id5', 'name5', 1]]);
  });
});
