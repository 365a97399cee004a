import type { KerasTensor } from '@strata/core';
import { GlobalAveragePooling2D, GlobalMaxPooling2D, Input } from '@strata/layers';
import { Model } from '@strata/models';
import { getSourceInputs } from './imagenet-utils';
import { getFile, loadWeightsFile } from './weights';

/** Where Keras publishes an application's ImageNet weights. */
export interface ImagenetWeightsFile {
  fname: string;
  origin: string;
  /** md5 where Keras' source has a `file_hash`, else null. */
  fileHash: string | null;
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
 * or a user file. On a failed load the model is disposed so no variable leaks.
 */
export async function finishApplication(
  img: KerasTensor,
  inputTensor: KerasTensor | null,
  output: KerasTensor,
  name: string,
  weights: string | null,
  imagenet: ImagenetWeightsFile | null,
): Promise<Model> {
  const inputs = inputTensor != null ? getSourceInputs(inputTensor) : [img];
  const model = new Model({ inputs: inputs.length === 1 ? inputs[0]! : inputs, outputs: output, name });
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
