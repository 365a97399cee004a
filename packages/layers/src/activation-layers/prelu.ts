import '../builtins';
import { type Config, type Shape, type Tensor, ValueError, type Variable, formatShape, ops, registerClass, tidy } from '@strata/core';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';
import { toFloat } from '../utils/tensors';

export interface PReLUArgs extends LayerArgs {
  alphaInitializer?: InitializerIdentifier;
  alphaRegularizer?: RegularizerIdentifier;
  alphaConstraint?: ConstraintIdentifier;
  /** Axes (1-based, the batch axis is 0) along which alpha is shared. */
  sharedAxes?: number | number[] | null;
}

/** `keras.layers.PReLU`: `relu(x) - alpha * relu(-x)`, with a learned `alpha` per input entry. */
export class PReLU extends Layer {
  static override className = 'PReLU';
  readonly alphaInitializer: Initializer;
  readonly alphaRegularizer: Regularizer | null;
  readonly alphaConstraint: Constraint | null;
  readonly sharedAxes: number[] | null;
  alpha: Variable | null = null;

  constructor(args: PReLUArgs = {}) {
    super(args);
    this.alphaInitializer = getInitializer(args.alphaInitializer ?? 'zeros')!;
    this.alphaRegularizer = getRegularizer(args.alphaRegularizer);
    this.alphaConstraint = getConstraint(args.alphaConstraint);
    const s = args.sharedAxes;
    this.sharedAxes = s == null ? null : Array.isArray(s) ? [...s] : [s];
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const paramShape = shape.slice(1);
    for (const a of this.sharedAxes ?? []) {
      if (!Number.isInteger(a) || a < 1 || a >= shape.length) {
        throw new ValueError(`PReLU "${this.name}": shared axis ${a} is out of range for inputs of shape ${formatShape(shape)}.`);
      }
      paramShape[a - 1] = 1;
    }
    if (paramShape.some((d) => d == null)) {
      throw new ValueError(
        `PReLU "${this.name}": every non-shared axis must have a defined size. Received input shape ${formatShape(shape)}, shared_axes=${JSON.stringify(this.sharedAxes)}.`,
      );
    }
    this.alpha = this.addWeight({
      name: 'alpha',
      shape: paramShape as number[],
      initializer: this.alphaInitializer,
      regularizer: this.alphaRegularizer,
      constraint: this.alphaConstraint,
    });
    const axes: Record<number, number | null> = {};
    for (let i = 1; i < shape.length; i++) if (!(this.sharedAxes ?? []).includes(i)) axes[i] = shape[i]!;
    this.inputSpec = new InputSpec({ ndim: shape.length, axes });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => {
      const x = toFloat(inputs as Tensor);
      return ops.subtract(ops.relu(x), ops.multiply(this.alpha!.value, ops.relu(ops.negative(x))));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      alpha_initializer: serializeInitializer(this.alphaInitializer),
      alpha_regularizer: serializeRegularizer(this.alphaRegularizer),
      alpha_constraint: serializeConstraint(this.alphaConstraint),
      shared_axes: this.sharedAxes == null ? null : [...this.sharedAxes],
    };
  }
}
registerClass('layer', PReLU, { module: 'keras.layers', className: 'PReLU' });
