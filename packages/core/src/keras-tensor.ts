import type { DataType } from './tensor';
import { formatShape } from './errors';

/** A dimension that may be unknown (`None` in Keras). */
export type Dim = number | null;
export type Shape = Dim[];

/** Where a symbolic tensor came from: the operation (layer) that made it, which call and output. */
export interface KerasHistory {
  operation: unknown;
  nodeIndex: number;
  tensorIndex: number;
}

let kerasTensorCounter = 0;

/**
 * A symbolic tensor (keras.KerasTensor): a shape and dtype with no data, used to build Functional
 * graphs and infer shapes. `kerasHistory` links it to the layer call that produced it.
 */
export class KerasTensor {
  readonly shape: Shape;
  readonly dtype: DataType;
  readonly name: string;
  readonly id: number;
  kerasHistory: KerasHistory | null;

  constructor(shape: readonly Dim[], dtype: DataType = 'float32', options: { name?: string; kerasHistory?: KerasHistory } = {}) {
    this.shape = [...shape];
    this.dtype = dtype;
    this.id = kerasTensorCounter++;
    this.name = options.name ?? `keras_tensor_${this.id}`;
    this.kerasHistory = options.kerasHistory ?? null;
  }

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `<KerasTensor shape=${formatShape(this.shape)}, dtype=${this.dtype}, name=${this.name}>`;
  }
}

export function isKerasTensor(x: unknown): x is KerasTensor {
  return x instanceof KerasTensor;
}
