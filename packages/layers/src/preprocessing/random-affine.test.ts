import { type Config, type Tensor, tensor, tidy } from '@strata/core';
import { expectAllClose, tensorLeak } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { randomTensor } from '../testing/layer-checks';
import { mapCoordinate } from './affine';
import { RandomRotation, RandomTranslation, RandomZoom } from './random-affine';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
const data = (t: Tensor) => Array.from(t.dataSync());
const rows = [1, 2, 3, 4].flatMap((r) => [r, r, r, r]);

describe('RandomTranslation', () => {
  it('shifts by factor * size with each fill mode (tf ImageProjectiveTransform semantics)', () => {
    tidy(() => {
      const x = tensor(rows, [1, 4, 4, 1]);
      const shift = (fillMode: 'constant' | 'reflect' | 'wrap' | 'nearest') =>
        data(new RandomTranslation([0.25, 0.25], 0, { fillMode, fillValue: 9 }).apply(x, { training: true })).filter((_, i) => i % 4 === 0);
      expect(shift('constant')).toEqual([9, 1, 2, 3]);
      expect(shift('reflect')).toEqual([1, 1, 2, 3]);
      expect(shift('wrap')).toEqual([4, 1, 2, 3]);
      expect(shift('nearest')).toEqual([1, 1, 2, 3]);
      expect(data(new RandomTranslation(0.5, 0.5).apply(x))).toEqual(rows);
    });
    expect([-1, -2, 4, 5, 9].map((c) => mapCoordinate(c, 4, 'reflect'))).toEqual([0, 1, 3, 2, 1]);
    expect([-1, 4, 5].map((c) => mapCoordinate(c, 4, 'wrap'))).toEqual([3, 0, 1]);
  });

  it('seeded reproducibility, config keys (default fill_mode reflect), errors, no leaks', async () => {
    const x = randomTensor([3, 5, 5, 2]);
    const a = tidy(() => data(new RandomTranslation(0.2, 0.3, { seed: 4 }).apply(x, { training: true })));
    const b = tidy(() => data(new RandomTranslation(0.2, 0.3, { seed: 4 }).apply(x, { training: true })));
    expect(a).toEqual(b);
    const t = new RandomTranslation(0.2, [-0.1, 0.3], 'constant', 'nearest', 3, 1, { name: 'rt' });
    expect(t.getConfig()).toMatchObject({
      name: 'rt',
      height_factor: 0.2,
      width_factor: [-0.1, 0.3],
      fill_mode: 'constant',
      interpolation: 'nearest',
      seed: 3,
      fill_value: 1,
      data_format: 'channels_last',
    });
    const back = roundTrip<RandomTranslation>(t);
    expect([back.heightFactor, back.widthFactor, back.fillMode, back.seed]).toEqual([0.2, [-0.1, 0.3], 'constant', 3]);
    expect(new RandomTranslation(0.1, 0.1).fillMode).toBe('reflect');
    expect(() => new RandomTranslation(2, 0)).toThrow(/RandomTranslation.*height_factor/);
    expect(() => new RandomTranslation(0.1, 0.1, 'mirror' as never)).toThrow(/fill_mode/);
    expect(() => t.apply(tensor([1]), { training: true })).toThrow(/RandomTranslation "rt".*\(1,\)/);
    expect(t.computeOutputShape([null, 5, 5, 2])).toEqual([null, 5, 5, 2]);
    expect(await tensorLeak(() => t.apply(x, { training: true }).dispose())).toBe(0);
    x.dispose();
  });
});

describe('RandomRotation', () => {
  it('a quarter turn (factor 0.25) rotates the image: out(y, x) = in(x, W-1-y)', () => {
    tidy(() => {
      const v = Array.from({ length: 9 }, (_, i) => i);
      const y = new RandomRotation([0.25, 0.25], { fillMode: 'constant' as const }).apply(tensor(v, [3, 3, 1]), { training: true });
      const expected = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => v[c * 3 + (2 - r)]!));
      expectAllClose(y, expected, { atol: 1e-4, shape: [3, 3, 1] });
    });
    const r = new RandomRotation(0.1, { seed: 1 });
    expect(r.getConfig()).toMatchObject({ factor: [-0.1, 0.1], fill_mode: 'reflect', interpolation: 'bilinear', fill_value: 0, seed: 1 });
    expect(roundTrip<RandomRotation>(r).factor).toEqual([-0.1, 0.1]);
    expect(() => new RandomRotation(1.5)).toThrow(/RandomRotation.*factor/);
  });
});

