import { type Config, type Dim, type KerasTensor, type Shape, type Tensor, ValueError, ops, registerClass, tidy } from '@strata/core';
import {
  Activation,
  Add,
  BatchNormalization,
  Conv2D,
  DepthwiseConv2D,
  Dropout,
  Flatten,
  GlobalAveragePooling2D,
  Layer,
  type LayerArgs,
  type LayerOutput,
  Multiply,
  ReLU,
  Rescaling,
  ZeroPadding2D,
} from '@strata/layers';
import { Model } from '@strata/models';
import { type ImagenetWeightsFile, applyPooling, finishApplication, imageInput, resolveApplicationArgs } from './common';
import { type ApplicationArgs, correctPad, pyShape, validateActivation } from './imagenet-utils';
import { makeDivisible } from './mobilenet-v2';

const BASE_WEIGHT_PATH = 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/';

/** Keras' md5 of each published file: [with top, without top (`_no_top_v2`)]. */
const WEIGHTS_HASHES: Record<string, [string, string]> = {
  'large_224_0.75_float': ['765b44a33ad4005b3ac83185abf1d0eb', '40af19a13ebea4e2ee0c676887f69a2e'],
  'large_224_1.0_float': ['59e551e166be033d707958cf9e29a6a7', '07fb09a5933dd0c8eaafa16978110389'],
  'large_minimalistic_224_1.0_float': ['675e7b876c45c57e9e63e6d90a36599c', 'ec5221f64a2f6d1ef965a614bdae7973'],
  'small_224_0.75_float': ['cb65d4e5be93758266aa0a7f2c6708b7', 'ebdb5cc8e0b497cd13a7c275d475c819'],
  'small_224_1.0_float': ['8768d4c2e7dee89b9d02b2d03d65d862', 'd3e8ec802a04aa4fc771ee12a9a9b836'],
  'small_minimalistic_224_1.0_float': ['99cd97fb2fcdad2bf028eb838de69e37', 'cde8136e733e811080d9fcd8a252f7e4'],
};

/** MobileNetV3Small / MobileNetV3Large arguments (Keras' names, camelCased). */
export interface MobileNetV3Args extends ApplicationArgs {
  /** Width multiplier (default 1.0); ImageNet weights exist for 0.75 and 1.0 (1.0 only when minimalistic). */
  alpha?: number;
  /** The variant without squeeze-and-excite, hard-swish and 5x5 kernels (default false). */
  minimalistic?: boolean;
  /** Dropout rate before the `logits` convolution (default 0.2; 0 adds no Dropout layer). */
  dropoutRate?: number;
  /** Put the `Rescaling(1/127.5, -1)` layer at the bottom, so the model takes [0, 255] pixels (default true). */
  includePreprocessing?: boolean;
}

// ------------------------------------------------------------------------------------------------
// Keras' hard_sigmoid here is `ReLU(6.0)(x + 3.0) * (1.0 / 6.0)`: the `+` and `*` are raw ops on
// Keras tensors, which Keras keeps as graph nodes but leaves out of `model.layers`. Strata graphs
// are made of layers only, so those two ops are `ScalarOp` layers that the model hides from
// `layers` (see `hideScalarOps`), keeping Keras' layer list, names, order and auto-name counters.

/** `ScalarOp` arguments: the elementwise operation with a constant. */
export interface ScalarOpArgs extends LayerArgs {
  /** 'add' (`x + value`) or 'multiply' (`x * value`). */
  op: 'add' | 'multiply';
  value: number;
}

/**
 * A raw `x + c` / `x * c` op of a Keras Functional graph as a weightless layer (Keras' `ops.add`
 * or `ops.multiply` applied to a Keras tensor and a Python number).
 */
export class ScalarOp extends Layer {
  static override className = 'ScalarOp';
  /** Marks a raw Keras op: hidden from `model.layers` by `hideScalarOps`. */
  static readonly rawOp = true;

  readonly op: 'add' | 'multiply';
  readonly value: number;

