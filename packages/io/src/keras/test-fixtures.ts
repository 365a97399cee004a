import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type Tensor, tensor } from '@strata/core';
import type { Model } from '@strata/models';
import { type TensorJson, expectAllClose, fixturePath, fixtureTensor, readFixtureJson, readFixtureText } from '@strata/test-utils';

/** The Keras 3.15.1 fixtures (tooling/test-utils/fixtures/keras). Test-only helpers. */
export const FIXTURE_NAMES = ['mlp', 'cnn', 'functional', 'lstm', 'mnv2_block'] as const;

export interface Io {
  inputs: TensorJson[];
  outputs: TensorJson[];
  tolerance: { atol: number; rtol: number };
}

export function fixtureFile(name: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name, file)));
}

/** The fixture inputs as tensors (caller disposes). */
export function fixtureInputs(name: string): Tensor[] {
  return readFixtureJson<Io>(name, 'io.json').inputs.map(fixtureTensor);
}

/** Predicts `inputs` with `model`, returns the outputs as a list (caller disposes). */
export function predictAll(model: Model, inputs: Tensor[]): Tensor[] {
  const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs) as Tensor | Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** Checks the model predicts Keras' golden outputs (io.json) within the fixture tolerance. */
export function expectGoldenOutputs(model: Model, name: string): void {
  const io = readFixtureJson<Io>(name, 'io.json');
  const inputs = io.inputs.map(fixtureTensor);
  const outs = predictAll(model, inputs);
  if (outs.length !== io.outputs.length) throw new Error(`${name}: ${outs.length} outputs, Keras has ${io.outputs.length}`);
  for (let i = 0; i < outs.length; i++) expectAllClose(outs[i]!, io.outputs[i]!.data, { ...io.tolerance, shape: io.outputs[i]!.shape });
  for (const t of [...inputs, ...outs]) t.dispose();
}

/** `summary.txt` without trailing blank space. */
export function fixtureSummary(name: string): string {
  return readFixtureText(name, 'summary.txt').replace(/\s+$/, '');
}

/** A deep copy without Keras' `shared_object_id` keys (Python object ids, not reproducible). */
export function withoutSharedIds(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutSharedIds);
  if (typeof x !== 'object' || x == null) return x;
  return Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'shared_object_id').map(([k, v]) => [k, withoutSharedIds(v)]));
}

/** Both models predict bit-identical outputs on `inputs`. */
export function expectSamePredictions(a: Model, b: Model, inputs: Tensor[]): void {
  const ya = predictAll(a, inputs);
  const yb = predictAll(b, inputs);
  expect(yb.length).toBe(ya.length);
  for (let i = 0; i < ya.length; i++) expectAllClose(yb[i]!, ya[i]!, { atol: 0, rtol: 0 });
  for (const t of [...ya, ...yb]) t.dispose();
}

/** Values in [0.5, 1.5]: valid moving variances, visibly non-default statistics. */
export function positiveInput(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(seed + i * 0.61)), shape);
}

/** Deterministic values in [-1, 1]. */
export function randomInput(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37)), shape);
}
