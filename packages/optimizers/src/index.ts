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
export { AdamW, type AdamWArgs } from './adamw';
export { Adagrad, type AdagradArgs } from './adagrad';
export { Adadelta, type AdadeltaArgs } from './adadelta';
export { Adamax, type AdamaxArgs } from './adamax';
export { Nadam, type NadamArgs } from './nadam';
export { RMSprop, type RMSpropArgs } from './rmsprop';
export { Ftrl, type FtrlArgs } from './ftrl';
export { Lion, type LionArgs } from './lion';
export { Lamb, type LambArgs } from './lamb';
export { Adafactor, type AdafactorArgs } from './adafactor';