  constructor(args: ScalarOpArgs) {
    super(args);
    if (args.op !== 'add' && args.op !== 'multiply') {
      throw new ValueError(`ScalarOp: \`op\` must be 'add' or 'multiply'. Received: op=${String(args.op)}`);
    }
    if (typeof args.value !== 'number' || !Number.isFinite(args.value)) {
      throw new ValueError(`ScalarOp: \`value\` must be a finite number. Received: value=${String(args.value)}`);
    }
    this.op = args.op;
    this.value = args.value;
    this.built = true;
  }

  override call(inputs: LayerOutput): Tensor {
    return tidy(() => (this.op === 'add' ? ops.add(inputs as Tensor, this.value) : ops.multiply(inputs as Tensor, this.value)));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), op: this.op, value: this.value };
  }
}
registerClass('layer', ScalarOp, { module: 'strata.applications', className: 'ScalarOp' });

/**
 * Keras' `model.layers` of a Functional model lists Layers only, not raw ops: leave the raw-op
 * layers (`ScalarOp` and others whose class has `rawOp = true`) out.
 */
export function hideScalarOps(model: Model): Model {
  const graphLayers = Object.getOwnPropertyDescriptor(Model.prototype, 'layers')!.get!;
  Object.defineProperty(model, 'layers', {
    configurable: true,
    get: () => (graphLayers.call(model) as Layer[]).filter((l) => (l.constructor as { rawOp?: boolean }).rawOp !== true),
  });
  return model;
}

/** `ScalarOp`s are auto-named `scalar_op[_n]`: a counter of their own, so Keras' layer counters are unchanged. */
function scalarOp(x: KerasTensor, op: 'add' | 'multiply', value: number): KerasTensor {
  return new ScalarOp({ op, value }).apply(x) as KerasTensor;
}

// ------------------------------------------------------------------------------------------------

type Act = (x: KerasTensor) => KerasTensor;

/** Keras' `relu`: an unnamed `ReLU()` layer. */
const relu: Act = (x) => new ReLU().apply(x) as KerasTensor;

/** Keras 3's MobileNetV3 `hard_sigmoid`: `ReLU(6)(x + 3) / 6`. */
const hardSigmoid: Act = (x) => scalarOp(new ReLU(6.0).apply(scalarOp(x, 'add', 3.0)) as KerasTensor, 'multiply', 1.0 / 6.0);

/** Keras' `hard_swish`: an unnamed `Activation('hard_swish')` layer (`x * relu6(x + 3) / 6`). */
const hardSwish: Act = (x) => new Activation('hard_swish').apply(x) as KerasTensor;

function bn(name: string): BatchNormalization {
  return new BatchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name });
}

/** Keras' `_se_block`: squeeze (global average), excite (1x1 convs, ReLU, hard sigmoid), scale the input. */
function seBlock(inputs: KerasTensor, filters: number, seRatio: number, prefix: string): KerasTensor {
  let x = new GlobalAveragePooling2D({ keepdims: true, name: `${prefix}squeeze_excite_avg_pool` }).apply(inputs) as KerasTensor;
  x = new Conv2D(makeDivisible(filters * seRatio, 8), 1, { padding: 'same', name: `${prefix}squeeze_excite_conv` }).apply(x) as KerasTensor;
  x = new ReLU({ name: `${prefix}squeeze_excite_relu` }).apply(x) as KerasTensor;
  x = new Conv2D(filters, 1, { padding: 'same', name: `${prefix}squeeze_excite_conv_1` }).apply(x) as KerasTensor;
  x = hardSigmoid(x);
  return new Multiply({ name: `${prefix}squeeze_excite_mul` }).apply([inputs, x]) as KerasTensor;
}

