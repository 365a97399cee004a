export { BatchNormalization, type BatchNormalizationArgs } from './batch-normalization';
export { GroupNormalization, type GroupNormalizationArgs } from './group-normalization';
export { LayerNormalization, type LayerNormalizationArgs } from './layer-normalization';
export { UnitNormalization, type UnitNormalizationArgs } from './unit-normalization';
export { RMSNormalization, type RMSNormalizationArgs } from './rms-normalization';
