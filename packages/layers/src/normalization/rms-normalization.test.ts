import { ValueError, ops, tensor, tidy } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
//(lead): import from '@strata/test-utils' once layer-checks is exported from its index.
import { checkLayer } from '@strata/test-utils';
import { Dense } from '../core/dense';
import { Layer, type LayerOutput } from '../layer';
import { randomTensor } from '../testing/layer-checks';
import { RMSNormalization } from './rms-normalization';

/** numpy-style reference for trailing axes: x / sqrt(mean(x^2) + eps) * scale. */
function reference(x: number[][], eps: number, scale: number[]): number[][] {
  return x.map((row) => {
    const ms = row.reduce((s, v) => s + v * v, 0) / row.length;
    return row.map((v, i) => (v / Math.sqrt(ms + eps)) * scale[i]!);
  });
}

describe('RMSNormalization', () => {
  it('passes the standard layer check against a hand-computed reference', () => {
    const x = tensor([[1, 2, 3, 4], [-0.5, 0.25, 2, -1]]);
    const { layer } = checkLayer({
      make: () => new RMSNormalization(),
      input: x,
      expected: reference(x.arraySync() as number[][], 1e-6, [1, 1, 1, 1]),
      badInputs: [{ input: tensor([[1, 2, 3]]), message: /built for size\(s\) \[4\].*\(1, 3\)/ }],
    });
    expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([['scale', [4]]]);
    expect(layer.getConfig()).toMatchObject({ axis: [-1], epsilon: 1e-6 });
    // With a non-trivial scale.
    tidy(() => {
      layer.setWeights([tensor([0.5, -1, 2, 3])]);
      expectAllClose(layer.apply(x), reference(x.arraySync() as number[][], 1e-6, [0.5, -1, 2, 3]));
    });
    layer.dispose();
    x.dispose();
  });

  it('normalizes over several (non-trailing) axes; constructor forms and validation', () => {
    const x = randomTensor([2, 3, 4], 5);
    const { layer } = checkLayer({ make: () => new RMSNormalization({ axis: [1, 2], epsilon: 1e-3 }), input: x });
    expect(layer.scale!.shape).toEqual([3, 4]);
    const mid = checkLayer({ make: () => new RMSNormalization(1), input: x }).layer;
    expect(mid.scale!.shape).toEqual([3]);
    tidy(() => {
      const data = x.arraySync() as number[][][];
      const y = mid.apply(x).arraySync() as number[][][];
      // (b, :, f) is normalized over axis 1.
      const col = [0, 1, 2].map((i) => data[1]![i]![2]!);
      const rms = Math.sqrt(col.reduce((s, v) => s + v * v, 0) / 3 + 1e-6);
      expectAllClose([0, 1, 2].map((i) => y[1]![i]![2]!), col.map((v) => v / rms));
    });
    expect(new RMSNormalization(-1, { epsilon: 1e-4 }).epsilon).toBe(1e-4);
    expect(() => new RMSNormalization({ axis: 1.5 })).toThrow(ValueError);
    expect(() => new RMSNormalization({ epsilon: -1 })).toThrow(/epsilon/);
    expect(() => tidy(() => new RMSNormalization(3).apply(x))).toThrow(/axis 3 is out of range/);
    x.dispose();
  });
});

/** A deliberately wrong layer: its declared output shape and its gradient are both off. */
class Broken extends Layer {
  static override className = 'BrokenForCheck';
  readonly mode: string;
  constructor(a: string | { mode: string; name?: string }) {
    const o = typeof a === 'string' ? { mode: a } : a;
    super({ name: o.name });
    this.mode = o.mode;
  }
  override getConfig() {
    return { ...super.getConfig(), mode: this.mode };
  }
  override call(inputs: LayerOutput): LayerOutput {
    const x = inputs as import('@strata/core').Tensor;
    if (this.mode === 'leak') tensor([1, 2, 3]);
    if (this.mode === 'grad') return tidy(() => ops.multiply(x, x.dataSync()[0]!));
    return x.clone();
  }
  override computeOutputShape(s: import('@strata/core').Shape | import('@strata/core').Shape[]) {
    return this.mode === 'shape' ? [...(s as (number | null)[]), 1] : s;
  }
}

describe('checkLayer (tooling/test-utils) catches broken layers', () => {
  it('fails on wrong values, shapes, gradients, bad-input messages and leaks', () => {
    const x = tensor([[0.5, -0.25]]);
    expect(() => checkLayer({ make: () => new Dense(2, { kernelInitializer: 'ones' }), input: x, expected: [[9, 9]] })).toThrow(/not close/);
    expect(() => checkLayer({ make: () => new Broken('shape'), input: x })).toThrow(/computeOutputShape/);
    expect(() => checkLayer({ make: () => new Broken('grad'), input: x, symbolic: false })).toThrow(/input gradient/);
    expect(() => checkLayer({ make: () => new Broken('leak'), input: x, symbolic: false })).toThrow(/leaked/);
    expect(() =>
      checkLayer({ make: () => new Dense(2), input: x, badInputs: [{ input: tensor([[1, 2, 3]]), message: /no such message/ }] }),
    ).toThrow();
    x.dispose();
  });
});