/** Keras' MobileNetV3 `_inverted_res_block`: 1x1 expand (not in block 0), depthwise, optional SE, linear 1x1 projection, residual Add. */
function invertedResBlock(
  x0: KerasTensor,
  expansion: number,
  filters: number,
  kernelSize: number,
  stride: number,
  seRatio: number | null,
  activation: Act,
  blockId: number,
): KerasTensor {
  const inFilters = x0.shape[3] as number;
  let x = x0;
  let prefix = 'expanded_conv_';
  if (blockId) {
    prefix = `expanded_conv_${blockId}_`;
    x = new Conv2D(makeDivisible(inFilters * expansion, 8), 1, { padding: 'same', useBias: false, name: `${prefix}expand` }).apply(x) as KerasTensor;
    x = bn(`${prefix}expand_bn`).apply(x) as KerasTensor;
    x = activation(x);
  }
  if (stride === 2) x = new ZeroPadding2D(correctPad(x, kernelSize), { name: `${prefix}depthwise_pad` }).apply(x) as KerasTensor;
  x = new DepthwiseConv2D(kernelSize, {
    strides: stride,
    padding: stride === 1 ? 'same' : 'valid',
    useBias: false,
    name: `${prefix}depthwise`,
  }).apply(x) as KerasTensor;
  x = bn(`${prefix}depthwise_bn`).apply(x) as KerasTensor;
  x = activation(x);
  if (seRatio) x = seBlock(x, makeDivisible(inFilters * expansion, 8), seRatio, prefix);
  x = new Conv2D(filters, 1, { padding: 'same', useBias: false, name: `${prefix}project` }).apply(x) as KerasTensor;
  x = bn(`${prefix}project_bn`).apply(x) as KerasTensor;
  if (stride === 1 && inFilters === filters) x = new Add({ name: `${prefix}add` }).apply([x0, x]) as KerasTensor;
  return x;
}

/** One `_inverted_res_block` call of a stack: expansion, filters (before alpha), kernel, stride, SE, activation. */
type BlockSpec = [expansion: number, filters: number, kernel: 3 | 'k', stride: 1 | 2, se: boolean, act: 'relu' | 'a'];

// 'k' is the variant's kernel (5, or 3 when minimalistic); 'a' its activation (hard_swish, or relu);
// SE blocks use the variant's se_ratio (0.25, or none when minimalistic).
const SMALL: BlockSpec[] = [
  [1, 16, 3, 2, true, 'relu'],
  [72.0 / 16, 24, 3, 2, false, 'relu'],
  [88.0 / 24, 24, 3, 1, false, 'relu'],
  [4, 40, 'k', 2, true, 'a'],
  [6, 40, 'k', 1, true, 'a'],
  [6, 40, 'k', 1, true, 'a'],
  [3, 48, 'k', 1, true, 'a'],
  [3, 48, 'k', 1, true, 'a'],
  [6, 96, 'k', 2, true, 'a'],
  [6, 96, 'k', 1, true, 'a'],
  [6, 96, 'k', 1, true, 'a'],
];

const LARGE: BlockSpec[] = [
  [1, 16, 3, 1, false, 'relu'],
  [4, 24, 3, 2, false, 'relu'],
  [3, 24, 3, 1, false, 'relu'],
  [3, 40, 'k', 2, true, 'relu'],
  [3, 40, 'k', 1, true, 'relu'],
  [3, 40, 'k', 1, true, 'relu'],
  [6, 80, 3, 2, false, 'a'],
  [2.5, 80, 3, 1, false, 'a'],
  [2.3, 80, 3, 1, false, 'a'],
  [2.3, 80, 3, 1, false, 'a'],
  [6, 112, 3, 1, true, 'a'],
  [6, 112, 3, 1, true, 'a'],
  [6, 160, 'k', 2, true, 'a'],
  [6, 160, 'k', 1, true, 'a'],
  [6, 160, 'k', 1, true, 'a'],
];

/** Python's `str(float)` for the weight file names: 1 -> '1.0', 0.75 -> '0.75'. */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

function shapeText(shape: readonly Dim[]): string {
  return pyShape(shape);
}

