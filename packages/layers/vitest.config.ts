import { defineConfig } from 'vitest/config';

// Gradient checks of the recurrent layers take seconds on a busy 2-core machine.
export default defineConfig({
  test: { testTimeout: 30_000 },
});
