// Prints how many Keras layer classes @strata/layers exports (build it first: `pnpm build`):
// Layer subclasses with their own Keras class name, so abstract bases are not counted.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = join(import.meta.dirname, '..', '..', 'packages', 'layers', 'dist', 'index.js');
const layers = await import(pathToFileURL(dist).href);
const names = Object.entries(layers)
  .filter(([, v]) => typeof v === 'function' && v.prototype instanceof layers.Layer && Object.hasOwn(v, 'className'))
  .map(([k]) => k)
  .sort();
console.log(names.length);
if (process.argv.includes('--list')) console.log(names.join('\n'));
