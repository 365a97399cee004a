import { nodeTestConfig } from '../../tooling/vitest/browser.mjs';

// Building the full-size architectures (ResNet152: 60M parameters) takes seconds on a 2-core CI
// machine, so the default 5 s per test is too tight.
export default nodeTestConfig({ testTimeout: 60_000 });
