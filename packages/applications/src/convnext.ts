import { type Config, type KerasTensor, type Shape, type Tensor, ValueError, ops, random, registerClass, tidy } from '@strata/core';
import {
  Activation,
  type CallArgs,
  Conv2D,
  Dense,
  GlobalAveragePooling2D,
  Layer,
  type LayerArgs,
  type LayerOutput,
  LayerNormalization,
  Normalization,
  initializers,
} from '@strata/layers';
import { type Model, Sequential } from '@strata/models';
import { type ImagenetWeightsFile, applicationInputShape, applyPooling, finishApplication, imageInput, resolveApplicationArgs } from './common';
import { type ApplicationArgs, getSourceInputs } from './imagenet-utils';
import { hideScalarOps } from './mobilenet-v3';

const BASE_WEIGHTS_PATH = 'https://storage.googleapis.com/tensorflow/keras-applications/convnext/';

/** Keras' sha256 of `<name>.h5` and `<name>_notop.h5`. */
const WEIGHTS_HASHES: Record<string, [string, string]> = {
  convnext_tiny: ['8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff', 'd547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1'],
  convnext_small: ['ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c', '6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab'],
  convnext_base: ['52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6', '40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45'],
  convnext_large: ['070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6', '96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd'],
  convnext_xlarge: ['c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee', 'de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05'],
};

/** Keras' `MODEL_CONFIGS`: blocks per stage and channels per stage (default size 224 for all). */
const MODEL_CONFIGS: Record<string, { depths: number[]; projectionDims: number[] }> = {
  tiny: { depths: [3, 3, 9, 3], projectionDims: [96, 192, 384, 768] },
  small: { depths: [3, 3, 27, 3], projectionDims: [96, 192, 384, 768] },
  base: { depths: [3, 3, 27, 3], projectionDims: [128, 256, 512, 1024] },
  large: { depths: [3, 3, 27, 3], projectionDims: [192, 384, 768, 1536] },
  xlarge: { depths: [3, 3, 27, 3], projectionDims: [256, 512, 1024, 2048] },
};

/** ConvNeXt arguments: the application options plus `includePreprocessing`. */
export interface ConvNeXtArgs extends ApplicationArgs {
  /** Put the ImageNet `Normalization` at the bottom, so the model takes [0, 255] pixels (default true). */
  includePreprocessing?: boolean;
}

/**
 * Keras' ConvNeXt `StochasticDepth`: in training, drops the whole residual branch of a sample with
 * probability `dropPathRate` (scaling kept ones by `1 / (1 - rate)`); the identity at inference.
 */
export class StochasticDepth extends Layer {
  static override className = 'StochasticDepth';

  readonly dropPathRate: number;

  constructor(args: LayerArgs & { dropPathRate: number }) {
    super(args);
    if (typeof args.dropPathRate !== 'number' || !(args.dropPathRate >= 0 && args.dropPathRate < 1)) {
      throw new ValueError(`StochasticDepth: \`drop_path_rate\` must be in [0, 1). Received: drop_path_rate=${String(args.dropPathRate)}`);
    }
    this.dropPathRate = args.dropPathRate;
    this.built = true;
  }

  override call(inputs: LayerOutput, args: CallArgs = {}): Tensor {
    const x = inputs as Tensor;
    if (!args.training || this.dropPathRate === 0) return x;
    return tidy(() => {
      const keep = 1 - this.dropPathRate;
      const shape = [x.shape[0]!, ...x.shape.slice(1).map(() => 1)];
      // floor(keep + U[0, 1)) is 1 with probability `keep`, else 0: one draw per sample.
      const mask = ops.floor(ops.add(random.uniform(shape, 0, 1), keep));
      return ops.multiply(ops.divide(x, keep), mask);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), drop_path_rate: this.dropPathRate };
  }
}
registerClass('layer', StochasticDepth, { module: 'keras.src.applications.convnext', className: 'StochasticDepth' });

/** Keras' ConvNeXt `LayerScale`: multiplies the channels by a learned vector initialised to `initValues`. */
export class LayerScale extends Layer {
  static override className = 'LayerScale';

  readonly initValues: number;
  readonly projectionDim: number;
  gamma: import('@strata/core').Variable | null = null;

