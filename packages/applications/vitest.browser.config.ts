import { browserTestConfig } from '../../tooling/vitest/browser.mjs';

export default browserTestConfig();
