import { tensor, tidy } from '@strata/core';
import { expectAllClose, gradientError, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { projectedSum, randomTensor } from '../testing/layer-checks';
import { Softmax } from './softmax';

const softmaxRef = (r: number[]) => {
  const m = Math.max(...r);
  const e = r.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('Softmax', () => {
  it('normalizes along axis (float64 reference), over several axes, and with a mask', () => {
    const rows = [[1, 2, 3], [0, -1, 4]];
    const x = tensor(rows);
    tidy(() => {
      expectAllClose(new Softmax().apply(x), rows.map(softmaxRef), { atol: 1e-6 });
      const cols = softmaxRef([1, 0]).map((a, i) => [a, softmaxRef([2, -1])[i]!, softmaxRef([3, 4])[i]!]);
      expectAllClose(new Softmax(0).apply(x), cols, { atol: 1e-6 });
      const all = softmaxRef(rows.flat());
      expectAllClose(new Softmax({ axis: [0, 1] }).apply(x), [all.slice(0, 3), all.slice(3)], { atol: 1e-6 });
      const mask = tensor([[1, 1, 0], [0, 0, 0]], undefined, 'bool');
      const y = new Softmax().apply(x, { mask });
      expectAllClose(y, [[...softmaxRef([1, 2]), 0], [0, 0, 0]], { atol: 1e-6 });
    });
    x.dispose();
  });

  it('gradient, config round trip, shapes and leaks', async () => {
    const layer = new Softmax({ axis: -1 });
    const config = layer.getConfig();
    expect(Object.keys(config).sort()).toEqual(['axis', 'dtype', 'name', 'trainable']);
    expect(Softmax.fromConfig(config).getConfig()).toEqual(config);
    const x = randomTensor([2, 3], 4);
    expect(gradientError((t) => projectedSum(layer.apply(t)), [x], 1e-2)).toBeLessThan(1e-2);
    tidy(() => {
      expect(layer.apply(x).shape).toEqual(layer.computeOutputShape([2, 3]));
    });
    const mask = tensor([[1, 0, 1], [1, 1, 1]], undefined, 'bool');
    expect(await tensorLeak(() => layer.apply(x, { mask }).dispose())).toBe(0);
    expect(() => tidy(() => new Softmax({ name: 'sm' }).apply(x, { mask: tensor([1, 0], undefined, 'bool') }))).toThrow(/sm.*\(2,\).*\(2, 3\)/);
    mask.dispose();
    x.dispose();
  });
});
