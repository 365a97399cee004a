import type { Config } from '@strata/core';

/** snake_case config keys (`from_logits`) to camelCase option names (`fromLogits`). */
export function camelizeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}
