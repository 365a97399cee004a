// What runs without WebGL (Node): importing the package, the clear error when 'webgl' is selected,
// webglInfo's report, and the rank > 4 kernel compositions (run here on cpu, against plain JS).
import { BackendError, ValueError, getBackend, listBackends, memory, ops, setBackend, tensor, tidy } from '@strata/core';
import type { KernelFunc, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { expectAllClose } from '@strata/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBGL, addedKernels, kernelsFor, padV2, reverse, warmUp, webglInfo, webglPriority, webglUnavailableReason } from './index';
import { padReference, ramp, reverseReference } from './reference';

beforeAll(async () => setBackend('cpu'));
afterAll(async () => setBackend('cpu'));

describe('@strata/backend-webgl in Node', () => {
  it("importing registers 'webgl' below cpu, so cpu stays the default", () => {
    expect(listBackends()).toContain(WEBGL);
    expect(webglPriority).toBe(0);
    const order = listBackends();
    expect(order.indexOf('cpu')).toBeLessThan(order.indexOf(WEBGL));
    expect(getBackend()).toBe('cpu');
  });

  it("setBackend('webgl') rejects with a BackendError that says why and what to use instead", async () => {
    const err = await setBackend(WEBGL).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackendError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^Backend 'webgl' is not available: /);
    expect(msg).toMatch(/this is Node, which has no WebGL/);
    expect(msg).toMatch(/setBackend\('cpu'\)/);
    expect(msg).toMatch(/@strata\/backend-wasm/);
  });

  it('the failed switch leaves cpu active and working', async () => {
    await setBackend(WEBGL).catch(() => {});
    expect(getBackend()).toBe('cpu');
    const y = tidy(() => Array.from(ops.add(tensor([1, 2]), tensor([3, 4])).dataSync()));
    expect(y).toEqual([4, 6]);
  });

  it('webglInfo reports WebGL as unavailable, with the reason', () => {
    const info = webglInfo();
    expect(info.available).toBe(false);
    expect(info.reason).toBe(webglUnavailableReason());
    expect(info.reason).toMatch(/Node/);
    expect(info).toMatchObject({ webglVersion: 0, textureFloat: null, maxTextureSize: 0, parallelCompile: false, renderer: null });
  });

  it('warmUp refuses to run unless webgl is the active backend', async () => {
    const model = { inputs: [{ shape: [null, 3] }], apply: () => null, weights: [], trainableWeights: [] };
    await expect(warmUp(model)).rejects.toThrow(BackendError);
    await expect(warmUp(model)).rejects.toThrow(/active backend is 'cpu': await setBackend\('webgl'\) first/);
  });

  it('the corrected kernels replace the stock ones on webgl', () => {
    expect([...addedKernels].sort()).toEqual(['PadV2', 'Reverse']);
    const names = kernelsFor(WEBGL);
    expect(names).toContain('PadV2');
    expect(names).toContain('Reverse');
  });
});

/** Calls a kernel function the way the engine does, on the active backend (cpu here). */
function call(kernel: KernelFunc, x: Tensor, attrs: NamedAttrMap): number[] {
  return tidy(() => Array.from((kernel({ inputs: { x }, attrs, backend: null as never }) as Tensor).dataSync()));
}

describe('rank > 4 compositions (computed on cpu)', () => {
  it('PadV2 of a rank-5 tensor equals the plain-JS padding, constant value included', () => {
    const shape = [2, 1, 3, 2, 2];
    const values = ramp(24, 3);
    const paddings: [number, number][] = [[0, 1], [2, 0], [1, 1], [0, 0], [1, 2]];
    const before = memory().numTensors;
    const x = tensor(values, shape);
    const got = call(padV2, x, { paddings, constantValue: 0.5 });
    x.dispose();
    const want = padReference(values, shape, paddings, 0.5);
    expect(got.length).toBe(want.values.length);
    expectAllClose(got, want.values, { atol: 1e-6, rtol: 0 });
    expect(memory().numTensors).toBe(before);
  });

  it('PadV2 of a rank-6 tensor without any padding returns a copy with the same values', () => {
    const shape = [1, 2, 1, 2, 1, 2];
    const values = ramp(8, 5);
    const x = tensor(values, shape);
    const got = call(padV2, x, { paddings: shape.map(() => [0, 0]), constantValue: 0 });
    x.dispose();
    expectAllClose(got, values, { atol: 1e-6, rtol: 0 });
  });

  it('PadV2 rejects paddings that do not match the rank, naming both', () => {
    const x = tensor(ramp(8), [1, 2, 1, 2, 2]);
    expect(() => call(padV2, x, { paddings: [[1, 1]], constantValue: 0 })).toThrow(ValueError);
    expect(() => call(padV2, x, { paddings: [[1, 1]], constantValue: 0 })).toThrow(/PadV2 \(webgl\): got 1 padding pairs for an input of rank 5 \(shape \[1,2,1,2,2\]\)/);
    x.dispose();
  });

  it('Reverse of a rank-5 tensor along several axes (negative and repeated ones too) equals the plain-JS reverse', () => {
    const shape = [2, 3, 1, 2, 2];
    const values = ramp(24, 7);
    const before = memory().numTensors;
    const x = tensor(values, shape);
    const got = call(reverse, x, { dims: [0, -1, 2, 1, 1] });
    x.dispose();
    const want = reverseReference(values, shape, [0, 4, 2, 1]);
    expectAllClose(got, want, { atol: 1e-6, rtol: 0 });
    expect(memory().numTensors).toBe(before);
  });
});
