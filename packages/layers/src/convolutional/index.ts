// The convolution layers added beside Conv2D (the package index wires Conv2D itself).
export { Conv1D, type Conv1DArgs } from './conv1d';
export { Conv3D, type Conv3DArgs } from './conv3d';
export { DepthwiseConv1D, type DepthwiseConv1DArgs } from './depthwise-conv1d';
export { DepthwiseConv2D, type DepthwiseConv2DArgs } from './depthwise-conv2d';
export { SeparableConv1D, type SeparableConv1DArgs } from './separable-conv1d';
export { SeparableConv2D, type SeparableConv2DArgs } from './separable-conv2d';
export { Conv1DTranspose, type Conv1DTransposeArgs } from './conv1d-transpose';
export { Conv2DTranspose, type Conv2DTransposeArgs } from './conv2d-transpose';
export { Conv3DTranspose, type Conv3DTransposeArgs } from './conv3d-transpose';
export {
  BaseConv,
  BaseConvTranspose,
  BaseDepthwiseConv,
  BaseSeparableConv,
  type ConvArgs,
  type ConvTransposeArgs,
  type DepthwiseConvArgs,
  type SeparableConvArgs,
} from './base-conv';
