import { type Dim, type KerasTensor, type Tensor, type TensorLike, ValueError, convertToTensor, isKerasTensor, ops, tidy } from '@strata/core';
import { type ActivationIdentifier, type Layer, getActivation } from '@strata/layers';

/** Options every Keras Application constructor shares (Keras' arguments, camelCased). */
export interface ApplicationArgs {
  /** Include the classifier at the top of the network (default true). */
  includeTop?: boolean;
  /** `'imagenet'` (default), `null` (random init), or a path/URL of a Keras `.h5` / `.weights.h5` file. */
  weights?: 'imagenet' | string | null;
  /** A Keras tensor (output of `Input()` or of a layer) to use as the image input. */
  inputTensor?: KerasTensor | null;
  /** Image shape without the batch axis, channels last, e.g. `[224, 224, 3]`. */
  inputShape?: Dim[] | null;
  /** Global pooling of the features when `includeTop` is false. */
  pooling?: 'avg' | 'max' | null;
  /** Number of classes of the top classifier (default 1000). */
  classes?: number;
  /** Activation of the top classifier (default `'softmax'`; `null` returns logits). */
  classifierActivation?: ActivationIdentifier;
  /** Model name (Keras' `name` argument where the function has one). */
  name?: string;
}

/** Keras' `imagenet_utils.obtain_input_shape` for channels_last (the only data format here). */
export function obtainInputShape(
  inputShape: Dim[] | null | undefined,
  defaultSize: number,
  minSize: number,
  requireFlatten: boolean,
  weights: string | null,
): Dim[] {
  let defaultShape: Dim[];
  if (weights !== 'imagenet' && inputShape != null && inputShape.length === 3) {
    const channels = inputShape[2];
    if (channels !== 1 && channels !== 3) {
      console.warn(`This model usually expects 1 or 3 input channels. However, it was passed an input_shape with ${channels} input channels.`);
    }
    defaultShape = [defaultSize, defaultSize, channels ?? null];
  } else {
    defaultShape = [defaultSize, defaultSize, 3];
  }
  if (weights === 'imagenet' && requireFlatten) {
    if (inputShape != null && !sameShape(inputShape, defaultShape)) {
      throw new ValueError(
        `When setting \`include_top=True\` and loading \`imagenet\` weights, \`input_shape\` should be ${pyShape(defaultShape)}.  Received: input_shape=${pyShape(inputShape)}`,
      );
    }
    return defaultShape;
  }
  let shape: Dim[];
  if (inputShape != null && inputShape.length > 0) {
    if (inputShape.length !== 3) throw new ValueError('`input_shape` must be a tuple of three integers.');
    if (inputShape[2] !== 3 && weights === 'imagenet') {
      throw new ValueError(`The input must have 3 channels; Received \`input_shape=${pyShape(inputShape)}\``);
    }
    const [h, w] = inputShape;
    if ((h != null && h < minSize) || (w != null && w < minSize)) {
      throw new ValueError(`Input size must be at least ${minSize}x${minSize}; Received: input_shape=${pyShape(inputShape)}`);
    }
    shape = [...inputShape];
  } else {
    shape = requireFlatten ? defaultShape : [null, null, 3];
  }
  if (requireFlatten && shape.some((d) => d == null)) {
    throw new ValueError(`If \`include_top\` is True, you should specify a static \`input_shape\`. Received: input_shape=${pyShape(shape)}`);
  }
  return shape;
}

function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A shape as Python prints a tuple: `(224, 224, 3)`, `(None, None, 3)`. */
export function pyShape(shape: readonly Dim[]): string {
  const parts = shape.map((d) => (d == null ? 'None' : String(d)));
  return `(${parts.join(', ')}${parts.length === 1 ? ',' : ''})`;
}

/** Keras' `imagenet_utils.correct_pad`: the ZeroPadding2D before a stride-2 'valid' convolution. */
export function correctPad(inputs: KerasTensor, kernelSize: number | [number, number]): [[number, number], [number, number]] {
  const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
  const h = inputs.shape[1];
  const w = inputs.shape[2];
  // Unknown sizes pad as even ones, as in Keras.
  const adjust = h == null ? [1, 1] : [1 - (h % 2), 1 - ((w ?? 0) % 2)];
  const correct = [Math.floor(kh / 2), Math.floor(kw / 2)];
  return [
    [correct[0]! - adjust[0]!, correct[0]!],
    [correct[1]! - adjust[1]!, correct[1]!],
  ];
}

