import { StrataError } from '@strata/core';

/** Name used in error messages when the data came from memory rather than a file or URL. */
export const MEMORY_SOURCE = '<memory>';

/**
 * A model or weights file that could not be read or written.
 * `file` is the path, URL, storage key or `'<memory>'`; `reason` says what went wrong.
 */
export class IoError extends StrataError {
  readonly file: string;
  readonly reason: string;

  constructor(file: string | undefined, reason: string, options?: { cause?: unknown }) {
    const where = file ?? MEMORY_SOURCE;
    super(`${where}: ${reason}`);
    this.file = where;
    this.reason = reason;
    // Keep the underlying error (fs, fetch, h5wasm) for debugging without putting it in the message twice.
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The bytes were read but are not a valid file of the expected format (bad magic, missing key, wrong shape). */
export class FormatError extends IoError {}

/**
 * A config asks for something that is refused in safe mode (a `Lambda` with Python bytecode,
 * an unknown `module`); pass `safeMode: false` to allow it, as in Keras' `safe_mode=False`.
 */
export class UnsafeConfigError extends IoError {}
