import { type Config, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { CategoryEncoding } from './category-encoding';
import { Discretization } from './discretization';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);

describe('CategoryEncoding', () => {
  it('one_hot, multi_hot and count match hand-computed encodings', () => {
    tidy(() => {
      expectAllClose(new CategoryEncoding(4, 'one_hot').apply(tensor([3, 2, 0, 1], undefined, 'int32')), [
        [0, 0, 0, 1],
        [0, 0, 1, 0],
        [1, 0, 0, 0],
        [0, 1, 0, 0],
      ]);
      const oh = new CategoryEncoding(3, 'one_hot').apply(tensor([[1], [2]]));
      expect(oh.shape).toEqual([2, 3]);
      const mh = new CategoryEncoding(4).apply(tensor([[0, 1], [0, 0], [1, 2], [3, 1]]));
      expectAllClose(mh, [
        [1, 1, 0, 0],
        [1, 0, 0, 0],
        [0, 1, 1, 0],
        [0, 1, 0, 1],
      ]);
      const counts = new CategoryEncoding({ numTokens: 4, outputMode: 'count' });
      expectAllClose(counts.apply(tensor([[0, 1], [0, 0], [1, 2], [3, 1]])), [
        [1, 1, 0, 0],
        [2, 0, 0, 0],
        [0, 1, 1, 0],
        [0, 1, 0, 1],
      ]);
      expectAllClose(counts.apply(tensor([[0, 1], [0, 0]]), { countWeights: tensor([[0.1, 0.2], [0.1, 0.4]]) }), [
        [0.1, 0.2, 0, 0],
        [0.5, 0, 0, 0],
      ]);
      expectAllClose(new CategoryEncoding(3, 'count').apply(tensor([1, 1, 2])), [0, 2, 1]);
    });
  });

  it('output shapes, config keys, errors, no leaks', async () => {
    const c = new CategoryEncoding(5, 'count', { name: 'ce' });
    expect(c.getConfig()).toMatchObject({ name: 'ce', num_tokens: 5, output_mode: 'count' });
    expect(c.getConfig()).not.toHaveProperty('sparse');
    const back = roundTrip<CategoryEncoding>(c);
    expect([back.numTokens, back.outputMode]).toEqual([5, 'count']);
    expect(c.computeOutputShape([null, 3])).toEqual([null, 5]);
    expect(new CategoryEncoding(5, 'one_hot').computeOutputShape([null, 1])).toEqual([null, 5]);
    expect(new CategoryEncoding(5, 'one_hot').computeOutputShape([null, 3])).toEqual([null, 3, 5]);
    tidy(() => {
      const x = tensor([[1, 2, 3]]);
      expect(c.apply(x).shape).toEqual(c.computeOutputShape([1, 3]));
    });
    expect(() => new CategoryEncoding({})).toThrow(/num_tokens/);
    expect(() => new CategoryEncoding(3, 'tf_idf' as never)).toThrow(/output_mode/);
    expect(() => c.apply(tensor([[1, 5]]))).toThrow(/CategoryEncoding "ce".*num_tokens=5.*\(1, 2\)/);
    expect(() => c.apply(tensor([[[1]]]))).toThrow(/CategoryEncoding "ce".*rank is 2/);
    const x = tensor([[1, 2]]);
    expect(await tensorLeak(() => c.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});

describe('Discretization', () => {
  it('buckets by bin_boundaries like tf Bucketize (x < b0 -> 0, b[i-1] <= x < b[i] -> i)', () => {
    const d = new Discretization({ binBoundaries: [0, 1, 2] });
    tidy(() => {
      const y = d.apply(tensor([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]));
      expect(y.dtype).toBe('int32');
      expect(Array.from(y.dataSync())).toEqual([0, 2, 3, 1, 1, 3, 2, 1]);
      const oh = new Discretization({ binBoundaries: [0, 1], outputMode: 'one_hot' }).apply(tensor([-1, 0.5, 2]));
      expectAllClose(oh, [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]);
      expectAllClose(new Discretization({ binBoundaries: [0, 1], outputMode: 'count' }).apply(tensor([[-1, 0.5, 2, 3]])), [[1, 1, 2]]);
    });
  });

  it('adapt learns Keras quantile-summary boundaries (small data: exact interpolated quantiles)', async () => {
    const d = new Discretization({ numBins: 4 });
    await d.adapt([[8, 1, 7, 2], [6, 3, 5, 4]]);
    expect(d.binBoundaries).toEqual([2, 4, 6]);
    tidy(() => {
      expect(Array.from(d.apply(tensor([1, 2, 3, 5, 6, 8])).dataSync())).toEqual([0, 1, 1, 2, 3, 3]);
    });
    const big = new Discretization({ numBins: 2 });
    const parts = [tensor(Array.from({ length: 300 }, (_, i) => i)), tensor(Array.from({ length: 100 }, (_, i) => 300 + i))];
    big.adaptSync(parts);
    for (const p of parts) p.dispose();
    expect(big.binBoundaries!.length).toBe(1);
    expect(Math.abs(big.binBoundaries![0]! - 200)).toBeLessThan(8);
  });

  it('config keys, errors, output shapes, no leaks', async () => {
    const d = new Discretization({ binBoundaries: [0, 1], name: 'dz' });
    expect(d.getConfig()).toMatchObject({ name: 'dz', bin_boundaries: [0, 1], num_bins: null, epsilon: 0.01, output_mode: 'int', sparse: false });
    expect(roundTrip<Discretization>(d).binBoundaries).toEqual([0, 1]);
    const a = new Discretization({ numBins: 3 });
    a.adaptSync([1, 2, 3, 4, 5, 6]);
    expect(roundTrip<Discretization>(a).binBoundaries).toEqual(a.binBoundaries);
    expect(() => new Discretization({ binBoundaries: [0], numBins: 4 })).toThrow(/num_bins.*bin_boundaries/);
    expect(() => d.adaptSync([1, 2])).toThrow(/Cannot adapt/);
    expect(() => new Discretization({ numBins: 3 }).apply(tensor([1]))).toThrow(/adapt/);
    expect(d.computeOutputShape([null, 4])).toEqual([null, 4]);
    expect(new Discretization({ binBoundaries: [0, 1], outputMode: 'multi_hot' }).computeOutputShape([null, 4])).toEqual([null, 3]);
    const x = tensor([[0.5, 2]]);
    expect(await tensorLeak(() => d.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
