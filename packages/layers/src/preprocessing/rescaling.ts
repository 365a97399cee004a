import { type Config, type Shape, type Tensor, ValueError, ops, registerClass, tensor, tidy } from '@strata/core';
import { Layer, type LayerArgs, type LayerOutput } from '../layer';
import { positional } from '../utils/args';

export interface RescalingArgs extends LayerArgs {
  /** The scale to apply to the inputs (a number or a per-channel list). */
  scale?: number | number[];
  /** The offset to apply to the inputs. */
  offset?: number | number[];
}

/** `keras.layers.Rescaling`: `inputs * scale + offset`, computed in the layer's dtype. */
export class Rescaling extends Layer {
  static override className = 'Rescaling';

  readonly scale: number | number[];
  readonly offset: number | number[];

  constructor(scale: number | number[], offset?: number | number[], options?: Omit<RescalingArgs, 'scale' | 'offset'>);
  constructor(args: RescalingArgs);
  constructor(...args: unknown[]) {
    const a = positional<RescalingArgs>(['scale', 'offset'], args);
    super(a);
    const ok = (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.every((e) => typeof e === 'number'));
    if (!ok(a.scale)) throw new ValueError(`Rescaling: \`scale\` must be a number or a list of numbers. Received: scale=${JSON.stringify(a.scale)}`);
    if (a.offset != null && !ok(a.offset)) {
      throw new ValueError(`Rescaling: \`offset\` must be a number or a list of numbers. Received: offset=${JSON.stringify(a.offset)}`);
    }
    this.scale = a.scale!;
    this.offset = a.offset ?? 0;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => {
      const x = inputs as Tensor;
      const xf = x.dtype === this.dtype ? x : ops.cast(x, this.dtype);
      const s = typeof this.scale === 'number' ? this.scale : tensor(this.scale);
      const o = typeof this.offset === 'number' ? this.offset : tensor(this.offset);
      return ops.add(ops.multiply(xf, s), o);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}
registerClass('layer', Rescaling, { module: 'keras.layers', className: 'Rescaling' });
