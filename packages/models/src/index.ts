export { Model, Functional, type ModelArgs, type CompileArgs, type FitArgs, type EvaluateArgs, type PredictArgs } from './model';
export { Sequential, type SequentialArgs } from './sequential';
export { mapGraph, runGraph, type Graph } from './functional-graph';
export { printSummary, readableMemorySize, type SummaryOptions } from './summary';
export type { DataInput } from './training/data';
export { Input, InputLayer } from '@strata/layers';
