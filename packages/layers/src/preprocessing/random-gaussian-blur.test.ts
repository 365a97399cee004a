import { type Config, type Tensor, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { randomTensor } from '../testing/layer-checks';
import { RandomGaussianBlur, gaussianTaps } from './index-extra';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
const data = (t: Tensor) => Array.from(t.dataSync());

describe('RandomGaussianBlur', () => {
  it('blurs with the separable normalized Gaussian (zero padded); identity at inference', async () => {
    const e = Math.exp(-0.5);
    expectAllClose(gaussianTaps(3, 1), [e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)]);
    const x = tensor([0, 0, 0, 0, 100, 0, 0, 0, 0], [1, 3, 3, 1]);
    const [a, b] = [e / (1 + 2 * e), 1 / (1 + 2 * e)];
    tidy(() => {
      const l = new RandomGaussianBlur({ factor: [1, 1], sigma: [1, 1], seed: 1 });
      const want = [a * a, a * b, a * a, a * b, b * b, a * b, a * a, a * b, a * a].map((v) => v * 100);
      expectAllClose(l.apply(x, { training: true }) as Tensor, want, { atol: 1e-3 });
      const cf = new RandomGaussianBlur({ factor: [1, 1], sigma: [1, 1], dataFormat: 'channels_first' });
      expectAllClose(cf.apply(tensor([0, 0, 0, 0, 100, 0, 0, 0, 0], [1, 3, 3]), { training: true }) as Tensor, want, { atol: 1e-3 });
      expect(data(new RandomGaussianBlur(0, 3, 1).apply(x, { training: true }) as Tensor)).toEqual(data(x));
      expect(data(l.apply(x) as Tensor)).toEqual(data(x));
    });
    const l = new RandomGaussianBlur(1, 5, [0.5, 2], { seed: 2 });
    expect(await tensorLeak(() => (l.apply(x, { training: true }) as Tensor).dispose())).toBe(0);
    x.dispose();
  });

  it('seeded; config; errors; output shape', () => {
    const x = randomTensor([6, 5, 5, 3], 3, 0, 255);
    tidy(() => {
      const a = data(new RandomGaussianBlur(0.8, 3, [0.5, 2], { seed: 9 }).apply(x, { training: true }) as Tensor);
      expect(a).toEqual(data(new RandomGaussianBlur(0.8, 3, [0.5, 2], { seed: 9 }).apply(x, { training: true }) as Tensor));
    });
    x.dispose();
    const l = new RandomGaussianBlur([0.2, 0.6], 5, [0.5, 2], { name: 'gb', seed: 4, valueRange: [0, 1] });
    expect(l.getConfig()).toMatchObject({ name: 'gb', factor: [0.2, 0.6], kernel_size: 5, sigma: [0.5, 2], value_range: [0, 1], seed: 4 });
    // Keras checks sigma against the factor bounds: a number s is [0, s] and must be <= 1.
    expect(new RandomGaussianBlur(1, 3, 0.7).sigma).toEqual([0, 0.7]);
    expect(() => new RandomGaussianBlur(1, 3, 2)).toThrow(/RandomGaussianBlur.*sigma/);
    expect(roundTrip<RandomGaussianBlur>(l).getConfig()).toEqual(l.getConfig());
    expect(() => new RandomGaussianBlur(2)).toThrow(/RandomGaussianBlur.*factor/);
    expect(() => new RandomGaussianBlur(1, 4)).toThrow(/RandomGaussianBlur.*kernel_size/);
    expect(() => new RandomGaussianBlur(1, 3, -1)).toThrow(/RandomGaussianBlur.*sigma/);
    expect(() => l.apply(tensor([1, 2]), { training: true })).toThrow(/RandomGaussianBlur "gb".*\(2,\)/);
    expect(l.computeOutputShape([null, 4, 4, 3])).toEqual([null, 4, 4, 3]);
  });
});
