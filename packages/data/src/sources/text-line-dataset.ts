import { ValueError } from '@strata/core';
import { Dataset } from '../dataset/dataset';
import { iterateStream, openByteStream } from './byte-stream';

const WHO = 'textLineDataset';

/**
 * The lines of a file or URL, read in chunks, without their line ending (`\n` or `\r\n`); a last
 * line without a newline counts, a final newline does not start an empty line.
 */
export async function* readLines(path: string, who = WHO): AsyncGenerator<string> {
  const body = await openByteStream(path, who);
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  const strip = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);
  for await (const chunk of iterateStream(body)) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = rest.indexOf('\n'); nl !== -1; nl = rest.indexOf('\n', start)) {
      yield strip(rest.slice(start, nl));
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield strip(rest);
}

/**
 * `tf.data.TextLineDataset`: a dataset of the lines (JS strings) of one or more text files or URLs,
 * in order, streamed in chunks (the file is never loaded whole). Batching gives string tensors.
 */
export function textLineDataset(filenames: string | readonly string[]): Dataset<string> {
  const files = typeof filenames === 'string' ? [filenames] : [...(filenames ?? [])];
  if (files.length === 0 || files.some((f) => typeof f !== 'string' || f === '')) {
    throw new ValueError(`${WHO}: \`filenames\` must be a non-empty path or list of paths. Received: ${JSON.stringify(filenames)}`);
  }
  return Dataset.fromGenerator(async function* () {
    for (const f of files) yield* readLines(f);
  });
}
