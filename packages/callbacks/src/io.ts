// Where progress bars and callback messages go (Keras' `io_utils.print_msg`).

/** A text sink. `isTTY` turns on in-place redrawing of the progress bar. */
export interface Writer {
  write(text: string): void;
  readonly isTTY?: boolean;
}

interface StdoutLike {
  write(text: string): unknown;
  isTTY?: boolean;
}

function processStdout(): StdoutLike | null {
  const proc = (globalThis as { process?: { stdout?: StdoutLike } }).process;
  const out = proc?.stdout;
  return out != null && typeof out.write === 'function' ? out : null;
}

/**
 * A writer over `console.log` for runtimes without a stdout stream (browsers, workers): text is
 * buffered and logged one complete line at a time.
 */
export function consoleWriter(log: (line: string) => void = (line) => console.log(line)): Writer {
  let pending = '';
  return {
    isTTY: false,
    write(text: string): void {
      pending += text;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        log(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
      }
    },
  };
}

/** `process.stdout` where it exists (Node, Bun, Deno), else `console.log`. */
export function stdoutWriter(): Writer {
  const out = processStdout();
  if (out == null) return consoleWriter();
  return {
    write: (text: string) => {
      out.write(text);
    },
    get isTTY() {
      return Boolean(out.isTTY);
    },
  };
}

let defaultWriter: Writer | null = null;

/** The writer progress bars and callback messages use unless given one. */
export function getDefaultWriter(): Writer {
  if (defaultWriter == null) defaultWriter = stdoutWriter();
  return defaultWriter;
}

/** Replaces the default writer; `null` goes back to stdout / `console.log`. */
export function setDefaultWriter(writer: Writer | null): void {
  defaultWriter = writer;
}

/** Keras' `io_utils.print_msg`: the message, then a line break unless `lineBreak` is false. */
export function printMsg(message: string, lineBreak = true, writer: Writer = getDefaultWriter()): void {
  writer.write(lineBreak ? `${message}\n` : message);
}

const warned = new Set<string>();

/**
 * Python's `warnings.warn` under the default filter: each distinct message is shown once (through
 * `console.warn`).
 */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`UserWarning: ${message}`);
}
