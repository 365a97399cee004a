// Test routes of the browser run (vitest.browser.config.ts), run by the vite dev server in Node:
// generated CSV / text streamed in uneven chunks, generated images, and what Node's own image
// pipeline (fast-png / jpeg-js, imageDatasetFromDirectory on a real folder) makes of them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@strata/core';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { csvRow, imageFiles, textLine } from './generated';
import { imageDatasetFromDirectory } from '../utils/image-dataset-from-directory';
import { decodeImage } from '../utils/image-io';

/** The part of a vite plugin used here (a dev-server middleware); vite itself is not a dependency. */
interface Plugin {
  name: string;
  configureServer(server: { middlewares: { use(fn: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): void } }): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Streams `text` as UTF-8 in `chunk`-byte pieces (cutting through rows and characters), no content-length. */
async function streamText(res: ServerResponse, text: string, chunk: number): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  res.statusCode = 200;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  for (let i = 0; i < bytes.length; i += chunk) {
    if (!res.write(bytes.subarray(i, i + chunk))) await new Promise((r) => res.once('drain', r));
    if ((i / chunk) % 64 === 0) await sleep(1);
  }
  res.end();
}

function encodeImage(file: ReturnType<typeof imageFiles>[number]): Uint8Array {
  if (file.path.endsWith('.png')) return encodePng({ width: file.width, height: file.height, data: file.pixels, channels: file.channels, depth: 8 });
  return new Uint8Array(jpeg.encode({ width: file.width, height: file.height, data: file.pixels }, file.quality ?? 90).data);
}

/** What Node makes of the generated images, computed once. */
async function nodeResults(files: Map<string, Uint8Array>): Promise<unknown> {
  const decoded: Record<string, { width: number; height: number; channels: number; data: number[] }> = {};
  for (const [path, bytes] of files) {
    const img = await decodeImage(bytes, 4, path);
    decoded[path] = { width: img.width, height: img.height, channels: img.channels, data: [...img.data] };
  }
  const root = mkdtempSync(join(tmpdir(), 'strata-browser-images-'));
  try {
    for (const [path, bytes] of files) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), bytes);
    }
    const ds = (await imageDatasetFromDirectory(root, {
      imageSize: [10, 12],
      batchSize: 4,
      seed: 7,
      validationSplit: 0.25,
      subset: 'training',
    })) as Awaited<ReturnType<typeof imageDatasetFromDirectory>> & { filePaths: string[]; classNames: string[] };
    const batches: { images: number[]; shape: number[]; labels: number[] }[] = [];
    for await (const [x, y] of ds as AsyncIterable<[Tensor, Tensor]>) {
      batches.push({ images: [...(await x.data())], shape: x.shape, labels: [...(await y.data())] });
      x.dispose();
      y.dispose();
    }
    return { decoded, dataset: { filePaths: ds.filePaths.map((p) => p.slice(root.length + 1)), classNames: ds.classNames, batches } };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function dataRoutes(): Plugin {
  const images = new Map(imageFiles().map((f) => [f.path, encodeImage(f)]));
  let node: Promise<string> | null = null;
  return {
    name: 'strata-data-test-routes',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (!url.pathname.startsWith('/__data/')) return next();
        try {
          const route = url.pathname.slice('/__data/'.length);
          const n = Number(url.searchParams.get('n') ?? '0');
          const chunk = Number(url.searchParams.get('chunk') ?? '65536');
          if (route === 'data.csv') {
            const rows = ['id,x,label,name'];
            for (let i = 0; i < n; i++) rows.push(csvRow(i));
            await streamText(res, `${rows.join('\r\n')}\r\n`, chunk);
          } else if (route === 'lines.txt') {
            const lines: string[] = [];
            for (let i = 0; i < n; i++) lines.push(textLine(i));
            await streamText(res, lines.join('\n'), chunk);
          } else if (route.startsWith('images/')) {
            const data = images.get(decodeURIComponent(route.slice('images/'.length)));
            if (data == null) {
              res.statusCode = 404;
              res.end('no such image');
              return;
            }
            res.setHeader('content-type', 'application/octet-stream');
            res.end(data);
          } else if (route === 'node-images.json') {
            node ??= nodeResults(images).then((r) => JSON.stringify(r));
            res.setHeader('content-type', 'application/json');
            res.end(await node);
          } else if (route.startsWith('status/')) {
            res.statusCode = Number(route.slice('status/'.length));
            res.end('status');
          } else {
            res.statusCode = 404;
            res.end('no such test route');
          }
        } catch (e) {
          res.statusCode = 500;
          res.end(String((e as Error)?.stack ?? e));
        }
      });
    },
  };
}
