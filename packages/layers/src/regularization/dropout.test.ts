import { type Config, KerasTensor, type Tensor, grads, keep, ops, setRandomSeed, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { cloneWithWeights, fixtureLayerConfig, fixtureLayerOutput, projectedSum, randomTensor } from '../testing/layer-checks';
import { Dropout } from './dropout';

const withoutSharedIds = (c: Config): Config => JSON.parse(JSON.stringify(c, (k, v) => (k === 'shared_object_id' ? undefined : v)));

describe('Dropout', () => {
  it('is the identity at inference and inverted dropout in training', () => {
    const layer = new Dropout(0.5, { seed: 1 });
    tidy(() => {
      const x = randomTensor([40, 50], 2, 1, 2);
      expectAllClose(layer.apply(x), x, { atol: 0 });
      expectAllClose(layer.apply(x, { training: false }), x, { atol: 0 });
      const y = layer.apply(x, { training: true });
      const xd = x.dataSync();
      const yd = y.dataSync();
      let dropped = 0;
      for (let i = 0; i < xd.length; i++) {
        if (yd[i] === 0) dropped++;
        else expect(yd[i]).toBeCloseTo(xd[i]! * 2, 5);
      }
      expect(dropped / xd.length).toBeGreaterThan(0.45);
      expect(dropped / xd.length).toBeLessThan(0.55);
      expectAllClose(new Dropout(0).apply(x, { training: true }), x, { atol: 0 });
      expectAllClose(new Dropout(1).apply(x, { training: true }), ops.zerosLike(x), { atol: 0 });
    });
  });

  it('noise_shape broadcasts the mask; None entries take the input size', () => {
    const layer = new Dropout({ rate: 0.5, noiseShape: [null, 1, null], seed: 3 });
    tidy(() => {
      const y = layer.apply(ops.ones([4, 6, 5]), { training: true });
      const d = y.dataSync();
      for (let b = 0; b < 4; b++) {
        for (let f = 0; f < 5; f++) {
          for (let t = 1; t < 6; t++) expect(d[b * 30 + t * 5 + f]).toBe(d[b * 30 + f]);
        }
      }
    });
    const bad = new Dropout(0.5, { noiseShape: [null, 1], name: 'bad_dropout' });
    expect(() => tidy(() => bad.apply(ops.ones([2, 3, 4]), { training: true }))).toThrow(/bad_dropout.*\(None, 1\).*\(2, 3, 4\)/);
  });

  it('a seed makes the masks reproducible; successive calls draw new masks', () => {
    tidy(() => {
      const x = ops.ones([10, 10]);
      const a = new Dropout(0.3, { seed: 7 });
      const b = new Dropout(0.3, { seed: 7 });
      const a1 = Array.from(a.apply(x, { training: true }).dataSync());
      expect(Array.from(b.apply(x, { training: true }).dataSync())).toEqual(a1);
      expect(Array.from(a.apply(x, { training: true }).dataSync())).not.toEqual(a1);
      // Unseeded layers follow setRandomSeed.
      setRandomSeed(11);
      const u1 = Array.from(new Dropout(0.3).apply(x, { training: true }).dataSync());
      setRandomSeed(11);
      expect(Array.from(new Dropout(0.3).apply(x, { training: true }).dataSync())).toEqual(u1);
    });
  });

  it('gradients: identity at inference; mask / (1 - rate) in training', () => {
    const layer = new Dropout(0.4, { seed: 5 });
    const x = randomTensor([3, 4], 9, 0.5, 1.5);
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x])).toBeLessThan(1e-3);
    let y: Tensor | null = null;
    const r = randomTensor([3, 4], 11);
    const [g] = grads((t: Tensor) => {
      y = keep(layer.apply(t, { training: true }));
      return ops.sum(ops.multiply(y, r));
    })([x]);
    // y = x * mask / 0.6, so dy/dx * r = (y / x) * r.
    tidy(() => expectAllClose(g!, ops.multiply(ops.divide(y!, x), r), { atol: 1e-5 }));
    g!.dispose();
    (y as Tensor | null)?.dispose();
  });

  it('config matches Keras key for key and round-trips', () => {
    const layer = new Dropout(0.2, { name: 'dropout' });
    expect(layer.getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('mnv2_block', 'dropout')));
    expect(Object.keys(layer.getConfig()).sort()).toEqual(Object.keys(withoutSharedIds(fixtureLayerConfig('mnv2_block', 'dropout'))).sort());
    const seeded = new Dropout({ rate: 0.25, noiseShape: [null, 1], seed: 4 });
    const again = Dropout.fromConfig(JSON.parse(JSON.stringify(seeded.getConfig())));
    expect([again.rate, again.noiseShape, again.seed]).toEqual([0.25, [null, 1], 4]);
    const x = randomTensor([2, 3]);
    tidy(() => expectAllClose(cloneWithWeights(layer, x).apply(x), layer.apply(x), { atol: 0 }));
    // Keras' mnv2_block: Dropout(0.2) between GlobalAveragePooling2D and Dense is the identity at inference.
    tidy(() => expectAllClose(layer.apply(fixtureLayerOutput('mnv2_block', 'gap')), fixtureLayerOutput('mnv2_block', 'dropout'), { atol: 0 }));
    expect(() => new Dropout(1.5)).toThrow(/rate/);
  });

  it('symbolic call keeps the shape; no tensor leak', async () => {
    const y = new Dropout(0.5).apply(Input({ shape: [4] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 4]);
    const layer = new Dropout(0.5, { seed: 1, noiseShape: [1, null] });
    const x = randomTensor([3, 4]);
    expect(await tensorLeak(() => tidy(() => { layer.apply(x, { training: true }); }))).toBe(0);
    expect(await tensorLeak(() => layer.apply(x, { training: true }).dispose())).toBe(0);
    x.dispose();
  });
});
