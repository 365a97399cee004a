import { browserTestConfig } from '../../tooling/vitest/browser.mjs';

// Cross-origin isolation gives the page SharedArrayBuffer, so tfjs can pick the threaded binary.
export default browserTestConfig(
  {},
  { server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } } },
);
