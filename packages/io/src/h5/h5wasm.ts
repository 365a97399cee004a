/**
 * Loads h5wasm (the WebAssembly build of libhdf5) once. It is ESM-only, so it is imported
 * dynamically: a top-level import would stop the CJS build of this package from loading.
 */

type H5wasmModule = typeof import('h5wasm');

let loading: Promise<H5wasmModule> | null = null;

/** True under Node.js, where h5wasm's FS is the real file system (NODERAWFS). */
export const isNode = typeof process !== 'undefined' && process.versions?.node != null;

/** The h5wasm module, initialised (`ready` resolved). */
export function loadH5wasm(): Promise<H5wasmModule> {
  if (loading == null) {
    loading = (async () => {
      // The Node build reads/writes real files; the default (browser) build has an in-memory FS.
      const mod = (isNode ? await import('h5wasm/node') : await import('h5wasm')) as H5wasmModule;
      await mod.ready;
      return mod;
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

let counter = 0;

/**
 * A fresh path for a scratch file in h5wasm's FS: under the OS temp dir in Node (its FS is the
 * real disk there), at the root of the in-memory FS elsewhere. The caller must unlink it.
 */
export async function scratchPath(): Promise<string> {
  const name = `strata-h5-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${counter++}.h5`;
  if (isNode) {
    const [{ tmpdir }, { join }] = await Promise.all([import('node:os'), import('node:path')]);
    return join(tmpdir(), name);
  }
  return `/${name}`;
}
