import { type KerasTensor, ShapeError, type Tensor, ops, tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { Input } from '../core/input-layer';
import { projectedSum, randomTensor, weightGradError } from '../testing/layer-checks';
import { AdditiveAttention } from './additive-attention';
import { Attention } from './attention';
import type { ScoresLayer } from './scores-layer';

const data = (t: Tensor) => Array.from(t.dataSync());

/** Float64 reference: score(b, i, j) from `score`, optional keep(b, i, j), softmax over j, times value. */
function reference(
  [B, Tq, Tv, Dv]: number[],
  v: number[],
  score: (b: number, i: number, j: number) => number,
  keep: ((b: number, i: number, j: number) => boolean) | null,
): { out: number[]; weights: number[] } {
  const out: number[] = [];
  const weights: number[] = [];
  for (let b = 0; b < B; b++) for (let i = 0; i < Tq; i++) {
    const row = Array.from({ length: Tv }, (_, j) => score(b, i, j) - (keep == null || keep(b, i, j) ? 0 : 1e9));
    const mx = Math.max(...row);
    const e = row.map((x) => Math.exp(x - mx));
    const z = e.reduce((p, c) => p + c, 0);
    const w = e.map((x) => x / z);
    weights.push(...w);
    for (let d = 0; d < Dv; d++) out.push(w.reduce((p, wj, j) => p + wj * v[(b * Tv + j) * Dv + d]!, 0));
  }
  return { out, weights };
}

/** `weightGradError` for a layer called on a list of inputs. */
function weightGradErrorList(layer: ScoresLayer, xs: Tensor[]): number {
  const proxy = Object.create(layer) as ScoresLayer;
  proxy.apply = ((_x: unknown, args: never) => layer.apply(xs, args)) as never;
  Object.defineProperty(proxy, 'trainableWeights', { get: () => layer.trainableWeights });
  return weightGradError(proxy, xs[0]!);
}

describe('Attention', () => {
  const [B, Tq, Tv, D, Dv] = [2, 3, 4, 3, 2];
  const q = randomTensor([B, Tq, D], 1);
  const k = randomTensor([B, Tv, D], 2);
  const v = randomTensor([B, Tv, Dv], 3);
  const [qd, kd] = [data(q), data(k)];
  const dot = (b: number, i: number, j: number) => {
    let s = 0;
    for (let d = 0; d < D; d++) s += qd[(b * Tq + i) * D + d]! * kd[(b * Tv + j) * D + d]!;
    return s;
  };

  it('dot scores match a float64 hand computation; scale and masks apply', () => {
    const att = new Attention({ useScale: true });
    tidy(() => {
      att.apply([q, v, k]);
      att.setWeights([tensor(0.7)]);
      const [y, w] = att.apply([q, v, k], { returnAttentionScores: true }) as Tensor[];
      const ref = reference([B, Tq, Tv, Dv], data(v), (b, i, j) => 0.7 * dot(b, i, j), null);
      expectAllClose(y!, tensor(ref.out, [B, Tq, Dv]), { atol: 1e-5 });
      expectAllClose(w!, tensor(ref.weights, [B, Tq, Tv]), { atol: 1e-6 });
      // value mask + causal mask; query mask zeroes output rows.
      const vMask = tensor([[1, 1, 1, 0], [1, 0, 1, 1]], [2, 4], 'bool');
      const qMask = tensor([[1, 0, 1], [1, 1, 1]], [2, 3], 'bool');
      const vm = data(vMask);
      const keep = (b: number, i: number, j: number) => vm[b * Tv + j] === 1 && j <= i;
      const masked = reference([B, Tq, Tv, Dv], data(v), (b, i, j) => 0.7 * dot(b, i, j), keep);
      const [ym, wm] = att.apply([q, v, k], { mask: [qMask, vMask], useCausalMask: true, returnAttentionScores: true }) as Tensor[];
      const qm = data(qMask);
      const expected = masked.out.map((x, idx) => x * qm[Math.floor(idx / Dv)]!);
      expectAllClose(ym!, tensor(expected, [B, Tq, Dv]), { atol: 1e-5 });
      expectAllClose(wm!, tensor(masked.weights, [B, Tq, Tv]), { atol: 1e-6 });
      for (const s of data(ops.sum(wm!, -1))) expect(s).toBeCloseTo(1, 5);
    });
    expect(att.weights.map((w) => [w.name, w.shape])).toEqual([['scale', []]]);
  });

  it("score_mode='concat' and AdditiveAttention match hand computations", () => {
    const concat = new Attention({ scoreMode: 'concat', useScale: true });
    const add = new AdditiveAttention();
    const tanhSum = (scale: number[], w: number) => (b: number, i: number, j: number) => {
      let s = 0;
      for (let d = 0; d < D; d++) s += scale[d]! * Math.tanh(qd[(b * Tq + i) * D + d]! + kd[(b * Tv + j) * D + d]!);
      return w * s;
    };
    tidy(() => {
      concat.apply([q, v, k]);
      expect(concat.weights.map((w) => w.name)).toEqual(['scale', 'concat_score_weight']);
      concat.setWeights([tensor(0.5), tensor(1.5)]);
      const cRef = reference([B, Tq, Tv, Dv], data(v), (b, i, j) => {
        let s = 0;
        for (let d = 0; d < D; d++) s += Math.tanh(0.5 * (qd[(b * Tq + i) * D + d]! + kd[(b * Tv + j) * D + d]!));
        return 1.5 * s;
      }, null);
      expectAllClose(concat.apply([q, v, k]) as Tensor, tensor(cRef.out, [B, Tq, Dv]), { atol: 1e-5 });

      add.apply([q, v, k]);
      expect(add.weights.map((w) => [w.name, w.shape])).toEqual([['scale', [D]]]);
      const scale = [0.3, -0.6, 1.1];
      add.setWeights([tensor(scale)]);
      const aRef = reference([B, Tq, Tv, Dv], data(v), tanhSum(scale, 1), null);
      expectAllClose(add.apply([q, v, k]) as Tensor, tensor(aRef.out, [B, Tq, Dv]), { atol: 1e-5 });
      // Without key, the value is the key.
      const noScale = new AdditiveAttention({ useScale: false });
      expect((noScale.apply([q, q]) as Tensor).shape).toEqual([B, Tq, D]);
      expect(noScale.weights.length).toBe(0);
    });
  });

  it('gradients w.r.t. inputs and weights match finite differences', () => {
    const layers: ScoresLayer[] = [new Attention({ useScale: true }), new Attention({ scoreMode: 'concat' }), new AdditiveAttention()];
    for (const layer of layers) {
      tidy(() => layer.apply([q, v, k]));
      expect(gradientError((a, b, c) => projectedSum(layer.apply([a!, b!, c!]) as unknown as Tensor), [q, v, k], 1e-2)).toBeLessThan(1e-2);
      expect(weightGradErrorList(layer, [q, v, k])).toBeLessThan(1e-2);
    }
  });

  it('config matches Keras keys and round-trips', () => {
    const att = new Attention({ useScale: true, scoreMode: 'concat', dropout: 0.1, name: 'att' });
    const c = att.getConfig();
    expect(Object.keys(c).sort()).toEqual(['dropout', 'dtype', 'name', 'score_mode', 'trainable', 'use_scale']);
    expect(Attention.fromConfig(JSON.parse(JSON.stringify(c))).getConfig()).toEqual(c);
    const add = new AdditiveAttention({ name: 'add' });
    const ac = add.getConfig();
    expect(Object.keys(ac).sort()).toEqual(['dropout', 'dtype', 'name', 'trainable', 'use_scale']);
    expect(ac.use_scale).toBe(true);
    const again = AdditiveAttention.fromConfig(JSON.parse(JSON.stringify(ac)));
    expect(again.getConfig()).toEqual(ac);
    expect(again).toBeInstanceOf(AdditiveAttention);
    expect(() => new Attention({ scoreMode: 'bad' as never })).toThrow(/score_mode/);
  });

  it('rejects bad inputs naming the layer and the shapes; symbolic shapes', () => {
    const att = new Attention({ name: 'probe_att' });
    expect(() => tidy(() => att.apply([randomTensor([1, 2, 3]), randomTensor([1, 4, 2]), randomTensor([1, 4, 5])]))).toThrow(ShapeError);
    expect(() => tidy(() => att.apply([randomTensor([1, 2, 3]), randomTensor([1, 4, 2]), randomTensor([1, 4, 5])]))).toThrow(
      /probe_att.*\(1, 2, 3\).*\(1, 4, 2\).*\(1, 4, 5\)/,
    );
    expect(() => tidy(() => att.apply([randomTensor([2, 3]), randomTensor([2, 3])]))).toThrow(/probe_att.*\(2, 3\)/);
    expect(() => tidy(() => att.apply(randomTensor([1, 2, 3])))).toThrow(/probe_att.*\[query, value\]/);
    const y = new Attention().apply([Input({ shape: [5, 4] }), Input({ shape: [7, 3] }), Input({ shape: [7, 4] })]);
    expect((y as KerasTensor).shape).toEqual([null, 5, 3]);
    const both = new AdditiveAttention().apply([Input({ shape: [5, 4] }), Input({ shape: [7, 4] })], { returnAttentionScores: true });
    expect((both as KerasTensor[]).map((t) => t.shape)).toEqual([[null, 5, 4], [null, 5, 7]]);
  });

  it('dropout only in training; no leaks', async () => {
    const att = new Attention({ dropout: 0.5, seed: 2 });
    tidy(() => {
      const a = att.apply([q, k]) as Tensor;
      const b = att.apply([q, k], { training: true }) as Tensor;
      expect(data(a).some((x, i) => Math.abs(x - data(b)[i]!) > 1e-4)).toBe(true);
    });
    expect(await tensorLeak(() => tidy(() => { att.apply([q, k], { training: true, useCausalMask: true }); }))).toBe(0);
    const add = new AdditiveAttention();
    tidy(() => add.apply([q, k]));
    expect(await tensorLeak(() => { for (const t of add.apply([q, k], { returnAttentionScores: true }) as Tensor[]) t.dispose(); })).toBe(0);
  });
});
