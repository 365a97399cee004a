import { nodeTestConfig } from '../../tooling/vitest/browser.mjs';

export default nodeTestConfig();
