export { TensorBoard, type TensorBoardOptions } from './tensorboard';
export { EventFileWriter, type EventFileWriterOptions } from './event-file-writer';
export { histogramBuckets, DEFAULT_BUCKET_COUNT } from './histogram';
export { crc32c, maskCrc32c, maskedCrc32c } from './crc32c';
export { ProtobufWriter, WireType } from './protobuf-writer';
export { scalarValue, histogramValue, summaryEvent, fileVersionEvent, tfRecord, FILE_VERSION } from './events';