describe('RandomZoom', () => {
  it('zoom factor 1 + f about the centre: a horizontal ramp becomes 0.5 x + 1 for f = -0.5', () => {
    tidy(() => {
      const ramp = Array.from({ length: 25 }, (_, i) => i % 5);
      const y = new RandomZoom([-0.5, -0.5]).apply(tensor(ramp, [1, 5, 5, 1]), { training: true });
      expectAllClose(y, ramp.map((c) => 0.5 * c + 1), { atol: 1e-5, shape: [1, 5, 5, 1] });
      const wOnly = new RandomZoom([0, 0], [-0.5, -0.5]).apply(tensor(ramp, [1, 5, 5, 1]), { training: true });
      expectAllClose(wOnly, ramp.map((c) => 0.5 * c + 1), { atol: 1e-5, shape: [1, 5, 5, 1] });
    });
    const z = new RandomZoom(0.2, null, { seed: 2 });
    expect(z.getConfig()).toMatchObject({ height_factor: 0.2, width_factor: null, fill_mode: 'reflect', seed: 2 });
    expect(roundTrip<RandomZoom>(z).widthFactor).toBeNull();
    expect(() => new RandomZoom(-2)).toThrow(/RandomZoom.*height_factor/);
    tidy(() => {
      const x = tensor(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
      expect(data(z.apply(x))).toEqual(data(x));
    });
  });
});

describe('affine layers: Keras factor handling, config and dtype', () => {
  it('RandomRotation uses _set_factor (bounds [-1, 1]) and stores the pair', () => {
    expect(new RandomRotation(-0.25).factor).toEqual([-0.25, 0.25]);
    expect(new RandomRotation([0.3, -0.1]).factor).toEqual([-0.1, 0.3]);
    // _set_factor only refuses a pair lying wholly outside the bounds.
    expect(new RandomRotation([-2, 0.5]).factor).toEqual([-2, 0.5]);
    expect(() => new RandomRotation([2, 3])).toThrow(/RandomRotation.*factor/);
    const r = new RandomRotation([0.3, -0.1], { seed: 3 });
    expect(roundTrip<RandomRotation>(r).getConfig()).toEqual(r.getConfig());
    // A fixed half turn: out(y, x) = in(H-1-y, W-1-x).
    tidy(() => {
      const y = new RandomRotation([0.5, 0.5], { interpolation: 'nearest' }).apply(tensor([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]), { training: true });
      expectAllClose(y, [6, 5, 4, 3, 2, 1], { atol: 1e-5 });
    });
  });

  it('RandomTranslation / RandomZoom check each entry in [-1, 1], sort pairs and keep the given factors in the config', () => {
    const t = new RandomTranslation([0.5, 0.25], 0, { fillMode: 'constant', interpolation: 'nearest', seed: 1 });
    expect(t.getConfig()).toMatchObject({ height_factor: [0.5, 0.25], width_factor: 0 });
    expect(roundTrip<RandomTranslation>(t).getConfig()).toEqual(t.getConfig());
    tidy(() => {
      // dy ~ U[0.25, 0.5) * 4 in [1, 2): the top row always comes from outside (constant 0).
      for (let k = 0; k < 10; k++) {
        const y = Array.from((t.apply(tensor([1, 2, 3, 4], [1, 4, 1, 1]), { training: true }) as Tensor).dataSync());
        expect(y[0]).toBe(0);
        expect([
          [0, 1, 2, 3],
          [0, 0, 1, 2],
        ]).toContainEqual(y);
      }
    });
    expect(() => new RandomTranslation([-2, 0.5], 0)).toThrow(/RandomTranslation.*height_factor/);
    expect(() => new RandomTranslation(0, -1.5)).toThrow(/RandomTranslation.*width_factor/);
    const z = new RandomZoom([0.3, -0.3], -0.2);
    expect(z.getConfig()).toMatchObject({ height_factor: [0.3, -0.3], width_factor: -0.2 });
    expect(() => new RandomZoom([0.2, 1.2])).toThrow(/RandomZoom.*height_factor/);
  });

  it('outputs float32, also at inference', () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4], [1, 2, 2, 1], 'int32');
      for (const l of [new RandomRotation(0.1), new RandomTranslation(0.1, 0.1), new RandomZoom(0.1)]) {
        const y = l.apply(x) as Tensor;
        expect(y.dtype).toBe('float32');
        expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
        expect((l.apply(x, { training: true }) as Tensor).dtype).toBe('float32');
      }
    });
  });
});