  constructor(args: LayerArgs & { initValues: number; projectionDim: number }) {
    super(args);
    if (typeof args.initValues !== 'number' || !Number.isFinite(args.initValues)) {
      throw new ValueError(`LayerScale: \`init_values\` must be a finite number. Received: init_values=${String(args.initValues)}`);
    }
    if (!Number.isInteger(args.projectionDim) || args.projectionDim <= 0) {
      throw new ValueError(`LayerScale: \`projection_dim\` must be a positive integer. Received: projection_dim=${String(args.projectionDim)}`);
    }
    this.initValues = args.initValues;
    this.projectionDim = args.projectionDim;
  }

  override build(inputShape: Shape | Shape[]): void {
    const last = (inputShape as Shape).at(-1);
    if (last != null && last !== this.projectionDim) {
      throw new ValueError(`LayerScale "${this.name}": the input has ${last} channels but projection_dim is ${this.projectionDim}.`);
    }
    this.gamma = this.addWeight({ name: 'gamma', shape: [this.projectionDim], initializer: new initializers.Constant(this.initValues), trainable: true });
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => ops.multiply(inputs as Tensor, this.gamma!.value));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), init_values: this.initValues, projection_dim: this.projectionDim };
  }
}
registerClass('layer', LayerScale, { module: 'keras.src.applications.convnext', className: 'LayerScale' });

/**
 * The raw `inputs + branch` of a ConvNeXt block (Keras' `ops.add` on two Keras tensors): a
 * graph node that, like Keras, does not appear in `model.layers`.
 */
export class AddOp extends Layer {
  static override className = 'AddOp';
  /** Marks a raw Keras op: hidden from `model.layers`. */
  static readonly rawOp = true;

  constructor(args: LayerArgs = {}) {
    super(args);
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    const [a, b] = inputs as Tensor[];
    return tidy(() => ops.add(a!, b!));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape[])[0]!];
  }
}
registerClass('layer', AddOp, { module: 'strata.applications', className: 'AddOp' });

/** Keras' `ConvNeXtBlock`: 7x7 depthwise conv, LayerNorm, Dense 4x + GELU + Dense, LayerScale, residual. */
function convNeXtBlock(inputs: KerasTensor, dim: number, dropPathRate: number, layerScaleInit: number | null, name: string): KerasTensor {
  let x = new Conv2D(dim, 7, { padding: 'same', groups: dim, name: `${name}_depthwise_conv` }).apply(inputs) as KerasTensor;
  x = new LayerNormalization({ epsilon: 1e-6, name: `${name}_layernorm` }).apply(x) as KerasTensor;
  x = new Dense(4 * dim, { name: `${name}_pointwise_conv_1` }).apply(x) as KerasTensor;
  x = new Activation('gelu', { name: `${name}_gelu` }).apply(x) as KerasTensor;
  x = new Dense(dim, { name: `${name}_pointwise_conv_2` }).apply(x) as KerasTensor;
  if (layerScaleInit != null) x = new LayerScale({ initValues: layerScaleInit, projectionDim: dim, name: `${name}_layer_scale` }).apply(x) as KerasTensor;
  const branch = dropPathRate
    ? new StochasticDepth({ dropPathRate, name: `${name}_stochastic_depth` })
    : new Activation('linear', { name: `${name}_identity` });
  return new AddOp().apply([inputs, branch.apply(x) as KerasTensor]) as KerasTensor;
}

