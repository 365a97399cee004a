import { type Config, type Tensor, deserializeKerasObject, tensor, tidy } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { CategoryEncoding } from './category-encoding';
import { CenterCrop } from './center-crop';
import { Normalization } from './normalization';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);

describe('Normalization (keras/src/layers/preprocessing/normalization.py)', () => {
  it('a given mean/variance is aligned with the kept axes from the right, then broadcast', () => {
    tidy(() => {
      // axis=1 on (2, 3, 2): mean [1, 2, 3] applies along axis 1, not the last axis.
      const x = tensor(Array.from({ length: 12 }, (_, i) => i), [2, 3, 2]);
      const y = new Normalization({ axis: 1, mean: [1, 2, 3], variance: [4, 4, 16] }).apply(x) as Tensor;
      const ref = Array.from({ length: 12 }, (_, i) => {
        const c = Math.floor(i / 2) % 3;
        return (i - [1, 2, 3][c]!) / [2, 2, 4][c]!;
      });
      expectAllClose(y, ref, { atol: 1e-6 });
      // axis [1, 2] with a mean of rank 1: it lines up with the last kept axis (2).
      const z = new Normalization({ axis: [1, 2], mean: [10, 20], variance: [1, 4] }).apply(x) as Tensor;
      expectAllClose(
        z,
        Array.from({ length: 12 }, (_, i) => (i - [10, 20][i % 2]!) / [1, 2][i % 2]!),
        { atol: 1e-6 },
      );
    });
  });

  it('kept axes are sorted (axis [2, 1] gives statistics of shape (3, 2))', () => {
    const n = new Normalization({ axis: [2, 1] });
    const data = tensor(Array.from({ length: 24 }, (_, i) => (i * 7) % 11), [4, 3, 2]);
    n.adaptSync(data);
    expect(n.adaptMean!.shape).toEqual([3, 2]);
    // Mean over the batch of each (row, column) position.
    const v = Array.from(data.dataSync());
    const ref = Array.from({ length: 6 }, (_, k) => (v[k]! + v[k + 6]! + v[k + 12]! + v[k + 18]!) / 4);
    expectAllClose(n.adaptMean!.value, ref, { atol: 1e-5 });
    data.dispose();
  });

  it('mean and variance must share their shape, of rank at most the number of axes; registration', () => {
    expect(() => new Normalization({ mean: [1, 2], variance: [1, 2, 3] })).toThrow(/Normalization.*same shape.*\(2,\).*\(3,\)/);
    expect(() => new Normalization({ axis: -1, mean: [[1, 2]] as never, variance: [[1, 2]] as never })).toThrow(/Normalization.*rank of `mean`.*\(1, 2\)/);
    const l = new Normalization({ axis: 1, mean: [1, 2, 3], variance: [4, 4, 16], name: 'nz' });
    expect(roundTrip<Normalization>(l).getConfig()).toEqual(l.getConfig());
    const d = deserializeKerasObject<Normalization>('layer', { module: 'keras.layers', class_name: 'Normalization', config: l.getConfig(), registered_name: null });
    expect(d).toBeInstanceOf(Normalization);
  });
});

describe('CategoryEncoding / CenterCrop details', () => {
  it('CategoryEncoding accepts the old "binary" name for multi_hot', () => {
    const c = new CategoryEncoding(4, 'binary' as never);
    expect(c.outputMode).toBe('multi_hot');
    tidy(() => expectAllClose(c.apply(tensor([[0, 1, 1]])) as Tensor, [[1, 1, 0, 0]]));
  });

  it('CenterCrop outputs float32 (Keras casts to the compute dtype)', () => {
    tidy(() => {
      const y = new CenterCrop(1, 2).apply(tensor([1, 2, 3, 4, 5, 6], [3, 2, 1], 'int32')) as Tensor;
      expect(y.dtype).toBe('float32');
      expect(Array.from(y.dataSync())).toEqual([3, 4]);
    });
  });
});
