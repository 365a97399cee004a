import { type Tensor, memory, tensor } from '@strata/core';
import { expectAllClose } from '@strata/test-utils';
import { expect, vi } from 'vitest';
import type { Metric } from './metric';

/** The metric's result as a number (disposes the result tensor). */
export function resultOf(m: Metric): number {
  const r = m.result();
  expect(r.shape).toEqual([]);
  const v = r.dataSync()[0]!;
  r.dispose();
  return v;
}

export function expectResult(m: Metric, expected: number, tol = { atol: 1e-6, rtol: 1e-5 }): void {
  expectAllClose(resultOf(m), expected, tol);
}

/**
 * Runs `fn` (updateState calls) and checks that it leaves no tensors behind and reads nothing
 * back from the device.
 */
export function expectNoLeakNoRead(fn: () => void): void {
  const probe = tensor(0);
  const proto = Object.getPrototypeOf(probe) as Tensor;
  probe.dispose();
  const spies = (['dataSync', 'data', 'arraySync', 'array'] as const).map((k) => vi.spyOn(proto, k));
  try {
    const before = memory().numTensors;
    fn();
    expect(memory().numTensors).toBe(before);
    for (const s of spies) expect(s).not.toHaveBeenCalled();
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
