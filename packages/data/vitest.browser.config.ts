import { mergeConfig } from 'vitest/config';
import { browserTestConfig } from '../../tooling/vitest/browser.mjs';
import { dataRoutes } from './src/testing/browser-routes';

export default mergeConfig(browserTestConfig({ testTimeout: 90_000 }), { plugins: [dataRoutes()] });
