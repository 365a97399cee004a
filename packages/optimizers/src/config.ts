import { type Config, ValueError } from '@strata/core';

/** snake_case config keys (`learning_rate`, `beta_1`) to camelCase option names (`learningRate`, `beta1`). */
export function camelizeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

/** Throws on option names a constructor does not know (Keras' "Argument(s) not recognized"). */
export function checkKnownOptions(owner: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !known.includes(k) && (options as Record<string, unknown>)[k] !== undefined);
  if (unknown.length > 0) {
    throw new ValueError(`${owner}: argument(s) not recognized: ${unknown.join(', ')}.`);
  }
}
