import { libraryConfig } from '../../tooling/tsconfig/tsup';

export default libraryConfig({
  // tfjs-core's gradient and chained-op registrations only exist as extension-less ESM files that
  // plain Node cannot import, so they are bundled here; the engine itself stays external and the
  // bundled copies register into its global registries.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
