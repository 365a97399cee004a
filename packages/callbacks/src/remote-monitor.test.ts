import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValueError, deserializeKerasObject, lookupClass } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallbackList } from './callback-list';
import { RemoteMonitor } from './remote-monitor';
import { FakeModel } from './testing';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let received: Received[];
let root: string;

beforeEach(async () => {
  received = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function run(cb: RemoteMonitor, rows: Record<string, number>[]) {
  const model = new FakeModel();
  const list = new CallbackList([cb], { model });
  for (const [e, logs] of rows.entries()) await list.onEpochEnd(e, logs);
  model.dispose();
}

describe('RemoteMonitor', () => {
  it('posts each epoch as a form field holding the JSON', async () => {
    await run(new RemoteMonitor({ root }), [{ loss: 0.5, acc: 1 }, { loss: Number.NaN, acc: 0.25 }]);
    expect(received.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/publish/epoch/end/'],
      ['POST', '/publish/epoch/end/'],
    ]);
    expect(received[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    // Logs arrive sorted (CallbackList); `epoch` first; what Python's json.dumps writes.
    expect(new URLSearchParams(received[0]!.body).get('data')).toBe('{"epoch": 0, "acc": 1.0, "loss": 0.5}');
    expect(received[0]!.body).toBe('data=%7B%22epoch%22%3A+0%2C+%22acc%22%3A+1.0%2C+%22loss%22%3A+0.5%7D');
    expect(new URLSearchParams(received[1]!.body).get('data')).toBe('{"epoch": 1, "acc": 0.25, "loss": NaN}');
  });

  it('posts JSON with sendAsJson, to the given path and field, with the headers', async () => {
    await run(new RemoteMonitor({ root, path: '/x/y', sendAsJson: true, headers: { 'X-Token': 'abc' } }), [{ val_loss: 1e-5 }]);
    expect(received[0]!.url).toBe('/x/y');
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(received[0]!.headers['x-token']).toBe('abc');
    expect(received[0]!.body).toBe('{"epoch": 0, "val_loss": 1e-05}');
    await run(new RemoteMonitor({ root, field: 'payload' }), [{ loss: 2 }]);
    expect(new URLSearchParams(received[1]!.body).get('payload')).toBe('{"epoch": 0, "loss": 2.0}');
  });

  it('warns when the server cannot be reached', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const deadRoot = `http://127.0.0.1:${port}`;
    await run(new RemoteMonitor({ root: deadRoot }), [{ loss: 1 }]);
    expect(warn).toHaveBeenCalledWith(`UserWarning: Could not reach RemoteMonitor root server at ${deadRoot}`);
    warn.mockRestore();
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('validates the URL like Keras (scheme, host injection, link-local)', async () => {
    expect(() => new RemoteMonitor({ root: 'ftp://host' })).toThrow("Invalid URL scheme 'ftp'. Only 'http' and 'https' are allowed.");
    expect(() => new RemoteMonitor({ root: 'http://localhost:9000', path: '@attacker.com/' })).toThrow(
      /Host injection detected: the combined URL hostname 'attacker.com' does not match the root hostname 'localhost'/,
    );
    expect(() => new RemoteMonitor({ root: 'localhost:9000' })).toThrow(ValueError);
    const cb = new RemoteMonitor({ root: 'http://169.254.169.254' });
    await expect(run(cb, [{ loss: 1 }])).rejects.toThrow(/link-local IP addresses are not allowed \(SSRF protection\): '169.254.169.254'/);
    await expect(run(new RemoteMonitor({ root: 'http://[fe80::1]:80' }), [{ loss: 1 }])).rejects.toThrow(/'fe80::1'/);
  });

  it('round-trips its config and is registered', () => {
    const cb = new RemoteMonitor({ root: 'https://example.com', path: '/p', field: 'f', headers: { a: 'b' }, sendAsJson: true });
    expect(RemoteMonitor.fromConfig(cb.getConfig()).getConfig()).toEqual(cb.getConfig());
    expect(new RemoteMonitor().getConfig()).toEqual({ root: 'http://localhost:9000', path: '/publish/epoch/end/', field: 'data', headers: null, send_as_json: false });
    expect(lookupClass('callback', 'RemoteMonitor')).toBe(RemoteMonitor);
    expect(deserializeKerasObject('callback', { module: 'keras.callbacks', class_name: 'RemoteMonitor', config: {}, registered_name: null })).toBeInstanceOf(RemoteMonitor);
  });
});
