import { type Options, defineConfig } from 'tsup';

/** The build every library package shares: ESM + CJS + .d.ts from src/index.ts. */
export function libraryConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    ...overrides,
  });
}
