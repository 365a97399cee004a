// Leaving the webgpu backend: values computed there must reach the next backend intact.
import { Variable, getBackend, ops, setBackend, tensor } from '@strata/core';
import { afterAll, expect, it } from 'vitest';
import './index';

afterAll(async () => setBackend('cpu'));

it('variables computed on webgpu keep their values after switching to cpu', async () => {
  await setBackend('webgpu');
  const v = new Variable({ initializer: tensor([1, 2, 3, 4]) });
  v.assign(ops.multiply(v.value, 3));
  await setBackend('cpu');
  expect(getBackend()).toBe('cpu');
  expect(Array.from(ops.add(v.value, 1).dataSync())).toEqual([4, 7, 10, 13]);
  v.dispose();
});

it('dataSync on webgpu returns the computed values', async () => {
  await setBackend('webgpu');
  const y = ops.multiply(tensor([1, 2, 3, 4]), 2);
  expect(Array.from(y.dataSync())).toEqual([2, 4, 6, 8]);
  y.dispose();
});