/** Keras' `MobileNetV3(stack_fn, last_point_ch, ...)` shared by the Small and Large variants. */
async function mobileNetV3(stack: BlockSpec[], lastPointCh: number, modelType: 'small' | 'large', fnName: string, args: MobileNetV3Args): Promise<Model> {
  const alpha = args.alpha ?? 1.0;
  const minimalistic = args.minimalistic ?? false;
  const dropoutRate = args.dropoutRate ?? 0.2;
  const includePreprocessing = args.includePreprocessing ?? true;
  if (typeof alpha !== 'number' || !(alpha > 0)) throw new ValueError(`${fnName}: \`alpha\` must be a positive number. Received: alpha=${String(alpha)}`);
  if (typeof dropoutRate !== 'number' || !(dropoutRate >= 0 && dropoutRate < 1)) {
    throw new ValueError(`${fnName}: \`dropoutRate\` must be in [0, 1). Received: dropout_rate=${String(dropoutRate)}`);
  }
  const { includeTop, weights, classes, classifierActivation, inputTensor } = await resolveApplicationArgs(args, fnName, {
    weights: (w) =>
      `The \`weights\` argument should be either \`None\` (random initialization), \`imagenet\` (pre-training on ImageNet), or the path to the weights file to be loaded.  Received weights=${w}`,
    classes: (c) => `If using \`weights="imagenet"\` with \`include_top\` as true, \`classes\` should be 1000.  Received classes=${c}`,
  });

  // Input shape as Keras' MobileNetV3 works it out (not obtain_input_shape): from input_shape,
  // else from the tensor (Keras builds it as (cols, rows, 3)), else (None, None, 3).
  let inputShape: Dim[] | null = args.inputShape != null ? [...args.inputShape] : null;
  if (inputShape != null && inputTensor != null && inputTensor.shape[2] !== inputShape[1]) {
    throw new ValueError(
      `input_shape[1] must equal input_tensor.shape[2].  Received input_shape=${shapeText(inputShape)}, input_tensor.shape=${shapeText(inputTensor.shape)}`,
    );
  }
  if (inputShape == null && inputTensor != null) inputShape = [inputTensor.shape[2] ?? null, inputTensor.shape[1] ?? null, 3];
  if (inputShape == null) inputShape = [null, null, 3];
  const rows = inputShape[0] ?? null;
  const cols = inputShape[1] ?? null;
  if (rows && cols && (rows < 32 || cols < 32)) {
    throw new ValueError(`Input size must be at least 32x32; Received \`input_shape=${shapeText(inputShape)}\``);
  }
  if (weights === 'imagenet') {
    if ((!minimalistic && alpha !== 0.75 && alpha !== 1.0) || (minimalistic && alpha !== 1.0)) {
      throw new ValueError(
        `If imagenet weights are being loaded, alpha can be one of \`0.75\`, \`1.0\` for non minimalistic or \`1.0\` for minimalistic only. Received: alpha=${alpha}, minimalistic=${minimalistic}`,
      );
    }
    if (rows !== cols || rows !== 224) {
      console.warn('`input_shape` is undefined or non-square, or `rows` is not 224. Weights for input shape (224, 224) will be loaded as the default.');
    }
  }
  // Keras checks this while building the top; checking before any layer exists leaks nothing.
  if (includeTop) validateActivation(classifierActivation, weights);

  const kernel = minimalistic ? 3 : 5;
  const activation = minimalistic ? relu : hardSwish;
  const seRatio = minimalistic ? null : 0.25;

  const img = imageInput(inputTensor, inputShape);
  let x: KerasTensor = img;
  if (includePreprocessing) x = new Rescaling({ scale: 1.0 / 127.5, offset: -1.0 }).apply(x) as KerasTensor;
  x = new Conv2D(16, 3, { strides: [2, 2], padding: 'same', useBias: false, name: 'conv' }).apply(x) as KerasTensor;
  x = bn('conv_bn').apply(x) as KerasTensor;
  x = activation(x);

  stack.forEach(([expansion, filters, k, stride, se, act], id) => {
    x = invertedResBlock(x, expansion, makeDivisible(filters * alpha, 8), k === 'k' ? kernel : k, stride, se ? seRatio : null, act === 'relu' ? relu : activation, id);
  });

  const lastConvCh = makeDivisible((x.shape[3] as number) * 6, 8);
  // Only a width multiplier above 1 widens the last point-wise layer.
  const lastPoint = alpha > 1.0 ? makeDivisible(lastPointCh * alpha, 8) : lastPointCh;
  x = new Conv2D(lastConvCh, 1, { padding: 'same', useBias: false, name: 'conv_1' }).apply(x) as KerasTensor;
  x = bn('conv_1_bn').apply(x) as KerasTensor;
  x = activation(x);
  if (includeTop) {
    x = new GlobalAveragePooling2D({ keepdims: true }).apply(x) as KerasTensor;
    x = new Conv2D(lastPoint, 1, { padding: 'same', useBias: true, name: 'conv_2' }).apply(x) as KerasTensor;
    x = activation(x);
    if (dropoutRate > 0) x = new Dropout(dropoutRate).apply(x) as KerasTensor;
    x = new Conv2D(classes, 1, { padding: 'same', name: 'logits' }).apply(x) as KerasTensor;
    x = new Flatten().apply(x) as KerasTensor;
    x = new Activation(classifierActivation, { name: 'predictions' }).apply(x) as KerasTensor;
  } else {
    x = applyPooling(x, args.pooling, { avg: 'avg_pool', max: 'max_pool' });
  }
  // Keras publishes files only for some alpha values (checked above when loading them).
  const file = weights === 'imagenet' ? imagenetFile(modelType, minimalistic, alpha, includeTop) : null;
  return finishApplication(img, inputTensor, x, args.name ?? fnName, weights, file, hideScalarOps);
}

