/**
 * A streaming RFC 4180 CSV record parser: feed it text chunks, get back the complete records, the
 * incomplete tail is kept for the next chunk. Fields may be quoted (`"a,b"`, `""` for a quote,
 * newlines inside quotes); lines end with `\n` or `\r\n`. It runs synchronously over each chunk
 * (no per-record promise), which is what keeps a streamed CSV fast.
 */
export class CsvRecordParser {
  private pending = '';
  private readonly delim: number;

  constructor(
    delimiter: string,
    private readonly useQuotes: boolean,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /**
   * Records completed by `text` (with `final`, the rest is flushed as a last record). A malformed
   * record (a quote inside an unquoted field, text after a closing quote, an unclosed quote at the
   * end) comes back as `{ error }` so the caller can fail or skip it.
   */
  push(text: string, final = false): (string[] | { error: string })[] {
    const s = this.pending + text;
    const out: (string[] | { error: string })[] = [];
    const n = s.length;
    const D = this.delim;
    let i = 0;
    records: while (i < n) {
      const recordStart = i;
      const fields: string[] = [];
      let error: string | null = null;
      for (;;) {
        if (this.useQuotes && s.charCodeAt(i) === 34) {
          // Quoted field: up to the next quote not followed by another quote.
          let j = s.indexOf('"', i + 1);
          while (j !== -1 && s.charCodeAt(j + 1) === 34) j = s.indexOf('"', j + 2);
          if (j === -1 || (j + 1 >= n && !final)) {
            if (!final) {
              i = recordStart;
              break records;
            }
            error ??= 'unclosed quoted field';
            fields.push(s.slice(i + 1).replace(/""/g, '"'));
            i = n;
            out.push({ error });
            break;
          }
          fields.push(s.slice(i + 1, j).replace(/""/g, '"'));
          let k = j + 1;
          let c = s.charCodeAt(k);
          if (c === 13 && s.charCodeAt(k + 1) === 10) {
            c = 10;
            k++;
          }
          if (k < n && c !== D && c !== 10) {
            error ??= `unexpected character after a closing quote at offset ${k - recordStart} of the record`;
            while (k < n && s.charCodeAt(k) !== D && s.charCodeAt(k) !== 10) k++;
            c = s.charCodeAt(k);
          }
          if (k >= n) {
            if (!final) {
              i = recordStart;
              break records;
            }
            i = n;
            out.push(error ? { error } : fields);
            break;
          }
          i = k + 1;
          if (c === D) continue;
          out.push(error ? { error } : fields);
          break;
        }
        // Unquoted field: up to the delimiter or the end of the line.
        let k = i;
        let quote = false;
        let c = 0;
        while (k < n) {
          c = s.charCodeAt(k);
          if (c === D || c === 10) break;
          if (c === 34) quote = true;
          k++;
        }
        if (k >= n && !final) {
          i = recordStart;
          break records;
        }
        let end = k;
        if (c === 10 && end > i && s.charCodeAt(end - 1) === 13) end--;
        else if (k >= n && end > i && s.charCodeAt(end - 1) === 13) end--;
        fields.push(s.slice(i, end));
        if (quote && this.useQuotes) error ??= 'a quote inside an unquoted field';
        if (k < n && c === D) {
          i = k + 1;
          if (i >= n && final) {
            fields.push('');
            out.push(error ? { error } : fields);
            i = n;
            break;
          }
          continue;
        }
        i = k + 1;
        out.push(error ? { error } : fields);
        break;
      }
    }
    this.pending = i < n ? s.slice(i) : '';
    return out;
  }
}
