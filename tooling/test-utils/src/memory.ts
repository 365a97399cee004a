import { memory } from '@strata/core';

/**
 * Runs `fn` and returns how many tensors it left alive, minus `keepCount` (what it deliberately
 * returns). 0 means no leak.
 */
export async function tensorLeak(fn: () => unknown | Promise<unknown>): Promise<number> {
  const before = memory().numTensors;
  await fn();
  return memory().numTensors - before;
}
