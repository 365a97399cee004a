// Host-side shuffles that reproduce the permutations Keras gets from NumPy's legacy
// `np.random.RandomState(seed).shuffle` and from Python's `random.seed(seed); random.shuffle(...)`,
// so that a seed gives the same file order / split here as in Keras.

const N = 624;
const M = 397;

/** The 32-bit Mersenne Twister (MT19937) that both NumPy's RandomState and Python's `random` use. */
export class MersenneTwister {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;

  /** `init_genrand(seed)`: NumPy's `RandomState(int)` seeding. */
  static fromSeed(seed: number): MersenneTwister {
    const g = new MersenneTwister();
    g.initGenrand(seed >>> 0);
    return g;
  }

  /** `init_by_array(key)`: Python's `random.seed(int)` seeding (key = 32-bit words of |seed|). */
  static fromKey(key: readonly number[]): MersenneTwister {
    const g = new MersenneTwister();
    g.initByArray(key);
    return g;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    const len = Math.max(1, key.length);
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + (key[j] ?? 0) + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = N;
  }

  /** The next 32-bit output (`genrand_uint32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      const y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

function checkSeed(who: string, seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`${who}: \`seed\` must be an integer between 0 and 2**32 - 1. Received: seed=${seed}`);
  }
}

/**
 * Shuffles `items` in place exactly as `np.random.RandomState(seed).shuffle(items)` does (NumPy's
 * legacy Fisher-Yates with masked rejection sampling), and returns it.
 */
export function numpyShuffle<T>(items: T[], seed: number): T[] {
  checkSeed('numpyShuffle', seed);
  const g = MersenneTwister.fromSeed(seed);
  for (let i = items.length - 1; i > 0; i--) {
    // random_interval(max = i): draw 32-bit words masked to the smallest 2^k - 1 >= i until <= i.
    let mask = i;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let j: number;
    do {
      j = (g.nextUint32() & mask) >>> 0;
    } while (j > i);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/**
 * Shuffles `items` in place exactly as Python's `random.seed(seed); random.shuffle(items)` does
 * (`split_dataset`'s shuffle), and returns it. `seed` is a non-negative integer below 2**53.
 */
export function pythonShuffle<T>(items: T[], seed: number): T[] {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`pythonShuffle: \`seed\` must be a safe integer. Received: seed=${seed}`);
  }
  // random.seed(int) keys the generator with the 32-bit words of |seed|, least significant first.
  let rest = Math.abs(seed);
  const key: number[] = [];
  do {
    key.push(rest % 2 ** 32);
    rest = Math.floor(rest / 2 ** 32);
  } while (rest > 0);
  const g = MersenneTwister.fromKey(key);
  for (let i = items.length - 1; i > 0; i--) {
    // _randbelow(n = i + 1): getrandbits(n.bit_length()) until < n.
    const n = i + 1;
    const k = 32 - Math.clz32(n);
    let j: number;
    do {
      j = g.nextUint32() >>> (32 - k);
    } while (j >= n);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/** Python's `round()` on a float: to the nearest integer, ties to even. */
export function pythonRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** A random non-negative seed below 1e6, as Keras draws one when `seed` is not given. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 1e6);
}