/** Keras' `ConvNeXt(depths, projection_dims, ...)`. */
async function convNeXt(variant: string, defaultName: string, fnName: string, args: ConvNeXtArgs): Promise<Model> {
  const { depths, projectionDims } = MODEL_CONFIGS[variant]!;
  const name = args.name ?? defaultName;
  const includePreprocessing = args.includePreprocessing ?? true;
  const r = await resolveApplicationArgs(args, fnName, {
    weights: (w) =>
      `The \`weights\` argument should be either \`None\` (random initialization), \`imagenet\` (pre-training on ImageNet), or the path to the weights file to be loaded. Received: weights=${w}`,
    classes: (c) => `If using \`weights="imagenet"\` with \`include_top=True\`, \`classes\` should be 1000. Received classes=${c}`,
  });
  const { includeTop, classes, classifierActivation, inputTensor } = r;
  const inputShape = applicationInputShape(args.inputShape, r, 224, 32);
  const img = imageInput(inputTensor, inputShape);
  // As Keras: with an input tensor, the graph starts at its (first) source Input.
  const inputs = inputTensor != null ? getSourceInputs(inputTensor)[0]! : img;
  let x = inputs;
  if (includePreprocessing && inputShape[2] === 3) {
    x = new Normalization({
      mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
      variance: [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
      name: `${name}_prestem_normalization`,
    }).apply(x) as KerasTensor;
  }

  const stem = new Sequential(
    [
      new Conv2D(projectionDims[0]!, 4, { strides: 4, name: `${name}_stem_conv` }),
      new LayerNormalization({ epsilon: 1e-6, name: `${name}_stem_layernorm` }),
    ],
    { name: `${name}_stem` },
  );
  const downsample: Layer[] = [stem];
  for (let i = 0; i < 3; i++) {
    downsample.push(
      new Sequential(
        [
          new LayerNormalization({ epsilon: 1e-6, name: `${name}_downsampling_layernorm_${i}` }),
          new Conv2D(projectionDims[i + 1]!, 2, { strides: 2, name: `${name}_downsampling_conv_${i}` }),
        ],
        { name: `${name}_downsampling_block_${i}` },
      ),
    );
  }
  // Every published variant uses drop_path_rate 0 (linspace(0, 0, n)) and layer scale 1e-6.
  for (let i = 0; i < 4; i++) {
    x = downsample[i]!.apply(x) as KerasTensor;
    for (let j = 0; j < depths[i]!; j++) x = convNeXtBlock(x, projectionDims[i]!, 0.0, 1e-6, `${name}_stage_${i}_block_${j}`);
  }

  if (includeTop) {
    x = new GlobalAveragePooling2D({ name: `${name}_head_gap` }).apply(x) as KerasTensor;
    x = new LayerNormalization({ epsilon: 1e-6, name: `${name}_head_layernorm` }).apply(x) as KerasTensor;
    x = new Dense(classes, { activation: classifierActivation, name: `${name}_head_dense` }).apply(x) as KerasTensor;
  } else {
    x = applyPooling(x, args.pooling);
    x = new LayerNormalization({ epsilon: 1e-6 }).apply(x) as KerasTensor;
  }
  // The graph starts at `inputs` (not at every source input of the tensor).
  return finishApplication(inputs, null, x, name, r.weights, imagenetFile(defaultName, name, includeTop), hideScalarOps);
}

/** Keras' weight file: named after the model name (`<name>[_notop].h5`), hash of the variant. */
export function imagenetFile(weightsName: string, name: string, includeTop: boolean): ImagenetWeightsFile {
  const fname = `${name}${includeTop ? '.h5' : '_notop.h5'}`;
  return { fname, origin: BASE_WEIGHTS_PATH + fname, fileHash: WEIGHTS_HASHES[weightsName]![includeTop ? 0 : 1] };
}

/** `keras.applications.ConvNeXtTiny`: named `convnext_tiny`, 28,589,128 parameters; takes [0, 255] pixels. */
export async function ConvNeXtTiny(args: ConvNeXtArgs = {}): Promise<Model> {
  return convNeXt('tiny', 'convnext_tiny', 'ConvNeXtTiny', args);
}

/** `keras.applications.ConvNeXtSmall`: named `convnext_small`, 50,223,688 parameters; takes [0, 255] pixels. */
export async function ConvNeXtSmall(args: ConvNeXtArgs = {}): Promise<Model> {
  return convNeXt('small', 'convnext_small', 'ConvNeXtSmall', args);
}

/** `keras.applications.ConvNeXtBase`: named `convnext_base`, 88,591,464 parameters; takes [0, 255] pixels. */
export async function ConvNeXtBase(args: ConvNeXtArgs = {}): Promise<Model> {
  return convNeXt('base', 'convnext_base', 'ConvNeXtBase', args);
}

/** `keras.applications.ConvNeXtLarge`: named `convnext_large`, 197,767,336 parameters; takes [0, 255] pixels. */
export async function ConvNeXtLarge(args: ConvNeXtArgs = {}): Promise<Model> {
  return convNeXt('large', 'convnext_large', 'ConvNeXtLarge', args);
}

/** `keras.applications.ConvNeXtXLarge`: named `convnext_xlarge`, 350,196,968 parameters; takes [0, 255] pixels. */
export async function ConvNeXtXLarge(args: ConvNeXtArgs = {}): Promise<Model> {
  return convNeXt('xlarge', 'convnext_xlarge', 'ConvNeXtXLarge', args);
}

/**
 * `keras.applications.convnext.preprocess_input`: a pass-through (the models normalize their
 * input themselves); returns `x` unchanged.
 */
export function preprocessInput<T>(x: T): T {
  return x;
}
