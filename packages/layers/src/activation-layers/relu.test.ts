import { type Config, type KerasTensor, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { fixtureLayerConfig, fixtureLayerOutput, projectedSum, randomTensor } from '../testing/layer-checks';
import { ReLU } from './relu';

function withoutSharedIds(config: Config): Config {
  return JSON.parse(JSON.stringify(config, (k, v) => (k === 'shared_object_id' ? undefined : v)));
}

describe('ReLU', () => {
  it('matches the Keras mnv2_block fixture ReLU(max_value=6) layers', () => {
    for (const [prev, name] of [['stem_bn', 'stem_relu'], ['expand_bn', 'expand_relu'], ['dw_bn', 'dw_relu'], ['dw2_bn', 'dw2_relu']] as const) {
      const layer = ReLU.fromConfig(fixtureLayerConfig('mnv2_block', name));
      tidy(() => expectAllClose(layer.apply(fixtureLayerOutput('mnv2_block', prev)), fixtureLayerOutput('mnv2_block', name), { atol: 1e-6 }));
    }
  });

  it('max_value, negative_slope and threshold (hand-computed)', () => {
    const x = tensor([-2, -0.5, 0.5, 1.5, 3, 8]);
    tidy(() => {
      expectAllClose(new ReLU().apply(x), [0, 0, 0.5, 1.5, 3, 8]);
      expectAllClose(new ReLU(6).apply(x), [0, 0, 0.5, 1.5, 3, 6]);
      expectAllClose(new ReLU({ negativeSlope: 0.1 }).apply(x), [-0.2, -0.05, 0.5, 1.5, 3, 8]);
      expectAllClose(new ReLU({ threshold: 1 }).apply(x), [0, 0, 0, 1.5, 3, 8]);
      expectAllClose(new ReLU({ maxValue: 2, negativeSlope: 0.5, threshold: 1 }).apply(x), [-1.5, -0.75, -0.25, 1.5, 2, 2]);
    });
    expect(() => new ReLU(-1)).toThrow(/max_value/);
    expect(() => new ReLU({ negativeSlope: -1 })).toThrow(/negative_slope/);
    expect(() => new ReLU({ threshold: -1 })).toThrow(/threshold/);
    x.dispose();
  });

  it("gradient, config equal to the fixture's, shapes and leaks", async () => {
    const layer = new ReLU({ maxValue: 6, name: 'stem_relu' });
    expect(layer.getConfig()).toEqual(withoutSharedIds(fixtureLayerConfig('mnv2_block', 'stem_relu')));
    expect(ReLU.fromConfig(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
    const x = randomTensor([2, 3], 2, -2, 2);
    const leaky = new ReLU({ negativeSlope: 0.2 });
    expect(gradientError((t) => projectedSum(leaky.apply(t)), [x], 1e-3)).toBeLessThan(1e-2);
    tidy(() => {
      expect(layer.apply(x).shape).toEqual(layer.computeOutputShape([2, 3]));
    });
    expect((layer.apply(Input({ shape: [5] })) as KerasTensor).shape).toEqual([null, 5]);
    expect(await tensorLeak(() => new ReLU({ threshold: 0.5, maxValue: 1 }).apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
