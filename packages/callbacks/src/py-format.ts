// Python's float formatting, which Keras' progress bar and messages use. JavaScript's `toFixed`
// and `toExponential` round exact ties away from zero where Python rounds them to even
// (`'%.4f' % 0.40625` is `0.4062`, `(0.40625).toFixed(4)` is `0.4063`), write exponents without
// padding (`1e-5` vs `1e-05`) and print `1` where Python prints `1.0`.

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  return null;
}

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

/** True when `digits` (the exact decimal digits past the kept ones) are `5` then only zeros. */
function isExactHalf(digits: string): boolean {
  return /^50*$/.test(digits);
}

function isEvenDigit(d: string): boolean {
  return (d.charCodeAt(0) - 48) % 2 === 0;
}

/** Python's `f'{x:.{digits}f}'`: fixed-point, exact value rounded half to even. */
export function formatFixed(x: number, digits: number): string {
  const special = nonFinite(x);
  if (special != null) return special;
  const sign = isNegative(x) ? '-' : '';
  const a = Math.abs(x);
  if (a >= 1e21) {
    // Every double this large is an integer.
    return sign + BigInt(a).toString() + (digits > 0 ? `.${'0'.repeat(digits)}` : '');
  }
  const rounded = a.toFixed(digits);
  const exact = a.toFixed(100);
  const dot = exact.indexOf('.');
  if (isExactHalf(exact.slice(dot + 1 + digits))) {
    const truncated = digits === 0 ? exact.slice(0, dot) : exact.slice(0, dot + 1 + digits);
    if (isEvenDigit(truncated[truncated.length - 1]!)) return sign + truncated;
  }
  return sign + rounded;
}

/** Python's `f'{x:.{digits}e}'`: `1.2346e-05`, exact value rounded half to even. */
export function formatExponential(x: number, digits: number): string {
  const special = nonFinite(x);
  if (special != null) return special;
  const sign = isNegative(x) ? '-' : '';
  const a = Math.abs(x);
  let s = a.toExponential(digits);
  const exact = a.toExponential(100);
  const [mantissa, exponent] = exact.split('e') as [string, string];
  const fraction = mantissa.slice(2);
  if (isExactHalf(fraction.slice(digits))) {
    const truncated = digits === 0 ? mantissa.slice(0, 1) : mantissa.slice(0, 2 + digits);
    if (isEvenDigit(truncated[truncated.length - 1]!)) s = `${truncated}e${exponent}`;
  }
  const [m, e] = s.split('e') as [string, string];
  const expSign = e.startsWith('-') ? '-' : '+';
  return `${sign}${m}e${expSign}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** Python's `repr(float)` / `str(float)`: `0.01`, `1.0`, `1e-05`, `1e+16`. */
export function formatFloat(x: number): string {
  const special = nonFinite(x);
  if (special != null) return special;
  const sign = isNegative(x) ? '-' : '';
  const a = Math.abs(x);
  if (a === 0) return `${sign}0.0`;
  // Both languages print the shortest digits that round-trip.
  const [mantissa, exponent] = a.toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(exponent);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}

/** Python's `'%d' % x` for a float: truncation toward zero. */
export function formatInt(x: number): string {
  return String(Math.trunc(x));
}
