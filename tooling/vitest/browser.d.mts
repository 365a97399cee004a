import type { ViteUserConfig } from 'vitest/config';

/** Where the system Chromium lives; `CHROMIUM_PATH` overrides it. */
export declare const chromiumPath: string;
/** Files that run in Chromium; the Node runs exclude them. */
export declare const browserTestGlob: string;
/** The vitest config of a package's `test:browser` script (headless system Chromium). */
export declare function browserTestConfig(overrides?: ViteUserConfig['test'], vite?: Omit<ViteUserConfig, 'test'>): ViteUserConfig;
/** The vitest config of a package that also has browser tests: its Node run skips them. */
export declare function nodeTestConfig(overrides?: ViteUserConfig['test']): ViteUserConfig;
