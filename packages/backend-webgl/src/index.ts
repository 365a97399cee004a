// Importing this package makes 'webgl' a Strata backend: tfjs' WebGL backend with packing on,
// float32 textures where the device renders them (float16 otherwise), a warm-up helper that compiles
// a model's shaders in parallel, and the training kernels it lacks or gets wrong. Importing it in
// Node is harmless: 'webgl' is listed there, and selecting it fails with a BackendError saying why.
import '@strata/core';
import '@tensorflow/tfjs-backend-webgl';
import { registerTrainingKernels } from './kernels/index';
import { registerWebGL } from './register';

/** The priority 'webgl' was registered with (2 in browsers, 0 in Node: never the default there). */
export const webglPriority: number = registerWebGL();

/** The kernels this package added to (or corrected in) the WebGL backend. */
export const addedKernels: readonly string[] = registerTrainingKernels();

export { webglInfo, type WebGLInfo } from './info';
export { warmUp, type WarmUpModel, type WarmUpOptions, type WarmUpResult } from './warm-up';
export { applyWebGLFlags, WEBGL } from './register';
export { webglUnavailableReason } from './environment';
export { trainingKernels, correctedKernels, registerTrainingKernels } from './kernels/index';
export { padV2 } from './kernels/pad-v2';
export { reverse } from './kernels/reverse';
export { kernelsFor } from './tfjs';
