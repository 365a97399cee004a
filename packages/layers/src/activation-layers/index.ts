export { ELU, type ELUArgs } from './elu';
export { LeakyReLU, type LeakyReLUArgs } from './leaky-relu';
export { PReLU, type PReLUArgs } from './prelu';
export { ReLU, type ReLUArgs } from './relu';
export { Softmax, type SoftmaxArgs } from './softmax';
