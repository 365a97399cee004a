import '../builtins';
import { type Config, type Dim, SeedGenerator, type Shape, type Tensor, ValueError, drawSeed, ops, random, tidy } from '@strata/core';
import { type ActivationFn, type ActivationIdentifier, getActivation, serializeActivation } from '../activations/activation';
import { type Constraint, type ConstraintIdentifier, getConstraint, serializeConstraint } from '../constraints/constraint';
import { type Initializer, type InitializerIdentifier, getInitializer, serializeInitializer } from '../initializers/initializer';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type Regularizer, type RegularizerIdentifier, getRegularizer, serializeRegularizer } from '../regularizers/regularizer';

/** Arguments shared by SimpleRNNCell, LSTMCell and GRUCell (Keras names, camelCase). */
export interface RNNCellArgs extends LayerArgs {
  /** Dimensionality of the output space (and of each state). */
  units?: number;
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  recurrentRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  kernelConstraint?: ConstraintIdentifier;
  recurrentConstraint?: ConstraintIdentifier;
  biasConstraint?: ConstraintIdentifier;
  /** Fraction of the inputs to drop (training only), one mask per sequence. */
  dropout?: number;
  /** Fraction of the recurrent state to drop (training only), one mask per sequence. */
  recurrentDropout?: number;
  seed?: number | null;
  /** Accepted and ignored (Keras' implementation switch). */
  implementation?: number;
}

/**
 * The common base of the built-in recurrent cells: one time step `step(x_t, states) -> [output,
 * newStates]`, with `stateSize` (one entry per state) and `outputSize`. `call([x, ...states])`
 * returns `[output, ...newStates]` so a cell can also be applied on its own.
 */
export abstract class RNNCell extends Layer {
  readonly units: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly recurrentRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly recurrentConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  protected readonly seedGenerator: SeedGenerator;
  /** Masks for the current sequence (set by the RNN layer for one call, then cleared). */
  dropoutMask: Tensor | null = null;
  recurrentDropoutMask: Tensor | null = null;

  constructor(a: RNNCellArgs) {
    super(a);
    const units = a.units;
    if (typeof units !== 'number' || !Number.isInteger(units) || units <= 0) {
      throw new ValueError(`Received an invalid value for argument \`units\`, expected a positive integer, got ${String(units)}.`);
    }
    this.units = units;
    this.activation = getActivation(a.activation === undefined ? 'tanh' : a.activation);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorot_uniform')!;
    this.recurrentInitializer = getInitializer(a.recurrentInitializer ?? 'orthogonal')!;
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros')!;
    this.kernelRegularizer = getRegularizer(a.kernelRegularizer);
    this.recurrentRegularizer = getRegularizer(a.recurrentRegularizer);
    this.biasRegularizer = getRegularizer(a.biasRegularizer);
    this.kernelConstraint = getConstraint(a.kernelConstraint);
    this.recurrentConstraint = getConstraint(a.recurrentConstraint);
    this.biasConstraint = getConstraint(a.biasConstraint);
    this.dropout = Math.min(1, Math.max(0, a.dropout ?? 0));
    this.recurrentDropout = Math.min(1, Math.max(0, a.recurrentDropout ?? 0));
    this.seed = a.seed ?? null;
    this.seedGenerator = new SeedGenerator(this.seed ?? drawSeed(null));
  }

  /** Sizes of the states (`[units]`, or `[units, units]` for LSTM). */
  abstract get stateSize(): number[];

  get outputSize(): number {
    return this.units;
  }

  /** One time step on `(batch, features)` inputs. */
  abstract step(x: Tensor, states: Tensor[], training: boolean): [Tensor, Tensor[]];

  /** Zero states for `batchSize` samples (Keras `get_initial_state`). */
  getInitialState(batchSize: number): Tensor[] {
    return this.stateSize.map((s) => ops.zeros([batchSize, s], 'float32'));
  }

  /** Draws this sequence's dropout masks (training only); the RNN layer calls it once per call. */
  prepareDropoutMasks(x0: Tensor, h0: Tensor, training: boolean): void {
    this.resetDropoutMasks();
    if (!training) return;
    if (this.dropout > 0 && this.dropout < 1) {
      this.dropoutMask = random.dropout(ops.onesLike(x0), this.dropout, null, this.seedGenerator);
    }
    if (this.recurrentDropout > 0 && this.recurrentDropout < 1) {
      this.recurrentDropoutMask = random.dropout(ops.onesLike(h0), this.recurrentDropout, null, this.seedGenerator);
    }
  }

  resetDropoutMasks(): void {
    this.dropoutMask = null;
    this.recurrentDropoutMask = null;
  }

  protected maskInputs(x: Tensor, training: boolean): Tensor {
    return training && this.dropoutMask != null ? ops.multiply(x, this.dropoutMask) : x;
  }

  protected maskState(h: Tensor, training: boolean): Tensor {
    return training && this.recurrentDropoutMask != null ? ops.multiply(h, this.recurrentDropoutMask) : h;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const [x, ...given] = list;
    // One step's intermediates are freed here; RNN's loop has its own scope too.
    return tidy(() => {
      const states = given.length > 0 ? given : this.getInitialState(x!.shape[0]!);
      const [out, next] = this.step(x!.dtype === 'float32' ? x! : ops.cast(x!, 'float32'), states, args.training ?? false);
      return [out, ...next];
    });
  }

  protected override callOutputIsList = true;

  override computeOutputShape(inputShape: Shape | Shape[]): Shape[] {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Dim[][];
    const batch = shapes[0]![0] ?? null;
    return [[batch, this.outputSize], ...this.stateSize.map((s) => [batch, s])];
  }

  /** The input dim of a step input shape `(batch, features)`. */
  protected inputDim(inputShape: Shape | Shape[]): number {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Dim[];
    const d = shape[shape.length - 1];
    if (d == null) {
      throw new ValueError(`${this.className} "${this.name}": the last dimension of the inputs should be defined.`);
    }
    return d;
  }

  /** Config entries shared by the cells (Keras order differs per cell; keys are what matter). */
  protected commonConfig(): Config {
    return {
      units: this.units,
      activation: serializeActivation(this.activation),
      use_bias: this.useBias,
      kernel_initializer: serializeInitializer(this.kernelInitializer),
      recurrent_initializer: serializeInitializer(this.recurrentInitializer),
      bias_initializer: serializeInitializer(this.biasInitializer),
      kernel_regularizer: serializeRegularizer(this.kernelRegularizer),
      recurrent_regularizer: serializeRegularizer(this.recurrentRegularizer),
      bias_regularizer: serializeRegularizer(this.biasRegularizer),
      kernel_constraint: serializeConstraint(this.kernelConstraint),
      recurrent_constraint: serializeConstraint(this.recurrentConstraint),
      bias_constraint: serializeConstraint(this.biasConstraint),
      dropout: this.dropout,
      recurrent_dropout: this.recurrentDropout,
      seed: this.seed,
    };
  }
}
