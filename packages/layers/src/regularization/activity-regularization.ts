import { type Config, registerClass, type Shape, type Tensor } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { L1L2 } from '../regularizers/l1l2';
import { positional } from '../utils/args';

export interface ActivityRegularizationArgs extends Omit<LayerArgs, 'activityRegularizer'> {
  l1?: number;
  l2?: number;
}

/**
 * `keras.layers.ActivityRegularization`: the identity that adds `(l1 * sum|x| + l2 * sum x^2) /
 * batch_size` of its output to the layer losses (Keras' activity-regularizer path).
 */
export class ActivityRegularization extends Layer {
  static override className = 'ActivityRegularization';
  readonly l1: number;
  readonly l2: number;

  constructor(l1?: number, l2?: number, options?: Omit<ActivityRegularizationArgs, 'l1' | 'l2'>);
  constructor(args?: ActivityRegularizationArgs);
  constructor(...args: unknown[]) {
    const a = positional<ActivityRegularizationArgs>(['l1', 'l2'], args);
    const reg = new L1L2({ l1: a.l1 ?? 0.0, l2: a.l2 ?? 0.0 });
    super({ ...a, activityRegularizer: reg });
    this.l1 = reg.l1;
    this.l2 = reg.l2;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return inputs as Tensor;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    const { activity_regularizer: _r, ...rest } = super.getConfig();
    return { ...rest, l1: this.l1, l2: this.l2 };
  }
}
registerClass('layer', ActivityRegularization, { module: 'keras.layers', className: 'ActivityRegularization' });
