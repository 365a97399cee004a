import { libraryConfig } from '../../tooling/tsconfig/tsup';

// `shims` gives the CommonJS build a working `import.meta.url`, from which Node resolves the .wasm files.
export default libraryConfig({ shims: true });
