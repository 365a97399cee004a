export { writeTfjsModel, readTfjsModel, DEFAULT_SHARD_SIZE_BYTES, type TfjsModelJson, type WriteTfjsOptions, type ReadTfjsOptions } from './tfjs-model';
export { toKeras2Topology, fromKeras2Topology, keras2HardSigmoid } from './keras2-topology';
export { halfToFloat, floatToHalf, affineQuantize, type TfjsWeightSpec, type TfjsQuantization } from './weights-codec';
