import { type Config, SeedGenerator, type Shape, type Tensor, ValueError, drawSeed, ops, random } from '@strata/core';
import { InputSpec } from '../input-spec';
import { type CallArgs, Layer, type LayerArgs, type LayerOutput } from '../layer';
import { type DataFormat, normalizeDataFormat, positional } from '../utils/args';

export interface SpatialDropoutArgs extends LayerArgs {
  /** Fraction of the channels to drop, in [0, 1]. */
  rate?: number;
  seed?: number | null;
  dataFormat?: DataFormat | null;
}

/** Validates a dropout-like `rate` (Keras' message). */
export function checkRate(rate: unknown, inclusiveOne = true): number {
  if (typeof rate !== 'number' || !(rate >= 0 && (inclusiveOne ? rate <= 1 : rate < 1))) {
    throw new ValueError(`Invalid value received for argument \`rate\`. Expected a float value between 0 and 1. Received: rate=${String(rate)}`);
  }
  return rate;
}

/** Keras `BaseSpatialDropout`: drops whole channels (one mask entry per sample and channel). */
export abstract class SpatialDropoutBase extends Layer {
  readonly rate: number;
  readonly seed: number | null;
  readonly dataFormat: DataFormat;
  readonly seedGenerator: SeedGenerator | null;

  constructor(n: number, args: unknown[]) {
    const a = positional<SpatialDropoutArgs>(n === 1 ? ['rate', 'seed'] : ['rate', 'dataFormat', 'seed'], args);
    super(a);
    this.rate = checkRate(a.rate);
    this.seed = a.seed ?? null;
    this.dataFormat = normalizeDataFormat(n === 1 ? null : a.dataFormat);
    this.seedGenerator = this.rate > 0 ? new SeedGenerator(this.seed ?? drawSeed(null)) : null;
    this.inputSpec = new InputSpec({ ndim: n + 2 });
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    if (!args.training || this.rate === 0) return x;
    if (this.rate === 1) return ops.zerosLike(x);
    const last = this.dataFormat === 'channels_last';
    const noise = x.shape.map((d, i) => (i === 0 || (last ? i === x.rank - 1 : i === 1) ? d : 1));
    return random.dropout(x, this.rate, noise, this.seedGenerator);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  /** Keras' SpatialDropout config has no `trainable` key. */
  override getConfig(): Config {
    const { trainable: _t, ...rest } = super.getConfig();
    return { rate: this.rate, seed: this.seed, ...rest };
  }
}
