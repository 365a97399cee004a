// Runs every package's tests through turbo, then prints one closing line with the totals
// ("N passed, N failed") read from each package's vitest JSON report. `--browser` runs the
// `test:browser` task (headless Chromium) instead of the Node `test` task.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const browser = args.includes('--browser');
const task = browser ? 'test:browser' : 'test';
const reportName = browser ? 'vitest-browser-report.json' : 'vitest-report.json';

const root = join(import.meta.dirname, '..', '..');
const dirs = ['packages', 'apps', 'tooling'].flatMap((group) =>
  existsSync(join(root, group)) ? readdirSync(join(root, group)).map((d) => join(root, group, d)) : [],
);
const reportOf = (dir) => join(dir, '.tmp', reportName);
for (const dir of dirs) rmSync(reportOf(dir), { force: true });

const turbo = spawnSync('turbo', ['run', task, '--concurrency=1', ...args.filter((a) => a !== '--browser')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of dirs) {
  if (!existsSync(reportOf(dir))) continue;
  const report = JSON.parse(readFileSync(reportOf(dir), 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
const status = turbo.status ?? 1;
if (status !== 0 && failed === 0) failed = 1; // a package failed before reporting (build/type error)
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status);
