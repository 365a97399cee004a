import type { KerasTensor, Tensor } from '@strata/core';
import type { LayerArgs } from '../layer';
import { Add } from './add';
import { Average } from './average';
import { Concatenate } from './concatenate';
import { Dot } from './dot';
import { Maximum } from './maximum';
import { Minimum } from './minimum';
import { Multiply } from './multiply';
import { Subtract } from './subtract';

type Inputs = Tensor[] | KerasTensor[];
type Out<I> = I extends KerasTensor[] ? KerasTensor : Tensor;

// Keras' functional forms: `keras.layers.add(inputs, **kwargs)` is `Add(**kwargs)(inputs)`.
export function add<I extends Inputs>(inputs: I, args: LayerArgs = {}): Out<I> {
  return new Add(args).apply(inputs as Tensor[]) as Out<I>;
}
export function subtract<I extends Inputs>(inputs: I, args: LayerArgs = {}): Out<I> {
  return new Subtract(args).apply(inputs as Tensor[]) as Out<I>;
}
export function multiply<I extends Inputs>(inputs: I, args: LayerArgs = {}): Out<I> {
  return new Multiply(args).apply(inputs as Tensor[]) as Out<I>;
}
export function average<I extends Inputs>(inputs: I, args: LayerArgs = {}): Out<I> {
  return new Average(args).apply(inputs as Tensor[]) as Out<I>;
}
export function maximum<I extends Inputs>(inputs: I, args: LayerArgs = {}): Out<I> {
  return new Maximum(args).apply(inputs as Tensor[]) as Out<I>;
}
export function minimum<I extends Inputs>(inputs: I, args: LayerArgs = {}): Out<I> {
  return new Minimum(args).apply(inputs as Tensor[]) as Out<I>;
}
/** `keras.layers.dot(inputs, axes=-1, normalize=False)`. */
export function dot<I extends Inputs>(inputs: I, axes: number | [number, number] = -1, args: LayerArgs & { normalize?: boolean } = {}): Out<I> {
  return new Dot({ ...args, axes }).apply(inputs as Tensor[]) as Out<I>;
}
/** `keras.layers.concatenate(inputs, axis=-1)`. */
export function concatenate<I extends Inputs>(inputs: I, axis = -1, args: LayerArgs = {}): Out<I> {
  return new Concatenate({ ...args, axis }).apply(inputs as Tensor[]) as Out<I>;
}