/** Keras' `imagenet_utils.validate_activation`: pretrained tops allow only softmax or linear. */
export function validateActivation(classifierActivation: ActivationIdentifier, weights: string | null): void {
  if (weights == null) return;
  const fn = getActivation(classifierActivation);
  if (fn !== getActivation('softmax') && fn !== getActivation(null)) {
    const shown = typeof classifierActivation === 'string' ? classifierActivation : (classifierActivation as { name?: string })?.name ?? String(classifierActivation);
    throw new ValueError(
      `Only \`None\` and \`softmax\` activations are allowed for the \`classifier_activation\` argument when using pretrained weights, with \`include_top=True\`; Received: classifier_activation=${shown}`,
    );
  }
}

/** Keras' `operation_utils.get_source_inputs`: the Input tensors a Keras tensor comes from. */
export function getSourceInputs(tensor: KerasTensor): KerasTensor[] {
  const history = tensor.kerasHistory;
  if (history == null) return [tensor];
  const layer = history.operation as Layer;
  const node = layer.inboundNodes[history.nodeIndex]!;
  if (node.isInput) return [tensor];
  const out: KerasTensor[] = [];
  for (const t of node.inputTensors) {
    for (const s of getSourceInputs(t)) if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** The image input of an application: `inputTensor` when given (a Keras tensor), else a new `Input`. */
export function checkInputTensor(inputTensor: unknown, fn: string): KerasTensor | null {
  if (inputTensor == null) return null;
  if (!isKerasTensor(inputTensor)) {
    throw new ValueError(
      `${fn}: \`inputTensor\` must be a Keras tensor (the output of \`Input()\` or of a layer called on one); Received: ${Object.prototype.toString.call(inputTensor)}`,
    );
  }
  return inputTensor as KerasTensor;
}

/** Keras' `file_utils.exists`: a URL is taken as existing (it is fetched when loading); a path must exist. */
export async function fileOrUrlExists(path: string): Promise<boolean> {
  if (/^https?:\/\//i.test(path)) return true;
  if (!isNode()) return false;
  const fs = await import('node:fs');
  return fs.existsSync(path);
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && process.versions?.node != null;
}

/** `pooling` must be null, 'avg' or 'max' (Keras silently ignores other values; Strata refuses them). */
export function checkPooling(pooling: unknown, fn: string): void {
  if (pooling != null && pooling !== 'avg' && pooling !== 'max') {
    throw new ValueError(`${fn}: \`pooling\` must be null, 'avg' or 'max'; Received: pooling=${String(pooling)}`);
  }
}

/** Preprocessing modes of Keras' `imagenet_utils.preprocess_input`. */
export type PreprocessMode = 'caffe' | 'tf' | 'torch';

export interface PreprocessInputOptions {
  /** 'caffe' (default; RGB->BGR, minus the ImageNet BGR means), 'tf' (to [-1, 1]) or 'torch' (/255, ImageNet mean/std). */
  mode?: PreprocessMode;
  /** Only 'channels_last' (or null) is supported. */
  dataFormat?: 'channels_last' | 'channels_first' | null;
}

const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];
const TORCH_MEAN = [0.485, 0.456, 0.406];
const TORCH_STD = [0.229, 0.224, 0.225];

/**
 * `keras.applications.imagenet_utils.preprocess_input`: RGB images with values in [0, 255]
 * (3D or 4D, channels last) to the input each family's weights were trained on. Returns a new
 * float32 tensor (the input is not changed).
 */
export function preprocessInput(x: Tensor | TensorLike, options: PreprocessInputOptions = {}): Tensor {
  const mode = options.mode ?? 'caffe';
  if (mode !== 'caffe' && mode !== 'tf' && mode !== 'torch') {
    throw new ValueError(`Expected mode to be one of \`caffe\`, \`tf\` or \`torch\`. Received: mode=${String(mode)}`);
  }
  const dataFormat = options.dataFormat ?? 'channels_last';
  if (dataFormat !== 'channels_last' && dataFormat !== 'channels_first') {
    throw new ValueError(`Expected data_format to be one of \`channels_first\` or \`channels_last\`. Received: data_format=${String(dataFormat)}`);
  }
  if (dataFormat === 'channels_first') {
    throw new ValueError("preprocessInput: data_format='channels_first' is not supported (Strata images are channels_last).");
  }
  return tidy(() => {
    const t = ops.cast(convertToTensor(x as TensorLike), 'float32');
    const last = t.shape[t.rank - 1];
    if (mode === 'tf') return ops.subtract(ops.divide(t, 127.5), 1);
    if (last !== 3) {
      throw new ValueError(`preprocessInput(mode='${mode}'): the last axis must hold 3 color channels; Received shape [${t.shape.join(', ')}]`);
    }
    if (mode === 'torch') {
      const scaled = ops.divide(t, 255);
      return ops.divide(ops.subtract(scaled, convertToTensor(TORCH_MEAN)), convertToTensor(TORCH_STD));
    }
    const bgr = ops.flip(t, -1);
    return ops.subtract(bgr, convertToTensor(CAFFE_MEAN_BGR));
  });
}

