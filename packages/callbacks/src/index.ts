export { Callback, type CallbackModel, type BatchMode } from './callback';
export { CallbackList, type CallbackListOptions, type CallbackInput } from './callback-list';
export { History } from './history';
export { Progbar, type ProgbarOptions, type ProgbarValues, type Clock, formatEta, formatTime } from './progbar';
export { ProgbarLogger, type ProgbarLoggerOptions } from './progbar-logger';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping';
export {
  LearningRateScheduler,
  type LearningRateSchedule,
  type LearningRateSchedulerOptions,
} from './learning-rate-scheduler';
export { type Writer, consoleWriter, stdoutWriter, getDefaultWriter, setDefaultWriter, printMsg } from './io';
export { formatFixed, formatExponential, formatFloat } from './py-format';
export { TensorBoard, type TensorBoardOptions } from './tensorboard';
export { EventFileWriter, type EventFileWriterOptions, histogramBuckets, crc32c, maskedCrc32c } from './tensorboard';
