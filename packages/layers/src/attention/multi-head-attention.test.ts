import { KerasTensor, ShapeError, type Tensor, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { projectedSum, pseudoRandom, randomTensor, weightGradError } from '../testing/layer-checks';
import { MultiHeadAttention } from './multi-head-attention';

type Arr = number[];

/** Float64 reference of Keras MHA (default attention axis), weights as flat row-major arrays. */
function referenceMha(
  q: Arr, v: Arr, k: Arr, [B, T, S, D, Dv, Dk]: number[], N: number, H: number, Hv: number, O: number,
  w: Arr[], mask: ((b: number, t: number, s: number) => boolean) | null,
): { out: Arr; scores: Arr } {
  const [qk, qb, kk, kb, vk, vb, ok, ob] = w as [Arr, Arr, Arr, Arr, Arr, Arr, Arr, Arr];
  const proj = (x: Arr, L: number, Din: number, ker: Arr, bias: Arr, Hd: number) => {
    const out: Arr = [];
    for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) for (let n = 0; n < N; n++) for (let h = 0; h < Hd; h++) {
      let s = bias[n * Hd + h]!;
      for (let d = 0; d < Din; d++) s += x[(b * L + l) * Din + d]! * ker[d * N * Hd + n * Hd + h]!;
      out.push(s);
    }
    return out; // (B, L, N, Hd)
  };
  const Q = proj(q, T, D, qk, qb, H);
  const K = proj(k, S, Dk, kk, kb, H);
  const V = proj(v, S, Dv, vk, vb, Hv);
  const scores: Arr = [];
  const att: Arr = new Array(B * T * N * Hv).fill(0);
  for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) {
    const row: Arr = [];
    for (let s = 0; s < S; s++) {
      let dot = 0;
      for (let h = 0; h < H; h++) dot += (Q[((b * T + t) * N + n) * H + h]! / Math.sqrt(H)) * K[((b * S + s) * N + n) * H + h]!;
      row.push(mask == null || mask(b, t, s) ? dot : dot - 1e9);
    }
    const mx = Math.max(...row);
    const e = row.map((x) => Math.exp(x - mx));
    const z = e.reduce((p, c) => p + c, 0);
    const p = e.map((x, s) => (mask == null || mask(b, t, s) ? x / z : 0));
    scores.push(...p);
    for (let s = 0; s < S; s++) for (let h = 0; h < Hv; h++) att[((b * T + t) * N + n) * Hv + h]! += p[s]! * V[((b * S + s) * N + n) * Hv + h]!;
  }
  const out: Arr = [];
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let o = 0; o < O; o++) {
    let s = ob[o]!;
    for (let n = 0; n < N; n++) for (let h = 0; h < Hv; h++) s += att[((b * T + t) * N + n) * Hv + h]! * ok[(n * Hv + h) * O + o]!;
    out.push(s);
  }
  return { out, scores };
}

function setRandomWeights(layer: MultiHeadAttention, seed = 3): Arr[] {
  const values = layer.weights.map((w, i) => pseudoRandom(w.size, seed + i, -0.8, 0.8));
  tidy(() => layer.setWeights(layer.weights.map((w, i) => tensor(Float32Array.from(values[i]!), w.shape))));
  return values;
}

const data = (t: Tensor) => Array.from(t.dataSync());

