// Without an adapter, `setBackend('webgpu')` rejects with a BackendError that lists what was tried and
// how to fall back, the previous backend stays active, and 'webgpu' leaves `listBackends()`. The
// machine's own GPU is never asked: a fake GPU is handed in through `configureWebGPU`.
import { BackendError, getBackend, listBackends, ops, setBackend, tensor } from '@strata/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type GPULike, WEBGPU_PRIORITY, configureWebGPU, webgpuAdapterInfo } from './index';

describe('webgpu without an adapter', () => {
  afterAll(async () => setBackend('cpu'));

  const asked: unknown[] = [];
  const noAdapter: GPULike = {
    requestAdapter: async (options) => {
      asked.push(options);
      return null;
    },
  };

  it('a failed first setBackend (nothing initialised yet) leaves the default backend to the next op', async () => {
    configureWebGPU({ gpu: noAdapter });
    await expect(setBackend('webgpu')).rejects.toThrow(BackendError);
    expect(getBackend()).toBe('cpu');
    asked.length = 0;
  });

  it('importing registers webgpu below cpu, so cpu stays the default', async () => {
    expect(WEBGPU_PRIORITY).toBeLessThan(1);
    expect(listBackends()).toContain('cpu');
    expect(WEBGPU_PRIORITY).toBeLessThan(1);
    ops.add(tensor([1]), tensor([2])).dispose();
    expect(getBackend()).toBe('cpu');
    expect(webgpuAdapterInfo()).toBeNull();
  });

  it('setBackend rejects with a BackendError naming what was tried and the fallback', async () => {
    configureWebGPU({ gpu: noAdapter });
    await setBackend('cpu');
    const err = await setBackend('webgpu').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackendError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^No WebGPU adapter for the 'webgpu' backend\. Tried: /);
    expect(msg).toContain("configureWebGPU({ gpu }) (featureLevel 'core'): no adapter");
    expect(msg).toContain("(featureLevel 'compatibility'): no adapter");
    expect(msg).toContain("setBackend('wasm')");
    expect(msg).toContain("setBackend('cpu')");
    // Both feature levels were requested, with the high-performance preference.
    expect(asked).toEqual([
      { powerPreference: 'high-performance', featureLevel: 'core' },
      { powerPreference: 'high-performance', featureLevel: 'compatibility' },
    ]);
  });

  it('the previous backend stays active and keeps working', async () => {
    expect(getBackend()).toBe('cpu');
    const y = ops.add(tensor([1, 2]), tensor([3, 4]));
    expect(Array.from(await y.data())).toEqual([4, 6]);
    y.dispose();
  });

  it('listBackends leaves the failed backend out', async () => {
    expect(listBackends()).not.toContain('webgpu');
    expect(listBackends()).toContain('cpu');
  });

  it('a GPU option that throws is reported as such', async () => {
    configureWebGPU({
      gpu: () => {
        throw new Error('driver exploded');
      },
    });
    await expect(setBackend('webgpu')).rejects.toThrow(/^WebGPU: the 'gpu' option failed: driver exploded\. .*setBackend\('wasm'\)/);
    expect(getBackend()).toBe('cpu');
  });

  it('a fake adapter whose device request fails names the adapter', async () => {
    configureWebGPU({
      gpu: {
        requestAdapter: async () => ({
          features: new Set<string>(),
          limits: {},
          info: { vendor: 'acme', device: 'fake-gpu', description: 'test double' },
          requestDevice: async () => {
            throw new Error('out of devices');
          },
        }),
      },
    });
    await expect(setBackend('webgpu')).rejects.toThrow(/the adapter acme, fake-gpu, test double refused to create a device: out of devices/);
    expect(getBackend()).toBe('cpu');
    expect(webgpuAdapterInfo()).toBeNull();
  });
});
