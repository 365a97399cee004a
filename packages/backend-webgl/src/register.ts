// Registers 'webgl' under Strata's rules: the stock tfjs factory is replaced by one that first says
// why WebGL cannot start (a BackendError, which core's setBackend passes on) and sets the flags below.
import { BackendError } from '@strata/core';
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { engine, env, registerBackend } from '@tensorflow/tfjs-core';
import { isNode, unavailableMessage, webglUnavailableReason } from './environment';

/** The name the backend is registered under. */
export const WEBGL = 'webgl';

/**
 * tfjs' priority for 'webgl' in browsers (above 'cpu'); in Node the backend is registered below cpu,
 * so that it is listed (and `setBackend('webgl')` can explain itself) but never picked by default.
 */
const BROWSER_PRIORITY = 2;
const NODE_PRIORITY = 0;

/**
 * The flags set before the backend is created. Each is tfjs' default on capable hardware, set
 * explicitly so that a flag changed by other code does not silently turn packing off:
 * - `WEBGL_PACK`: packed (RGBA, 2x2) textures for every op that has a packed program.
 * - `WEBGL_FORCE_F16_TEXTURES`: float16 textures only where float32 cannot be rendered to.
 */
export function applyWebGLFlags(): void {
  const e = env();
  e.set('WEBGL_PACK', true);
  // tfjs already falls back to float16 when float32 is not renderable; making it explicit also turns
  // off the uniform uploads that compare float32 uniforms against float16 texels.
  if (!e.getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) e.set('WEBGL_FORCE_F16_TEXTURES', true);
}

function createBackend(): MathBackendWebGL {
  const reason = webglUnavailableReason();
  if (reason != null) throw new BackendError(unavailableMessage(reason));
  applyWebGLFlags();
  return new MathBackendWebGL();
}

interface EngineInternals {
  registryFactory: Record<string, { factory: unknown; priority: number }>;
  registry: Record<string, unknown>;
}

/** Registers (or re-registers, replacing tfjs' own factory) 'webgl'; returns its priority. */
export function registerWebGL(): number {
  const eng = engine() as unknown as EngineInternals;
  const priority = isNode() ? NODE_PRIORITY : BROWSER_PRIORITY;
  const entry = eng.registryFactory[WEBGL];
  // Not yet initialised: the stock factory can be swapped without disturbing a live backend.
  if (entry != null && eng.registry[WEBGL] == null) {
    entry.factory = createBackend;
    entry.priority = priority;
  } else if (entry == null) {
    registerBackend(WEBGL, createBackend, priority);
  }
  return priority;
}