describe('MultiHeadAttention', () => {
  it('creates Keras weights (names, shapes, order) and defaults', () => {
    const mha = new MultiHeadAttention(2, 3, { valueDim: 4 });
    tidy(() => mha.apply([randomTensor([1, 5, 6]), randomTensor([1, 7, 8])]));
    // Keras paths: <layer name>/<sublayer name>/<variable name>.
    expect(mha.weights.map((w) => [w.path.slice(mha.name.length + 1), w.path.startsWith(`${mha.name}/`), w.shape])).toEqual([
      ['query/kernel', true, [6, 2, 3]],
      ['query/bias', true, [2, 3]],
      ['key/kernel', true, [8, 2, 3]],
      ['key/bias', true, [2, 3]],
      ['value/kernel', true, [8, 2, 4]],
      ['value/bias', true, [2, 4]],
      ['attention_output/kernel', true, [2, 4, 6]],
      ['attention_output/bias', true, [6]],
    ]);
    expect(mha.attentionAxes).toEqual([1]);
    const nb = new MultiHeadAttention({ numHeads: 1, keyDim: 2, useBias: false, outputShape: 3 });
    tidy(() => {
      expect((nb.apply([randomTensor([1, 2, 4]), randomTensor([1, 3, 4])]) as Tensor).shape).toEqual([1, 2, 3]);
    });
    expect(nb.weights.map((w) => w.shape)).toEqual([[4, 1, 2], [4, 1, 2], [4, 1, 2], [1, 2, 3]]);
    expect(() => new MultiHeadAttention(0, 2)).toThrow(/num_heads/);
    expect(() => new MultiHeadAttention({ numHeads: 2 } as never)).toThrow(/key_dim/);
  });

  it('matches a float64 hand computation, with key, scores and a padding mask', () => {
    const [B, T, S, D, Dv, Dk] = [2, 3, 4, 5, 3, 2];
    const mha = new MultiHeadAttention(2, 3, { valueDim: 2, outputShape: 4 });
    const q = randomTensor([B, T, D], 1);
    const v = randomTensor([B, S, Dv], 2);
    const k = randomTensor([B, S, Dk], 4);
    tidy(() => mha.apply([q, v, k]));
    const w = setRandomWeights(mha);
    const ref = referenceMha(data(q), data(v), data(k), [B, T, S, D, Dv, Dk], 2, 3, 2, 4, w, null);
    tidy(() => {
      const [y, scores] = mha.apply([q, v, k], { returnAttentionScores: true }) as Tensor[];
      expect(y!.shape).toEqual([B, T, 4]);
      expect(scores!.shape).toEqual([B, 2, T, S]);
      expectAllClose(y!, tensor(ref.out, [B, T, 4]), { atol: 1e-5, rtol: 1e-4 });
      expectAllClose(scores!, tensor(ref.scores, [B, 2, T, S]), { atol: 1e-6, rtol: 1e-4 });
      // Padding mask (B, T, S): key positions >= 2 of batch 1 are hidden.
      const keep = (b: number, _t: number, s: number) => b === 0 || s < 2;
      const maskVals: number[] = [];
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) maskVals.push(keep(b, t, s) ? 1 : 0);
      const masked = referenceMha(data(q), data(v), data(k), [B, T, S, D, Dv, Dk], 2, 3, 2, 4, w, keep);
      const [ym, sm] = mha.apply([q, v, k], { attentionMask: tensor(maskVals, [B, T, S], 'bool'), returnAttentionScores: true }) as Tensor[];
      expectAllClose(ym!, tensor(masked.out, [B, T, 4]), { atol: 1e-5, rtol: 1e-4 });
      expectAllClose(sm!, tensor(masked.scores, [B, 2, T, S]), { atol: 1e-6, rtol: 1e-4 });
      const sums = data(ops_sum(sm!));
      for (const s of sums) expect(s).toBeCloseTo(1, 5);
    });
    q.dispose();
    v.dispose();
    k.dispose();
  });

  it('use_causal_mask hides future positions; value masks from inputs are honoured', () => {
    const mha = new MultiHeadAttention(1, 2);
    const x = randomTensor([1, 4, 3], 5);
    tidy(() => {
      const [, scores] = mha.apply([x, x], { useCausalMask: true, returnAttentionScores: true }) as Tensor[];
      const s = data(scores!);
      for (let t = 0; t < 4; t++) {
        for (let j = 0; j < 4; j++) if (j > t) expect(s[t * 4 + j]).toBe(0);
        expect(s.slice(t * 4, t * 4 + 4).reduce((p, c) => p + c, 0)).toBeCloseTo(1, 5);
      }
      // The same as passing the lower-triangular mask explicitly.
      const tri = tensor([[[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]]);
      expectAllClose(mha.apply([x, x], { attentionMask: tri }) as Tensor, mha.apply([x, x], { useCausalMask: true }) as Tensor, { atol: 1e-6 });
      // An explicit value mask ([1, 1, 0, 0]) acts like an attention mask over keys.
      const vm = tensor([[1, 1, 0, 0]]);
      const [, sv] = mha.apply([x, x], { valueMask: vm, returnAttentionScores: true }) as Tensor[];
      const sd = data(sv!);
      for (let t = 0; t < 4; t++) expect([sd[t * 4 + 2], sd[t * 4 + 3]]).toEqual([0, 0]);
    });
    x.dispose();
  });

  it('gradients w.r.t. query, value, key and every weight match finite differences', () => {
    const mha = new MultiHeadAttention(2, 2, { valueDim: 2, biasInitializer: 'random_normal' });
    const q = randomTensor([1, 2, 3], 1);
    const v = randomTensor([1, 3, 3], 2);
    const k = randomTensor([1, 3, 2], 3);
    tidy(() => mha.apply([q, v, k]));
    expect(gradientError((a, b, c) => projectedSum(mha.apply([a!, b!, c!]) as unknown as Tensor), [q, v, k], 1e-2)).toBeLessThan(1e-2);
    const mask = tensor([[[1, 1, 0], [1, 0, 1]]]);
    expect(gradientError((a, b, c) => projectedSum(mha.apply([a!, b!, c!], { attentionMask: mask }) as unknown as Tensor), [q, v, k], 1e-2)).toBeLessThan(1e-2);
    expect(weightGradErrorList(mha, [q, v, k])).toBeLessThan(1e-2);
    for (const t of [q, v, k, mask]) t.dispose();
  });

  it('dropout acts on the scores in training only', () => {
    const mha = new MultiHeadAttention(2, 2, { dropout: 0.5, seed: 1 });
    const x = randomTensor([2, 5, 4], 1);
    tidy(() => {
      const a = mha.apply([x, x]) as Tensor;
      expectAllClose(mha.apply([x, x], { training: false }) as Tensor, a, { atol: 0 });
      const b = mha.apply([x, x], { training: true }) as Tensor;
      expect(data(b).some((val, i) => Math.abs(val - data(a)[i]!) > 1e-4)).toBe(true);
      // Returned scores are the pre-dropout probabilities.
      const [, s] = mha.apply([x, x], { training: true, returnAttentionScores: true }) as Tensor[];
      for (const r of data(ops_sum(s!))) expect(r).toBeCloseTo(1, 5);
    });
    x.dispose();
  });

  it('attention over two axes (attention_axes=[1, 2]) has Keras shapes', () => {
    const mha = new MultiHeadAttention(2, 2, { attentionAxes: [1, 2] });
    tidy(() => {
      const q = randomTensor([1, 2, 3, 4], 1);
      const v = randomTensor([1, 3, 2, 4], 2);
      const [y, s] = mha.apply([q, v], { returnAttentionScores: true }) as Tensor[];
      expect(y!.shape).toEqual([1, 2, 3, 4]);
      expect(s!.shape).toEqual([1, 2, 2, 3, 3, 2]);
      const flat = data(s!);
      for (let i = 0; i < flat.length; i += 6) expect(flat.slice(i, i + 6).reduce((p, c) => p + c, 0)).toBeCloseTo(1, 5);
      expect(mha.computeOutputShape([[null, 2, 3, 4], [null, 3, 2, 4]])).toEqual([null, 2, 3, 4]);
    });
  });

  it('config matches Keras keys and round-trips', () => {
    const mha = new MultiHeadAttention(2, 3, { dropout: 0.1, name: 'mha', kernelRegularizer: 'l2', seed: 4 });
    const x = randomTensor([1, 3, 4], 1);
    tidy(() => mha.apply([x, x]));
    const config = mha.getConfig();
    expect(Object.keys(config).sort()).toEqual(
      [
        'name', 'trainable', 'dtype', 'num_heads', 'key_dim', 'value_dim', 'dropout', 'use_bias', 'output_shape',
        'attention_axes', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
        'activity_regularizer', 'kernel_constraint', 'bias_constraint', 'seed',
      ].sort(),
    );
    expect([config.num_heads, config.key_dim, config.value_dim, config.attention_axes, config.output_shape]).toEqual([2, 3, 3, [1], null]);
    const clone = MultiHeadAttention.fromConfig(JSON.parse(JSON.stringify(config)));
    tidy(() => clone.apply([x, x]));
    clone.setWeights(mha.weights.map((w) => w.value));
    expect(clone.getConfig()).toEqual(config);
    tidy(() => expectAllClose(clone.apply([x, x]) as Tensor, mha.apply([x, x]) as Tensor, { atol: 0 }));
    const fromKeras = MultiHeadAttention.fromConfig({ name: 'k', num_heads: 4, key_dim: 8, value_dim: null, attention_axes: null });
    expect([fromKeras.numHeads, fromKeras.keyDim, fromKeras.valueDim]).toEqual([4, 8, 8]);
    x.dispose();
  });

  it('rejects bad ranks and last dims, naming the layer and the shapes', () => {
    const mha = new MultiHeadAttention(1, 2, { name: 'probe_mha' });
    tidy(() => mha.apply([randomTensor([1, 2, 3]), randomTensor([1, 4, 5])]));
    expect(() => tidy(() => mha.apply([randomTensor([1, 2, 4]), randomTensor([1, 4, 5])]))).toThrow(ShapeError);
    expect(() => tidy(() => mha.apply([randomTensor([1, 2, 4]), randomTensor([1, 4, 5])]))).toThrow(/probe_mha.*query of shape \(1, 2, 3\).*\(1, 2, 4\)/);
    const fresh = new MultiHeadAttention(1, 2, { name: 'fresh_mha' });
    expect(() => tidy(() => fresh.apply([randomTensor([2, 3]), randomTensor([2, 3])]))).toThrow(/fresh_mha.*rank >= 3.*\(2, 3\)/);
    expect(() => tidy(() => fresh.apply([randomTensor([1, 2, 3])]) as Tensor)).toThrow(/fresh_mha.*\[query, value\]/);
  });

  it('symbolic calls give KerasTensors of the computed shapes', () => {
    const mha = new MultiHeadAttention(2, 4);
    const q = Input({ shape: [5, 8] });
    const v = Input({ shape: [7, 6] });
    const y = mha.apply([q, v]);
    expect(y).toBeInstanceOf(KerasTensor);
    expect((y as KerasTensor).shape).toEqual([null, 5, 8]);
    const both = new MultiHeadAttention(2, 4).apply([q, v], { returnAttentionScores: true }) as KerasTensor[];
    expect(both.map((t) => t.shape)).toEqual([[null, 5, 8], [null, 2, 5, 7]]);
    tidy(() => {
      const out = mha.apply([randomTensor([2, 5, 8]), randomTensor([2, 7, 6])]) as Tensor;
      expect(out.shape).toEqual([2, 5, 8]);
    });
  });

  it('leaves no tensors behind', async () => {
    const mha = new MultiHeadAttention(2, 2, { dropout: 0.2, kernelRegularizer: 'l1' });
    const x = randomTensor([1, 3, 4]);
    tidy(() => mha.apply([x, x]));
    expect(await tensorLeak(() => tidy(() => { mha.apply([x, x], { useCausalMask: true, training: true }); }))).toBe(0);
    expect(await tensorLeak(() => (mha.apply([x, x]) as Tensor).dispose())).toBe(0);
    expect(await tensorLeak(() => { for (const t of mha.apply([x, x], { returnAttentionScores: true }) as Tensor[]) t.dispose(); })).toBe(0);
    x.dispose();
  });
});

import { ops } from '@strata/core';

function ops_sum(s: Tensor): Tensor {
  return ops.sum(s, -1);
}

/** `weightGradError` for a layer called on a list of inputs. */
function weightGradErrorList(layer: MultiHeadAttention, xs: Tensor[]): number {
  const proxy = Object.create(layer) as MultiHeadAttention;
  proxy.apply = ((_x: unknown, args: never) => layer.apply(xs, args)) as never;
  Object.defineProperty(proxy, 'trainableWeights', { get: () => layer.trainableWeights });
  return weightGradError(proxy, xs[0]!);
}
