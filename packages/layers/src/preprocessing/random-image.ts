import { type Config, SeedGenerator, type Shape, type Tensor, ValueError, drawSeed, random } from '@strata/core';
import { Layer, type LayerArgs } from '../layer';
import { type DataFormat, normalizeDataFormat } from '../utils/args';

export interface RandomImageArgs extends LayerArgs {
  seed?: number | null;
  dataFormat?: DataFormat | null;
}

/** Shared by the random image augmentation layers: a seed generator and per-image draws. */
export abstract class RandomImageLayer extends Layer {
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator;
  readonly dataFormat: DataFormat;

  constructor(a: RandomImageArgs) {
    super(a);
    this.seed = a.seed ?? null;
    // Without a seed one is drawn from the global generator, so setRandomSeed makes draws reproducible.
    this.seedGenerator = new SeedGenerator(this.seed ?? drawSeed(null));
    this.dataFormat = normalizeDataFormat(a.dataFormat);
    this.built = true;
  }

  /** Uniform draws of shape (batch, 1, 1, 1) (or (1, 1, 1) for one image), broadcastable over `x`. */
  protected perImageUniform(x: Tensor, lo: number, hi: number): Tensor {
    const shape = x.rank === 4 ? [x.shape[0]!, 1, 1, 1] : [1, 1, 1];
    return random.uniform(shape, lo, hi, { seed: this.seedGenerator });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), seed: this.seed, data_format: this.dataFormat };
  }
}

/** Keras' `value_range` check: two increasing numbers. */
export function checkValueRange(layer: string, value: unknown): [number, number] {
  const v = (value ?? [0, 255]) as unknown[];
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number' || v[0] > v[1]) {
    throw new ValueError(`${layer}: \`value_range\` must be a list of two numbers [low, high] with low <= high. Received: value_range=${JSON.stringify(value)}`);
  }
  return [v[0], v[1]];
}

/**
 * Keras' `_set_factor`: a number `f` (within `bounds`) becomes `[max(-|f|, low), |f|]`, so with
 * bounds `[0, 1]` it is `[0, f]` and with `[-1, 1]` it is `[-f, f]`; a pair is sorted, and refused
 * only when it lies wholly outside the bounds.
 */
export function kerasFactor(layer: string, name: string, value: unknown, bounds: readonly [number, number]): [number, number] {
  const [lo, hi] = bounds;
  const fail = () =>
    new ValueError(`${layer}: the \`${name}\` argument should be a number (or a list of two numbers) in the range [${lo}, ${hi}]. Received: ${name}=${JSON.stringify(value)}`);
  if (Array.isArray(value)) {
    if (value.length !== 2 || !value.every((e) => typeof e === 'number' && Number.isFinite(e))) throw fail();
    if (value[0] > hi || value[1] < lo) throw fail();
    const [a, b] = value as [number, number];
    return a <= b ? [a, b] : [b, a];
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) throw fail();
  const f = Math.abs(value);
  return [Math.max(-f, lo), f];
}

/** A float factor `f` becomes `[-f, f]` (or `[f, f]` when `symmetric` is false); a pair is kept. */
export function factorPair(value: unknown, negate: boolean): [number, number] {
  if (typeof value === 'number') return [negate ? -value : value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((e) => typeof e === 'number')) return [value[0], value[1]];
  return [Number.NaN, Number.NaN];
}

