import '../builtins';
import {
  type Config,
  type Dim,
  type SerializedObject,
  type Shape,
  type Tensor,
  type TensorLike,
  ValueError,
  deserializeKerasObject,
  ops,
  registerClass,
  serializeKerasObject,
  tidy,
} from '@strata/core';
import { InputSpec } from '../input-spec';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';
import { RNN, type RNNCallArgs } from './rnn';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;

export interface BidirectionalArgs extends LayerArgs {
  /** The forward RNN (or its serialized form); a copy running backwards is made from its config. */
  layer?: RNN | SerializedObject;
  /** How forward and backward outputs combine (default `'concat'`); `null` returns both. */
  mergeMode?: MergeMode;
  /** An explicit backward RNN (must have `goBackwards: true` semantics relative to `layer`). */
  backwardLayer?: RNN | SerializedObject | null;
}

function asRnn(x: RNN | SerializedObject, what: string): RNN {
  const layer = x instanceof Layer ? x : deserializeKerasObject<Layer>('layer', x);
  if (!(layer instanceof RNN)) throw new ValueError(`Bidirectional: \`${what}\` must be an RNN layer. Received: ${String(layer)}`);
  return layer;
}

function recreate(layer: RNN, changes: Config): RNN {
  const s = serializeKerasObject(layer);
  return deserializeKerasObject<RNN>('layer', { ...s, config: { ...(s.config as Config), ...changes } });
}

const stripPrefix = (name: string, prefix: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);

/**
 * `keras.layers.Bidirectional`: runs a copy of `layer` forwards (`forward_<name>`) and one
 * backwards (`backward_<name>`), reverses the backward sequence back to input order, and merges.
 */
export class Bidirectional extends Layer {
  static override className = 'Bidirectional';

  readonly forwardLayer: RNN;
  readonly backwardLayer: RNN;
  readonly mergeMode: MergeMode;
  readonly returnSequences: boolean;
  readonly returnState: boolean;

  constructor(layer: RNN | SerializedObject, options?: Omit<BidirectionalArgs, 'layer'>);
  constructor(args: BidirectionalArgs);
  constructor(...args: unknown[]) {
    const a = positional<BidirectionalArgs>(['layer', 'mergeMode'], args);
    const inner = a.layer == null ? null : asRnn(a.layer, 'layer');
    super(a);
    if (inner == null) throw new ValueError('Bidirectional: argument `layer` is required.');
    const mode = a.mergeMode === undefined ? 'concat' : a.mergeMode;
    if (!['concat', 'sum', 'mul', 'ave', null].includes(mode)) {
      throw new ValueError(`Invalid merge mode. Received: ${String(mode)}. Merge mode should be one of {"sum", "mul", "ave", "concat", None}`);
    }
    this.mergeMode = mode;
    const base = stripPrefix(inner.name, 'forward_');
    this.forwardLayer = recreate(inner, { name: `forward_${base}` });
    if (a.backwardLayer != null) {
      this.backwardLayer = asRnn(a.backwardLayer, 'backward_layer');
      if (this.backwardLayer.goBackwards === this.forwardLayer.goBackwards) {
        throw new ValueError('Bidirectional: `backward_layer.go_backwards` must be the opposite of `layer.go_backwards`.');
      }
    } else {
      this.backwardLayer = recreate(inner, { name: `backward_${base}`, go_backwards: !inner.goBackwards });
    }
    this.returnSequences = this.forwardLayer.returnSequences;
    this.returnState = this.forwardLayer.returnState;
    this.supportsMasking = true;
    this.callOutputIsList = this.returnState || this.mergeMode == null;
    this.inputSpec = new InputSpec({ ndim: 3 });
  }

  override build(inputShape: Shape | Shape[]): void {
    // Built inside this layer's name scope, as Keras does: paths `<bidirectional>/<forward_x>/...`.
    for (const layer of [this.forwardLayer, this.backwardLayer]) {
      if (!layer.built) layer.maybeBuild([inputShape as Dim[]], false);
    }
    this.built = true;
  }

  override call(inputs: LayerOutput, args: RNNCallArgs = {}): LayerOutput {
    const x = inputs as Tensor;
    const { initialState, ...rest } = args;
    let fState: TensorLike[] | null = null;
    let bState: TensorLike[] | null = null;
    if (initialState != null) {
      const list = initialState as TensorLike[];
      if (!Array.isArray(list) || list.length % 2 !== 0) {
        throw new ValueError(`Bidirectional "${this.name}": initial_state must be a list of forward states followed by backward states.`);
      }
      fState = list.slice(0, list.length / 2);
      bState = list.slice(list.length / 2);
    }
    return tidy(() => {
      const f = this.forwardLayer.apply(x, { ...rest, initialState: fState });
      const b = this.backwardLayer.apply(x, { ...rest, initialState: bState });
      const fl = Array.isArray(f) ? f : [f];
      const bl = Array.isArray(b) ? b : [b];
      const y = fl[0]!;
      const yr = this.returnSequences ? ops.flip(bl[0]!, 1) : bl[0]!;
      const states = this.returnState ? [...fl.slice(1), ...bl.slice(1)] : [];
      let out: Tensor[];
      switch (this.mergeMode) {
        case 'concat':
          out = [ops.concatenate([y, yr], -1)];
          break;
        case 'sum':
          out = [ops.add(y, yr)];
          break;
        case 'mul':
          out = [ops.multiply(y, yr)];
          break;
        case 'ave':
          out = [ops.multiply(ops.add(y, yr), 0.5)];
          break;
        default:
          out = [y, yr];
      }
      const all = [...out, ...states];
      return all.length === 1 ? all[0]! : all;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const fwd = this.forwardLayer.computeOutputShape(inputShape);
    const list = (this.returnState ? fwd : [fwd]) as Dim[][];
    const y = list[0]!;
    const states = list.slice(1);
    const outs: Dim[][] =
      this.mergeMode === 'concat'
        ? [[...y.slice(0, -1), y[y.length - 1] == null ? null : y[y.length - 1]! * 2]]
        : this.mergeMode == null
          ? [[...y], [...y]]
          : [[...y]];
    const all = [...outs, ...states, ...states.map((s) => [...s])];
    return all.length === 1 ? all[0]! : all;
  }

  override computeMask(_inputs: LayerOutput, mask: Tensor | (Tensor | null)[] | null | undefined): Tensor | (Tensor | null)[] | null {
    const m = Array.isArray(mask) ? (mask[0] ?? null) : (mask ?? null);
    const outMask = this.returnSequences ? m : null;
    const outs: (Tensor | null)[] = this.mergeMode == null ? [outMask, outMask] : [outMask];
    if (this.returnState) outs.push(...this.forwardLayer.stateSize.map(() => null), ...this.backwardLayer.stateSize.map(() => null));
    return outs.length === 1 ? outs[0]! : outs;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      merge_mode: this.mergeMode,
      layer: serializeKerasObject(this.forwardLayer),
      backward_layer: serializeKerasObject(this.backwardLayer),
    };
  }
}
registerClass('layer', Bidirectional, { module: 'keras.layers', className: 'Bidirectional' });
