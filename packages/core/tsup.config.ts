import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // tfjs-core's gradient and chained-op registrations only exist as extension-less ESM files that
  // plain Node cannot import, so they are bundled here; the engine itself stays external and the
  // bundled copies register into its global registries.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
