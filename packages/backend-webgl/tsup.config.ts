import { libraryConfig } from '../../tooling/tsconfig/tsup';

export default libraryConfig();
