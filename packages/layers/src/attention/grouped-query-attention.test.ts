import { type KerasTensor, type Tensor, ops, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { GroupedQueryAttention } from './grouped-query-attention';
import { MultiHeadAttention } from './multi-head-attention';

describe('GroupedQueryAttention', () => {
  it('has the Keras weight layout and equals MHA with repeated key/value heads', () => {
    const gqa = new GroupedQueryAttention(2, 4, 2, { biasInitializer: 'random_normal' });
    const q = randomTensor([2, 3, 5], 1);
    const v = randomTensor([2, 4, 5], 2);
    tidy(() => gqa.apply([q, v]));
    // Keras paths: <layer name>/<sublayer name>/<variable name>.
    expect(gqa.weights.map((w) => [w.path.slice(gqa.name.length + 1), w.path.startsWith(`${gqa.name}/`), w.shape])).toEqual([
      ['query/kernel', true, [5, 4, 2]],
      ['query/bias', true, [4, 2]],
      ['key/kernel', true, [5, 2, 2]],
      ['key/bias', true, [2, 2]],
      ['value/kernel', true, [5, 2, 2]],
      ['value/bias', true, [2, 2]],
      ['attention_output/kernel', true, [4, 2, 5]],
      ['attention_output/bias', true, [5]],
    ]);
    const mha = new MultiHeadAttention(4, 2);
    tidy(() => {
      mha.apply([q, v]);
      const w = gqa.weights.map((x) => x.value);
      const rep = (t: Tensor, axis: number) => ops.repeat(t, 2, axis);
      mha.setWeights([w[0]!, w[1]!, rep(w[2]!, 1), rep(w[3]!, 0), rep(w[4]!, 1), rep(w[5]!, 0), w[6]!, w[7]!]);
      const [yg, sg] = gqa.apply([q, v], { useCausalMask: true, returnAttentionScores: true }) as Tensor[];
      const [ym, sm] = mha.apply([q, v], { useCausalMask: true, returnAttentionScores: true }) as Tensor[];
      expect(yg!.shape).toEqual([2, 3, 5]);
      expect(sg!.shape).toEqual([2, 4, 3, 4]);
      expectAllClose(yg!, ym!, { atol: 1e-6 });
      expectAllClose(sg!, sm!, { atol: 1e-6 });
    });
    q.dispose();
    v.dispose();
  });

  it('gradients match finite differences', () => {
    const gqa = new GroupedQueryAttention(2, 2, 1, { biasInitializer: 'random_normal' });
    const q = randomTensor([1, 2, 3], 1);
    const v = randomTensor([1, 3, 3], 2);
    tidy(() => gqa.apply([q, v]));
    expect(gradientError((a, b) => projectedSum(gqa.apply([a!, b!]) as unknown as Tensor), [q, v], 1e-2)).toBeLessThan(1e-2);
    const proxy = Object.create(gqa) as GroupedQueryAttention;
    proxy.apply = ((_x: unknown, args: never) => gqa.apply([q, v], args)) as never;
    Object.defineProperty(proxy, 'trainableWeights', { get: () => gqa.trainableWeights });
    expect(weightGradError(proxy, q)).toBeLessThan(1e-2);
    q.dispose();
    v.dispose();
  });

  it('config matches Keras keys and round-trips; bad arguments and shapes are rejected', () => {
    const gqa = new GroupedQueryAttention({ headDim: 4, numQueryHeads: 4, numKeyValueHeads: 2, dropout: 0.1, name: 'gqa' });
    const c = gqa.getConfig();
    expect(Object.keys(c).sort()).toEqual(
      [
        'name', 'trainable', 'dtype', 'head_dim', 'num_query_heads', 'num_key_value_heads', 'use_bias', 'dropout', 'kernel_initializer',
        'bias_initializer', 'kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint', 'seed',
      ].sort(),
    );
    const again = GroupedQueryAttention.fromConfig(JSON.parse(JSON.stringify(c)));
    expect(again.getConfig()).toEqual(c);
    expect(() => new GroupedQueryAttention(2, 3, 2)).toThrow(/divisible/);
    const probe = new GroupedQueryAttention(2, 2, 1, { name: 'probe_gqa' });
    expect(() => tidy(() => probe.apply([randomTensor([1, 2, 2, 3]), randomTensor([1, 2, 2, 3])]))).toThrow(/probe_gqa.*rank 3.*\(1, 2, 2, 3\)/);
    const y = new GroupedQueryAttention(2, 2, 1).apply([Input({ shape: [5, 6] }), Input({ shape: [7, 6] })]) as KerasTensor;
    expect(y.shape).toEqual([null, 5, 6]);
  });

  it('leaves no tensors behind', async () => {
    const gqa = new GroupedQueryAttention(2, 4, 2, { dropout: 0.3 });
    const x = randomTensor([1, 3, 4]);
    tidy(() => gqa.apply([x, x]));
    expect(await tensorLeak(() => tidy(() => { gqa.apply([x, x], { training: true, useCausalMask: true }); }))).toBe(0);
    expect(await tensorLeak(() => (gqa.apply([x, x]) as Tensor).dispose())).toBe(0);
    x.dispose();
  });
});
