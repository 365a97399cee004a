import '../builtins';
import {
  type Config,
  type Dim,
  type SerializedObject,
  type Shape,
  type Tensor,
  type TensorLike,
  ValueError,
  Variable,
  convertToTensor,
  deserializeKerasObject,
  formatShape,
  ops,
  registerClass,
  serializeKerasObject,
  tidy,
} from '@strata/core';
import { InputSpec } from '../input-spec';
import { serializeRegularizer } from '../regularizers/regularizer';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { toFloat } from '../utils/tensors';
import { RNNCell } from './rnn-cell';
import { StackedRNNCells } from './stacked-rnn-cells';

export interface RNNArgs extends LayerArgs {
  /** A cell instance (SimpleRNNCell, LSTMCell, GRUCell, or a subclass of RNNCell), or its serialized form. */
  cell?: RNNCell | SerializedObject;
  /** Return the whole output sequence instead of the last output. */
  returnSequences?: boolean;
  /** Also return the final states. */
  returnState?: boolean;
  /** Process the sequence backwards (and return the reversed sequence). */
  goBackwards?: boolean;
  /** Carry the final states of a batch over as the initial states of the next. */
  stateful?: boolean;
  /** Accepted and ignored: the loop always runs step by step. */
  unroll?: boolean;
  /** With a mask and `returnSequences`, output zeros (not the previous output) at masked steps. */
  zeroOutputForMask?: boolean;
  /** Only `false` is supported (inputs are `(batch, timesteps, features)`). */
  timeMajor?: boolean;
}

/** Call arguments of RNN layers: the usual `training`/`mask` plus the initial states. */
export interface RNNCallArgs extends CallArgs {
  initialState?: TensorLike | TensorLike[] | null;
}

/**
 * `keras.layers.RNN`: runs `cell` over the time axis of `(batch, timesteps, features)` inputs.
 * A masked timestep keeps the previous states and (with `returnSequences`) repeats the previous
 * output, or outputs zeros with `zeroOutputForMask`, as Keras 3 does.
 */
export class RNN extends Layer {
  static override className = 'RNN';

  readonly cell: RNNCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  readonly zeroOutputForMask: boolean;
  /** The carried states of a stateful RNN (not weights; `resetState()` zeroes them). */
  states: Variable[] | null = null;

  constructor(cell: RNNCell | SerializedObject, options?: Omit<RNNArgs, 'cell'>);
  constructor(args: RNNArgs);
  constructor(...args: unknown[]) {
    const a = positional<RNNArgs>(['cell'], args);
    super(a);
    let cell = a.cell;
    // A list of cells runs as one stacked cell, as in Keras.
    if (Array.isArray(cell)) cell = new StackedRNNCells(cell);
    if (cell != null && !(cell instanceof Layer)) cell = deserializeKerasObject<RNNCell>('layer', cell);
    if (!(cell instanceof RNNCell)) {
      throw new ValueError(
        `RNN "${this.name}": argument \`cell\` should be an RNN cell (SimpleRNNCell, LSTMCell, GRUCell or a subclass of RNNCell). Received: cell=${String(cell)}`,
      );
    }
    if (a.timeMajor) throw new ValueError(`RNN "${this.name}": time_major=True is not supported.`);
    this.cell = cell;
    this.returnSequences = a.returnSequences ?? false;
    this.returnState = a.returnState ?? false;
    this.goBackwards = a.goBackwards ?? false;
    this.stateful = a.stateful ?? false;
    this.unroll = a.unroll ?? false;
    this.zeroOutputForMask = a.zeroOutputForMask ?? false;
    this.supportsMasking = true;
    this.callOutputIsList = this.returnState;
    this.inputSpec = new InputSpec({ ndim: 3 });
  }

  get stateSize(): number[] {
    return this.cell.stateSize;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Dim[];
    // Built inside this layer's name scope: the cell's weights are `<rnn>/<cell>/<name>`.
    if (!this.cell.built) this.cell.maybeBuild([[shape[0] ?? null, ...shape.slice(2)]], false);
    if (this.stateful) {
      const batch = shape[0];
      if (batch == null) {
        throw new ValueError(
          `When using \`stateful=True\` in a RNN, the batch size must be static. Found dynamic batch size: sequence.shape=${formatShape(shape)}`,
        );
      }
      this.states = this.stateSize.map(
        (s) => new Variable({ initializer: (sh) => ops.zeros(sh), shape: [batch, s], trainable: false, name: 'rnn_state', path: `${this.name}/rnn_state` }),
      );
    }
    this.built = true;
  }

  /** Zeroes the carried states of a stateful RNN (Keras `reset_state`). */
  resetState(): void {
    for (const v of this.states ?? []) v.assign(tidy(() => ops.zeros(v.shape)));
  }

  resetStates(): void {
    this.resetState();
  }

