export {
  Optimizer,
  type OptimizerArgs,
  type LearningRate,
  OPTIMIZER_ARG_NAMES,
  resolveOptimizerArgs,
} from './optimizer';
export { SGD, type SGDArgs } from './sgd';
export { Adam, type AdamArgs } from './adam';
export { clipByNorm, clipByGlobalNorm, globalNorm } from './clipping';
export { get, serialize, deserialize, type OptimizerIdentifier } from './registry';
export * as schedules from './schedules/index';
