import { describe, expect, it } from 'vitest';
import { CsvRecordParser } from './csv-parser';

const all = (chunks: string[], delim = ',', quotes = true) => {
  const p = new CsvRecordParser(delim, quotes);
  const out: unknown[] = [];
  chunks.forEach((c, i) => {
    out.push(...p.push(c, i === chunks.length - 1));
  });
  return out;
};

describe('CsvRecordParser', () => {
  it('splits plain records, with or without a final newline, \\r\\n endings', () => {
    expect(all(['a,b\n1,2\n'])).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(all(['a,b\r\n1,2'])).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(all(['x,,\n'])).toEqual([['x', '', '']]);
    expect(all(['\n1\n'])).toEqual([[''], ['1']]);
  });
  it('handles quoted fields: delimiters, doubled quotes and newlines inside', () => {
    expect(all(['"a,b","say ""hi""","line1\nline2"\n3,4,5\n'])).toEqual([
      ['a,b', 'say "hi"', 'line1\nline2'],
      ['3', '4', '5'],
    ]);
  });
  it('gives the same records whatever the chunk boundaries', () => {
    const text = 'h1,h2,h3\n"q,1",22,333\r\n4,"5""5",6\n7,8,"9\n9"\n';
    const whole = all([text]);
    for (let cut = 1; cut < text.length; cut++) expect(all([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    const ones = all([...text]);
    expect(ones).toEqual(whole);
  });
  it('reports malformed records instead of guessing', () => {
    expect(all(['a"b,c\n'])).toEqual([{ error: 'a quote inside an unquoted field' }]);
    expect(all(['"ab"x,c\n'])).toEqual([{ error: expect.stringContaining('after a closing quote') }]);
    expect(all(['"abc\n'])).toEqual([{ error: 'unclosed quoted field' }]);
  });
  it('with quotes off, quotes are plain characters; other delimiters work', () => {
    expect(all(['"a";b\n'], ';', false)).toEqual([['"a"', 'b']]);
  });
});
