import { ValueError } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { pyFormat } from './py-format-string';

const INT = new Set(['epoch', 'batch']);

describe('pyFormat', () => {
  // Expected strings are what CPython 3.11 prints for the same `str.format` call.
  it('formats integer fields', () => {
    expect(pyFormat('{epoch}', { epoch: 3 }, INT)).toBe('3');
    expect(pyFormat('{epoch:02d}', { epoch: 3 }, INT)).toBe('03');
    expect(pyFormat('{epoch:03d}', { epoch: 12 }, INT)).toBe('012');
    expect(pyFormat('{epoch:>4}', { epoch: 7 }, INT)).toBe('   7');
    expect(pyFormat('{epoch:<4}|', { epoch: 7 }, INT)).toBe('7   |');
    expect(pyFormat('{batch:x^5}', { batch: 7 }, INT)).toBe('xx7xx');
    expect(pyFormat('{epoch:+d}', { epoch: 7 }, INT)).toBe('+7');
    expect(pyFormat('{epoch:05d}', { epoch: -7 }, INT)).toBe('-0007');
    expect(pyFormat('{epoch:,d}', { epoch: 1234567 }, INT)).toBe('1,234,567');
  });

  it('formats float fields like Python', () => {
    expect(pyFormat('{val_loss:.2f}', { val_loss: 0.12345 })).toBe('0.12');
    // 0.125 is exact: Python rounds half to even.
    expect(pyFormat('{loss:.2f}', { loss: 0.125 })).toBe('0.12');
    expect(pyFormat('{loss:.2f}', { loss: 0.375 })).toBe('0.38');
    expect(pyFormat('{loss}', { loss: 0.5 })).toBe('0.5');
    expect(pyFormat('{loss}', { loss: 2 })).toBe('2.0');
    expect(pyFormat('{loss}', { loss: 1e-5 })).toBe('1e-05');
    expect(pyFormat('{loss:.3e}', { loss: 12345.678 })).toBe('1.235e+04');
    expect(pyFormat('{loss:g}', { loss: 0.0001234 })).toBe('0.0001234');
    expect(pyFormat('{loss:g}', { loss: 0.00001234 })).toBe('1.234e-05');
    expect(pyFormat('{loss:g}', { loss: 1234567 })).toBe('1.23457e+06');
    expect(pyFormat('{loss:.3g}', { loss: 2.5 })).toBe('2.5');
    expect(pyFormat('{loss:.1%}', { loss: 0.256 })).toBe('25.6%');
    expect(pyFormat('{loss:08.3f}', { loss: -1.5 })).toBe('-001.500');
    expect(pyFormat('{loss:.4}', { loss: 1 / 3 })).toBe('0.3333');
    expect(pyFormat('{loss:.3}', { loss: 2 })).toBe('2.0');
    expect(pyFormat('{loss:.3}', { loss: 100 })).toBe('1e+02');
    expect(pyFormat('{loss:.4}', { loss: 123 })).toBe('123.0');
    expect(pyFormat('{loss:.2}', { loss: 12345.678 })).toBe('1.2e+04');
    expect(pyFormat('{loss:.6}', { loss: 1234.5 })).toBe('1234.5');
    expect(pyFormat('{loss:f}', { loss: Number.NaN })).toBe('nan');
  });

  it('handles several fields, literal braces and strings', () => {
    expect(pyFormat('ckpt/{epoch:02d}-{val_loss:.2f}.keras', { epoch: 5, val_loss: 0.4567 }, INT)).toBe('ckpt/05-0.46.keras');
    expect(pyFormat('{{epoch}}_{epoch}', { epoch: 1 }, INT)).toBe('{epoch}_1');
    expect(pyFormat('{name:>6}', { name: 'ab' })).toBe('    ab');
  });

  it('throws clear errors', () => {
    expect(() => pyFormat('{val_acc:.2f}', { loss: 1 })).toThrow(/KeyError: 'val_acc'/);
    expect(() => pyFormat('{loss:d}', { loss: 0.5 })).toThrow(ValueError);
    expect(() => pyFormat('{loss:d}', { loss: 0.5 })).toThrow(/Unknown format code 'd'.*float.*loss/);
    expect(() => pyFormat('{epoch', { epoch: 1 })).toThrow(/Single '\{'/);
    expect(() => pyFormat('a}b', {})).toThrow(/Single '\}'/);
    expect(() => pyFormat('{0}', { epoch: 1 })).toThrow(ValueError);
    expect(() => pyFormat('{loss:q}', { loss: 1 })).toThrow(/Invalid format specifier 'q'/);
  });
});
