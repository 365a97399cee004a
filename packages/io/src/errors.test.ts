import { StrataError } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { FormatError, IoError, MEMORY_SOURCE, UnsafeConfigError } from './errors';

describe('io errors', () => {
  it('IoError carries the file and the reason, and the message names both', () => {
    const cause = new Error('ENOENT');
    const e = new IoError('/tmp/m.keras', 'no such file', { cause });
    expect(e).toBeInstanceOf(StrataError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('IoError');
    expect(e.file).toBe('/tmp/m.keras');
    expect(e.reason).toBe('no such file');
    expect(e.message).toBe('/tmp/m.keras: no such file');
    expect((e as { cause?: unknown }).cause).toBe(cause);
  });

  it('bytes without a name are reported as <memory>', () => {
    const e = new FormatError(undefined, 'not an HDF5 file');
    expect(e.file).toBe(MEMORY_SOURCE);
    expect(e.message).toBe('<memory>: not an HDF5 file');
    expect(e.name).toBe('FormatError');
    expect(e).toBeInstanceOf(IoError);
  });

  it('UnsafeConfigError is an IoError with its own name', () => {
    const e = new UnsafeConfigError('m.keras', 'Requested the deserialization of a Python lambda');
    expect(e).toBeInstanceOf(IoError);
    expect(e).not.toBeInstanceOf(FormatError);
    expect(e.name).toBe('UnsafeConfigError');
    expect('cause' in e).toBe(false);
  });
});
