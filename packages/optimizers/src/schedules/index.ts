export { LearningRateSchedule, isLearningRateSchedule, serialize, deserialize } from './learning-rate-schedule';
export { ExponentialDecay, type ExponentialDecayArgs } from './exponential-decay';
export { PiecewiseConstantDecay, type PiecewiseConstantDecayArgs } from './piecewise-constant-decay';
export { PolynomialDecay, type PolynomialDecayArgs, type PolynomialDecayOptions } from './polynomial-decay';
export { InverseTimeDecay, type InverseTimeDecayArgs } from './inverse-time-decay';
export { CosineDecay, type CosineDecayArgs, type CosineDecayOptions } from './cosine-decay';
export {
  CosineDecayRestarts,
  type CosineDecayRestartsArgs,
  type CosineDecayRestartsOptions,
} from './cosine-decay-restarts';
