export {
  registerKerasSerializable,
  serializeKerasObject,
  deserializeKerasObject,
  type Config,
  type SerializedObject,
  type CustomObjects,
} from '@strata/core';
export { loadModel, saveModel, saveWeights, loadWeights } from '@strata/io';
