// Importing the package registers 'webgpu' without making it the default, and a successful
// initialisation reports the adapter (Dawn in Node: llvmpipe here, Vulkan on a GPU machine).
import { getBackend, listBackends, ops, setBackend, tensor } from '@strata/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DAWN_ATTEMPTS, WEBGPU_PRIORITY, configureWebGPU, webgpuAdapterInfo } from './index';

describe('webgpu registration and adapter report', () => {
  afterAll(async () => setBackend('cpu'));

  it('registers webgpu below cpu: the first op still runs on cpu', () => {
    expect(WEBGPU_PRIORITY).toBe(0);
    expect(listBackends()).toEqual(expect.arrayContaining(['cpu', 'webgpu']));
    expect(listBackends().indexOf('cpu')).toBeLessThan(listBackends().indexOf('webgpu'));
    ops.add(tensor([1]), tensor([2])).dispose();
    expect(getBackend()).toBe('cpu');
    expect(webgpuAdapterInfo()).toBeNull();
  });

  it('tries the native Dawn backend before OpenGL ES compatibility mode', () => {
    expect(DEFAULT_DAWN_ATTEMPTS.map((a) => [a.label, a.flags, a.featureLevel])).toEqual([
      ['default', [], 'core'],
      ['opengles', ['backend=opengles'], 'compatibility'],
    ]);
    expect(DEFAULT_DAWN_ATTEMPTS[1]!.env).toEqual({ EGL_PLATFORM: 'surfaceless' });
  });

  it('setBackend("webgpu") finds an adapter and webgpuAdapterInfo reports it', async () => {
    await setBackend('webgpu');
    expect(getBackend()).toBe('webgpu');
    const info = webgpuAdapterInfo()!;
    expect(info.source).toBe('dawn');
    expect(['default', 'opengles']).toContain(info.dawnBackend);
    expect(info.featureLevel).toBe(info.dawnBackend === 'default' ? 'core' : 'compatibility');
    expect(`${info.device} ${info.description}`.trim().length).toBeGreaterThan(0);
    // The last attempt listed is the one that gave the adapter.
    expect(info.tried.at(-1)).toContain(info.device);
    // llvmpipe (this machine without a GPU) must be flagged as software.
    if (/llvmpipe/i.test(info.device)) expect(info.software).toBe(true);
    const y = ops.matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
    expect(Array.from(await y.data())).toEqual([19, 22, 43, 50]);
    y.dispose();
    // The report is a copy: changing it changes nothing inside.
    info.tried.push('x');
    expect(webgpuAdapterInfo()!.tried).not.toContain('x');
  });

  it('configureWebGPU is refused once webgpu is initialised, naming the adapter', () => {
    expect(() => configureWebGPU({ powerPreference: 'low-power' })).toThrow(/already initialised on .+configure it before the first setBackend/);
  });
});
