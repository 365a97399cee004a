// @strata/applications: Keras' pretrained architectures (keras.applications) with their weight
// files, preprocessInput and decodePredictions.
export { VGG16, VGG19 } from './vgg';
export { ResNet50, ResNet101, ResNet152, ResNet50V2, ResNet101V2, ResNet152V2 } from './resnet';
export { MobileNet, type MobileNetArgs } from './mobilenet';
export { MobileNetV2, type MobileNetV2Args } from './mobilenet-v2';
export { DenseNet121, DenseNet169, DenseNet201, densenetPreprocessInput } from './densenet';
export { InceptionV3, inceptionV3PreprocessInput } from './inception-v3';
export { Xception, xceptionPreprocessInput } from './xception';
export {
  MobileNetV3Small,
  MobileNetV3Large,
  type MobileNetV3Args,
  ScalarOp,
  preprocessInput as mobilenetV3PreprocessInput,
} from './mobilenet-v3';
export {
  EfficientNetB0,
  EfficientNetB1,
  EfficientNetB2,
  EfficientNetB3,
  EfficientNetB4,
  EfficientNetB5,
  EfficientNetB6,
  EfficientNetB7,
  type EfficientNetArgs,
  type EfficientNetBlockArgs,
  DEFAULT_BLOCKS_ARGS,
  preprocessInput as efficientnetPreprocessInput,
} from './efficientnet';
export {
  ConvNeXtTiny,
  ConvNeXtSmall,
  ConvNeXtBase,
  ConvNeXtLarge,
  ConvNeXtXLarge,
  type ConvNeXtArgs,
  LayerScale,
  StochasticDepth,
  AddOp,
  preprocessInput as convnextPreprocessInput,
} from './convnext';
export {
  type ApplicationArgs,
  type PreprocessMode,
  type PreprocessInputOptions,
  preprocessInput,
  obtainInputShape,
  correctPad,
} from './imagenet-utils';
export { getFile, loadWeightsFile, md5Hex, hashBytes, type GetFileOptions, type FetchedFile } from './weights';
export { IMAGENET_CLASS_INDEX } from './imagenet-class-index';
export {
  decodePredictions,
  loadClassIndex,
  type ClassIndex,
  type DecodePredictionsOptions,
  CLASS_INDEX_URL,
  CLASS_INDEX_MD5,
} from './decode-predictions';
