export { ActivityRegularization, type ActivityRegularizationArgs } from './activity-regularization';
export { AlphaDropout, type AlphaDropoutArgs } from './alpha-dropout';
export { GaussianDropout, type GaussianDropoutArgs } from './gaussian-dropout';
export { GaussianNoise, type GaussianNoiseArgs } from './gaussian-noise';
export type { SpatialDropoutArgs } from './spatial-dropout';
export { SpatialDropout1D, type SpatialDropout1DArgs } from './spatial-dropout1d';
export { SpatialDropout2D, type SpatialDropout2DArgs } from './spatial-dropout2d';
export { SpatialDropout3D, type SpatialDropout3DArgs } from './spatial-dropout3d';
