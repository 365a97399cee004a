// Test-only helpers shared by the layer tests (not exported from the package entry).
import { type Config, type Tensor, ops, tensor, tidy, variableGrads } from '@strata/core';
import { type TensorJson, fixtureTensor, readFixtureJson } from '@strata/test-utils';
import type { Layer } from '../layer';

/** Deterministic pseudo-random numbers in [lo, hi) (an LCG), for test inputs. */
export function pseudoRandom(n: number, seed = 1, lo = -1, hi = 1): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + ((s >>> 8) / 2 ** 24) * (hi - lo));
  }
  return out;
}

export function randomTensor(shape: number[], seed = 1, lo = -1, hi = 1): Tensor {
  return tensor(Float32Array.from(pseudoRandom(shape.reduce((p, d) => p * d, 1), seed, lo, hi)), shape);
}

/** `sum(y * r)` for a fixed pseudo-random `r`: a scalar whose gradient sees every output entry. */
export function projectedSum(y: Tensor, seed = 7): Tensor {
  return tidy(() => ops.sum(ops.multiply(y, randomTensor(y.shape, seed, 0.5, 1.5))));
}

/**
 * Largest relative error between the analytic gradients of `projectedSum(layer.apply(x))` with
 * respect to the layer's trainable weights and central finite differences (as `gradientError`).
 */
export function weightGradError(layer: Layer, x: Tensor, eps = 1e-2, training = false): number {
  const f = () => projectedSum(layer.apply(x, { training }));
  const weights = layer.trainableWeights;
  const analytic = tidy(() => {
    const { value, grads } = variableGrads(() => f() as never, weights);
    value.dispose();
    return grads.map((g) => Array.from(g.dataSync()));
  });
  let worst = 0;
  weights.forEach((w, k) => {
    const base = Float32Array.from(w.dataSync());
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number) => {
        const v = Float32Array.from(base);
        v[i] = base[i]! + delta;
        w.assign(tensor(v, w.shape));
        return tidy(() => f().dataSync()[0]!);
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      w.assign(tensor(base, w.shape));
      worst = Math.max(worst, Math.abs(analytic[k]![i]! - fd) / Math.max(1, Math.abs(fd)));
    }
  });
  return worst;
}

/** Rebuilds `layer` from its config, builds it on `x`, copies the weights; returns the clone. */
export function cloneWithWeights<T extends Layer>(layer: T, x: Tensor): T {
  const cls = layer.constructor as unknown as { fromConfig(config: Config): T };
  const clone = cls.fromConfig(JSON.parse(JSON.stringify(layer.getConfig())) as Config);
  tidy(() => {
    if (!layer.built || layer.weights.length === 0) layer.apply(x);
    clone.apply(x);
  });
  const weights = layer.getWeights();
  clone.setWeights(weights);
  for (const w of weights) w.dispose();
  return clone;
}

export interface LayerOutputJson extends TensorJson {
  layer: string;
  class: string;
}

export interface WeightJson {
  layer: string;
  path: string;
  shape: number[];
  data: number[];
}

/** The `layer_outputs.json` entry of `layerName` in `fixture`, as a tensor. */
export function fixtureLayerOutput(fixture: string, layerName: string): Tensor {
  const entries = readFixtureJson<LayerOutputJson[]>(fixture, 'layer_outputs.json');
  const e = entries.find((x) => x.layer === layerName);
  if (e == null) throw new Error(`no output for layer ${layerName} in ${fixture}`);
  return fixtureTensor(e);
}

/** The fixture's input tensors (`io.json`). */
export function fixtureInputs(fixture: string): Tensor[] {
  return readFixtureJson<{ inputs: TensorJson[] }>(fixture, 'io.json').inputs.map(fixtureTensor);
}

/** The weights of `layerName` (in `layer.weights` order) from `weights.json`. */
export function fixtureLayerWeights(fixture: string, layerName: string): Tensor[] {
  const all = readFixtureJson<WeightJson[]>(fixture, 'weights.json');
  return all
    .filter((w) => w.layer === layerName)
    .map((w) => tensor(Float32Array.from(w.data), w.shape, 'float32'));
}

/** The Keras config dict of `layerName` in the fixture's `keras_config.json`. */
export function fixtureLayerConfig(fixture: string, layerName: string): Config {
  const model = readFixtureJson<{ config: { layers: { class_name: string; config: Config }[] } }>(fixture, 'keras_config.json');
  const layer = model.config.layers.find((l) => l.config.name === layerName);
  if (layer == null) throw new Error(`no layer ${layerName} in ${fixture}/keras_config.json`);
  return layer.config;
}
