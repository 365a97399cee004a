export { Rescaling, type RescalingArgs } from './rescaling';
export { Normalization, type NormalizationArgs } from './normalization';
export { CenterCrop, type CenterCropArgs } from './center-crop';
export { Resizing, type ResizingArgs } from './resizing';
export { RandomFlip, type RandomFlipArgs, type FlipMode } from './random-flip';
export { RandomCrop, type RandomCropArgs } from './random-crop';
export { RandomContrast, type RandomContrastArgs } from './random-contrast';
export { RandomBrightness, type RandomBrightnessArgs } from './random-brightness';
export {
  RandomTranslation,
  type RandomTranslationArgs,
  RandomRotation,
  type RandomRotationArgs,
  RandomZoom,
  type RandomZoomArgs,
} from './random-affine';
export { type FillMode, affineTransform } from './affine';
export { CategoryEncoding, type CategoryEncodingArgs } from './category-encoding';
export { Discretization, type DiscretizationArgs } from './discretization';
export { Hashing, type HashingArgs } from './hashing';
export { IntegerLookup, type IntegerLookupArgs, StringLookup, type StringLookupArgs } from './index-lookup';
export { TextVectorization, type TextVectorizationArgs } from './text-vectorization';
