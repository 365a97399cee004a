import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import { browserTestConfig } from '../../tooling/vitest/browser.mjs';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tooling', 'test-utils', 'fixtures', 'keras');

/** Files POSTed by the http save handler (multipart form), by upload folder and file name. */
const uploads = new Map<string, Map<string, Uint8Array>>();

/** The part of a vite plugin used here (a dev-server middleware); vite itself is not a dependency. */
interface Plugin {
  name: string;
  configureServer(server: { middlewares: { use(fn: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): void } }): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Sends `data` in `parts` slices with a pause between them, so the client sees several progress events. */
async function sendSlowly(res: ServerResponse, data: Uint8Array, withLength: boolean, parts = 8): Promise<void> {
  res.statusCode = 200;
  res.setHeader('content-type', 'application/octet-stream');
  res.setHeader('cache-control', 'no-store');
  if (withLength) res.setHeader('content-length', String(data.byteLength));
  const step = Math.ceil(data.byteLength / parts);
  for (let i = 0; i < data.byteLength; i += step) {
    res.write(data.subarray(i, i + step));
    await sleep(15);
  }
  res.end();
}

/**
 * Test routes for the browser run (on the vite dev server that serves the test page):
 * - `GET /__io/fixtures/<model>/<file>[?nolength]`: a Keras fixture file, streamed in slices
 *   with (or without) `content-length`;
 * - `GET /__io/status/<code>/<anything>`: that HTTP status;
 * - `POST /__io/upload/<id>/<main file>`: stores the multipart files (tfjs `io.http` style);
 *   `GET /__io/upload/<id>/<file>` serves them back.
 */
function ioRoutes(): Plugin {
  return {
    name: 'strata-io-test-routes',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (!url.pathname.startsWith('/__io/')) return next();
        try {
          const parts = url.pathname.split('/').slice(2).map(decodeURIComponent);
          if (parts[0] === 'fixtures') {
            const file = normalize(join(FIXTURES, ...parts.slice(1)));
            if (!file.startsWith(FIXTURES)) throw new Error('outside the fixtures');
            const data = await readFile(file).catch(() => null);
            if (data == null) {
              res.statusCode = 404;
              res.end('not found');
              return;
            }
            await sendSlowly(res, data, !url.searchParams.has('nolength'));
            return;
          }
          if (parts[0] === 'status') {
            res.statusCode = Number(parts[1]);
            res.end(`status ${parts[1]}`);
            return;
          }
          if (parts[0] === 'upload' && parts.length === 3) {
            const id = parts[1]!;
            if (req.method === 'POST') {
              const form = await new Request('http://localhost/', {
                method: 'POST',
                headers: { 'content-type': req.headers['content-type'] ?? '' },
                body: new Uint8Array(await body(req)),
              }).formData();
              const files = new Map<string, Uint8Array>();
              const entries: [string, FormDataEntryValue][] = [];
              form.forEach((value, name) => entries.push([name, value]));
              for (const [name, value] of entries) {
                if (typeof value !== 'string') files.set(name, new Uint8Array(await value.arrayBuffer()));
              }
              uploads.set(id, files);
              res.statusCode = 200;
              res.setHeader('content-type', 'application/json');
              res.end(JSON.stringify({ files: [...files.keys()].sort() }));
              return;
            }
            const data = uploads.get(id)?.get(parts[2]!);
            if (data == null) {
              res.statusCode = 404;
              res.end('not uploaded');
              return;
            }
            await sendSlowly(res, data, true, 2);
            return;
          }
          res.statusCode = 404;
          res.end('no such test route');
        } catch (e) {
          res.statusCode = 500;
          res.end(String(e));
        }
      });
    },
  };
}

export default mergeConfig(browserTestConfig({ testTimeout: 90_000 }), { plugins: [ioRoutes()] });
