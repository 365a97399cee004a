import { ValueError } from '@strata/core';
import { checkKnownOptions } from '../config';

/**
 * Checks a schedule's arguments object the way Python checks keyword arguments: unknown names
 * (a misspelt `tMul`, a config key from another schedule) and missing required ones throw.
 */
export function checkScheduleArgs(owner: string, args: object, required: readonly string[], optional: readonly string[]): void {
  if (typeof args !== 'object' || args == null) {
    throw new ValueError(`${owner}: expected an arguments object. Received: ${String(args)}`);
  }
  checkKnownOptions(owner, args, [...required, ...optional]);
  const missing = required.filter((k) => (args as Record<string, unknown>)[k] == null);
  if (missing.length > 0) {
    throw new ValueError(`${owner}: missing required argument(s): ${missing.map((k) => `\`${k}\``).join(', ')}.`);
  }
}

/** Throws unless `value` is a finite number (schedule hyperparameters are Python floats/ints in Keras). */
export function checkNumber(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${owner}: \`${name}\` must be a finite number. Received: ${name}=${String(value)}`);
  }
}

/** Keras' `decay_steps <= 0` check: "Argument `decay_steps` must be > 0". */
export function checkPositiveSteps(owner: string, name: string, value: unknown): asserts value is number {
  checkNumber(owner, name, value);
  if (!(value > 0)) {
    throw new ValueError(`${owner}: argument \`${name}\` must be > 0. Received: ${name}=${value}`);
  }
}
