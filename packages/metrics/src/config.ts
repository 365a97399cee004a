import type { Config } from '@strata/core';

/** snake_case config keys (`from_logits`) to camelCase option names (`fromLogits`). */
export function camelizeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

/** camelCase option names back to snake_case config keys. */
export function snakeizeOptions(options: unknown): Config {
  if (options == null || typeof options !== 'object') return {};
  const out: Config = {};
  for (const [k, v] of Object.entries(options)) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  return out;
}
