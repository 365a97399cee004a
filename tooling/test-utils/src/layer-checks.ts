// The standard layer check: one call that exercises the whole layer contract.
// Deliberately typed structurally (no import of @strata/layers: that would be a package cycle).
import { type Config, type DataType, type Dim, KerasTensor, type Tensor, type Variable, isTensor, memory, ops, tensor, tidy, variableGrads } from '@strata/core';
import { expect } from 'vitest';
import { type Tolerance, expectAllClose } from './allclose';
import { gradientError } from './gradcheck';

/** What `checkLayer` needs of a layer (satisfied by every `@strata/layers` Layer). */
export interface CheckableLayer {
  readonly name: string;
  built: boolean;
  readonly weights: Variable[];
  readonly trainableWeights: Variable[];
  // biome-ignore lint/suspicious/noExplicitAny: Layer.apply is overloaded; any keeps the check structural.
  apply(inputs: any, args?: any): any;
  getConfig(): Config;
  getWeights(): Tensor[];
  setWeights(values: readonly Tensor[]): void;
  // biome-ignore lint/suspicious/noExplicitAny: shapes are (number | null)[] or lists of them.
  computeOutputShape(inputShape: any): any;
  dispose?(): void;
}

type Values = Parameters<typeof expectAllClose>[1];

export interface BadInput {
  input: Tensor | Tensor[];
  message: RegExp;
}

export interface CheckLayerOptions<L extends CheckableLayer = CheckableLayer> {
  /** A fresh, unbuilt layer (called more than once: the clone of the round trip is made from config). */
  make: () => L;
  /** The concrete input (or inputs, for multi-input layers). Not disposed by the check. */
  input: Tensor | Tensor[];
  /** Expected output values (a list for multi-output layers). */
  expected?: Values | Values[];
  /** Tolerance of `expected` (default atol 1e-5, rtol 1e-4). */
  tolerance?: Tolerance;
  /** Finite-difference step (default 1e-2) and the largest relative gradient error allowed (default 1e-2). */
  gradEps?: number;
  gradTolerance?: number;
  /** Skip the gradient checks (non-differentiable layers) or only the input one (integer inputs). */
  grads?: boolean;
  inputGrads?: boolean;
  /** The `training` flag of every call (default false). */
  training?: boolean;
  /** Also call the layer on a symbolic `KerasTensor` with an unknown batch axis (default true). */
  symbolic?: boolean;
  /** Inputs that must throw, with the message they must match (called on the built layer). */
  badInputs?: BadInput[];
}

export interface CheckLayerResult<L extends CheckableLayer = CheckableLayer> {
  /** The checked (built) layer. Its weights stay alive; dispose it when done. */
  layer: L;
  outputShapes: number[][];
  inputGradError: number | null;
  weightGradError: number | null;
}

function lcg(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = 0.5 + (s >>> 8) / 2 ** 24;
  }
  return out;
}

function asList<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? x : [x];
}

/** `sum_k sum(y_k * r_k)` with fixed pseudo-random `r_k` in [0.5, 1.5): every output entry matters. */
function projected(outputs: Tensor | Tensor[]): Tensor {
  const terms = asList(outputs)
    .filter((y) => y.dtype === 'float32')
    .map((y, k) => ops.sum(ops.multiply(y, tensor(lcg(y.size, 7 + k), y.shape))));
  return terms.reduce((a, b) => ops.add(a, b));
}

function disposeOutputs(out: unknown): void {
  for (const t of asList(out)) if (isTensor(t) && !t.isDisposed) t.dispose();
}

function weightGradError(layer: CheckableLayer, f: () => Tensor, eps: number): number {
  const weights = layer.trainableWeights;
  if (weights.length === 0) return 0;
  const analytic = tidy(() => {
    const { value, grads } = variableGrads(() => f() as never, weights);
    value.dispose();
    return grads.map((g) => Array.from(g.dataSync()));
  });
  let worst = 0;
  weights.forEach((w, k) => {
    const base = Float32Array.from(w.dataSync());
    const at = (i: number, delta: number) => {
      const v = Float32Array.from(base);
      v[i] = base[i]! + delta;
      const t = tensor(v, w.shape);
      w.assign(t);
      t.dispose();
      return tidy(() => f().dataSync()[0]!);
    };
    for (let i = 0; i < base.length; i++) {
      const fd = (at(i, eps) - at(i, -eps)) / (2 * eps);
      worst = Math.max(worst, Math.abs(analytic[k]![i]! - fd) / Math.max(1, Math.abs(fd)));
    }
    const t = tensor(base, w.shape);
    w.assign(t);
    t.dispose();
  });
  return worst;
}

/**
 * The standard layer check. Asserts (with vitest's `expect`):
 * 1. forward values equal `expected` (when given);
 * 2. output shapes equal `computeOutputShape` of the input shapes, and (with `symbolic`) a call on
 *    a `KerasTensor` with an unknown batch axis gives `computeOutputShape` of that shape;
 * 3. gradients w.r.t. the (float) inputs and every trainable weight match central finite differences;
 * 4. `fromConfig(getConfig())` (through JSON) plus copied weights gives the same config and outputs;
 * 5. every `badInputs` entry throws an error matching its message;
 * 6. an eager call leaves no tensor behind once its outputs are disposed.
 */
