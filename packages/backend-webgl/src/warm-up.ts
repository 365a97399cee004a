// Compiles the WebGL programs a model needs before its first real call, so that the first predict
// or train step does not stall on shader compilation. tfjs' ENGINE_COMPILE_ONLY mode records and
// compiles every program an op would run without running it; with KHR_parallel_shader_compile the
// driver compiles them in the background while we poll, without blocking the page.
import { BackendError, type Tensor, type Variable, ValueError, getBackend, isTensor, memory, ops, tensor, tidy, variableGrads } from '@strata/core';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { clone, engine, env } from '@tensorflow/tfjs-core';
import { WEBGL } from './register';

/** The parts of a Strata model (or any layer) that warmUp uses; typed structurally. */
export interface WarmUpModel {
  name?: string;
  /** Symbolic inputs of a functional model: their shapes (batch dimension null) and dtypes. */
  inputs?: readonly { shape: readonly (number | null)[]; dtype?: string }[];
  apply(inputs: Tensor | Tensor[], args?: Record<string, unknown>): unknown;
  readonly weights: readonly Variable[];
  readonly trainableWeights: readonly Variable[];
  /** The compiled optimizer, when `training` should also compile its update step. */
  optimizer?: {
    built?: boolean;
    build?(variables: readonly Variable[]): void;
    apply(grads: readonly Tensor[], variables?: readonly Variable[]): void;
    readonly variables: readonly Variable[];
  } | null;
}

export interface WarmUpOptions {
  /**
   * Full input shapes, batch dimension included (one per model input). Default: the model's
   * symbolic input shapes with the batch dimension set to `batchSize`. WebGL programs are compiled
   * for exact shapes, so warm up with the batch size you will call the model with.
   */
  inputShapes?: number[][];
  /** Input dtypes (default: the model's input dtypes, else float32). */
  dtypes?: ('float32' | 'int32')[];
  /** The batch dimension used when `inputShapes` is not given (default 1). */
  batchSize?: number;
  /**
   * Also compile a training step: the forward pass in training mode, its gradients with respect to
   * every trainable weight and, when the model has a compiled optimizer, the optimizer update.
   * Weights and optimizer state are restored afterwards, so nothing changes but the program cache.
   */
  training?: boolean;
}

export interface WarmUpResult {
  /** Programs compiled by this call (programs already in the cache are not counted). */
  programs: number;
  /** Programs in the backend's cache afterwards. */
  totalPrograms: number;
  /** Wall time of the call in milliseconds. */
  ms: number;
  /** Whether compilation ran in parallel (KHR_parallel_shader_compile). */
  parallel: boolean;
}

interface WebGLInternals {
  binaryCache: Record<string, unknown>;
  gpgpu: MathBackendWebGL['gpgpu'];
  checkCompileCompletionAsync(): Promise<boolean[]>;
  getUniformLocations(): void;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function inputSpecs(model: WarmUpModel, options: WarmUpOptions): { shape: number[]; dtype: 'float32' | 'int32' }[] {
  const where = `warmUp(${model.name ?? 'model'})`;
  const symbolic = model.inputs ?? [];
  let shapes: number[][];
  if (options.inputShapes != null) {
    shapes = options.inputShapes;
  } else {
    if (symbolic.length === 0) {
      throw new ValueError(`${where}: the model has no symbolic inputs; pass \`inputShapes\` (full shapes, batch included).`);
    }
    const batch = options.batchSize ?? 1;
    if (!Number.isInteger(batch) || batch < 1) throw new ValueError(`${where}: \`batchSize\` must be a positive integer, got ${batch}.`);
    shapes = symbolic.map((t, i) =>
      t.shape.map((d, k) => {
        if (k === 0) return batch;
        if (d == null) {
          throw new ValueError(`${where}: input ${i} has an unknown dimension ${k} (shape [${t.shape.join(', ')}]); pass \`inputShapes\`.`);
        }
        return d;
      }),
    );
  }
  if (symbolic.length > 0 && shapes.length !== symbolic.length) {
    throw new ValueError(`${where}: got ${shapes.length} input shape(s) for a model with ${symbolic.length} input(s).`);
  }
  return shapes.map((shape, i) => {
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ValueError(`${where}: input shape ${i} must be whole non-negative numbers, got [${shape.join(', ')}].`);
    }
    const dtype = options.dtypes?.[i] ?? (symbolic[i]?.dtype === 'int32' ? 'int32' : 'float32');
    return { shape, dtype };
  });
}

