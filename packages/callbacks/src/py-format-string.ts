// Python's `str.format` with named fields, which Keras uses for checkpoint file paths
// (`'{epoch:02d}-{val_loss:.2f}.keras'.format(epoch=3, **logs)`).
import { ValueError } from '@strata/core';
import { formatExponential, formatFixed, formatFloat } from './py-format';

/** A named value: a number is a Python float unless its key is listed as an integer. */
export type PyFormatValue = number | string;

interface Spec {
  fill: string;
  align: string | null;
  sign: string;
  alternate: boolean;
  zero: boolean;
  width: number;
  grouping: string | null;
  precision: number | null;
  type: string;
}

const SPEC_RE = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

function parseSpec(spec: string, field: string): Spec {
  const m = SPEC_RE.exec(spec);
  if (m == null) throw new ValueError(`Invalid format specifier '${spec}' for field '${field}'.`);
  return {
    fill: m[1] ?? (m[5] != null && m[2] == null ? '0' : ' '),
    align: m[2] ?? (m[5] != null ? '=' : null),
    sign: m[3] ?? '-',
    alternate: m[4] != null,
    zero: m[5] != null,
    width: m[6] != null ? Number(m[6]) : 0,
    grouping: m[7] ?? null,
    precision: m[8] != null ? Number(m[8]) : null,
    type: m[9] ?? '',
  };
}

function group(intPart: string, sep: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** Python's `'g'` presentation: fixed or exponential by the exponent, trailing zeros removed. */
function formatGeneral(x: number, precision: number, alternate: boolean, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  const e = formatExponential(x, p - 1);
  const exp = Number(e.slice(e.indexOf('e') + 1));
  let s = exp >= -4 && exp < p ? formatFixed(x, p - 1 - exp) : e;
  if (!alternate) {
    const [mantissa, exponent] = s.split('e') as [string, string | undefined];
    let m = mantissa;
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    s = exponent == null ? m : `${m}e${exponent}`;
  }
  return upper ? s.toUpperCase() : s;
}

/**
 * Python's float format with a precision and no type (`'{:.3}'`): like 'g', but fixed notation
 * only while the exponent is below `precision - 1`, and always with a digit after the point.
 */
function formatNoType(x: number, precision: number): string {
  const p = precision === 0 ? 1 : precision;
  const e = formatExponential(x, p - 1);
  const exp = Number(e.slice(e.indexOf('e') + 1));
  if (exp >= -4 && exp < p - 1) {
    let s = formatFixed(x, p - 1 - exp);
    if (s.includes('.')) s = s.replace(/0+$/, '');
    if (s.endsWith('.')) s += '0';
    else if (!s.includes('.')) s += '.0';
    return s;
  }
  const [mantissa, exponent] = e.split('e') as [string, string];
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return `${m}e${exponent}`;
}

function formatNumber(value: number, isInt: boolean, spec: Spec, field: string): [string, string] {
  const neg = value < 0 || Object.is(value, -0);
  const a = Math.abs(value);
  let body: string;
  switch (spec.type) {
    case 'd':
    case 'n':
      if (!isInt) {
        throw new ValueError(`Unknown format code 'd' for object of type 'float' (field '${field}', value ${formatFloat(value)}).`);
      }
      body = String(a);
      break;
    case 'f':
    case 'F':
      body = formatFixed(a, spec.precision ?? 6);
      if (spec.type === 'F') body = body.toUpperCase();
      break;
    case 'e':
    case 'E':
      body = formatExponential(a, spec.precision ?? 6);
      if (spec.type === 'E') body = body.toUpperCase();
      break;
    case 'g':
    case 'G':
      body = formatGeneral(a, spec.precision ?? 6, spec.alternate, spec.type === 'G');
      break;
    case '%':
      body = `${formatFixed(a * 100, spec.precision ?? 6)}%`;
      break;
    case '':
      if (isInt) body = String(a);
      else if (spec.precision != null) body = formatNoType(a, spec.precision);
      else body = formatFloat(a);
      break;
    default:
      throw new ValueError(`Format code '${spec.type}' is not supported (field '${field}').`);
  }
  if (spec.grouping != null) {
    const dot = body.search(/[.eE%]/);
    const intPart = dot < 0 ? body : body.slice(0, dot);
    body = group(intPart, spec.grouping) + (dot < 0 ? '' : body.slice(dot));
  }
  let sign = '';
  if (neg && !(Number.isNaN(value))) sign = '-';
  else if (spec.sign === '+') sign = '+';
  else if (spec.sign === ' ') sign = ' ';
  return [sign, body];
}

function pad(sign: string, body: string, spec: Spec, defaultAlign: string): string {
  const len = sign.length + body.length;
  if (len >= spec.width) return sign + body;
  const n = spec.width - len;
  const fill = spec.fill;
  switch (spec.align ?? defaultAlign) {
    case '<':
      return sign + body + fill.repeat(n);
    case '^': {
      const left = Math.floor(n / 2);
      return fill.repeat(left) + sign + body + fill.repeat(n - left);
    }
    case '=':
      return sign + fill.repeat(n) + body;
    default:
      return fill.repeat(n) + sign + body;
  }
}

function formatField(value: PyFormatValue, isInt: boolean, specText: string, field: string): string {
  const spec = parseSpec(specText, field);
  if (typeof value === 'string') {
    if (spec.type !== '' && spec.type !== 's') {
      throw new ValueError(`Unknown format code '${spec.type}' for object of type 'str' (field '${field}').`);
    }
    const s = spec.precision != null ? value.slice(0, spec.precision) : value;
    return pad('', s, spec, '<');
  }
  const [sign, body] = formatNumber(value, isInt, spec, field);
  return pad(sign, body, spec, '>');
}

/**
 * Python's `template.format(**values)` for named fields with a format spec (`{epoch:02d}`,
 * `{val_loss:.2f}`, `{loss}`); `{{` and `}}` are literal braces. Keys in `intKeys` format as Python
 * ints, other numbers as Python floats (so `{loss}` of 0.5 is `0.5` and `{epoch}` of 3 is `3`).
 * A missing key throws a `ValueError` naming it (Python's `KeyError`).
 */
export function pyFormat(
  template: string,
  values: Readonly<Record<string, PyFormatValue>>,
  intKeys: ReadonlySet<string> = new Set(),
): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '}') {
      if (template[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw new ValueError(`Single '}' encountered in format string: ${template}`);
    }
    if (ch !== '{') {
      out += ch;
      i++;
      continue;
    }
    if (template[i + 1] === '{') {
      out += '{';
      i += 2;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    if (close < 0) throw new ValueError(`Single '{' encountered in format string: ${template}`);
    const inner = template.slice(i + 1, close);
    const colon = inner.indexOf(':');
    const field = colon < 0 ? inner : inner.slice(0, colon);
    const spec = colon < 0 ? '' : inner.slice(colon + 1);
    if (field === '' || /[[\].!]/.test(field)) {
      throw new ValueError(`Format field '{${inner}}' is not supported: only named fields are (in ${template}).`);
    }
    if (!Object.hasOwn(values, field)) throw new ValueError(`KeyError: '${field}' (in ${template})`);
    out += formatField(values[field]!, intKeys.has(field), spec, field);
    i = close + 1;
  }
  return out;
}
