import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import { createFetchTool } from './fetch-tool.js';
import { safeFetch } from './fetch/safe-fetch.js';

/** Two loopback servers: `pages` (the test opts in to its port) and `internal` (must never be reached). */
let pages: Server;
let internal: Server;
let P = 0;
let Q = 0;
const internalHits: string[] = [];
const bomb = gzipSync(Buffer.alloc(20_000_000));

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  pages = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/hello') return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`hello from ${req.headers.host}`);
    if (url.pathname === '/html') {
      return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>Gearbox</title><script>alert(1)</script></head><body><nav>menu</nav><main><h1>Oil</h1><p>Change it every 18 months.</p></main></body></html>');
    }
    if (url.pathname === '/big') return res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(3_000_000));
    if (url.pathname === '/bomb') return res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(bomb);
    if (url.pathname === '/binary') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    if (url.pathname === '/missing') return res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
    if (url.pathname === '/redirect') return res.writeHead(302, { location: url.searchParams.get('to') ?? '/hello' }).end();
    if (url.pathname === '/loop') return res.writeHead(301, { location: '/loop' }).end();
    if (url.pathname === '/slow') return; // never answers
    res.writeHead(404).end();
  });
  internal = createServer((req, res) => {
    internalHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('SECRET');
  });
  P = await listen(pages);
  Q = await listen(internal);
});

afterAll(async () => {
  for (const s of [pages, internal]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const allowed = () => ({ allowLoopbackPorts: [P] });

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isLoreError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
  return (error as Error).message;
}

describe('safeFetch', () => {
  it('refuses loopback unless the test opts in to that port', async () => {
    expect(await refusal(safeFetch({ url: `http://127.0.0.1:${P}/hello` }))).toMatch(/Refused.*loopback/);
    expect(await refusal(safeFetch({ url: `http://localhost:${P}/hello` }))).toMatch(/Refused.*localhost resolves to .*loopback/);
    const ok = await safeFetch({ url: `http://127.0.0.1:${P}/hello`, ...allowed() });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe(`hello from 127.0.0.1:${P}`);
  });

  it('refuses every redirect hop to a forbidden address, in every spelling', async () => {
    const targets = [
      `http://127.0.0.1:${Q}/secret`,
      `http://localhost:${Q}/secret`,
      `http://2130706433:${Q}/secret`, // 127.0.0.1 as one decimal number
      `http://0x7f000001:${Q}/secret`,
      `http://0177.0.0.1:${Q}/secret`,
      `http://127.1:${Q}/secret`,
      `http://[::1]:${Q}/secret`,
      `http://0.0.0.0:${Q}/secret`,
      `http://[::]:${Q}/secret`,
      `http://[::ffff:127.0.0.1]:${Q}/secret`,
      `http://[::ffff:7f00:1]:${Q}/secret`,
      'http://10.0.0.1/',
      'http://172.16.5.4/',
      'http://192.168.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://[fe80::1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://metadata.google.internal./computeMetadata/v1/',
      'file:///etc/passwd',
      'ftp://example.com/file',
      `http://user:pass@127.0.0.1:${P}/hello`,
    ];
    for (const target of targets) {
      const message = await refusal(safeFetch({ url: `http://127.0.0.1:${P}/redirect?to=${encodeURIComponent(target)}`, ...allowed() }));
      expect(message, target).toMatch(/^Refused to fetch/);
    }
    // Two allowed hops, then a forbidden one.
    const chain = `http://127.0.0.1:${P}/redirect?to=${encodeURIComponent(`/redirect?to=${encodeURIComponent(`http://2130706433:${Q}/`)}`)}`;
    expect(await refusal(safeFetch({ url: chain, ...allowed() }))).toMatch(/127\.0\.0\.1.*loopback/);
    expect(internalHits).toEqual([]);
  });

  it('checks every DNS answer and connects to the checked address only', async () => {
    const resolveTo = (addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    // One private answer among public ones refuses the lot.
    expect(await refusal(safeFetch({ url: 'http://mixed.test/', resolve: resolveTo(['93.184.216.34', '10.1.2.3']) }))).toMatch(/mixed\.test resolves to 10\.1\.2\.3/);
    expect(await refusal(safeFetch({ url: 'http://rebind.test/', resolve: resolveTo(['::ffff:169.254.169.254']) }))).toMatch(/link-local/);
    expect(await refusal(safeFetch({ url: `http://sneaky.test:${Q}/`, resolve: resolveTo(['127.0.0.1']), ...allowed() }))).toMatch(/loopback/);
    // A name the system cannot resolve reaches the pinned address: the connection used our answer, and the
    // Host header still names the host.
    const pinned = await safeFetch({ url: `http://pages.test:${P}/hello`, resolve: resolveTo(['127.0.0.1']), ...allowed() });
    expect(pinned.body.toString()).toBe(`hello from pages.test:${P}`);
    expect(pinned.addresses).toEqual(['127.0.0.1']);
    expect(internalHits).toEqual([]);
  });

  it('caps size (after decompression), redirects and time', async () => {
    const big = await safeFetch({ url: `http://127.0.0.1:${P}/big`, maxBytes: 100_000, ...allowed() });
    expect(big.body.length).toBe(100_000);
    expect(big.truncated).toBe(true);
    const bombed = await safeFetch({ url: `http://127.0.0.1:${P}/bomb`, maxBytes: 50_000, ...allowed() });
    expect(bombed.body.length).toBe(50_000);
    expect(bombed.truncated).toBe(true);
    await expect(safeFetch({ url: `http://127.0.0.1:${P}/loop`, maxRedirects: 3, ...allowed() })).rejects.toThrow(/Too many redirects/);
    const started = Date.now();
    const slow = await safeFetch({ url: `http://127.0.0.1:${P}/slow`, timeoutMs: 300, ...allowed() }).catch((e: unknown) => e);
    expect(isLoreError(slow, 'TIMEOUT')).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the fetch tool', () => {
  const context = { signal: new AbortController().signal, callId: 'c1' };

  it('returns pages as text for the model: HTML as Markdown, binary described, errors flagged', async () => {
    const tool = createFetchTool(allowed());
    expect(tool.risk).toBe('network');
    const html = await tool.execute({ url: `http://127.0.0.1:${P}/redirect?to=/html` }, context);
    expect(typeof html === 'object' && html.content).toMatch(/^URL: http:\/\/127\.0\.0\.1:\d+\/html\nStatus: 200[\s\S]*Redirected from:[\s\S]*# Gearbox[\s\S]*Change it every 18 months\./);
    expect(typeof html === 'object' && html.content).not.toMatch(/alert|menu/);
    const binary = await tool.execute({ url: `http://127.0.0.1:${P}/binary` }, context);
    expect(typeof binary === 'object' && binary.content).toMatch(/4 bytes of image\/png content, not shown/);
    const missing = await tool.execute({ url: `http://127.0.0.1:${P}/missing` }, context);
    expect(typeof missing === 'object' && missing.isError).toBe(true);
  });

  it('refuses without the opt-in, as any user of the tool gets it', async () => {
    await expect(createFetchTool().execute({ url: `http://127.0.0.1:${P}/hello` }, context)).rejects.toThrow(/Refused/);
  });
});
