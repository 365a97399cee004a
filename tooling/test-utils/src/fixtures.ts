import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Tensor, tensor } from '@strata/core';

/** Golden files made by Keras 3.15.1 (copied from the shared oracle; see fixtures/keras/README.md). */
export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'keras');

export interface TensorJson {
  name?: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: number[];
}

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES_DIR, ...parts);
}

export function readFixtureJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}

export function readFixtureText(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

/** A fixture tensor as a Strata tensor (exact float32 bits). */
export function fixtureTensor(t: TensorJson): Tensor {
  return t.dtype === 'int32' ? tensor(Int32Array.from(t.data), t.shape, 'int32') : tensor(Float32Array.from(t.data), t.shape, 'float32');
}

export interface FixtureIo {
  inputs: TensorJson[];
  outputs: TensorJson[];
  tolerance?: { atol: number; rtol: number };
}

export interface FixtureWeight {
  layer: string;
  path: string;
  shape: number[];
  data: number[];
}

/** `weights.json`'s variables, in Keras `model.weights` order. */
export function fixtureWeights(name: string): FixtureWeight[] {
  return readFixtureJson(name, 'weights.json');
}
