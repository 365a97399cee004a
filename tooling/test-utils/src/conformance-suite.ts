// The conformance suite as vitest tests, one test per case (each with its own timeout, so a slow
// shader compiler in a browser does not time out the whole run). Imports nothing from Node, so
// browser tests can use it.
import { memory, setBackend } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tolerance } from './allclose';
import { type ConformanceCase, type ConformanceResult, assertConformance, runConformance } from './conformance';

export interface ConformanceSuiteOptions {
  /** The suite tolerance (default: runConformance's, atol 1e-4 and rtol 1e-3). */
  tolerance?: Tolerance;
  /** Each case's timeout in milliseconds (default 120 000). */
  timeout?: number;
}

/**
 * Declares one test per case (its forward output, input gradients and weight gradients on
 * `backendName` equal cpu's) and a last test that the whole run passes `assertConformance` and
 * leaves no tensors behind.
 */
export function describeConformance(title: string, backendName: string, cases: ConformanceCase[], options: ConformanceSuiteOptions = {}): void {
  describe(title, () => {
    const results: ConformanceResult[] = [];
    let tensorsBefore = 0;
    beforeAll(async () => {
      await setBackend('cpu');
      tensorsBefore = memory().numTensors;
    });
    afterAll(async () => setBackend('cpu'));

    it.each(cases.map((c) => [c.name, c] as const))(
      '%s: forward, input gradients and weight gradients match cpu',
      async (name, c) => {
        const [r] = await runConformance(backendName, [c], options.tolerance != null ? { tolerance: options.tolerance } : {});
        results.push(r!);
        // A missing kernel shows up here as "Kernel 'X' not registered for backend '...'", a broken
        // one as a shader compile error or as the first value out of tolerance.
        expect(r!.error ?? null, name).toBeNull();
        expect(r!.ok).toBe(true);
        expect(r!.forward).not.toBeNull();
      },
      options.timeout ?? 120_000,
    );

    it('assertConformance passes the whole run, and the run leaves no tensors behind', () => {
      expect(results.length).toBe(cases.length);
      expect(() => assertConformance(backendName, results)).not.toThrow();
      expect(memory().numTensors).toBe(tensorsBefore);
    });
  });
}
