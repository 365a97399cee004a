import { type Config, KerasTensor, ShapeError, ValueError, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import {
  cloneWithWeights,
  fixtureLayerConfig,
  fixtureLayerOutput,
  fixtureLayerWeights,
  projectedSum,
  randomTensor,
  weightGradError,
} from '../testing/layer-checks';
import { BatchNormalization } from './batch-normalization';

function withoutSharedIds(config: Config): Config {
  return JSON.parse(JSON.stringify(config, (k, v) => (k === 'shared_object_id' ? undefined : v)));
}

describe('BatchNormalization', () => {
  it('matches the Keras mnv2_block fixture (inference) for every BN layer', () => {
    const pairs: [string, string][] = [
      ['stem_conv', 'stem_bn'],
      ['expand', 'expand_bn'],
      ['dw', 'dw_bn'],
      ['project', 'project_bn'],
      ['dw2', 'dw2_bn'],
    ];
    for (const [prev, name] of pairs) {
      const bn = new BatchNormalization({ momentum: 0.999, name });
      tidy(() => {
        const x = fixtureLayerOutput('mnv2_block', prev);
        bn.apply(x);
        bn.setWeights(fixtureLayerWeights('mnv2_block', name));
        const y = bn.apply(x, { training: false });
        expect(y.shape).toEqual(x.shape);
        expectAllClose(y, fixtureLayerOutput('mnv2_block', name), { atol: 1e-5, rtol: 1e-4 });
      });
      bn.dispose();
    }
  });

  it('creates gamma, beta, moving_mean, moving_variance in Keras order with Keras defaults', () => {
    const bn = new BatchNormalization();
    tidy(() => bn.apply(randomTensor([2, 3])));
    expect(bn.weights.map((w) => [w.name, w.shape, w.trainable])).toEqual([
      ['gamma', [3], true],
      ['beta', [3], true],
      ['moving_mean', [3], false],
      ['moving_variance', [3], false],
    ]);
    expect(bn.trainableWeights.length).toBe(2);
    expect(bn.nonTrainableWeights.map((w) => w.name)).toEqual(['moving_mean', 'moving_variance']);
    expect([bn.axis, bn.momentum, bn.epsilon, bn.center, bn.scale]).toEqual([-1, 0.99, 1e-3, true, true]);
    expect(bn.getWeights().map((w) => Array.from(w.dataSync()))).toEqual([[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    const bare = new BatchNormalization({ center: false, scale: false });
    tidy(() => bare.apply(randomTensor([2, 3])));
    expect(bare.weights.map((w) => w.name)).toEqual(['moving_mean', 'moving_variance']);
    expect(new BatchNormalization(1).axis).toBe(1);
  });

  it('training mode: batch statistics (biased variance) and moving-stat updates (hand-computed)', () => {
    const bn = new BatchNormalization({ momentum: 0.9, epsilon: 0.01 });
    // Feature 0: [1, 3, 5, 7] mean 4 var 5; feature 1: [2, 2, 4, 4] mean 3 var 1.
    const x = tensor([[1, 2], [3, 2], [5, 4], [7, 4]]);
    tidy(() => bn.apply(x));
    bn.setWeights([tensor([2, 0.5]), tensor([1, -1]), tensor([0.5, 0.5]), tensor([2, 3])]);
    tidy(() => {
      const y = bn.apply(x, { training: true });
      const s0 = 2 / Math.sqrt(5.01);
      const s1 = 0.5 / Math.sqrt(1.01);
      expectAllClose(y, [[-3, -1], [-1, -1], [1, 1], [3, 1]].map(([a, b]) => [a! * s0 + 1, b! * s1 - 1]), { atol: 1e-5 });
    });
    expectAllClose(bn.movingMean!.value, [0.5 * 0.9 + 4 * 0.1, 0.5 * 0.9 + 3 * 0.1], { atol: 1e-6 });
    expectAllClose(bn.movingVariance!.value, [2 * 0.9 + 5 * 0.1, 3 * 0.9 + 1 * 0.1], { atol: 1e-6 });
    // A second step compounds.
    tidy(() => bn.apply(x, { training: true }));
    expectAllClose(bn.movingMean!.value, [0.85 * 0.9 + 0.4, 0.75 * 0.9 + 0.3], { atol: 1e-6 });
    // Inference uses the moving stats and leaves them alone.
    tidy(() => {
      const y = bn.apply(x, { training: false });
      const mm = [0.85 * 0.9 + 0.4, 0.75 * 0.9 + 0.3];
      const mv = [2.3 * 0.9 + 0.5, 2.8 * 0.9 + 0.1];
      expectAllClose(y, [[1, 2], [3, 2], [5, 4], [7, 4]].map(([a, b]) => [
        ((a! - mm[0]!) / Math.sqrt(mv[0]! + 0.01)) * 2 + 1,
        ((b! - mm[1]!) / Math.sqrt(mv[1]! + 0.01)) * 0.5 - 1,
      ]), { atol: 1e-5 });
      expectAllClose(bn.movingMean!.value, mm, { atol: 1e-6 });
    });
    x.dispose();
  });

  it('trainable=false runs in inference mode even with training=true (Keras 3)', () => {
    const bn = new BatchNormalization();
    const x = tensor([[1, 2], [3, 6]]);
    tidy(() => bn.apply(x));
    bn.trainable = false;
    tidy(() => {
      const y = bn.apply(x, { training: true });
      expectAllClose(y, [[1 / Math.sqrt(1.001), 2 / Math.sqrt(1.001)], [3 / Math.sqrt(1.001), 6 / Math.sqrt(1.001)]], { atol: 1e-5 });
    });
    expectAllClose(bn.movingMean!.value, [0, 0]);
    expect(bn.trainableWeights.length).toBe(0);
    x.dispose();
  });

  it('normalizes over a non-last axis (axis=1 of a rank-3 input)', () => {
    const bn = new BatchNormalization({ axis: 1, epsilon: 0 });
    const x = randomTensor([3, 2, 4], 5);
    tidy(() => {
      const y = bn.apply(x, { training: true });
      // Per channel (axis 1): zero mean, unit variance over axes 0 and 2.
      const vals = y.arraySync() as number[][][];
      for (let c = 0; c < 2; c++) {
        const v = vals.flatMap((b) => b[c]!);
        const m = v.reduce((s, a) => s + a, 0) / v.length;
        const s2 = v.reduce((s, a) => s + (a - m) ** 2, 0) / v.length;
        expect(Math.abs(m)).toBeLessThan(1e-5);
        expect(Math.abs(s2 - 1)).toBeLessThan(1e-4);
      }
    });
    expect(bn.weights[0]!.shape).toEqual([2]);
    x.dispose();
  });

  it('masked training statistics ignore masked steps', () => {
    const bn = new BatchNormalization({ momentum: 0 });
    const x = tensor([[[1], [100]], [[3], [-50]]]); // (2, 2, 1); steps 1 are masked out
    const mask = tensor([[true, false], [true, false]], undefined, 'bool');
    tidy(() => bn.apply(x, { training: true, mask }));
    expectAllClose(bn.movingMean!.value, [2], { atol: 1e-5 });
    expectAllClose(bn.movingVariance!.value, [1], { atol: 1e-5 });
    expect(() => tidy(() => bn.apply(x, { training: true, mask: tensor([true, false], undefined, 'bool') }))).toThrow(/mask/);
    x.dispose();
    mask.dispose();
  });

  it('gradients w.r.t. inputs, gamma and beta match finite differences (training and inference)', () => {
    const bn = new BatchNormalization({ gammaInitializer: 'random_normal', betaInitializer: 'random_normal' });
    const x = randomTensor([4, 3], 3);
    tidy(() => bn.apply(x));
    for (const training of [true, false]) {
      expect(gradientError((t) => projectedSum(bn.apply(t, { training })), [x], 1e-2)).toBeLessThan(2e-2);
      expect(weightGradError(bn, x, 1e-2, training)).toBeLessThan(1e-2);
    }
    x.dispose();
  });

  it("config equals the fixture's key for key and round-trips", () => {
    const keras = withoutSharedIds(fixtureLayerConfig('mnv2_block', 'stem_bn'));
    const bn = new BatchNormalization({ name: 'stem_bn', momentum: 0.999 });
    expect(bn.getConfig()).toEqual(keras);
    const fromKeras = BatchNormalization.fromConfig(fixtureLayerConfig('mnv2_block', 'dw_bn'));
    expect([fromKeras.name, fromKeras.momentum, fromKeras.epsilon]).toEqual(['dw_bn', 0.999, 0.001]);
    const custom = new BatchNormalization({ axis: 1, center: false, gammaRegularizer: 'l2', gammaConstraint: 'non_neg', movingVarianceInitializer: 'zeros' });
    const x = randomTensor([2, 3, 2]);
    const clone = cloneWithWeights(custom, x);
    expect(clone.getConfig()).toEqual({ ...custom.getConfig(), name: clone.name });
    tidy(() => expectAllClose(clone.apply(x), custom.apply(x), { atol: 0 }));
    expect(() => new BatchNormalization({ renorm: true })).toThrow(ValueError);
    x.dispose();
  });

  it('computeOutputShape equals the actual shape; symbolic call works', () => {
    const bn = new BatchNormalization();
    const x = randomTensor([2, 3, 4]);
    tidy(() => {
      expect(bn.apply(x).shape).toEqual(bn.computeOutputShape([2, 3, 4]));
    });
    const y = new BatchNormalization().apply(Input({ shape: [5, 4] }));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 5, 4]);
    x.dispose();
  });

  it('rejects a wrong rank or channel count naming the layer and the shapes', () => {
    const bn = new BatchNormalization({ name: 'probe_bn' });
    tidy(() => bn.apply(randomTensor([2, 3])));
    expect(() => tidy(() => bn.apply(randomTensor([2, 4])))).toThrow(ShapeError);
    expect(() => tidy(() => bn.apply(randomTensor([2, 4])))).toThrow(/probe_bn.*\(None, 3\).*\(2, 4\)/);
    expect(() => tidy(() => bn.apply(randomTensor([2, 2, 3])))).toThrow(/probe_bn.*ndim=2.*\(2, 2, 3\)/);
    const fresh = new BatchNormalization({ axis: 3, name: 'fresh_bn' });
    expect(() => tidy(() => fresh.apply(randomTensor([2, 3])))).toThrow(/fresh_bn.*axis 3.*\(2, 3\)/);
  });

  it('leaves no tensors behind in training or inference', async () => {
    const bn = new BatchNormalization();
    const x = randomTensor([4, 3]);
    tidy(() => bn.apply(x));
    expect(await tensorLeak(() => bn.apply(x, { training: true }).dispose())).toBe(0);
    expect(await tensorLeak(() => bn.apply(x, { training: false }).dispose())).toBe(0);
    x.dispose();
  });
});
