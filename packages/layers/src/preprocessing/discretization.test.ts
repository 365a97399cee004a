import { type Config, deserializeKerasObject, tensor, tidy } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { Discretization } from './discretization';

const roundTrip = <T>(layer: { getConfig(): Config; constructor: unknown }): T =>
  (layer.constructor as { fromConfig(c: Config): T }).fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
const f32 = Math.fround;

describe('Discretization.adapt (keras/src/layers/preprocessing/discretization.py summary algorithm)', () => {
  it('reproduces the Keras docstring example', () => {
    // Sorted: -1.5 0 0 0.5 1 1.3 3 3.4 (weights 1); percents 1/4..1 of cum/8 hit exact indices: [0, 0.5, 1.3].
    const d = new Discretization({ numBins: 4, epsilon: 0.01 });
    d.adaptSync([
      [-1.5, 1.0, 3.4, 0.5],
      [0.0, 3.0, 1.3, 0.0],
    ]);
    expect(d.binBoundaries).toEqual([0, 0.5, f32(1.3)]);
    tidy(() => {
      const y = d.apply(tensor([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]));
      expect(Array.from(y.dataSync())).toEqual([0, 2, 3, 2, 1, 3, 3, 1]);
    });
  });

  it('summarize weighs kept values by the unrounded step; merged batches interpolate on those weights', () => {
    // epsilon 0.5 (num_buckets 2). Batch [0, 10, 20]: increment 1.5 -> values[1::1] = [10, 20], weights 1.5.
    // Batch [5]: increment 0.5 -> values[0::1] = [5], weight 1. Merged (new first): [5, 10, 20] / [1, 1.5, 1.5],
    // cum [1, 2.5, 4] -> percents of [0.25, 0.625, 1]. At 0.5: slope (10 - 5) / 0.375, value 8.333...; cum weight 2.
    // Final compress at 1 / num_bins = 0.5 hits that first value exactly.
    const d = new Discretization({ numBins: 2, epsilon: 0.5 });
    const batches = [tensor([0, 10, 20]), tensor([5])];
    d.adaptSync(batches);
    for (const b of batches) b.dispose();
    const slope = (10 - 5) / (f32(2.5 / 4) - f32(1 / 4));
    expect(d.binBoundaries).toEqual([f32(slope * (0.5 - f32(1 / 4)) + 5)]);
    // Truncating the weights to 1 would have given the midpoint 7.5.
    expect(Math.abs(d.binBoundaries![0]! - 8.3333)).toBeLessThan(1e-3);
  });

  it('subsamples every int(step)-th value from int(increment) once n exceeds 1 / epsilon', () => {
    // 250 values 0..249, epsilon 0.01: increment 2.5 -> values 2, 4, ..., 248 (124 values, weight 2.5).
    // Compressed to the 100 percents 0.01 k of cum% i / 124 (value 2 i): the value at percent p is 248 p.
    const d = new Discretization({ numBins: 4 });
    d.adaptSync(Array.from({ length: 250 }, (_, i) => 249 - i));
    // Bins at 1/4, 1/2, 3/4 of the compressed summary (each of its 100 weights is 3.1).
    const at = (p: number) => 248 * p;
    expect(d.binBoundaries!.length).toBe(3);
    for (const [i, b] of d.binBoundaries!.entries()) expect(Math.abs(b - at((i + 1) / 4))).toBeLessThan(1e-3);
  });

  it('two batches: merged summary compressed at percents 0.3 k (the last past 1), then queried at 1/2', () => {
    // epsilon 0.3 (1 / epsilon = 3.33): 1..10 -> increment 3 -> values[3::3] = [4, 7, 10], weights 3;
    // 11..20 -> [14, 17, 20]. Merged: [4, 7, 10, 14, 17, 20] (weights 3, cum% k / 6) compressed at
    // 0.3, 0.6, 0.9, 1.2: values 4 + 18 (0.3 - 1/6) = 6.4, 10 + 24 (0.6 - 1/2) = 12.4, 17 + 18 (0.9 - 5/6) = 18.2,
    // 20; cum weights 5.4, 10.8, 16.2, 18 -> weights 5.4, 5.4, 5.4, 1.8. Final epsilon 1/2: cum% 0.3, 0.6, ...
    // so the boundary is 6.4 + (12.4 - 6.4) / 0.3 * (0.5 - 0.3) = 10.4.
    const d = new Discretization({ numBins: 2, epsilon: 0.3 });
    const batches = [tensor(Array.from({ length: 10 }, (_, i) => i + 1)), tensor(Array.from({ length: 10 }, (_, i) => i + 11))];
    d.adaptSync(batches);
    for (const b of batches) b.dispose();
    expect(d.binBoundaries!.length).toBe(1);
    expect(Math.abs(d.binBoundaries![0]! - (6.4 + (6 / 0.3) * 0.2))).toBeLessThan(1e-4);
  });

  it('matches the Keras functions run in NumPy (float32, stable argsort) on four uneven batches, bit for bit', () => {
    // Reference values: keras' summarize / merge_summaries / compress_summary / get_bin_boundaries
    // evaluated with NumPy 2.4 on the same batches (values k / 64, exact in float32).
    const batches = [300, 1000, 77, 512].map((n, b) => tensor(Array.from({ length: n }, (_, i) => ((i * 7919 + b * 104729) % 1009) / 64)));
    const d5 = new Discretization({ numBins: 5 });
    d5.adaptSync(batches);
    expect(d5.binBoundaries).toEqual([3.1741888523101807, 6.2845892906188965, 9.427928924560547, 12.575822830200195]);
    const d3 = new Discretization({ numBins: 3, epsilon: 0.05 });
    d3.adaptSync(batches);
    expect(d3.binBoundaries).toEqual([5.220987796783447, 10.223958969116211]);
    for (const b of batches) b.dispose();
  });

  it('constructor rules, from_config of an adapted layer, registration', () => {
    expect(() => new Discretization({ binBoundaries: [0, 1], numBins: 3 })).toThrow(/Discretization.*num_bins.*bin_boundaries/);
    expect(() => new Discretization({})).toThrow(/Discretization.*either `num_bins` or `bin_boundaries`/);
    const a = new Discretization({ numBins: 3, name: 'dz' });
    a.adaptSync([1, 2, 3, 4, 5, 6]);
    const cfg = a.getConfig();
    expect(cfg).toMatchObject({ num_bins: 3, bin_boundaries: a.binBoundaries, epsilon: 0.01, output_mode: 'int' });
    const back = roundTrip<Discretization>(a);
    expect(back.binBoundaries).toEqual(a.binBoundaries);
    expect(back.numBins).toBe(3);
    const d = deserializeKerasObject<Discretization>('layer', { module: 'keras.layers', class_name: 'Discretization', config: cfg, registered_name: null });
    expect(d).toBeInstanceOf(Discretization);
    expect(d.binBoundaries).toEqual(a.binBoundaries);
  });
});
