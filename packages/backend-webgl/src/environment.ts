// Whether this JavaScript environment can run the WebGL backend at all, and why not. Checked before
// tfjs is asked for a context, so that Node never tries (and logs) a canvas it cannot create.
import { env } from '@tensorflow/tfjs-core';

interface NodeLike {
  versions?: { node?: string };
}

/** True in Node (and Node-compatible runtimes such as Bun/Deno with a `process.versions.node`). */
export function isNode(): boolean {
  const proc = (globalThis as { process?: NodeLike }).process;
  return proc?.versions?.node != null && typeof (globalThis as { document?: unknown }).document === 'undefined';
}

/** A canvas can be made here: a DOM document or an OffscreenCanvas (workers). */
function canMakeCanvas(): boolean {
  const g = globalThis as { document?: { createElement?: unknown }; OffscreenCanvas?: unknown };
  return typeof g.OffscreenCanvas !== 'undefined' || typeof g.document?.createElement === 'function';
}

const SUGGESTION = "Use setBackend('cpu'), or import '@strata/backend-wasm' and setBackend('wasm').";

/**
 * Why 'webgl' cannot start in this environment, or null when a WebGL context can be created. The
 * first call in a browser creates (and tfjs caches) a context: tfjs' `WEBGL_VERSION` flag.
 */
export function webglUnavailableReason(): string | null {
  if (isNode()) {
    return `The WebGL backend needs a browser (or a worker with OffscreenCanvas); this is Node, which has no WebGL. ${SUGGESTION}`;
  }
  if (!canMakeCanvas()) {
    return `The WebGL backend needs a canvas (a DOM document or OffscreenCanvas), and this environment has neither. ${SUGGESTION}`;
  }
  let version = 0;
  try {
    version = env().getNumber('WEBGL_VERSION');
  } catch (e) {
    return `Creating a WebGL context failed: ${(e as Error).message}. ${SUGGESTION}`;
  }
  if (version === 0) {
    const software = env().getBool('SOFTWARE_WEBGL_ENABLED')
      ? ''
      : ' If only a software renderer (e.g. SwiftShader) is present, it refuses contexts with a major performance caveat unless ' +
        "env().set('SOFTWARE_WEBGL_ENABLED', true) is set before the first use.";
    return `No WebGL 1 or 2 context could be created (WebGL disabled, blocklisted GPU or no GPU).${software} ${SUGGESTION}`;
  }
  return null;
}

/** The message of the BackendError thrown when 'webgl' cannot start. */
export function unavailableMessage(reason: string): string {
  return `Backend 'webgl' is not available: ${reason}`;
}
