export { Add } from './add';
export { Average } from './average';
export { Dot, type DotArgs } from './dot';
export { add, average, concatenate, dot, maximum, minimum, multiply, subtract } from './functions';
export { Maximum } from './maximum';
export { Merge } from './merge';
export { Minimum } from './minimum';
export { Multiply } from './multiply';
export { Subtract } from './subtract';
