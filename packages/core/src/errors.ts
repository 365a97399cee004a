/** Base class of every error Strata throws on purpose. */
export class StrataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A wrong argument value (Keras' `ValueError`). */
export class ValueError extends StrataError {}

/** Incompatible tensor shapes; the message names the layer/argument and both shapes. */
export class ShapeError extends ValueError {}

/** A config, identifier or file that cannot be (de)serialized. */
export class SerializationError extends StrataError {}

/** A backend that is unknown or failed to initialise. */
export class BackendError extends StrataError {}

/** An operation used before the object is ready (e.g. `fit` before `compile`). */
export class RuntimeError extends StrataError {}

/** Formats a shape the way Keras prints it: `(None, 28, 28, 1)`. */
export function formatShape(shape: readonly (number | null | undefined)[]): string {
  const parts = shape.map((d) => (d == null ? 'None' : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}
