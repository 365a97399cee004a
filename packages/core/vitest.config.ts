import { defineConfig } from 'vitest/config';

// The plain-Node test starts two Node processes, which takes seconds on a busy 2-core machine.
export default defineConfig({
  test: { testTimeout: 30_000 },
});
