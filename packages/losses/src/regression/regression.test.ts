import { memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { describe, expect, it } from 'vitest';
import { meanAbsoluteError, meanSquaredError } from './functions';
import { MeanAbsoluteError } from './mean-absolute-error';
import { MeanSquaredError } from './mean-squared-error';

const YT = [
  [0, 1],
  [0, 0],
  [2, 3],
];
const YP = [
  [1, 1],
  [1, 0],
  [0, 0.5],
];
// squared errors per sample: [1, 0] [1, 0] [4, 6.25] -> means 0.5, 0.5, 5.125
const MSE = [0.5, 0.5, 5.125];
// absolute errors: [1, 0] [1, 0] [2, 2.5] -> 0.5, 0.5, 2.25
const MAE = [0.5, 0.5, 2.25];

describe('MeanSquaredError / MeanAbsoluteError', () => {
  it('function forms average over the last axis', () => {
    expectAllClose(meanSquaredError(YT, YP), MSE);
    expectAllClose(meanAbsoluteError(YT, YP), MAE);
  });

  it('sum_over_batch_size is the mean over the batch', () => {
    expectAllClose(new MeanSquaredError().apply(YT, YP), (0.5 + 0.5 + 5.125) / 3);
    expectAllClose(new MeanAbsoluteError().apply(YT, YP), (0.5 + 0.5 + 2.25) / 3);
  });

  it('every reduction', () => {
    const sw = [1, 0, 2];
    expectAllClose(new MeanSquaredError({ reduction: 'sum' }).apply(YT, YP), 6.125);
    expectAllClose(new MeanSquaredError({ reduction: 'none' }).apply(YT, YP), MSE);
    expectAllClose(new MeanSquaredError({ reduction: 'mean' }).apply(YT, YP, sw), (0.5 + 2 * 5.125) / 3);
    expectAllClose(new MeanSquaredError({ reduction: 'mean_with_sample_weight' }).apply(YT, YP, sw), (0.5 + 2 * 5.125) / 3);
    expectAllClose(new MeanSquaredError({ reduction: 'mean_with_sample_weight' }).apply(YT, YP, [1, 1, 2]), (0.5 + 0.5 + 2 * 5.125) / 4);
    expectAllClose(new MeanSquaredError({ reduction: 'mean_with_sample_weight' }).apply(YT, YP), 6.125 / 3);
    expect(() => new MeanSquaredError({ reduction: 'auto' as never })).toThrow(/Invalid value for argument `reduction`/);
  });

  it('sample weights of shape (N,), (N, 1) and scalar', () => {
    const l = new MeanSquaredError();
    const want = (1 * 0.5 + 0 * 0.5 + 2 * 5.125) / 3;
    expectAllClose(l.apply(YT, YP, [1, 0, 2]), want);
    expectAllClose(l.apply(YT, YP, [[1], [0], [2]]), want);
    expectAllClose(l.apply(YT, YP, 2), (2 * 6.125) / 3);
  });

  it('per-timestep losses with per-timestep weights', () => {
    // (N=2, T=2, 1): loss per (sample, step), weights (N, T)
    const yt = [[[1], [2]], [[3], [4]]];
    const yp = [[[0], [0]], [[0], [0]]];
    const l = new MeanSquaredError();
    expectAllClose(l.apply(yt, yp), (1 + 4 + 9 + 16) / 4);
    expectAllClose(l.apply(yt, yp, [[1, 0], [0, 1]]), (1 + 16) / 4);
    expectAllClose(l.apply(yt, yp, [[1, 0], [0, 1]], tensor([[1, 0], [1, 1]], undefined, 'bool')), (1 + 16) / 3, { rtol: 1e-5 });
  });

  it('(N,) targets against (N, 1) outputs are matched, not broadcast', () => {
    const l = new MeanSquaredError({ reduction: 'none' });
    expectAllClose(l.apply([1, 2, 3], [[1], [1], [1]]), [0, 1, 4]);
    expectAllClose(meanSquaredError([1, 2, 3], [[1], [1], [1]]), [0, 1, 4]);
  });

  it('a scalar loss is returned as is by every reduction', () => {
    expectAllClose(new MeanSquaredError({ reduction: 'sum' }).apply([1, 3], [0, 0]), 5);
  });

  it('config: Keras keys, defaults and round trip', () => {
    expect(new MeanSquaredError().getConfig()).toEqual({ name: 'mean_squared_error', reduction: 'sum_over_batch_size' });
    expect(new MeanAbsoluteError({ reduction: 'sum', name: 'l1' }).getConfig()).toEqual({ name: 'l1', reduction: 'sum' });
    const back = MeanAbsoluteError.fromConfig({ name: 'l1', reduction: 'sum' });
    expect(back).toBeInstanceOf(MeanAbsoluteError);
    expect(back.getConfig()).toEqual({ name: 'l1', reduction: 'sum' });
    // tf.keras 2 configs say reduction 'auto'
    expect(MeanSquaredError.fromConfig({ name: 'mse', reduction: 'auto' }).reduction).toBe('sum_over_batch_size');
  });

  it('leaks nothing', () => {
    const yt = tensor(YT);
    const yp = tensor(YP);
    const before = memory().numTensors;
    new MeanSquaredError().apply(yt, yp, [1, 2, 3]).dispose();
    meanAbsoluteError(yt, yp).dispose();
    expect(memory().numTensors).toBe(before);
    yt.dispose();
    yp.dispose();
  });
});