  override call(inputs: LayerOutput, args: RNNCallArgs = {}): LayerOutput {
    const x0 = inputs as Tensor;
    if (x0.rank !== 3) {
      throw new ValueError(`Layer "${this.name}" expects inputs of rank 3 (batch, timesteps, features); received shape ${formatShape(x0.shape)}.`);
    }
    const training = args.training ?? false;
    const result = tidy(() => {
      const x = toFloat(x0);
      const [batch, steps] = x.shape as [number, number];
      let states = this.initialStates(batch, args.initialState);
      let xs = ops.unstack(x, 1);
      const rawMask = Array.isArray(args.mask) ? (args.mask[0] ?? null) : (args.mask ?? null);
      let masks: Tensor[] | null = rawMask == null ? null : ops.unstack(ops.expandDims(ops.cast(rawMask, 'bool'), -1), 1);
      if (this.goBackwards) {
        // Copies: the tape keeps unstack's output array, which must stay in time order.
        xs = [...xs].reverse();
        if (masks != null) masks = [...masks].reverse();
      }
      this.cell.prepareDropoutMasks(xs[0]!, states[0]!, training);
      const outputs: Tensor[] = [];
      let prevOutput: Tensor = ops.zeros([batch, this.cell.outputSize]);
      try {
        for (let t = 0; t < steps; t++) {
          let [out, next] = this.cell.step(xs[t]!, states, training);
          const m = masks?.[t];
          if (m != null) {
            next = next.map((s, k) => ops.where(m, s, states[k]!));
            out = ops.where(m, out, this.zeroOutputForMask ? ops.zerosLike(out) : prevOutput);
          }
          states = next;
          prevOutput = out;
          if (this.returnSequences) outputs.push(out);
        }
      } finally {
        this.cell.resetDropoutMasks();
      }
      if (this.stateful && this.states != null) {
        this.states.forEach((v, k) => {
          v.assign(states[k]!);
        });
      }
      const output = this.returnSequences ? ops.stack(outputs, 1) : prevOutput;
      return this.returnState ? [output, ...states] : output;
    });
    return result;
  }

  private initialStates(batch: number, given: RNNCallArgs['initialState']): Tensor[] {
    if (given != null) {
      const list = (Array.isArray(given) && given.length > 0 && typeof given[0] === 'object' && !Array.isArray(given[0]) ? given : [given]) as TensorLike[];
      const states = list.map((s) => toFloat(convertToTensor(s)));
      const sizes = this.stateSize;
      const ok = states.length === sizes.length && states.every((s, k) => s.rank === 2 && s.shape[0] === batch && s.shape[1] === sizes[k]);
      if (!ok) {
        throw new ValueError(
          `Layer "${this.name}" expects ${sizes.length} initial state(s) of shapes ${sizes.map((s) => formatShape([batch, s])).join(', ')}; received ${states.map((s) => formatShape(s.shape)).join(', ')}.`,
        );
      }
      return states;
    }
    if (this.stateful && this.states != null) {
      if (this.states[0]!.shape[0] !== batch) {
        throw new ValueError(
          `Stateful RNN "${this.name}" was built for batch size ${this.states[0]!.shape[0]}, but received a batch of ${batch}.`,
        );
      }
      return this.states.map((v) => v.value);
    }
    return this.cell.getInitialState(batch);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Dim[];
    const batch = shape[0] ?? null;
    const out: Dim[] = this.returnSequences ? [batch, shape[1] ?? null, this.cell.outputSize] : [batch, this.cell.outputSize];
    if (!this.returnState) return out;
    return [out, ...this.stateSize.map((s) => [batch, s])];
  }

  override computeMask(_inputs: LayerOutput, mask: Tensor | (Tensor | null)[] | null | undefined): Tensor | (Tensor | null)[] | null {
    const m = Array.isArray(mask) ? (mask[0] ?? null) : (mask ?? null);
    const outMask = this.returnSequences ? m : null;
    return this.returnState ? [outMask, ...this.stateSize.map(() => null)] : outMask;
  }

  /** The RNN-level config entries (Keras' RNN.get_config without `cell`). */
  protected rnnConfig(): Config {
    return {
      ...super.getConfig(),
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
      zero_output_for_mask: this.zeroOutputForMask,
    };
  }

  override getConfig(): Config {
    return { ...this.rnnConfig(), cell: serializeKerasObject(this.cell) };
  }

  /**
   * Config of a layer that owns its cell (SimpleRNN, LSTM, GRU): Keras flattens the cell's
   * arguments into the layer's config instead of nesting a `cell`.
   */
  protected ownedCellConfig(): Config {
    const { name: _name, trainable: _trainable, dtype: _dtype, ...cell } = this.cell.getConfig();
    return { ...this.rnnConfig(), ...cell, activity_regularizer: serializeRegularizer(this.activityRegularizer) };
  }

  override dispose(): void {
    super.dispose();
    for (const v of this.states ?? []) if (!v.isDisposed) v.dispose();
  }
}
registerClass('layer', RNN, { module: 'keras.layers', className: 'RNN' });

/**
 * Splits the options of a layer that owns its cell: the layer keeps naming, shapes and activity
 * regularization; the cell (named `cellName`) gets the rest, and both get dtype and trainable.
 */
export function splitCellArgs<A extends RNNArgs>(a: A, cellName: string) {
  const { name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer, ...rest } = a;
  return {
    cellArgs: { ...rest, name: cellName, dtype, trainable },
    layerArgs: { ...rest, name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer },
  };
}
