import { type Config, type Tensor, type TensorLike, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { hashBucketFast } from './hash';
import { Hashing } from './hashing';
import { IntegerLookup, StringLookup } from './index-lookup';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
const strings = (v: unknown[], shape?: number[]) => tensor(v as unknown as TensorLike, shape, 'string');
const data = (t: Tensor) => Array.from(t.dataSync() as ArrayLike<unknown>);

describe('StringLookup', () => {
  it('maps vocabulary to indices after the OOV index (and mask at 0), like Keras', () => {
    tidy(() => {
      const l = new StringLookup({ vocabulary: ['a', 'b', 'c', 'd'] });
      const y = l.apply(strings([['a', 'c', 'd'], ['d', 'z', 'b']]));
      expect(y.dtype).toBe('int32');
      expect(data(y)).toEqual([1, 3, 4, 4, 0, 2]);
      expect(l.getVocabulary()).toEqual(['[UNK]', 'a', 'b', 'c', 'd']);
      expect(l.vocabularySize()).toBe(5);
      const m = new StringLookup({ vocabulary: ['a', 'b'], maskToken: '', numOovIndices: 2 });
      expect(m.getVocabulary()).toEqual(['', '[UNK]', '[UNK]', 'a', 'b']);
      const out = data(m.apply(strings(['', 'a', 'b', 'q', 'r'])));
      expect(out.slice(0, 3)).toEqual([0, 3, 4]);
      expect(out[3]).toBe(1 + hashBucketFast('q', 2));
      expect(out[4]).toBe(1 + hashBucketFast('r', 2));
    });
  });

  it('adapt orders by frequency (ties: larger token first); invert maps back; encodings', async () => {
    const l = new StringLookup();
    await l.adapt(strings(['b', 'a', 'c', 'a', 'd', 'c', 'a', '[UNK]']));
    expect(l.getVocabulary()).toEqual(['[UNK]', 'a', 'c', 'd', 'b']);
    const capped = new StringLookup({ maxTokens: 3 });
    capped.adaptSync(strings(['b', 'a', 'c', 'a', 'c', 'a']));
    expect(capped.getVocabulary()).toEqual(['[UNK]', 'a', 'c']);
    tidy(() => {
      const inv = new StringLookup({ vocabulary: ['a', 'b'], invert: true });
      expect(data(inv.apply(tensor([[1, 2, 0, 7]], undefined, 'int32')))).toEqual(['a', 'b', '[UNK]', '[UNK]']);
      const mh = new StringLookup({ vocabulary: ['a', 'b', 'c'], outputMode: 'multi_hot' });
      expectAllClose(mh.apply(strings([['a', 'b'], ['c', 'x']])), [
        [0, 1, 1, 0],
        [1, 0, 0, 1],
      ]);
      const cnt = new StringLookup({ vocabulary: ['a', 'b'], outputMode: 'count', maskToken: '' });
      expectAllClose(cnt.apply(strings([['a', 'a', '', 'q']])), [[1, 2, 0]]);
      const pad = new StringLookup({ vocabulary: ['a'], outputMode: 'one_hot', maxTokens: 4, padToMaxTokens: true });
      expectAllClose(pad.apply(strings(['a', 'b'])), [
        [0, 1, 0, 0],
        [1, 0, 0, 0],
      ]);
      expect(pad.computeOutputShape([null])).toEqual([null, 4]);
    });
  });

  it('config with Keras keys round-trips; errors name the layer; no leaks', async () => {
    const l = new StringLookup({ vocabulary: ['x', 'y'], name: 'sl', maskToken: '[MASK]' });
    expect(l.getConfig()).toMatchObject({
      name: 'sl',
      invert: false,
      max_tokens: null,
      num_oov_indices: 1,
      oov_token: '[UNK]',
      mask_token: '[MASK]',
      output_mode: 'int',
      sparse: false,
      pad_to_max_tokens: false,
      vocabulary_dtype: 'string',
      idf_weights: null,
      vocabulary: ['x', 'y'],
      encoding: 'utf-8',
    });
    const back = roundTrip<StringLookup>(l);
    expect(back.getVocabulary()).toEqual(l.getVocabulary());
    expect(() => new StringLookup({ vocabulary: ['a', 'a'] })).toThrow(/repeated/);
    expect(() => new StringLookup({ outputMode: 'tfidf' as never })).toThrow(/output_mode/);
    expect(() => new StringLookup({ outputMode: 'tf_idf', vocabulary: ['a'] })).toThrow(/StringLookup.*idf_weights/);
    expect(() => new StringLookup({ vocabulary: ['a'], idfWeights: [1] })).toThrow(/StringLookup.*idf_weights.*tf_idf/);
    expect(() => new StringLookup({ outputMode: 'tf_idf', vocabulary: ['a', 'b'], idfWeights: [1] })).toThrow(/same length.*1.*2/);
    expect(() => new StringLookup({ invert: true, outputMode: 'count' })).toThrow(/invert/);
    expect(() => l.apply(tensor([1, 2]))).toThrow(/StringLookup "sl".*\(2,\)/);
    expect(() => new StringLookup({ vocabulary: ['a'], numOovIndices: 0 }).apply(strings(['b']))).toThrow(/not in the vocabulary/);
    const x = strings(['x', 'q']);
    expect(await tensorLeak(() => l.apply(x).dispose())).toBe(0);
    expect(() => l.adaptSync(x)).toThrow(/StringLookup "sl".*static vocabulary/);
    const fresh = new StringLookup({ outputMode: 'tf_idf' });
    expect(await tensorLeak(() => fresh.adaptSync(x))).toBe(0);
    x.dispose();
  });
});

describe('IntegerLookup', () => {
  it('maps integers, OOV -1, mask, invert, adapt', async () => {
    tidy(() => {
      const l = new IntegerLookup({ vocabulary: [12, 36, 1138, 42] });
      expect(data(l.apply(tensor([[12, 1138, 42], [42, 1000, 36]], undefined, 'int32')))).toEqual([1, 3, 4, 4, 0, 2]);
      expect(l.getVocabulary()).toEqual([-1, 12, 36, 1138, 42]);
      const m = new IntegerLookup({ vocabulary: [12, 36], maskToken: 0, numOovIndices: 2 });
      expect(data(m.apply(tensor([0, 12, 36, 5, 6])))).toEqual([0, 3, 4, 1 + 1, 1 + 0]);
      const inv = new IntegerLookup({ vocabulary: [12, 36], invert: true });
      const y = inv.apply(tensor([1, 2, 0], undefined, 'int32'));
      expect(data(y)).toEqual([12, 36, -1]);
    });
    const a = new IntegerLookup();
    await a.adapt([[5, 3, 5], [7, 7, 5]]);
    expect(a.getVocabulary()).toEqual([-1, 5, 7, 3]);
    expect(a.getVocabulary(false)).toEqual([5, 7, 3]);
    const back = roundTrip<IntegerLookup>(a);
    expect(back.getVocabulary()).toEqual(a.getVocabulary());
    expect(a.getConfig()).toMatchObject({ oov_token: -1, vocabulary_dtype: 'int64', num_oov_indices: 1 });
    expect(() => a.apply(tensor([1.5]))).toThrow(/IntegerLookup.*integer/);
    expect(() => new IntegerLookup({ maxTokens: 1 })).toThrow(/max_tokens/);
  });
});

describe("StringLookup output_mode='tf_idf'", () => {
  it("weights counts by the given idf, OOV by their mean (Keras' documented example)", () => {
    tidy(() => {
      const l = new StringLookup({ outputMode: 'tf_idf', vocabulary: ['a', 'b', 'c', 'd'], idfWeights: [0.25, 0.75, 0.6, 0.4] });
      const y = l.apply(strings([['a', 'c', 'd', 'd'], ['d', 'z', 'b', 'z']]));
      expect(y.dtype).toBe('float32');
      expectAllClose(y, [
        [0, 0.25, 0, 0.6, 0.8],
        [1.0, 0, 0.75, 0, 0.4],
      ]);
      // Special tokens given with the vocabulary take their own idf.
      const s = new StringLookup({ outputMode: 'tf_idf', vocabulary: ['[UNK]', 'a', 'b', 'c', 'd'], idfWeights: [0.9, 0.25, 0.75, 0.6, 0.4] });
      expectAllClose(s.apply(strings([['d', 'z', 'b', 'z']])), [[1.8, 0, 0.75, 0, 0.4]]);
      // pad_to_max_tokens pads with zero weights.
      const p = new StringLookup({ outputMode: 'tf_idf', maxTokens: 7, padToMaxTokens: true, vocabulary: ['a', 'b'], idfWeights: [1, 2] });
      expectAllClose(p.apply(strings([['b', 'q']])), [[1.5, 0, 2, 0, 0, 0, 0]]);
    });
  });

  it('adapt learns idf = log(1 + documents / (1 + document frequency)) per row-document', () => {
    const l = new StringLookup({ outputMode: 'tf_idf' });
    l.adaptSync(strings(['a', 'b', 'a', 'c', 'a', 'a', 'c', ''], [4, 2]));
    // Counts: a 4, c 2, b 1, '' 1 -> vocabulary a, c, '' and b tie broken by the larger token first.
    expect(l.getVocabulary()).toEqual(['[UNK]', 'a', 'c', 'b', '']);
    const idf = (docs: number) => Math.log(1 + 4 / (1 + docs));
    const learned = [idf(3), idf(2), idf(1), idf(1)];
    const mean = learned.reduce((x, y) => x + y) / learned.length;
    expectAllClose(l.idfWeights!, [mean, ...learned], { atol: 1e-6 });
    tidy(() => {
      expectAllClose(l.apply(strings([['a', 'a', 'z', 'b']])), [[mean, 2 * idf(3), 0, idf(1), 0]], { atol: 1e-6 });
      // The config carries the vocabulary with its special tokens and the matching weights.
      const back = roundTrip<StringLookup>(l);
      expectAllClose(back.apply(strings([['a', 'c', 'z']])), l.apply(strings([['a', 'c', 'z']])));
    });
  });
});

describe('Hashing', () => {
  it("gives the bins of Keras' documented examples (FarmHash64, mask value, SipHash64 salts)", () => {
    tidy(() => {
      const h = new Hashing(3);
      const y = h.apply(strings([['A'], ['B'], ['C'], ['D'], ['E']]));
      expect(y.dtype).toBe('int32');
      expect(y.shape).toEqual([5, 1]);
      expect(data(y)).toEqual([1, 0, 1, 1, 2]);
      expect(data(new Hashing(3, '').apply(strings([['A'], ['B'], [''], ['C'], ['D']])))).toEqual([1, 1, 0, 2, 2]);
      expect(data(new Hashing(3, null, [133, 137]).apply(strings([['A'], ['B'], ['C'], ['D'], ['E']])))).toEqual([1, 2, 1, 0, 2]);
      expect(data(new Hashing(3, null, 133).apply(strings([['A'], ['B'], ['C'], ['D'], ['E']])))).toEqual([0, 0, 2, 1, 0]);
      // Integers hash as their decimal strings; floats are truncated to integers first.
      expect(data(h.apply(tensor([[12], [1138]], undefined, 'int32')))).toEqual([hashBucketFast('12', 3), hashBucketFast('1138', 3)]);
      expect(data(h.apply(tensor([12.7, -3.2])))).toEqual([hashBucketFast('12', 3), hashBucketFast('-3', 3)]);
      expectAllClose(new Hashing(4, null, null, 'multi_hot').apply(strings([['a', 'a']])), [[0, 1, 2, 3].map((i) => (i === hashBucketFast('a', 4) ? 1 : 0))]);
    });
  });

  it('spreads tokens roughly uniformly; config keys; errors; no leaks', async () => {
    const h = new Hashing(4, { name: 'hs' } as never);
    const x = tensor(Array.from({ length: 4000 }, (_, i) => i), undefined, 'int32');
    const counts = [0, 0, 0, 0];
    for (const b of h.apply(x).dataSync()) counts[b]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
    expect(h.getConfig()).toMatchObject({ name: 'hs', num_bins: 4, salt: null, mask_value: null, output_mode: 'int', sparse: false });
    expect(roundTrip<Hashing>(new Hashing(5, 'x', [1, 2])).salt).toEqual([1, 2]);
    // A single-integer salt is stored as the pair Keras keys SipHash with.
    expect(new Hashing(5, null, 7).getConfig()['salt']).toEqual([7, 7]);
    expect(() => new Hashing(5, null, [1, 2, 3] as never)).toThrow(/Hashing.*salt/);
    expect(h.computeOutputShape([null, 1])).toEqual([null, 1]);
    expect(new Hashing(5, null, null, 'one_hot').computeOutputShape([null, 1])).toEqual([null, 5]);
    expect(() => new Hashing(0)).toThrow(/num_bins/);
    expect(await tensorLeak(() => h.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
