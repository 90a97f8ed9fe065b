import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOneOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { LoreError } from '../../../spec/errors.js';
import { classifyAddress, type AddressClass } from './classify-address.js';

export interface SafeFetchOptions {
  url: string;
  signal?: AbortSignal;
  /** Body bytes kept at most, after decompression (default 1 MB); the rest is not read. */
  maxBytes?: number;
  /** For the whole exchange, redirects included (default 15 s). */
  timeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /**
   * FOR TESTS ONLY: loopback addresses (127.0.0.0/8, ::1) on these ports are allowed, so a test can serve
   * pages from this machine. Off by default; private, link-local and metadata addresses stay refused, and
   * loopback on any other port too.
   */
  allowLoopbackPorts?: readonly number[];
  /** Resolves host names (default: the system resolver). Tests pass one to play a DNS server that lies. */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
  userAgent?: string;
}

export interface SafeFetchResponse {
  /** Where the last hop went. */
  url: string;
  status: number;
  contentType: string;
  body: Buffer;
  /** The body was longer than maxBytes and was cut there. */
  truncated: boolean;
  /** Every URL requested, the first included. */
  hops: string[];
  /** The address each hop connected to. */
  addresses: string[];
}

/** Names that reach cloud metadata services whatever they resolve to. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal']);

export const DEFAULT_FETCH_MAX_BYTES = 1_000_000;
export const DEFAULT_FETCH_TIMEOUT_MS = 15_000;

function refused(url: string, reason: string): LoreError {
  return new LoreError({ code: 'INVALID_ARGUMENT', message: `Refused to fetch ${url}: ${reason}`, hint: 'the fetch tool reaches only public http(s) addresses', subject: url });
}

function allowed(cls: AddressClass, port: number, options: SafeFetchOptions): boolean {
  if (cls.kind === 'public') return true;
  return cls.kind === 'loopback' && (options.allowLoopbackPorts ?? []).includes(port);
}

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/**
 * Checks one URL and decides the address to connect to. The host is resolved here, every answer is
 * checked (one forbidden answer refuses the lot: a resolver that mixes a public and a private address is
 * how rebinding attacks start), and the connection is then pinned to the checked address, so a second,
 * different DNS answer at connect time cannot take it elsewhere.
 */
async function checkUrl(url: URL, options: SafeFetchOptions): Promise<{ address: string; family: number }> {
  const shown = url.href;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(shown, `only http and https are allowed, not ${url.protocol.replace(/:$/, '')}`);
  if (url.username || url.password) throw refused(shown, 'URLs with credentials are not allowed');
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  if (!host) throw refused(shown, 'the URL has no host');
  if (METADATA_HOSTS.has(host)) throw refused(shown, `${host} is a cloud metadata service`);
  const port = defaultPort(url);
  const literal = classifyAddress(host);
  if (literal.kind !== 'not-an-ip') {
    if (!allowed(literal, port, options)) throw refused(shown, `${host} is ${literal.reason}`);
    const bare = host.replace(/^\[|\]$/g, '');
    return { address: bare, family: bare.includes(':') ? 6 : 4 };
  }
  let answers: Array<{ address: string; family: number }>;
  try {
    answers = options.resolve ? await options.resolve(host) : await dnsLookup(host, { all: true, verbatim: true });
  } catch (cause) {
    throw new LoreError({ code: 'NOT_FOUND', message: `Cannot resolve ${host}: ${(cause as Error).message}`, subject: shown, cause });
  }
  if (answers.length === 0) throw new LoreError({ code: 'NOT_FOUND', message: `${host} has no address`, subject: shown });
  for (const answer of answers) {
    const cls = classifyAddress(answer.address);
    if (cls.kind === 'not-an-ip' || !allowed(cls, port, options)) throw refused(shown, `${host} resolves to ${answer.address}, ${cls.reason}`);
  }
  return answers[0]!;
}

/** A `lookup` that answers only the address already checked, whatever is asked. */
function pinnedLookup(address: string, family: number) {
  return (_host: string, opts: LookupOneOptions | { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if ((opts as { all?: boolean }).all) callback(null, [{ address, family } satisfies LookupAddress]);
    else callback(null, address, family);
  };
}

function requestOnce(url: URL, pinned: { address: string; family: number }, signal: AbortSignal, userAgent: string): Promise<IncomingMessage> {
  const options: RequestOptions = {
    method: 'GET',
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: defaultPort(url),
    path: `${url.pathname}${url.search}`,
    headers: {
      'user-agent': userAgent,
      accept: 'text/html, text/plain, text/markdown, application/json;q=0.9, */*;q=0.5',
      'accept-encoding': 'gzip, deflate, br',
    },
    lookup: pinnedLookup(pinned.address, pinned.family) as RequestOptions['lookup'],
    signal,
    // A fresh connection per hop: a pooled socket to another address must never carry this request.
    agent: false,
  };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, resolve);
    req.on('error', reject);
    req.end();
  });
}

function decoder(encoding: string | undefined): Transform | undefined {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/** Reads at most `max` bytes (after decompression, so a small compressed bomb cannot fill memory), then stops reading. */
async function readCapped(response: IncomingMessage, max: number): Promise<{ body: Buffer; truncated: boolean }> {
  const unzip = decoder(response.headers['content-encoding']);
  const source = unzip ? response.pipe(unzip) : response;
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (size + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - size));
        size = max;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } finally {
    if (truncated || !response.complete) response.destroy();
    unzip?.destroy();
  }
  return { body: Buffer.concat(chunks), truncated };
}

/**
 * GET a URL the way an agent may: http(s) only, every hop (redirects are followed here, not by a library)
 * checked against loopback, private, link-local, metadata, multicast and reserved addresses in every
 * spelling, DNS resolved here and the connection pinned to the checked address, the body capped in bytes
 * and the whole exchange in time. Refusals are LoreErrors (INVALID_ARGUMENT) naming the URL and the reason.
 */
export async function safeFetch(options: SafeFetchOptions): Promise<SafeFetchResponse> {
  const maxBytes = options.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? 5;
  const timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const userAgent = options.userAgent ?? 'Lore-agent/0.1 (+fetch tool)';
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Not a URL: ${options.url}`, hint: 'write a full URL, e.g. https://example.com/page' });
  }
  const hops: string[] = [];
  const addresses: string[] = [];
  try {
    for (;;) {
      hops.push(url.href);
      const pinned = await checkUrl(url, options);
      signal.throwIfAborted();
      addresses.push(pinned.address);
      const response = await requestOnce(url, pinned, signal, userAgent);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.destroy();
        if (hops.length > maxRedirects) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Too many redirects (more than ${maxRedirects}) from ${hops[0]}`, subject: hops[0] });
        try {
          url = new URL(location, url);
        } catch {
          throw new LoreError({ code: 'PARSE_ERROR', message: `${url.href} redirected to something that is not a URL: ${location}` });
        }
        continue;
      }
      const { body, truncated } = await readCapped(response, maxBytes);
      return { url: url.href, status, contentType: String(response.headers['content-type'] ?? ''), body, truncated, hops, addresses };
    }
  } catch (error) {
    if (timeout.aborted && !options.signal?.aborted) throw new LoreError({ code: 'TIMEOUT', message: `Fetching ${hops.at(-1) ?? options.url} took longer than ${timeoutMs} ms`, cause: error });
    if (options.signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'The fetch was cancelled', cause: error });
    if (error instanceof LoreError) throw error;
    throw new LoreError({ code: 'PROVIDER_ERROR', message: `Fetching ${hops.at(-1) ?? options.url} failed: ${(error as Error).message}`, cause: error });
  }
}
