import '../builtins';
import {
  type Config,
  type Shape,
  type Tensor,
  type TensorLike,
  ValueError,
  type Variable,
  ops,
  registerClass,
  tidy,
} from '@strata/core';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import { RandomUniform } from '../initializers/random';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';
import { positional } from '../utils/args';

export interface EmbeddingArgs extends LayerArgs {
  /** Size of the vocabulary: largest index + 1. */
  inputDim?: number;
  /** Dimension of the dense embedding. */
  outputDim?: number;
  /** Default `'uniform'`, i.e. RandomUniform(-0.05, 0.05). */
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier;
  embeddingsConstraint?: ConstraintIdentifier;
  /** Whether index 0 is padding: the layer then outputs a mask `inputs != 0`. */
  maskZero?: boolean;
  /** Initial embedding matrix, `(inputDim, outputDim)`. */
  weights?: TensorLike | TensorLike[] | null;
  loraRank?: number | null;
  loraAlpha?: number | null;
  quantizationConfig?: null;
  /** Accepted and ignored (deprecated in Keras 3). */
  inputLength?: number | null;
}

/**
 * `keras.layers.Embedding`: turns integer indices into rows of an `(input_dim, output_dim)`
 * matrix named `embeddings`. Output shape is `(*input_shape, output_dim)`.
 */
export class Embedding extends Layer {
  static override className = 'Embedding';

  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  readonly embeddingsConstraint: Constraint | null;
  readonly maskZero: boolean;
  embeddings: Variable | null = null;

  constructor(inputDim: number, outputDim: number, options?: Omit<EmbeddingArgs, 'inputDim' | 'outputDim'>);
  constructor(args: EmbeddingArgs);
  constructor(...args: unknown[]) {
    const a = positional<EmbeddingArgs>(['inputDim', 'outputDim'], args);
    super(a);
    for (const key of ['inputDim', 'outputDim'] as const) {
      const v = a[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
        const snake = key === 'inputDim' ? 'input_dim' : 'output_dim';
        throw new ValueError(`Embedding: \`${snake}\` must be a positive integer. Received: ${snake}=${String(v)}`);
      }
    }
    if (a.loraRank != null) throw new ValueError(`Embedding "${this.name}": lora_rank is not supported yet.`);
    if (a.quantizationConfig != null) throw new ValueError(`Embedding "${this.name}": quantization_config is not supported yet.`);
    this.inputDim = a.inputDim!;
    this.outputDim = a.outputDim!;
    this.embeddingsInitializer = getInitializer(a.embeddingsInitializer ?? new RandomUniform())!;
    this.embeddingsRegularizer = getRegularizer(a.embeddingsRegularizer);
    this.embeddingsConstraint = getConstraint(a.embeddingsConstraint);
    this.maskZero = a.maskZero ?? false;
    this.supportsMasking = this.maskZero;
    if (a.weights != null) {
      this.build([null]);
      this.built = true;
      const w = Array.isArray(a.weights) && a.weights.length === 1 && !Array.isArray(a.weights[0]) ? a.weights : [a.weights];
      this.setWeights(w as TensorLike[]);
    }
  }

  override build(_inputShape?: Shape | Shape[]): void {
    if (this.embeddings != null) return;
    this.embeddings = this.addWeight({
      name: 'embeddings',
      shape: [this.inputDim, this.outputDim],
      initializer: this.embeddingsInitializer,
      regularizer: this.embeddingsRegularizer,
      constraint: this.embeddingsConstraint,
    });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const x = inputs as Tensor;
    return tidy(() => ops.take(this.embeddings!.value, x.dtype === 'int32' ? x : ops.cast(x, 'int32'), 0));
  }

  override computeMask(inputs: LayerOutput): Tensor | null {
    if (!this.maskZero) return null;
    return ops.notEqual(inputs as Tensor, 0);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape), this.outputDim];
  }

  override getConfig(): Config {
    const base = super.getConfig();
    delete base.activity_regularizer;
    return {
      ...base,
      input_dim: this.inputDim,
      output_dim: this.outputDim,
      embeddings_initializer: serializeInitializer(this.embeddingsInitializer),
      embeddings_regularizer: serializeRegularizer(this.embeddingsRegularizer),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
      embeddings_constraint: serializeConstraint(this.embeddingsConstraint),
      mask_zero: this.maskZero,
      quantization_config: null,
    };
  }
}
registerClass('layer', Embedding, { module: 'keras.layers', className: 'Embedding' });
