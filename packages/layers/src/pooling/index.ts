export { AveragePooling1D, type AveragePooling1DArgs } from './average-pooling1d';
export { AveragePooling2D, type AveragePooling2DArgs } from './average-pooling2d';
export { AveragePooling3D, type AveragePooling3DArgs } from './average-pooling3d';
export type { GlobalPoolingArgs, PoolingArgs } from './base-pooling';
export { GlobalAveragePooling1D, type GlobalAveragePooling1DArgs } from './global-average-pooling1d';
export { GlobalAveragePooling2D, type GlobalAveragePooling2DArgs } from './global-average-pooling2d';
export { GlobalAveragePooling3D, type GlobalAveragePooling3DArgs } from './global-average-pooling3d';
export { GlobalMaxPooling1D, type GlobalMaxPooling1DArgs } from './global-max-pooling1d';
export { GlobalMaxPooling2D, type GlobalMaxPooling2DArgs } from './global-max-pooling2d';
export { GlobalMaxPooling3D, type GlobalMaxPooling3DArgs } from './global-max-pooling3d';
export { MaxPooling1D, type MaxPooling1DArgs } from './max-pooling1d';
export { MaxPooling3D, type MaxPooling3DArgs } from './max-pooling3d';
export { AdaptiveAveragePooling2D, AdaptiveMaxPooling2D, type AdaptivePooling2DArgs } from './adaptive-pooling';
export {
  AdaptiveAveragePooling1D,
  AdaptiveMaxPooling1D,
  AdaptiveAveragePooling3D,
  AdaptiveMaxPooling3D,
  type AdaptivePooling1DArgs,
  type AdaptivePooling3DArgs,
} from './adaptive-pooling-1d3d';
