import { type Config, type Logs, registerClass } from '@strata/core';
import { Callback } from './callback';
import { nodeFs } from './checkpoint-file';
import { formatFloat } from './py-format';

export interface CSVLoggerOptions {
  /** Column separator. Default ','. */
  separator?: string;
  /** Append to an existing file (no second header) instead of overwriting it. Default false. */
  append?: boolean;
}

type FileHandle = Awaited<ReturnType<Awaited<ReturnType<typeof nodeFs>>['open']>>;

/**
 * Python's `csv` writer with the 'excel' dialect (minimal quoting, `\r\n` line ends) and the
 * given delimiter.
 */
function csvRow(fields: readonly string[], sep: string): string {
  const quoted = fields.map((f) => (f.includes(sep) || f.includes('"') || f.includes('\r') || f.includes('\n') ? `"${f.replace(/"/g, '""')}"` : f));
  return `${quoted.join(sep)}\r\n`;
}

/**
 * `keras.callbacks.CSVLogger`: writes one row per epoch (the epoch from 0, then the logs in
 * sorted key order) to a CSV file. Values are written as Python prints floats (`0.5`, `1.0`,
 * `1e-05`, `nan`); a key missing from an epoch's logs is written `NA`.
 */
export class CSVLogger extends Callback {
  sep: string;
  filename: string;
  append: boolean;
  keys: string[] | null = null;
  appendHeader = true;
  private file: FileHandle | null = null;
  private headerWritten = false;

  /** `new X(filename, options)` as in Keras, or `new X({ filename, ...options })`. */
  constructor(filename: string | (CSVLoggerOptions & { filename: string }), options: CSVLoggerOptions = {}) {
    super();
    if (typeof filename === 'object' && filename != null) {
      options = filename;
      filename = filename.filename;
    }
    this.sep = options.separator ?? ',';
    this.filename = filename;
    this.append = options.append ?? false;
  }

  override async onTrainBegin(_logs?: Logs): Promise<void> {
    const fs = await nodeFs('CSVLogger');
    if (this.append) {
      // No header when the file already starts with one (or any line).
      const text = await fs.readFile(this.filename, 'utf8').catch(() => null);
      if (text != null) this.appendHeader = text.length === 0;
    }
    await this.closeFile();
    this.file = await fs.open(this.filename, this.append ? 'a' : 'w');
    this.keys = null;
    this.headerWritten = false;
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const l = logs ?? {};
    if (this.keys == null) {
      this.keys = Object.keys(l).sort();
      // Columns for validation metrics the model is expected to produce (Keras' `metrics_names`).
      const expected = (this.model as { metricsNames?: unknown } | undefined)?.metricsNames;
      if (Array.isArray(expected)) {
        for (const name of expected) {
          if (typeof name === 'string' && name.startsWith('val_') && !this.keys.includes(name)) this.keys.push(name);
        }
      }
    }
    if (this.file == null) await this.onTrainBegin();
    let text = '';
    if (!this.headerWritten) {
      if (this.appendHeader) text += csvRow(['epoch', ...this.keys], this.sep);
      this.headerWritten = true;
    }
    const row = [String(epoch), ...this.keys.map((k) => (l[k] == null ? 'NA' : formatFloat(l[k]!)))];
    text += csvRow(row, this.sep);
    await this.file!.write(text);
  }

  override async onTrainEnd(_logs?: Logs): Promise<void> {
    await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const f = this.file;
    this.file = null;
    if (f != null) await f.close();
  }

  getConfig(): Config {
    return { filename: this.filename, separator: this.sep, append: this.append };
  }

  static fromConfig(config: Config): CSVLogger {
    return new CSVLogger(config.filename as string, {
      separator: config.separator as string | undefined,
      append: config.append as boolean | undefined,
    });
  }
}

registerClass('callback', CSVLogger, { module: 'keras.callbacks', className: 'CSVLogger' });
