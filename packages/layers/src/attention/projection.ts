import { type Shape, type Tensor, ValueError, type Variable, formatShape, ops, tidy } from '@strata/core';
import type { Constraint } from '../constraints/constraint';
import type { Initializer } from '../initializers/initializer';
import { Layer, type LayerOutput } from '../layer';
import type { Regularizer } from '../regularizers/regularizer';
import { toFloat } from '../utils/tensors';

export interface ProjectionOptions {
  name: string;
  /** How many trailing input axes the kernel contracts (1 for q/k/v, 2 for the output). */
  contractAxes: number;
  /** The trailing output shape the kernel produces. */
  outputShape: number[];
  useBias: boolean;
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer: Regularizer | null;
  biasRegularizer: Regularizer | null;
  kernelConstraint: Constraint | null;
  biasConstraint: Constraint | null;
}

/**
 * The EinsumDense sublayers of the attention layers (Keras `query`, `key`, `value`,
 * `attention_output`), with the same kernel `(*contracted input dims, *outputShape)` and bias
 * `(*outputShape)` layout, computed as one 2-D matmul. Internal: not registered for configs.
 */
export class AttentionProjection extends Layer {
  static override className = 'EinsumDense';
  kernel: Variable | null = null;
  bias: Variable | null = null;
  private inDims: number[] = [];

  constructor(readonly options: ProjectionOptions) {
    super({ name: options.name });
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const n = this.options.contractAxes;
    const inDims = shape.slice(-n);
    if (shape.length <= n || inDims.some((d) => d == null)) {
      throw new ValueError(
        `Layer "${this.name}" needs inputs of rank > ${n} with defined last ${n} dimension(s). Received input shape ${formatShape(shape)}.`,
      );
    }
    this.inDims = inDims as number[];
    const o = this.options;
    this.kernel = this.addWeight({
      name: 'kernel',
      shape: [...this.inDims, ...o.outputShape],
      initializer: o.kernelInitializer,
      regularizer: o.kernelRegularizer,
      constraint: o.kernelConstraint,
    });
    if (o.useBias) {
      this.bias = this.addWeight({
        name: 'bias',
        shape: [...o.outputShape],
        initializer: o.biasInitializer,
        regularizer: o.biasRegularizer,
        constraint: o.biasConstraint,
      });
    }
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => {
      const x = toFloat(inputs as Tensor);
      const lead = x.shape.slice(0, x.rank - this.inDims.length);
      const inSize = this.inDims.reduce((a, b) => a * b, 1);
      const outSize = this.options.outputShape.reduce((a, b) => a * b, 1);
      let y = ops.matmul(ops.reshape(x, [-1, inSize]), ops.reshape(this.kernel!.value, [inSize, outSize]));
      if (this.bias != null) y = ops.add(y, ops.reshape(this.bias.value, [outSize]));
      return ops.reshape(y, [...lead, ...this.options.outputShape]);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [...shape.slice(0, shape.length - this.options.contractAxes), ...this.options.outputShape];
  }
}
