export { Model, Functional, type ModelArgs, type CompileArgs, type FitArgs, type EvaluateArgs, type PredictArgs, type ValidationData } from './model';
export { isDataset, type Dataset, type DatasetBatch, type DatasetInfo, type PredictBatch } from './training/dataset';
export type { MetricsSpec } from './training/compile';
export { Sequential, type SequentialArgs } from './sequential';
export { mapGraph, runGraph, type Graph } from './functional-graph';
export { printSummary, readableMemorySize, type SummaryOptions } from './summary';
export type { DataInput } from './training/data';
export { Input, InputLayer } from '@strata/layers';
export { registerModelSaving, hasModelSaving, loadModel, type ModelSaving } from './saving-hooks';
