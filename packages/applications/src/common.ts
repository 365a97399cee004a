import { type Dim, type KerasTensor, ValueError } from '@strata/core';
import { type ActivationIdentifier, Dense, GlobalAveragePooling2D, GlobalMaxPooling2D, Input } from '@strata/layers';
import { Model } from '@strata/models';
import { type ApplicationArgs, checkInputTensor, checkPooling, fileOrUrlExists, getSourceInputs, obtainInputShape, validateActivation } from './imagenet-utils';
import { getFile, loadWeightsFile } from './weights';

/** Where Keras publishes an application's ImageNet weights. */
export interface ImagenetWeightsFile {
  fname: string;
  origin: string;
  /** md5 where Keras' source has a `file_hash`, else null. */
  fileHash: string | null;
}

/**
 * Keras' `<model>_weights_tf_dim_ordering_tf_kernels[_notop].h5` file under `baseUrl`, with the
 * md5 of the [with top, without top] files.
 */
export function tfKernelsWeightsFile(baseUrl: string, modelName: string, includeTop: boolean, hashes: readonly [string, string]): ImagenetWeightsFile {
  const fname = `${modelName}_weights_tf_dim_ordering_tf_kernels${includeTop ? '' : '_notop'}.h5`;
  return { fname, origin: baseUrl + fname, fileHash: hashes[includeTop ? 0 : 1] };
}

/** Keras' wording of the `weights` and `classes` errors, which differs from one application to another. */
export interface WeightsArgMessages {
  weights: (weights: string) => string;
  classes: (classes: number) => string;
}

/** The wording of keras/src/applications/resnet.py and vgg16.py / vgg19.py. */
export const RESNET_WEIGHTS_MESSAGES: WeightsArgMessages = {
  weights: (w) =>
    `The \`weights\` argument should be either \`None\` (random initialization), 'imagenet' (pre-training on ImageNet), or the path to the weights file to be loaded.  Received: weights=${w}`,
  classes: (c) => `If using \`weights='imagenet'\` with \`include_top=True\`, \`classes\` should be 1000.  Received classes=${c}`,
};

/** The common arguments with Keras' defaults, once checked. */
export interface ResolvedApplicationArgs {
  includeTop: boolean;
  weights: string | null;
  classes: number;
  classifierActivation: ActivationIdentifier;
  inputTensor: KerasTensor | null;
}

/**
 * What every application does first: Keras' defaults (`include_top` true, `weights` 'imagenet',
 * 1000 classes, softmax), the input tensor and pooling checks, then Keras' `weights` (None,
 * 'imagenet' or an existing file) and `classes` (1000 with the ImageNet top) checks, worded as
 * the application's Keras source words them.
 */
export async function resolveApplicationArgs(args: ApplicationArgs, fnName: string, messages: WeightsArgMessages): Promise<ResolvedApplicationArgs> {
  const includeTop = args.includeTop ?? true;
  const weights = args.weights === undefined ? 'imagenet' : args.weights;
  const classes = args.classes ?? 1000;
  const classifierActivation = args.classifierActivation === undefined ? 'softmax' : args.classifierActivation;
  const inputTensor = checkInputTensor(args.inputTensor, fnName);
  checkPooling(args.pooling, fnName);
  if (!(weights === 'imagenet' || weights == null || (typeof weights === 'string' && (await fileOrUrlExists(weights))))) {
    throw new ValueError(messages.weights(String(weights)));
  }
  if (weights === 'imagenet' && includeTop && classes !== 1000) throw new ValueError(messages.classes(classes));
  return { includeTop, weights, classes, classifierActivation, inputTensor };
}

/**
 * The image shape by Keras' `obtain_input_shape`, then the classifier activation check Keras
 * makes while building the top (made before any layer exists, so a refusal leaks nothing).
 */
export function applicationInputShape(inputShape: Dim[] | null | undefined, r: ResolvedApplicationArgs, defaultSize: number, minSize: number): Dim[] {
  const shape = obtainInputShape(inputShape, defaultSize, minSize, r.includeTop, r.weights);
  if (r.includeTop) validateActivation(r.classifierActivation, r.weights);
  return shape;
}

/**
 * Keras' usual head: with the top, `avg_pool` global average pooling and the `predictions`
 * Dense; without it, the optional global pooling (named by `poolingNames` where Keras names it).
 */
export function applyClassifier(x: KerasTensor, r: ResolvedApplicationArgs, pooling: ApplicationArgs['pooling'], poolingNames?: { avg: string; max: string }): KerasTensor {
  if (!r.includeTop) return applyPooling(x, pooling, poolingNames);
  const pooled = new GlobalAveragePooling2D({ name: 'avg_pool' }).apply(x);
  return new Dense(r.classes, { activation: r.classifierActivation, name: 'predictions' }).apply(pooled);
}

/** The image input: the given Keras tensor, else a new `Input` of `shape`. */
export function imageInput(inputTensor: KerasTensor | null, shape: (number | null)[]): KerasTensor {
  return inputTensor ?? Input({ shape });
}

/** The unnamed global pooling Keras adds to a headless model for `pooling: 'avg' | 'max'`. */
export function applyPooling(x: KerasTensor, pooling: 'avg' | 'max' | null | undefined, names?: { avg: string; max: string }): KerasTensor {
  if (pooling === 'avg') return new GlobalAveragePooling2D(names ? { name: names.avg } : {}).apply(x);
  if (pooling === 'max') return new GlobalMaxPooling2D(names ? { name: names.max } : {}).apply(x);
  return x;
}

/**
 * Makes the Functional model (inputs = the source inputs of `inputTensor` when given, as Keras'
 * `get_source_inputs`) and loads its weights: the ImageNet file from the cache or Keras' URL,
 * or a user file. On a failed load the model is disposed so no variable leaks. `prepare` adjusts
 * the new model before its weights load (e.g. hiding raw ops from `model.layers`).
 */
export async function finishApplication(
  img: KerasTensor,
  inputTensor: KerasTensor | null,
  output: KerasTensor,
  name: string,
  weights: string | null,
  imagenet: ImagenetWeightsFile | null,
  prepare: (model: Model) => Model = (m) => m,
): Promise<Model> {
  const inputs = inputTensor != null ? getSourceInputs(inputTensor) : [img];
  const model = prepare(new Model({ inputs: inputs.length === 1 ? inputs[0]! : inputs, outputs: output, name }));
  try {
    if (weights === 'imagenet' && imagenet != null) {
      const file = await getFile(imagenet.fname, imagenet.origin, { fileHash: imagenet.fileHash, cacheSubdir: 'models' });
      await loadWeightsFile(model, file.path ?? imagenet.fname, file.bytes);
    } else if (weights != null && weights !== 'imagenet') {
      await loadWeightsFile(model, weights);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
