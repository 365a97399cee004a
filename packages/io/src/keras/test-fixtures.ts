import { readFileSync } from 'node:fs';
import type { Tensor } from '@strata/core';
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
