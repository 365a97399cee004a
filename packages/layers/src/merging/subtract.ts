import { type Shape, type Tensor, ValueError, formatShape, ops, registerClass } from '@strata/core';
import { Merge } from './merge';

/** `keras.layers.Subtract`: `inputs[0] - inputs[1]`; exactly two inputs. */
export class Subtract extends Merge {
  static override className = 'Subtract';

  protected override checkShapes(inputShape: Shape | Shape[]) {
    const out = super.checkShapes(inputShape);
    if (inputShape.length !== 2) {
      throw new ValueError(
        `Layer "${this.name}" (Subtract) should be called on exactly 2 inputs. Received: input_shape=[${(inputShape as Shape[]).map(formatShape).join(', ')}]`,
      );
    }
    return out;
  }

  protected mergeFunction(inputs: Tensor[]): Tensor {
    return ops.subtract(inputs[0]!, inputs[1]!);
  }
}
registerClass('layer', Subtract, { module: 'keras.layers', className: 'Subtract' });
