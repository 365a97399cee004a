// What the WebGL backend runs on: the numbers that decide precision and capacity.
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { engine, env } from '@tensorflow/tfjs-core';
import { webglUnavailableReason } from './environment';
import { WEBGL } from './register';

export interface WebGLInfo {
  /** Whether 'webgl' can start here. */
  available: boolean;
  /** Why not (null when available). */
  reason: string | null;
  /** 2 (WebGL2), 1 (WebGL1) or 0 (none). */
  webglVersion: number;
  /** Whether the device can render to float32 textures. */
  float32RenderCapable: boolean;
  /** The texture format tensors are stored in: float32 where renderable, else float16. */
  textureFloat: 'float32' | 'float16' | null;
  /** Largest texture side in texels (bounds the largest tensor dimension after packing). */
  maxTextureSize: number;
  /** Texture units a fragment shader may sample (bounds the inputs of one program). */
  maxTexturesInShader: number;
  /** Whether KHR_parallel_shader_compile is present (warmUp then compiles in parallel). */
  parallelCompile: boolean;
  /** The renderer string (unmasked when the browser allows it), e.g. "ANGLE (... SwiftShader ...)". */
  renderer: string | null;
  /** The vendor string (unmasked when allowed). */
  vendor: string | null;
}

interface DebugRendererInfo {
  UNMASKED_RENDERER_WEBGL: number;
  UNMASKED_VENDOR_WEBGL: number;
}

/**
 * Reports the WebGL setup. In a browser it initialises the 'webgl' backend (without making it the
 * active one) to read its context; where WebGL is unavailable it says why and reports zeros.
 */
export function webglInfo(): WebGLInfo {
  const reason = webglUnavailableReason();
  if (reason != null) {
    return {
      available: false,
      reason,
      webglVersion: 0,
      float32RenderCapable: false,
      textureFloat: null,
      maxTextureSize: 0,
      maxTexturesInShader: 0,
      parallelCompile: false,
      renderer: null,
      vendor: null,
    };
  }
  const backend = engine().findBackend(WEBGL) as MathBackendWebGL | null;
  const e = env();
  const gl = backend?.gpgpu.gl ?? null;
  let renderer: string | null = null;
  let vendor: string | null = null;
  if (gl != null) {
    // Browsers that hide the unmasked strings still answer RENDERER/VENDOR (often generic).
    const debug = gl.getExtension('WEBGL_debug_renderer_info') as DebugRendererInfo | null;
    renderer = String(gl.getParameter(debug?.UNMASKED_RENDERER_WEBGL ?? gl.RENDERER) ?? '') || null;
    vendor = String(gl.getParameter(debug?.UNMASKED_VENDOR_WEBGL ?? gl.VENDOR) ?? '') || null;
  }
  return {
    available: backend != null,
    reason: backend != null ? null : "the 'webgl' backend failed to initialise (see the console)",
    webglVersion: e.getNumber('WEBGL_VERSION'),
    float32RenderCapable: e.getBool('WEBGL_RENDER_FLOAT32_CAPABLE'),
    textureFloat: e.getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 'float32' : 'float16',
    maxTextureSize: e.getNumber('WEBGL_MAX_TEXTURE_SIZE'),
    maxTexturesInShader: e.getNumber('WEBGL_MAX_TEXTURES_IN_SHADER'),
    parallelCompile: backend?.gpgpu.parallelCompilationExtension != null,
    renderer,
    vendor,
  };
}