/** Keras' published MobileNetV3 weight file for a variant (`weights_mobilenet_v3_<model>[_no_top_v2].h5`). */
export function imagenetFile(modelType: 'small' | 'large', minimalistic: boolean, alpha: number, includeTop: boolean): ImagenetWeightsFile {
  const modelName = `${modelType}${minimalistic ? '_minimalistic' : ''}_224_${pyFloat(alpha)}_float`;
  const hashes = WEIGHTS_HASHES[modelName]!;
  const fname = includeTop ? `weights_mobilenet_v3_${modelName}.h5` : `weights_mobilenet_v3_${modelName}_no_top_v2.h5`;
  return { fname, origin: BASE_WEIGHT_PATH + fname, fileHash: includeTop ? hashes[0] : hashes[1] };
}

/**
 * `keras.applications.MobileNetV3Small`: Keras' layer names, classes, order and weight shapes
 * for every `alpha` and `minimalistic`, named `MobileNetV3Small` (2,554,968 parameters at alpha 1).
 * The model takes [0, 255] pixels (a `Rescaling` layer is included) unless
 * `includePreprocessing: false`, then [-1, 1]. ImageNet weights exist for alpha 0.75 and 1.0
 * (1.0 only when minimalistic), for 224x224 inputs.
 */
export async function MobileNetV3Small(args: MobileNetV3Args = {}): Promise<Model> {
  return mobileNetV3(SMALL, 1024, 'small', 'MobileNetV3Small', args);
}

/**
 * `keras.applications.MobileNetV3Large`: Keras' layer names, classes, order and weight shapes
 * for every `alpha` and `minimalistic`, named `MobileNetV3Large` (5,507,432 parameters at alpha 1).
 * The model takes [0, 255] pixels (a `Rescaling` layer is included) unless
 * `includePreprocessing: false`, then [-1, 1]. ImageNet weights exist for alpha 0.75 and 1.0
 * (1.0 only when minimalistic), for 224x224 inputs.
 */
export async function MobileNetV3Large(args: MobileNetV3Args = {}): Promise<Model> {
  return mobileNetV3(LARGE, 1280, 'large', 'MobileNetV3Large', args);
}

/**
 * `keras.applications.mobilenet_v3.preprocess_input`: a pass-through (the models rescale their
 * input themselves); returns `x` unchanged.
 */
export function preprocessInput<T>(x: T): T {
  return x;
}