export function checkLayer<L extends CheckableLayer>(opts: CheckLayerOptions<L>): CheckLayerResult<L> {
  const training = opts.training ?? false;
  const eps = opts.gradEps ?? 1e-2;
  const gradTol = opts.gradTolerance ?? 1e-2;
  const inputs = asList(opts.input);
  const multiIn = Array.isArray(opts.input);
  const callArg = () => (multiIn ? inputs : inputs[0]!);
  const layer = opts.make();

  // 1-2. forward values and shapes (this call also builds the layer).
  const outputShapes = tidy(() => {
    const out = layer.apply(callArg(), { training }) as Tensor | Tensor[];
    const outs = asList(out);
    if (opts.expected !== undefined) {
      const want = (Array.isArray(out) ? opts.expected : [opts.expected]) as Values[];
      expect(outs.length, `${layer.name}: number of outputs`).toBe(want.length);
      outs.forEach((o, k) => {
        expectAllClose(o, want[k]!, opts.tolerance ?? {});
      });
    }
    return outs.map((o) => [...o.shape]);
  });
  expect(layer.built, `${layer.name}: built after the first call`).toBe(true);
  const shapeOf = (dims: (shape: Dim[]) => Dim[]) => {
    const shapes = inputs.map((x) => dims([...x.shape]));
    return multiIn ? shapes : shapes[0]!;
  };
  const declared = layer.computeOutputShape(shapeOf((s) => s)) as Dim[] | Dim[][];
  const declaredList = Array.isArray(declared[0]) || outputShapes.length > 1 ? (declared as Dim[][]) : [declared as Dim[]];
  expect(declaredList, `${layer.name}: computeOutputShape vs actual output shapes`).toEqual(outputShapes);
  if (opts.symbolic ?? true) {
    const unknownBatch = (s: Dim[]) => (s.length > 0 ? [null, ...s.slice(1)] : s);
    const symIn = inputs.map((x) => new KerasTensor(unknownBatch([...x.shape]), x.dtype as DataType));
    const symOut = layer.apply(multiIn ? symIn : symIn[0]!) as KerasTensor | KerasTensor[];
    const symDeclared = layer.computeOutputShape(shapeOf(unknownBatch)) as Dim[] | Dim[][];
    const symList = Array.isArray(symDeclared[0]) || asList(symOut).length > 1 ? symDeclared : [symDeclared];
    expect(
      asList(symOut).map((t) => t.shape),
      `${layer.name}: symbolic call shape`,
    ).toEqual(symList);
  }

  // 3. gradients.
  const f = (...xs: Tensor[]) => projected(layer.apply(multiIn ? xs : xs[0]!, { training }) as Tensor | Tensor[]);
  let inputGradError: number | null = null;
  let wGradError: number | null = null;
  if (opts.grads ?? true) {
    const floatInputs = inputs.every((x) => x.dtype === 'float32');
    if ((opts.inputGrads ?? true) && floatInputs) {
      inputGradError = gradientError(f, inputs, eps);
      expect(inputGradError, `${layer.name}: input gradient vs finite differences`).toBeLessThan(gradTol);
    }
    wGradError = weightGradError(layer, () => f(...inputs), eps);
    expect(wGradError, `${layer.name}: weight gradients vs finite differences`).toBeLessThan(gradTol);
  }

  // 4. config round trip.
  const config = JSON.parse(JSON.stringify(layer.getConfig())) as Config;
  const cls = layer.constructor as unknown as { fromConfig(config: Config): L };
  const clone = cls.fromConfig(config);
  tidy(() => {
    disposeOutputs(clone.apply(callArg(), { training }));
    const weights = layer.getWeights();
    clone.setWeights(weights);
    for (const w of weights) w.dispose();
    expect(JSON.parse(JSON.stringify(clone.getConfig())), `${layer.name}: config round trip`).toEqual(config);
    const a = asList(layer.apply(callArg(), { training }) as Tensor | Tensor[]);
    const b = asList(clone.apply(callArg(), { training }) as Tensor | Tensor[]);
    expect(b.length).toBe(a.length);
    a.forEach((t, k) => {
      expectAllClose(b[k]!, t, { atol: 1e-6, rtol: 1e-6 });
    });
  });
  clone.dispose?.();

  // 5. bad inputs.
  for (const bad of opts.badInputs ?? []) {
    expect(() => tidy(() => disposeOutputs(layer.apply(bad.input, { training }))), `${layer.name}: bad input`).toThrow(bad.message);
  }

  // 6. no leaks: an eager call on the built layer, outputs disposed, leaves the count unchanged.
  const before = memory().numTensors;
  disposeOutputs(layer.apply(callArg(), { training }));
  expect(memory().numTensors - before, `${layer.name}: tensors leaked by one call`).toBe(0);

  return { layer, outputShapes, inputGradError, weightGradError: wGradError };
}
