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
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint';
export { BackupAndRestore, type BackupAndRestoreOptions } from './backup-and-restore';
export { CSVLogger, type CSVLoggerOptions } from './csv-logger';
export { TerminateOnNaN, type TerminateOnNaNOptions } from './terminate-on-nan';
export { LambdaCallback, type LambdaCallbackOptions } from './lambda-callback';
export { RemoteMonitor, type RemoteMonitorOptions } from './remote-monitor';
export { SwapEMAWeights, type SwapEMAWeightsOptions } from './swap-ema-weights';
export { MonitorCallback } from './monitor-callback';
export {
  saveCheckpoint,
  loadCheckpoint,
  encodeCheckpoint,
  decodeCheckpoint,
  writeFileAtomic,
  CheckpointError,
  type CheckpointContents,
  type LoadedCheckpoint,
  type NamedTensor,
} from './checkpoint-file';
export { pyFormat, type PyFormatValue } from './py-format-string';
