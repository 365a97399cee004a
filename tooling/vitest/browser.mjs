// @ts-check
import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

/**
 * Where the system Chromium lives (Debian's `chromium` package); a browser is never downloaded.
 * `CHROMIUM_PATH` overrides it.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Headless as root on a machine with no GPU and no outside network: no sandbox, no background
// connections, software WebGL (SwiftShader) and WebGPU on SwiftShader's adapter.
const chromiumArgs = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
];

/** Files that run in Chromium; the Node runs exclude them. */
export const browserTestGlob = 'src/**/*.browser.test.ts';

/**
 * The vitest config of a package's `test:browser` script: its `*.browser.test.ts` files in headless
 * Chromium, with a JSON report beside the Node one for the root totals. `vite` adds top-level Vite
 * options (e.g. `server.headers`, `plugins`).
 */
export function browserTestConfig(overrides = {}, vite = {}) {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Browser tests need Chromium at ${chromiumPath} (apt-get install -y chromium), or CHROMIUM_PATH set to one.`,
    );
  }
  return defineConfig({
    ...vite,
    test: {
      include: [browserTestGlob],
      testTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: '.tmp/vitest-browser-report.json' },
      ...overrides,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
        instances: [{ browser: 'chromium' }],
      },
    },
  });
}

/** The vitest config of a package that also has browser tests: its Node run skips them. */
export function nodeTestConfig(overrides = {}) {
  return defineConfig({
    test: { exclude: ['**/node_modules/**', '**/dist/**', '**/*.browser.test.ts'], ...overrides },
  });
}
