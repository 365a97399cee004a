import '../builtins';
import {
  type Config,
  type Dim,
  type Shape,
  type Tensor,
  type TensorLike,
  ValueError,
  convertToTensor,
  formatShape,
  ops,
  tidy,
} from '@strata/core';
import { InputSpec } from '../input-spec';
import type { LayerOutput } from '../layer';
import { serializeRegularizer } from '../regularizers/regularizer';
import { toFloat } from '../utils/tensors';
import { ConvLSTMCell, type ConvLSTMCellArgs } from './conv-lstm-cell';
import { RNN, type RNNArgs, type RNNCallArgs } from './rnn';

export interface ConvLSTMArgs extends ConvLSTMCellArgs, Omit<RNNArgs, 'cell'> {}

/** Permutation moving axis `from` of a rank-`n` tensor to position `to`. */
function moveAxis(n: number, from: number, to: number): number[] {
  const perm = Array.from({ length: n }, (_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return perm;
}

/**
 * Keras `ConvLSTM` base: an RNN over a `ConvLSTMCell` named `conv_lstm_cell` (weights
 * `<name>/conv_lstm_cell/kernel`, `recurrent_kernel`, `bias`). Inputs
 * `(batch, time, spatial..., channels)` (channels_last) or `(batch, time, channels, spatial...)`.
 * The input convolution uses `strides`/`padding`/`dilationRate`; the recurrent one uses stride 1,
 * `'same'` padding and no dilation, as Keras. Masks `(batch, time)` and `initialState: [h, c]`
 * are supported. `stateful=true` is not supported (throws); `unroll` is accepted and ignored.
 */
export abstract class ConvLSTM extends RNN {
  declare readonly cell: ConvLSTMCell;
  readonly rank: number;

  protected constructor(rank: number, a: ConvLSTMArgs) {
    const { name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer, ...rest } = a;
    const cell = new ConvLSTMCell(rank, { ...rest, name: 'conv_lstm_cell', dtype, trainable });
    super(cell, { ...rest, name, trainable, dtype, inputShape, batchInputShape, batchShape, batchSize, activityRegularizer });
    this.rank = rank;
    if (this.stateful) throw new ValueError(`${this.className} "${this.name}": stateful=True is not supported yet.`);
    this.inputSpec = new InputSpec({ ndim: rank + 3 });
  }

  get filters(): number {
    return this.cell.filters;
  }

  private get channelsFirst(): boolean {
    return this.cell.dataFormat === 'channels_first';
  }

  /** A `(batch, [time,] ...)` shape or tensor permutation from the data format to channels_last. */
  private toLastPerm(n: number): number[] {
    return moveAxis(n, n - this.rank - 1, n - 1);
  }

  private toFirstPerm(n: number): number[] {
    return moveAxis(n, n - 1, n - this.rank - 1);
  }

  private toLast(x: Tensor): Tensor {
    return this.channelsFirst ? ops.transpose(x, this.toLastPerm(x.rank)) : x;
  }

  private toFirst(x: Tensor): Tensor {
    return this.channelsFirst ? ops.transpose(x, this.toFirstPerm(x.rank)) : x;
  }

  private lastShape(shape: readonly Dim[]): Dim[] {
    return this.channelsFirst ? this.toLastPerm(shape.length).map((i) => shape[i] ?? null) : [...shape];
  }

  private checkShape(shape: readonly Dim[]): void {
    if (shape.length !== this.rank + 3) {
      throw new ValueError(
        `Layer "${this.name}" expects inputs of rank ${this.rank + 3} (batch, time, ${this.rank}-D spatial, channels); received shape ${formatShape([...shape])}.`,
      );
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Dim[];
    this.checkShape(shape);
    const last = this.lastShape(shape);
    if (!this.cell.built) this.cell.maybeBuild([[last[0] ?? null, ...last.slice(2)]], false);
    const axis = this.channelsFirst ? 2 : this.rank + 2;
    this.inputSpec = new InputSpec({ ndim: this.rank + 3, axes: { [axis]: last[last.length - 1]! } });
    this.built = true;
  }

  override call(inputs: LayerOutput, args: RNNCallArgs = {}): LayerOutput {
    const x0 = inputs as Tensor;
    this.checkShape(x0.shape);
    const training = args.training ?? false;
    return tidy(() => {
      const x = this.toLast(toFloat(x0));
      const [batch, steps] = x.shape as [number, number];
      let xs = ops.unstack(x, 1);
      const stepShape = xs[0]!.shape;
      let states = this.convInitialStates(stepShape, args.initialState);
      const rawMask = Array.isArray(args.mask) ? (args.mask[0] ?? null) : (args.mask ?? null);
      let masks: Tensor[] | null =
        rawMask == null ? null : ops.unstack(ops.reshape(ops.cast(rawMask, 'bool'), [batch, steps, ...new Array<number>(this.rank + 1).fill(1)]), 1);
      if (this.goBackwards) {
        // Copies: reversing unstack's own output array in place would also reorder the outputs
        // its gradient reads, sending each step's gradient to the mirrored time step.
        xs = [...xs].reverse();
        if (masks != null) masks = [...masks].reverse();
      }
      this.cell.prepareDropoutMasks(xs[0]!, states[0]!, training);
      const outputs: Tensor[] = [];
      let prevOutput: Tensor = ops.zerosLike(states[0]!);
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
      const output = this.toFirst(this.returnSequences ? ops.stack(outputs, 1) : prevOutput);
      return this.returnState ? [output, ...states.map((s) => this.toFirst(s))] : output;
    });
  }

  private convInitialStates(stepShape: readonly number[], given: RNNCallArgs['initialState']): Tensor[] {
    const zeros = this.cell.initialStateFor(stepShape);
    if (given == null) return zeros;
    const list = (Array.isArray(given) && given.length > 0 && typeof given[0] === 'object' && !Array.isArray(given[0]) ? given : [given]) as TensorLike[];
    const states = list.map((s) => this.toLast(toFloat(convertToTensor(s))));
    const want = zeros[0]!.shape;
    const ok = states.length === 2 && states.every((s) => s.rank === want.length && s.shape.every((d, i) => d === want[i]));
    if (!ok) {
      const shown = this.lastShapeToData(want);
      throw new ValueError(
        `Layer "${this.name}" expects 2 initial states of shape ${formatShape(shown)}; received ${list.length === states.length ? states.map((s) => formatShape(this.lastShapeToData(s.shape))).join(', ') : String(list.length)}.`,
      );
    }
    return states;
  }

  private lastShapeToData(shape: readonly number[]): number[] {
    return this.channelsFirst ? this.toFirstPerm(shape.length).map((i) => shape[i]!) : [...shape];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Dim[];
    this.checkShape(shape);
    const last = this.lastShape(shape);
    const batch = last[0] ?? null;
    const spatial = this.cell.outputSpatial([batch, ...last.slice(2)]);
    const toData = (s: Dim[]): Dim[] => (this.channelsFirst ? this.toFirstPerm(s.length).map((i) => s[i] ?? null) : s);
    const stateShape = toData([batch, ...spatial, this.filters]);
    const out = this.returnSequences ? toData([batch, last[1] ?? null, ...spatial, this.filters]) : stateShape;
    return this.returnState ? [out, stateShape, [...stateShape]] : out;
  }

  override getConfig(): Config {
    return {
      ...this.rnnConfig(),
      ...this.cell.convConfig(),
      activity_regularizer: serializeRegularizer(this.activityRegularizer),
    };
  }
}
