import '../builtins';
import { type Config, type SerializedObject, type Shape, type Tensor, ValueError, deserializeKerasObject, ops, registerClass, serializeKerasObject, tidy } from '@strata/core';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { RNNCell } from './rnn-cell';

export interface StackedRNNCellsArgs extends LayerArgs {
  /** The cells, first (closest to the inputs) to last, as instances or serialized. */
  cells?: (RNNCell | SerializedObject)[];
}

/**
 * `keras.layers.StackedRNNCells`: a stack of RNN cells that behaves as one cell, so
 * `new RNN(new StackedRNNCells([a, b]))` runs `a` then `b` at each time step. Each cell's output is
 * the next cell's input; the states are the cells' states in order (flattened: `stateSize` is the
 * concatenation of the cells' state sizes, e.g. `[3, 2, 2]` for SimpleRNNCell(3) + LSTMCell(2)).
 *
 * It extends RNNCell (with `units` = the last cell's output size) so that RNN accepts it as a cell;
 * the inherited per-cell options (activation, initializers, dropout...) are unused.
 */
export class StackedRNNCells extends RNNCell {
  static override className = 'StackedRNNCells';

  readonly cells: RNNCell[];

  constructor(cells: (RNNCell | SerializedObject)[], options?: Omit<StackedRNNCellsArgs, 'cells'>);
  constructor(args: StackedRNNCellsArgs);
  constructor(...args: unknown[]) {
    const a = positional<StackedRNNCellsArgs>(['cells'], args);
    const given = a.cells;
    if (!Array.isArray(given) || given.length === 0) {
      throw new ValueError(`StackedRNNCells: argument \`cells\` should be a non-empty list of RNN cells. Received: cells=${String(given)}`);
    }
    const cells = given.map((c) => (c instanceof Layer ? c : deserializeKerasObject<Layer>('layer', c as SerializedObject)));
    cells.forEach((c, i) => {
      if (!(c instanceof RNNCell)) {
        throw new ValueError(
          `StackedRNNCells: all cells must be RNN cells (SimpleRNNCell, LSTMCell, GRUCell, a subclass of RNNCell, or StackedRNNCells); cell ${i} is ${String(c)}.`,
        );
      }
    });
    const rnnCells = cells as RNNCell[];
    const { cells: _cells, ...rest } = a;
    super({ ...rest, units: rnnCells[rnnCells.length - 1]!.outputSize });
    this.cells = rnnCells;
  }

  get stateSize(): number[] {
    return this.cells.flatMap((c) => c.stateSize);
  }

  override get outputSize(): number {
    return this.cells[this.cells.length - 1]!.outputSize;
  }

  override build(inputShape: Shape | Shape[]): void {
    let shape = ((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape).slice();
    const batch = shape[0] ?? null;
    for (const cell of this.cells) {
      if (!cell.built) cell.maybeBuild([shape], false);
      shape = [batch, cell.outputSize];
    }
    this.built = true;
  }

  /** Runs the cells in order on one time step; `states` is the flat list of every cell's states. */
  step(x: Tensor, states: Tensor[], training: boolean): [Tensor, Tensor[]] {
    if (states.length !== this.stateSize.length) {
      throw new ValueError(`StackedRNNCells "${this.name}" expects ${this.stateSize.length} state(s); received ${states.length}.`);
    }
    let inputs = x;
    let offset = 0;
    const next: Tensor[] = [];
    for (const cell of this.cells) {
      const n = cell.stateSize.length;
      const [out, cellStates] = cell.step(inputs, states.slice(offset, offset + n), training);
      offset += n;
      next.push(...cellStates);
      inputs = out;
    }
    return [inputs, next];
  }

  /** `[x, ...states] -> [output, ...newStates]`, freeing the intermediates of the step. */
  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor[] {
    return tidy(() => super.call(inputs, args));
  }

  override getInitialState(batchSize: number): Tensor[] {
    return this.cells.flatMap((c) => c.getInitialState(batchSize));
  }

  /** Draws each cell's dropout masks for the shapes of its own inputs and states. */
  override prepareDropoutMasks(x0: Tensor, _h0: Tensor, training: boolean): void {
    const batch = x0.shape[0]!;
    let input = x0;
    for (const cell of this.cells) {
      cell.prepareDropoutMasks(input, ops.zeros([batch, cell.stateSize[0]!]), training);
      input = ops.zeros([batch, cell.outputSize]);
    }
  }

  override resetDropoutMasks(): void {
    for (const cell of this.cells ?? []) cell.resetDropoutMasks();
  }

  override getConfig(): Config {
    return { ...super.getConfig(), cells: this.cells.map((c) => serializeKerasObject(c)) };
  }
}
registerClass('layer', StackedRNNCells, { module: 'keras.layers', className: 'StackedRNNCells' });
