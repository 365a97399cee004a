export { LearningRateSchedule, isLearningRateSchedule, serialize, deserialize } from './learning-rate-schedule';
export { ExponentialDecay, type ExponentialDecayArgs } from './exponential-decay';
