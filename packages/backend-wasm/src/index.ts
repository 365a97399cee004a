// Importing this package makes 'wasm' a usable Strata backend: tfjs' WebAssembly backend (SIMD where
// the platform has it) plus the training kernels it lacks. `setBackend('wasm')` then trains every layer.
import '@strata/core';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from './kernels/index';
import { configureNodeWasmPaths } from './wasm-paths';

/** Where Node loads the `.wasm` binaries from (null outside Node, where bundlers decide). */
export const wasmDirectory: string | null = configureNodeWasmPaths(import.meta.url);

/** The kernels this package added to (or corrected in) the wasm backend. */
export const addedKernels: readonly string[] = registerTrainingKernels();

export { setWasmPaths, setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
export { trainingKernels, correctedKernels, registerTrainingKernels } from './kernels/index';
export { nodeWasmDirectory } from './wasm-paths';
export { conv2dBackpropFilter } from './kernels/conv2d-backprop-filter';
export { depthwiseConv2dNativeBackpropFilter } from './kernels/depthwise-backprop-filter';
export { depthwiseConv2dNativeBackpropInput } from './kernels/depthwise-backprop-input';
export { unsortedSegmentSum } from './kernels/unsorted-segment-sum';
export { einsum } from './kernels/einsum';
export { maxPoolGrad } from './kernels/max-pool-grad';
export { maxPool3DGrad } from './kernels/max-pool3d-grad';
export { fusedBatchNorm } from './kernels/fused-batch-norm';
export { kernelsFor } from './tfjs';
