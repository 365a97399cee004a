import '../builtins';
import {
  type Config,
  type Dim,
  type SerializedObject,
  type Shape,
  type Tensor,
  ValueError,
  deserializeKerasObject,
  formatShape,
  ops,
  registerClass,
  serializeKerasObject,
  tidy,
} from '@strata/core';
import { InputSpec } from '../input-spec';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';

export interface TimeDistributedArgs extends LayerArgs {
  /** The layer applied to every timestep (or its serialized form). */
  layer?: Layer | SerializedObject;
}

/**
 * `keras.layers.TimeDistributed`: applies `layer` to every slice `inputs[:, t]` of a
 * `(batch, timesteps, ...)` input (computed as one call on `(batch * timesteps, ...)`).
 */
export class TimeDistributed extends Layer {
  static override className = 'TimeDistributed';

  readonly layer: Layer;

  constructor(layer: Layer | SerializedObject, options?: Omit<TimeDistributedArgs, 'layer'>);
  constructor(args: TimeDistributedArgs);
  constructor(...args: unknown[]) {
    const a = positional<TimeDistributedArgs>(['layer'], args);
    super(a);
    const layer = a.layer == null ? null : a.layer instanceof Layer ? a.layer : deserializeKerasObject<Layer>('layer', a.layer);
    if (!(layer instanceof Layer)) {
      throw new ValueError(`Please initialize \`TimeDistributed\` layer with a \`keras.layers.Layer\` instance. Received: ${String(a.layer)}`);
    }
    this.layer = layer;
    this.supportsMasking = true;
    this.inputSpec = new InputSpec({ minNdim: 3 });
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Dim[];
    if (shape.length < 3) {
      throw new ValueError(`\`TimeDistributed\` Layer should be passed an \`input_shape\` with at least 3 dimensions, received: ${formatShape(shape)}`);
    }
    // Built inside this layer's name scope, as Keras does: paths `<time_distributed>/<layer>/...`.
    if (!this.layer.built) this.layer.maybeBuild([[shape[0] ?? null, ...shape.slice(2)]], false);
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const [batch, steps] = x.shape as [number, number];
    const flat = ops.reshape(x, [batch * steps, ...x.shape.slice(2)]);
    const y = this.layer.apply(flat, { training: args.training });
    if (Array.isArray(y)) throw new ValueError(`TimeDistributed "${this.name}": the wrapped layer must return a single tensor.`);
    return tidy(() => {
      const out = ops.reshape(y, [batch, steps, ...y.shape.slice(1)]);
      flat.dispose();
      y.dispose();
      return out;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Dim[];
    const inner = this.layer.computeOutputShape([shape[0] ?? null, ...shape.slice(2)]) as Dim[];
    return [inner[0] ?? null, shape[1] ?? null, ...inner.slice(1)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), layer: serializeKerasObject(this.layer) };
  }
}
registerClass('layer', TimeDistributed, { module: 'keras.layers', className: 'TimeDistributed' });
