import { registerClass, type Shape } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';

/** `keras.layers.Identity`: returns its input unchanged (masks pass through). */
export class Identity extends Layer {
  static override className = 'Identity';

  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput): LayerOutput {
    return inputs;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return Array.isArray(inputShape[0]) ? (inputShape as Shape[]).map((s) => [...s]) : [...(inputShape as Shape)];
  }
}
registerClass('layer', Identity, { module: 'keras.layers', className: 'Identity' });
