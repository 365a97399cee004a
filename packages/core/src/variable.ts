import { tfc } from './engine';
import { ValueError, formatShape } from './errors';
import { type DataType, type Tensor, type TensorLike, convertToTensor, floatx } from './tensor';

export type Constraint = (w: Tensor) => Tensor;

export interface VariableOptions {
  /** Initial value, or a function of (shape, dtype) that makes it. */
  initializer: TensorLike | ((shape: number[], dtype: DataType) => Tensor);
  shape?: readonly number[];
  dtype?: DataType;
  trainable?: boolean;
  name?: string;
  /** Keras path, e.g. `sequential/dense/kernel`; defaults to the name. */
  path?: string;
  /** Applied to the value after every optimizer update. */
  constraint?: Constraint | null;
}

let variableCounter = 0;

/**
 * A named, mutable tensor (keras.Variable). The value lives in an engine variable, which every
 * backend can move; `trainable` is Keras' flag and decides what the optimizer updates.
 */
export class Variable {
  readonly name: string;
  path: string;
  trainable: boolean;
  constraint: Constraint | null;
  private store: tfc.Variable;

  constructor(options: VariableOptions) {
    const dtype = options.dtype ?? floatx();
    const init = options.initializer;
    let initial: Tensor;
    if (typeof init === 'function') {
      if (options.shape == null) throw new ValueError('Variable: a `shape` is required with an initializer function.');
      initial = init([...options.shape], dtype);
    } else {
      initial = convertToTensor(init, dtype);
    }
    if (options.shape != null && !tfc.util.arraysEqual(initial.shape, [...options.shape])) {
      throw new ValueError(
        `Variable '${options.name ?? ''}': initial value has shape ${formatShape(initial.shape)}, expected ${formatShape(options.shape)}.`,
      );
    }
    this.name = options.name ?? 'variable';
    this.path = options.path ?? this.name;
    this.trainable = options.trainable ?? true;
    this.constraint = options.constraint ?? null;
    // Engine variables need unique names; Keras names need not be unique, so the engine name is ours.
    // The engine-level flag stays true: Strata decides trainability itself.
    this.store = tfc.variable(initial, true, `strata_var_${variableCounter++}`, dtype);
    if (initial !== init) initial.dispose();
  }

  get shape(): number[] {
    return this.store.shape;
  }
  get dtype(): DataType {
    return this.store.dtype;
  }
  get size(): number {
    return this.store.size;
  }
  /** The current value (valid until the next `assign`); use it in ops directly. */
  get value(): Tensor {
    return this.store;
  }
  /** The engine variable; what gradient functions differentiate with respect to. */
  get engineVariable(): tfc.Variable {
    return this.store;
  }

  assign(value: TensorLike): void {
    const t = convertToTensor(value, this.dtype);
    if (!tfc.util.arraysEqual(t.shape, this.shape)) {
      if (t !== value) t.dispose();
      throw new ValueError(
        `Variable '${this.path}': cannot assign a value of shape ${formatShape(t.shape)} to a variable of shape ${formatShape(this.shape)}.`,
      );
    }
    this.store.assign(t);
    if (t !== value) t.dispose();
  }

  assignAdd(delta: Tensor): void {
    tfc.tidy(() => this.store.assign(tfc.add(this.store, delta)));
  }

  assignSub(delta: Tensor): void {
    tfc.tidy(() => this.store.assign(tfc.sub(this.store, delta)));
  }

  /** Reads the value back to the host (Keras' `numpy()`). */
  async data(): Promise<Float32Array | Int32Array | Uint8Array> {
    return (await this.store.data()) as Float32Array | Int32Array | Uint8Array;
  }
  dataSync(): Float32Array | Int32Array | Uint8Array {
    return this.store.dataSync() as Float32Array | Int32Array | Uint8Array;
  }
  async array(): Promise<unknown> {
    return this.store.array();
  }

  dispose(): void {
    this.store.dispose();
  }
  get isDisposed(): boolean {
    return this.store.isDisposed;
  }

  toString(): string {
    return `<Variable path=${this.path}, shape=${formatShape(this.shape)}, dtype=${this.dtype}>`;
  }
}
