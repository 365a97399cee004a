// Test-only helpers of the browser runs (`*.browser.test.ts`): the Keras fixtures are fetched from
// the test routes of vitest.browser.config.ts, since the page has no file system.
import { type Tensor, tensor } from '@strata/core';
import type { Model } from '@strata/models';
import { expectAllClose } from '@strata/test-utils/browser';

export interface FixtureTensor {
  name?: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: number[];
}

export interface FixtureIo {
  inputs: FixtureTensor[];
  outputs: FixtureTensor[];
  tolerance: { atol: number; rtol: number };
}

/** The URL of a fixture file on the dev server (`?nolength`: streamed without content-length). */
export function fixtureUrl(name: string, file: string, options: { noLength?: boolean } = {}): string {
  return `${location.origin}/__io/fixtures/${name}/${file}${options.noLength ? '?nolength' : ''}`;
}

export async function fixtureBytes(name: string, file: string): Promise<Uint8Array> {
  const res = await fetch(fixtureUrl(name, file));
  if (!res.ok) throw new Error(`fixture ${name}/${file}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function fixtureIo(name: string): Promise<FixtureIo> {
  return JSON.parse(new TextDecoder().decode(await fixtureBytes(name, 'io.json'))) as FixtureIo;
}

function toTensor(t: FixtureTensor): Tensor {
  return t.dtype === 'int32' ? tensor(Int32Array.from(t.data), t.shape, 'int32') : tensor(Float32Array.from(t.data), t.shape, 'float32');
}

/** The model's outputs for the fixture inputs, as plain arrays (no tensor stays alive). */
export function predictValues(model: Model, io: FixtureIo): Float32Array[] {
  const inputs = io.inputs.map(toTensor);
  const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs) as Tensor | Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const values = outs.map((t) => t.dataSync() as Float32Array);
  for (const t of [...inputs, ...outs]) t.dispose();
  return values;
}

/** Checks the model predicts Keras' golden outputs (`io.json`) within the fixture tolerance. */
export function expectGolden(model: Model, io: FixtureIo): void {
  const values = predictValues(model, io);
  if (values.length !== io.outputs.length) throw new Error(`${values.length} outputs, Keras has ${io.outputs.length}`);
  for (const [i, v] of values.entries()) expectAllClose(v, io.outputs[i]!.data, io.tolerance);
}

/** Frees a loaded model's variables (models have no dispose), so leak checks can count to zero. */
export function disposeModel(model: Model): void {
  for (const v of model.weights) v.dispose();
}

/** Collects the fractions passed to an `onProgress` callback. */
export function progressLog(): { values: number[]; onProgress: (f: number) => void } {
  const values: number[] = [];
  return { values, onProgress: (f) => values.push(f) };
}

/** Progress reports never go back, stay in [0, 1] and end at exactly 1. */
export function checkProgress(values: number[]): void {
  if (values.length === 0) throw new Error('no progress reported');
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v <= 1)) throw new Error(`progress ${v} outside [0, 1] in ${values.join(', ')}`);
    if (i > 0 && v < values[i - 1]!) throw new Error(`progress went back: ${values.join(', ')}`);
  }
  if (values.at(-1) !== 1) throw new Error(`progress did not end at 1: ${values.join(', ')}`);
}
