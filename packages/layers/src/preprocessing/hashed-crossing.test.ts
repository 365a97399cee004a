import { type Config, type Tensor, type TensorLike, ops, tensor, tidy } from '@strata/core';
import { checkLayer, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { HashedCrossing } from './index-extra';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);

describe('HashedCrossing', () => {
  it("gives the bins of Keras' documented example, element-wise", async () => {
    // keras.layers.HashedCrossing(num_bins=5)((['A','B','A','B','A'], [101,101,101,102,102])) -> [1, 4, 1, 1, 3]
    const full = new HashedCrossing(5).apply([
      tensor(['A', 'B', 'A', 'B', 'A'] as unknown as TensorLike, [5], 'string'),
      tensor([101, 101, 101, 102, 102], [5], 'int32'),
    ]) as Tensor;
    expect(Array.from(full.dataSync())).toEqual([1, 4, 1, 1, 3]);
    full.dispose();
    const a = tensor(['A', 'B', 'A'] as unknown as TensorLike, [3], 'string');
    const b = tensor([101, 101, 102], [3], 'int32');
    const want = [1, 4, 3];
    const { layer } = checkLayer({ make: () => new HashedCrossing(5), input: [a, b], expected: want, grads: false, symbolic: false });
    layer.dispose?.();
    tidy(() => {
      const y = new HashedCrossing(5).apply([a, b]) as Tensor;
      expect(y.dtype).toBe('int32');
      expect(Array.from(y.dataSync())).toEqual(want);
      // Crossing is order-dependent, and a third feature changes the bins.
      const c = tensor([1, 2, 3], [3], 'int32');
      const abc = Array.from((new HashedCrossing(1 << 20).apply([a, b, c]) as Tensor).dataSync());
      const ba = Array.from((new HashedCrossing(1 << 20).apply([b, a]) as Tensor).dataSync());
      const ab = Array.from((new HashedCrossing(1 << 20).apply([a, b]) as Tensor).dataSync());
      expect(abc).not.toEqual(ab);
      expect(ba).not.toEqual(ab);
      const oh = new HashedCrossing(5, 'one_hot').apply([ops2(a), ops2(b)]) as Tensor;
      expect(oh.shape).toEqual([3, 5]);
      expect(Array.from(oh.dataSync())).toEqual(want.flatMap((w) => [0, 1, 2, 3, 4].map((k) => (k === w ? 1 : 0))));
    });
    const l = new HashedCrossing(5);
    expect(await tensorLeak(() => (l.apply([a, b]) as Tensor).dispose())).toBe(0);
    a.dispose();
    b.dispose();
  });

  it('config; shapes; errors', () => {
    const l = new HashedCrossing(8, 'one_hot', { name: 'hc' });
    expect(l.getConfig()).toMatchObject({ name: 'hc', num_bins: 8, output_mode: 'one_hot', sparse: false });
    expect(roundTrip<HashedCrossing>(l).getConfig()).toEqual(l.getConfig());
    expect(l.computeOutputShape([[null, 1], [null, 1]])).toEqual([null, 8]);
    expect(new HashedCrossing(8).computeOutputShape([[null, 1], [null, 1]])).toEqual([null, 1]);
    expect(() => new HashedCrossing(0)).toThrow(/HashedCrossing.*num_bins/);
    expect(() => new HashedCrossing(4, 'count' as never)).toThrow(/HashedCrossing.*output_mode/);
    tidy(() => {
      expect(() => l.apply([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(/HashedCrossing "hc".*\(2,\).*\(3,\)/);
      expect(() => l.apply(tensor([1, 2]))).toThrow(/HashedCrossing "hc".*at least two/);
      expect(() => l.apply([tensor([1.5]), tensor([1])])).toThrow(/HashedCrossing "hc".*integers/);
      expect(() => l.apply([tensor([[1, 2]]), tensor([[1, 2]])])).toThrow(/HashedCrossing "hc".*\(batch_size, 1\).*\(1, 2\)/);
    });
  });
});

function ops2(x: Tensor): Tensor {
  return ops.reshape(x, [3, 1]);
}
