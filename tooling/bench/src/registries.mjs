// tfjs-core keeps its kernel and gradient registries in process-wide maps (`globalThis._tfGlobals`),
// so everything Strata registers there (its faster Conv2D gradient, the training kernels of
// @strata/backend-wasm) would silently speed up tfjs-layers too once both live in one process.
// To compare Strata with tfjs-layers as users get it, this module records what stock tfjs
// registered and what Strata added or replaced, and swaps the two views in before each side runs.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function registry(key) {
  const map = globalThis._tfGlobals?.get(key);
  if (!(map instanceof Map)) throw new Error(`tfjs-core registry '${key}' not found; import @tensorflow/tfjs-core first`);
  return map;
}

/** Kernel names that have a gradient in tfjs-core itself (one `<Kernel>_grad.js` file each). */
function stockGradientKernels() {
  const dir = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'gradients');
  return new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith('_grad.js'))
      .map((f) => f.slice(0, -'_grad.js'.length)),
  );
}

/**
 * Starts recording. Call after the stock tfjs backends were imported (their kernels are the stock
 * kernel set) and before @strata/* is imported; call `finish()` on the result afterwards.
 */
export function recordRegistrations() {
  const kernels = registry('kernelRegistry');
  const grads = registry('gradRegistry');
  const stockKernels = new Map(kernels);
  const firstGrad = new Map(); // kernelName -> first gradient config registered (tfjs' own, bundled by @strata/core)
  const originalKernelSet = kernels.set;
  const originalGradSet = grads.set;
  grads.set = function set(name, config) {
    if (!firstGrad.has(name)) firstGrad.set(name, config);
    return originalGradSet.call(this, name, config);
  };
  return {
    finish() {
      kernels.set = originalKernelSet;
      grads.set = originalGradSet;
      const tfjsGradKernels = stockGradientKernels();
      const strataKernels = new Map(kernels);
      const strataGrads = new Map(grads);
      const stockGrads = new Map();
      for (const [name, config] of strataGrads) {
        // Gradients registered before recording started came from tfjs itself.
        const first = firstGrad.get(name) ?? config;
        if (tfjsGradKernels.has(name)) stockGrads.set(name, first);
      }
      const summary = {
        kernelsAdded: [...strataKernels.keys()].filter((k) => !stockKernels.has(k)),
        kernelsReplaced: [...strataKernels.keys()].filter((k) => stockKernels.has(k) && stockKernels.get(k) !== strataKernels.get(k)),
        gradientsAdded: [...strataGrads.keys()].filter((k) => !stockGrads.has(k)),
        gradientsReplaced: [...stockGrads.keys()].filter((k) => stockGrads.get(k) !== strataGrads.get(k)),
      };
      const load = (map, entries) => {
        map.clear();
        for (const [k, v] of entries) map.set(k, v);
      };
      return {
        summary,
        /** Registries as Strata sets them up (stock tfjs plus Strata's kernels and gradients). */
        useStrata() {
          load(kernels, strataKernels);
          load(grads, strataGrads);
        },
        /**
         * The engine runs a kernel's `setupFunc` (wasm: binding its exported function) only for the
         * kernels registered when a backend initialises, i.e. Strata's; the stock kernels Strata
         * replaced need theirs too before `useStock()` can run them.
         */
        setupStockKernels(backendName, backend) {
          for (const [key, config] of stockKernels) {
            if (config.backendName === backendName && strataKernels.get(key) !== config) config.setupFunc?.(backend);
          }
        },
        /** Registries as stock tfjs 4.22 has them (what a tfjs-layers user gets). */
        useStock() {
          load(kernels, stockKernels);
          load(grads, stockGrads);
        },
      };
    },
  };
}
