import { ShapeError, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { cloneWithWeights, projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { PReLU } from './prelu';

describe('PReLU', () => {
  it('alpha starts at zeros (plain ReLU); learned alpha scales negatives; shared_axes share it', () => {
    const x = tensor([[[-1, 2], [-3, -4]]]); // (1, 2, 2)
    const p = new PReLU();
    tidy(() => expectAllClose(p.apply(x), [[[0, 2], [0, 0]]]));
    expect(p.alpha!.shape).toEqual([2, 2]);
    const s = new PReLU({ sharedAxes: 1 });
    tidy(() => s.apply(x));
    expect(s.alpha!.shape).toEqual([1, 2]);
    s.setWeights([tensor([[0.5, 0.25]])]);
    tidy(() => expectAllClose(s.apply(x), [[[-0.5, 2], [-1.5, -1]]]));
    x.dispose();
  });

  it('gradients w.r.t. inputs and alpha match finite differences', () => {
    const p = new PReLU({ alphaInitializer: 'random_uniform' });
    const x = randomTensor([2, 3], 5, -2, 2);
    tidy(() => p.apply(x));
    expect(gradientError((t) => projectedSum(p.apply(t)), [x], 1e-3)).toBeLessThan(1e-2);
    expect(weightGradError(p, x, 1e-3)).toBeLessThan(1e-2);
    x.dispose();
  });

  it('config has Keras keys and round-trips; wrong shapes name the layer', async () => {
    const p = new PReLU({ sharedAxes: [1], alphaConstraint: 'non_neg', name: 'probe_prelu' });
    const config = p.getConfig();
    expect(Object.keys(config).sort()).toEqual(
      ['alpha_constraint', 'alpha_initializer', 'alpha_regularizer', 'dtype', 'name', 'shared_axes', 'trainable'],
    );
    expect(config.shared_axes).toEqual([1]);
    const x = randomTensor([2, 3, 4]);
    const clone = cloneWithWeights(p, x);
    expect(clone.getConfig()).toEqual({ ...config, name: clone.name });
    expect(() => tidy(() => p.apply(randomTensor([2, 3, 5])))).toThrow(ShapeError);
    expect(() => tidy(() => p.apply(randomTensor([2, 3, 5])))).toThrow(/probe_prelu.*\(None, None, 4\).*\(2, 3, 5\)/);
    tidy(() => {
      expect(p.apply(x).shape).toEqual(p.computeOutputShape([2, 3, 4]));
    });
    expect(await tensorLeak(() => p.apply(x).dispose())).toBe(0);
    x.dispose();
  });
});
