import { type Config, type Logs, ValueError, registerClass } from '@strata/core';
import { Callback } from './callback';
import { warnOnce } from './io';
import { formatFloat } from './py-format';

export interface RemoteMonitorOptions {
  /** Root URL of the server (http or https). Default 'http://localhost:9000'. */
  root?: string;
  /** Path relative to `root` the events are posted to. Default '/publish/epoch/end/'. */
  path?: string;
  /** Form field holding the JSON (when not sending JSON). Default 'data'. */
  field?: string;
  /** Extra HTTP headers. Default null. */
  headers?: Record<string, string> | null;
  /** Send the payload as `application/json` instead of in a form. Default false. */
  sendAsJson?: boolean;
}

/** `urlparse`-like: the scheme (without ':') and the lower-case host name, or '' when unparsable. */
function parseUrl(url: string): { scheme: string; hostname: string } {
  try {
    const u = new URL(url);
    return { scheme: u.protocol.replace(/:$/, ''), hostname: u.hostname.replace(/^\[|\]$/g, '').toLowerCase() };
  } catch {
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
    return { scheme: m?.[1]?.toLowerCase() ?? '', hostname: '' };
  }
}

/** Checks the URL at construction: http(s) only, and `path` must not change the host. */
function validateUrlStructure(root: string, path: string): void {
  const rootParsed = parseUrl(root);
  if (rootParsed.scheme !== 'http' && rootParsed.scheme !== 'https') {
    throw new ValueError(`Invalid URL scheme '${rootParsed.scheme}'. Only 'http' and 'https' are allowed.`);
  }
  const full = parseUrl(root + path);
  if (full.hostname !== rootParsed.hostname) {
    throw new ValueError(
      `Host injection detected: the combined URL hostname '${full.hostname}' does not match the root hostname ` +
        `'${rootParsed.hostname}'. Ensure 'path' does not contain '@', scheme separators, or other authority-altering characters.`,
    );
  }
  if (!full.hostname) throw new ValueError('URL must contain a valid hostname.');
}

function isLinkLocal(ip: string): boolean {
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(ip);
  if (v4 != null) return v4[1] === '169' && v4[2] === '254';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped != null) return isLinkLocal(mapped[1]!);
  // fe80::/10: first 10 bits 1111111010.
  const first = /^([0-9a-f]{1,4}):/i.exec(ip);
  return first != null && (Number.parseInt(first[1]!, 16) & 0xffc0) === 0xfe80;
}

/**
 * Resolves `hostname` at request time and refuses link-local addresses (cloud metadata
 * services), as Keras does; where there is no resolver (browsers), only IP literals are checked.
 */
async function checkResolvedAddress(hostname: string): Promise<void> {
  let addresses: string[];
  if (/^[\d.]+$/.test(hostname) || hostname.includes(':')) {
    addresses = [hostname];
  } else {
    let dns: typeof import('node:dns/promises') | null = null;
    try {
      dns = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:dns/promises');
    } catch {
      dns = null;
    }
    if (dns == null) return;
    try {
      addresses = (await dns.lookup(hostname, { all: true })).map((a) => a.address);
    } catch (e) {
      throw new ValueError(`Unable to resolve hostname '${hostname}': ${(e as Error).message}`);
    }
  }
  for (const ip of new Set(addresses)) {
    if (isLinkLocal(ip)) {
      throw new ValueError(
        `Requests to link-local IP addresses are not allowed (SSRF protection): '${ip}' resolved from '${hostname}'. ` +
          'This range is used by cloud instance-metadata services (e.g. AWS IMDSv1 at 169.254.169.254).',
      );
    }
  }
}

/** Python's `json.dumps` of the payload: `{"epoch": 0, "loss": 0.5}` (floats as Python writes them). */
function pythonJson(send: Record<string, number>, intKeys: ReadonlySet<string>, allowNan: boolean): string {
  const parts = Object.entries(send).map(([k, v]) => {
    let text: string;
    if (intKeys.has(k)) text = String(v);
    else if (Number.isFinite(v)) text = formatFloat(v);
    else if (!allowNan) throw new ValueError(`Out of range float values are not JSON compliant: ${formatFloat(v)}`);
    else text = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    return `${JSON.stringify(k)}: ${text}`;
  });
  return `{${parts.join(', ')}}`;
}

/**
 * `keras.callbacks.RemoteMonitor`: POSTs every epoch's logs (with `epoch`, from 0) to
 * `root + path` with the global `fetch`: as JSON with `sendAsJson`, else as a form whose `field`
 * holds the JSON. A server that cannot be reached gives a warning, not an error.
 */
export class RemoteMonitor extends Callback {
  root: string;
  path: string;
  field: string;
  headers: Record<string, string> | null;
  sendAsJson: boolean;

  constructor(options: RemoteMonitorOptions = {}) {
    super();
    const root = options.root ?? 'http://localhost:9000';
    const path = options.path ?? '/publish/epoch/end/';
    validateUrlStructure(root, path);
    this.root = root;
    this.path = path;
    this.field = options.field ?? 'data';
    this.headers = options.headers ?? null;
    this.sendAsJson = options.sendAsJson ?? false;
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    if (typeof globalThis.fetch !== 'function') throw new ValueError('RemoteMonitor requires a global `fetch`.');
    const send: Record<string, number> = { epoch };
    for (const [k, v] of Object.entries(logs ?? {})) send[k] = v;
    // Re-checked at request time to catch DNS rebinding.
    await checkResolvedAddress(parseUrl(this.root).hostname);
    const url = this.root + this.path;
    const intKeys = new Set(['epoch']);
    try {
      let body: string;
      let contentType: string;
      if (this.sendAsJson) {
        // `requests` refuses NaN/Infinity in a JSON body (and the failure is reported as unreachable).
        body = pythonJson(send, intKeys, false);
        contentType = 'application/json';
      } else {
        body = new URLSearchParams({ [this.field]: pythonJson(send, intKeys, true) }).toString();
        contentType = 'application/x-www-form-urlencoded';
      }
      await globalThis.fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': contentType, ...(this.headers ?? {}) },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      warnOnce(`Could not reach RemoteMonitor root server at ${this.root}`);
    }
  }

  getConfig(): Config {
    return { root: this.root, path: this.path, field: this.field, headers: this.headers, send_as_json: this.sendAsJson };
  }

  static fromConfig(config: Config): RemoteMonitor {
    return new RemoteMonitor({
      root: config.root as string | undefined,
      path: config.path as string | undefined,
      field: config.field as string | undefined,
      headers: config.headers as Record<string, string> | null | undefined,
      sendAsJson: config.send_as_json as boolean | undefined,
    });
  }
}

registerClass('callback', RemoteMonitor, { module: 'keras.callbacks', className: 'RemoteMonitor' });
