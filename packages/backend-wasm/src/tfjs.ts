// The pieces of tfjs-core's runtime this package needs. tfjs-core keeps its engine and its kernel
// registry on the global object (so every copy of the library shares them); this package reaches
// them there instead of importing tfjs-core, which is not one of its dependencies.
import type { Tensor } from '@strata/core';

/** What tfjs hands a kernel function (structural subset of tfjs-core's `KernelFunc` arguments). */
export interface KernelArgs {
  inputs: Record<string, Tensor> | Tensor[];
  attrs?: Record<string, unknown>;
  backend: unknown;
}

export interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: (args: KernelArgs) => Tensor | Tensor[];
}

interface Engine {
  runKernel(kernelName: string, inputs: Record<string, Tensor> | Tensor[], attrs?: Record<string, unknown>): Tensor | Tensor[];
  backendName: string;
}

interface TfGlobals {
  _tfengine?: Engine;
  _tfGlobals?: Map<string, unknown>;
}

const globals = globalThis as unknown as TfGlobals;

/** The tfjs engine (created by @strata/core's import of tfjs-core). */
export function engine(): Engine {
  const e = globals._tfengine;
  if (e == null) throw new Error('@strata/backend-wasm: the tfjs engine is missing; import @strata/core first.');
  return e;
}

/** Runs one kernel on the active backend (inside a kernel of ours: the wasm backend). */
export function runKernel(kernelName: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown> = {}): Tensor {
  return engine().runKernel(kernelName, inputs, attrs) as Tensor;
}

function kernelRegistry(): Map<string, KernelConfig> {
  const map = globals._tfGlobals?.get('kernelRegistry') as Map<string, KernelConfig> | undefined;
  if (map == null) throw new Error('@strata/backend-wasm: the tfjs kernel registry is missing; import @strata/core first.');
  return map;
}

/** Same key scheme as tfjs-core's `registerKernel`. */
const key = (kernelName: string, backendName: string): string => `${backendName}_${kernelName}`;

export function hasKernel(kernelName: string, backendName: string): boolean {
  return kernelRegistry().has(key(kernelName, backendName));
}

/**
 * Registers `config`. Without `replace`, a kernel the backend already has wins (a newer tfjs may ship
 * its own); with it, ours replaces the stock one (used for stock kernels with wrong results).
 */
export function registerKernel(config: KernelConfig, replace = false): boolean {
  const registry = kernelRegistry();
  const k = key(config.kernelName, config.backendName);
  if (registry.has(k) && !replace) return false;
  registry.set(k, config);
  return true;
}

/** The kernel names registered for `backendName`. */
export function kernelsFor(backendName: string): string[] {
  return [...kernelRegistry().values()].filter((c) => c.backendName === backendName).map((c) => c.kernelName);
}
