import '../builtins';
import { type Config, type Shape, type Tensor, registerClass } from '@strata/core';
import { type ActivationFn, type ActivationIdentifier, getActivation, serializeActivation } from '../activations/activation';
import { linear } from '../activations/activations';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { isOptionsObject } from '../utils/args';

export interface ActivationArgs extends LayerArgs {
  /** A name (`'relu'`), a function or a serialized activation. */
  activation?: ActivationIdentifier;
}

/** `keras.layers.Activation`: applies an activation function to its input. */
export class Activation extends Layer {
  static override className = 'Activation';
  readonly activation: ActivationFn;

  constructor(activation: ActivationIdentifier, options?: Omit<ActivationArgs, 'activation'>);
  constructor(args: ActivationArgs);
  constructor(activationOrArgs: ActivationIdentifier | ActivationArgs, options: Omit<ActivationArgs, 'activation'> = {}) {
    const a: ActivationArgs = isOptionsObject(activationOrArgs)
      ? (activationOrArgs as ActivationArgs)
      : { ...options, activation: activationOrArgs as ActivationIdentifier };
    super(a);
    this.activation = getActivation(a.activation ?? linear);
    this.supportsMasking = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return this.activation(inputs as Tensor);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), activation: serializeActivation(this.activation) };
  }
}
registerClass('layer', Activation, { module: 'keras.layers', className: 'Activation' });
