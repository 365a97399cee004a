import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface Digits {
  /** 8x8 grey images, row-major, values 0..16. */
  images: number[][];
  labels: number[];
}

/** Reads the bundled UCI digits CSV (64 pixel columns, then the digit). */
export function loadDigits(path: string): Digits {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const images: number[][] = [];
  const labels: number[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const values = line.split(',').map(Number);
    if (values.length !== 65 || values.some(Number.isNaN)) throw new Error(`${path}: malformed row "${line.slice(0, 40)}..."`);
    images.push(values.slice(0, 64));
    labels.push(values[64]!);
  }
  return { images, labels };
}

/** Deterministic PRNG (mulberry32) so the split is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stratified split: each class contributes the same fraction to the test set. */
export function stratifiedSplit(labels: number[], testFraction: number, seed = 42): { train: number[]; test: number[] } {
  const random = rng(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((c, i) => {
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  });
  const shuffle = (idx: number[]) => {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx;
  };
  const train: number[] = [];
  const test: number[] = [];
  for (const idx of byClass.values()) {
    shuffle(idx);
    const nTest = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  // Mix the classes so that a validation split taken from the end is representative too.
  return { train: shuffle(train), test: shuffle(test) };
}
