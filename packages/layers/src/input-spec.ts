import { type DataType, type Dim, ShapeError, formatShape } from '@strata/core';

export interface InputSpecArgs {
  dtype?: DataType | null;
  shape?: Dim[] | null;
  ndim?: number | null;
  maxNdim?: number | null;
  minNdim?: number | null;
  /** Required sizes of given axes (negative axes count from the end). */
  axes?: Record<number, number | null> | null;
  allowLastAxisSqueeze?: boolean;
  name?: string | null;
  optional?: boolean;
}

/** What a layer accepts as input (keras.InputSpec); checked on every call. */
export class InputSpec {
  dtype: DataType | null;
  shape: Dim[] | null;
  ndim: number | null;
  maxNdim: number | null;
  minNdim: number | null;
  axes: Record<number, number | null> | null;
  allowLastAxisSqueeze: boolean;
  name: string | null;
  optional: boolean;

  constructor(args: InputSpecArgs = {}) {
    this.dtype = args.dtype ?? null;
    this.shape = args.shape ?? null;
    this.ndim = args.shape != null ? args.shape.length : (args.ndim ?? null);
    this.maxNdim = args.maxNdim ?? null;
    this.minNdim = args.minNdim ?? null;
    this.axes = args.axes ?? null;
    this.allowLastAxisSqueeze = args.allowLastAxisSqueeze ?? false;
    this.name = args.name ?? null;
    this.optional = args.optional ?? false;
  }

  /** The shape this spec describes, for messages: `(None, 4)` when only axis -1 is fixed. */
  describe(rank: number): string {
    if (this.shape != null) return formatShape(this.shape);
    const dims: Dim[] = new Array(this.ndim ?? rank).fill(null);
    for (const [k, v] of Object.entries(this.axes ?? {})) {
      const a = Number(k) < 0 ? dims.length + Number(k) : Number(k);
      if (a >= 0 && a < dims.length) dims[a] = v;
    }
    return formatShape(dims);
  }
}

/** Throws a ShapeError naming the layer and both shapes when `shapes` break the layer's specs. */
export function assertInputCompatibility(
  specs: InputSpec | InputSpec[] | null,
  shapes: Dim[][],
  layerName: string,
): void {
  if (specs == null) return;
  const list = Array.isArray(specs) ? specs : [specs];
  if (list.length !== shapes.length && list.length > 1) {
    throw new ShapeError(
      `Layer "${layerName}" expects ${list.length} input(s), but it received ${shapes.length} input tensors.`,
    );
  }
  list.forEach((spec, i) => {
    const shape = shapes[i];
    if (spec == null || shape == null) return;
    const rank = shape.length;
    const head = `Input ${i} of layer "${layerName}" is incompatible with the layer:`;
    const got = `but received input with shape ${formatShape(shape)}`;
    if (spec.ndim != null && !spec.allowLastAxisSqueeze && rank !== spec.ndim) {
      throw new ShapeError(`${head} expected ndim=${spec.ndim} (shape ${spec.describe(spec.ndim)}), found ndim=${rank}; ${got}.`);
    }
    if (spec.maxNdim != null && rank > spec.maxNdim) {
      throw new ShapeError(`${head} expected max_ndim=${spec.maxNdim} (shape ${spec.describe(spec.maxNdim)}), found ndim=${rank}; ${got}.`);
    }
    if (spec.minNdim != null && rank < spec.minNdim) {
      throw new ShapeError(`${head} expected min_ndim=${spec.minNdim} (shape ${spec.describe(spec.minNdim)}), found ndim=${rank}; ${got}.`);
    }
    for (const [k, v] of Object.entries(spec.axes ?? {})) {
      const axis = Number(k);
      const dim = shape[axis < 0 ? rank + axis : axis];
      if (v != null && dim != null && dim !== v) {
        throw new ShapeError(
          `${head} expected axis ${axis} of input shape to have value ${v} (expected shape ${spec.describe(rank)}), ${got}.`,
        );
      }
    }
    if (spec.shape != null) {
      spec.shape.forEach((want, j) => {
        const dim = shape[j];
        if (want != null && dim != null && want !== dim) {
          throw new ShapeError(`${head} expected shape=${formatShape(spec.shape!)}, ${got}.`);
        }
      });
    }
  });
}
