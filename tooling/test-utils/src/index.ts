// The browser-safe helpers plus the fixture readers (node:fs).
export * from './browser';
export * from './fixtures';
