import {
  type Config,
  type CustomObjects,
  type LearningRateScheduleLike,
  type SerializedObject,
  type Tensor,
  ValueError,
  deserializeKerasObject,
  isTensor,
  ops,
  serializeKerasObject,
  tensor,
  tidy,
} from '@strata/core';
import { camelizeConfig } from '../config';

/**
 * Base of keras.optimizers.schedules: the learning rate as a function of the optimizer step.
 *
 * Subclasses implement `call(step)` with ops on a float32 scalar step (Keras' `__call__`), so the
 * optimizer evaluates the schedule on the device without reading the step back. `apply(step)`
 * takes a number (returns a number) or a scalar tensor (returns a scalar tensor).
 */
export abstract class LearningRateSchedule implements LearningRateScheduleLike {
  /** The learning rate at `step` (a float32 scalar tensor), as a float32 scalar tensor. */
  abstract call(step: Tensor): Tensor;

  abstract getConfig(): Config;

  apply(step: number): number;
  apply(step: Tensor): Tensor;
  apply(step: number | Tensor): number | Tensor;
  apply(step: number | Tensor): number | Tensor {
    if (isTensor(step)) return tidy(() => this.call(ops.cast(step, 'float32')));
    const out = tidy(() => this.call(tensor(step, [], 'float32')));
    const value = out.dataSync()[0]!;
    out.dispose();
    return value;
  }

  static fromConfig<T extends LearningRateSchedule>(this: new (args: never) => T, config: Config): T {
    return new this(camelizeConfig(config) as never);
  }
}

/** True for a schedule object (ours or any `{ apply(step), getConfig() }`). */
export function isLearningRateSchedule(x: unknown): x is LearningRateScheduleLike {
  return (
    typeof x === 'object' &&
    x != null &&
    typeof (x as LearningRateScheduleLike).apply === 'function' &&
    typeof (x as LearningRateScheduleLike).getConfig === 'function'
  );
}

/** `keras.optimizers.schedules.serialize`. */
export function serialize(schedule: LearningRateScheduleLike): SerializedObject {
  return serializeKerasObject(schedule);
}

/** `keras.optimizers.schedules.deserialize`. */
export function deserialize(config: SerializedObject, customObjects?: CustomObjects): LearningRateScheduleLike {
  const obj = deserializeKerasObject<unknown>('schedule', config, customObjects);
  if (!isLearningRateSchedule(obj)) throw new ValueError(`Not a learning rate schedule: ${JSON.stringify(config)}`);
  return obj;
}