function outputsOf(y: unknown): Tensor[] {
  const list = Array.isArray(y) ? y : [y];
  return list.filter(isTensor);
}

/**
 * Compiles every WebGL program `model`'s predict needs (and, with `training`, a train step's) on
 * inputs of zeros, without running them, then waits for the driver to finish (in parallel where
 * KHR_parallel_shader_compile exists). Leaks no tensors and changes no weights. The active backend
 * must be 'webgl'.
 */
export async function warmUp(model: WarmUpModel, options: WarmUpOptions = {}): Promise<WarmUpResult> {
  const active = getBackend();
  if (active !== WEBGL) {
    throw new BackendError(`warmUp compiles WebGL programs, but the active backend is '${active}': await setBackend('webgl') first.`);
  }
  const specs = inputSpecs(model, options);
  const backend = engine().backend as unknown as WebGLInternals;
  const before = Object.keys(backend.binaryCache).length;
  const start = now();
  const training = options.training ?? false;
  const optimizer = training ? (model.optimizer ?? null) : null;
  // Slots must hold real zeros: build the optimizer outside compile-only mode.
  if (optimizer != null && optimizer.built === false) optimizer.build?.(model.trainableWeights);

  // In compile-only mode no program runs, so anything assigned (batch-norm statistics, weights,
  // optimizer slots, the iteration counter) would hold an uncomputed texture. Keep the current
  // values (clone shares the data, no copy) and put them back afterwards.
  const tensorsBefore = memory().numTensors;
  const variables = training ? [...new Set([...model.weights, ...(optimizer?.variables ?? [])])] : [];
  const saved = variables.map((v) => clone(v.value));

  env().set('ENGINE_COMPILE_ONLY', true);
  try {
    tidy(() => {
      const xs = specs.map(({ shape, dtype }) => {
        const size = shape.reduce((a, b) => a * b, 1);
        // Host-side zeros, like user data: the first ops see CPU values exactly as in a real call.
        return tensor(dtype === 'int32' ? new Int32Array(size) : new Float32Array(size), shape, dtype);
      });
      const input = xs.length === 1 ? xs[0]! : xs;
      if (!training) {
        model.apply(input, { training: false });
        return;
      }
      const weights = model.trainableWeights;
      const objective = () => {
        const terms = outputsOf(model.apply(input, { training: true }))
          .filter((y) => y.dtype === 'float32')
          .map((y) => ops.sum(y));
        if (terms.length === 0) throw new ValueError(`warmUp(${model.name ?? 'model'}): the model has no float32 output to differentiate.`);
        return terms.reduce((a, b) => ops.add(a, b)) as Tensor & { rank: 0 };
      };
      if (weights.length === 0) {
        objective();
        return;
      }
      const { grads } = variableGrads(objective as never, weights);
      optimizer?.apply(grads, weights);
    });
  } finally {
    env().set('ENGINE_COMPILE_ONLY', false);
    variables.forEach((v, i) => {
      v.engineVariable.assign(saved[i]!);
      saved[i]!.dispose();
    });
  }
  // Waits for every pending program (polling COMPLETION_STATUS_KHR between frames when parallel
  // compilation exists), throws on a compile/link error, then looks up the uniform locations that
  // compile-only mode skipped.
  await backend.checkCompileCompletionAsync();
  backend.getUniformLocations();
  const leaked = memory().numTensors - tensorsBefore;
  if (leaked !== 0) throw new Error(`warmUp: internal error, ${leaked} tensor(s) left behind.`);
  const totalPrograms = Object.keys(backend.binaryCache).length;
  return {
    programs: totalPrograms - before,
    totalPrograms,
    ms: now() - start,
    parallel: backend.gpgpu.parallelCompilationExtension != null,
  };
}
