import { type Config, type Tensor, type TensorLike, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { TextVectorization } from './text-vectorization';

const strings = (v: string[], shape?: number[]) => tensor(v as unknown as TensorLike, shape, 'string');
const data = (t: Tensor) => Array.from(t.dataSync());

describe('TextVectorization', () => {
  it('standardizes, splits, adapts by frequency and pads int outputs (mask 0, OOV 1)', async () => {
    const tv = new TextVectorization();
    await tv.adapt(['The cat sat.', 'the dog, the CAT!', 'a dog']);
    // counts: the 3, cat 2, dog 2, sat 1, a 1 (ties: larger token first)
    expect(tv.getVocabulary()).toEqual(['', '[UNK]', 'the', 'dog', 'cat', 'sat', 'a']);
    expect(tv.tokenize("Hello, World! it's")).toEqual(['hello', 'world', 'its']);
    tidy(() => {
      const y = tv.apply(strings(['the cat', 'a bird sat on the dog']));
      expect(y.dtype).toBe('int32');
      expect(y.shape).toEqual([2, 6]);
      expect(data(y)).toEqual([2, 4, 0, 0, 0, 0, 6, 1, 5, 1, 2, 3]);
      const fixed = new TextVectorization({ vocabulary: tv.getVocabulary(false), outputSequenceLength: 3 });
      expect(data(fixed.apply(strings(['a bird sat on', 'dog'])))).toEqual([6, 1, 5, 3, 0, 0]);
      expect(fixed.computeOutputShape([null])).toEqual([null, 3]);
    });
  });

  it('ngrams, multi_hot and count outputs', () => {
    const ng = new TextVectorization({ ngrams: 2, standardize: null });
    expect(ng.tokenize('a b c')).toEqual(['a', 'b', 'c', 'a b', 'b c']);
    expect(new TextVectorization({ ngrams: [2] }).tokenize('a b c')).toEqual(['a b', 'b c']);
    tidy(() => {
      const mh = new TextVectorization({ vocabulary: ['x', 'y'], outputMode: 'multi_hot' });
      expectAllClose(mh.apply(strings(['x x q', 'y'])), [
        [1, 1, 0],
        [0, 0, 1],
      ]);
      const cnt = new TextVectorization({ vocabulary: ['x', 'y'], outputMode: 'count' });
      expectAllClose(cnt.apply(strings(['x x q', ''], [2, 1])), [
        [1, 2, 0],
        [0, 0, 0],
      ]);
      expect(cnt.computeOutputShape([null, 1])).toEqual([null, 3]);
    });
  });

  it('config with Keras keys round-trips; errors; no leaks', async () => {
    const tv = new TextVectorization({ maxTokens: 5, outputSequenceLength: 4, ngrams: 2, name: 'tv' });
    tv.adaptSync(['a b a c']);
    const c = tv.getConfig();
    expect(c).toMatchObject({
      name: 'tv',
      max_tokens: 5,
      standardize: 'lower_and_strip_punctuation',
      split: 'whitespace',
      ngrams: 2,
      output_mode: 'int',
      output_sequence_length: 4,
      pad_to_max_tokens: false,
      sparse: false,
      ragged: false,
      idf_weights: null,
      encoding: 'utf-8',
      vocabulary_size: 5,
    });
    expect(tv.getVocabulary()).toEqual(['', '[UNK]', 'a', 'c', 'b a']);
    const back = TextVectorization.fromConfig(JSON.parse(JSON.stringify(c)) as Config);
    expect(back.getVocabulary()).toEqual(tv.getVocabulary());
    expect(() => new TextVectorization({ outputMode: 'one_hot' as never })).toThrow(/output_mode/);
    expect(() => new TextVectorization({ outputMode: 'count', outputSequenceLength: 3 })).toThrow(/output_sequence_length/);
    expect(() => tv.apply(tensor([1, 2]))).toThrow(/TextVectorization "tv".*\(2,\)/);
    expect(() => tv.apply(strings(['a', 'b', 'c', 'd'], [2, 2]))).toThrow(/TextVectorization "tv".*\(2, 2\)/);
    const x = strings(['a b', 'c']);
    expect(await tensorLeak(() => tv.apply(x).dispose())).toBe(0);
    expect(await tensorLeak(() => tv.adaptSync(x))).toBe(0);
    x.dispose();
  });

  it("output_mode='tf_idf': each string is one document for adapt's idf", () => {
    const tv = new TextVectorization({ outputMode: 'tf_idf' });
    tv.adaptSync(strings(['The cat sat', 'the dog', 'A cat, a hat!']));
    // Counts: a 2, cat 2, the 2, dog 1, hat 1, sat 1 (ties: larger token first).
    expect(tv.getVocabulary()).toEqual(['[UNK]', 'the', 'cat', 'a', 'sat', 'hat', 'dog']);
    const idf = (docs: number) => Math.log(1 + 3 / (1 + docs));
    // 'a' occurs twice in one document: document frequency 1.
    const learned = [idf(2), idf(2), idf(1), idf(1), idf(1), idf(1)];
    const mean = learned.reduce((x, y) => x + y) / learned.length;
    tidy(() => {
      const y = tv.apply(strings(['a cat and a cat', 'the']));
      expect(y.shape).toEqual([2, 7]);
      expectAllClose(y, [
        [mean, 0, 2 * idf(2), 2 * idf(1), 0, 0, 0],
        [0, idf(2), 0, 0, 0, 0, 0],
      ], { atol: 1e-6 });
      const back = TextVectorization.fromConfig(JSON.parse(JSON.stringify(tv.getConfig())) as Config);
      expectAllClose(back.apply(strings(['a cat and a cat', 'the'])), y);
    });
  });
});
