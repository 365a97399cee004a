import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/**
 * The folder holding the `.wasm` binaries of the installed @tensorflow/tfjs-backend-wasm, in Node;
 * null elsewhere. Node builtins are reached through `process.getBuiltinModule` (Node >= 20.16), never
 * imported, so bundlers see no `fs`/`module` import.
 */
export function nodeWasmDirectory(from: string): string | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (proc?.versions?.node == null || typeof proc.getBuiltinModule !== 'function') return null;
  try {
    const { createRequire } = proc.getBuiltinModule('module') as { createRequire: (from: string) => NodeRequire };
    const path = proc.getBuiltinModule('path') as { dirname: (p: string) => string; join: (...p: string[]) => string; sep: string };
    const pkg = createRequire(from).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    return path.join(path.dirname(pkg), 'dist') + path.sep;
  } catch {
    return null;
  }
}

type NodeRequire = { resolve: (id: string) => string };

let configured: string | null = null;

/**
 * Points tfjs at the `.wasm` files of the installed package when running in Node, whatever the
 * current directory or the module format that loaded this package. In a browser bundle, serve the
 * three `.wasm` files from `@tensorflow/tfjs-backend-wasm/dist/` and call `setWasmPaths(prefix)`
 * (re-exported here) before the first `setBackend('wasm')`.
 */
export function configureNodeWasmPaths(from: string): string | null {
  if (configured != null) return configured;
  const dir = nodeWasmDirectory(from);
  if (dir != null) {
    setWasmPaths(dir);
    configured = dir;
  }
  return dir;
}
