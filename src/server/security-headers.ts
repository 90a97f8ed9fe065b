import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * No inline script or style and no remote images: text from documents or from a model that slipped past
 * escaping still cannot run or call home.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

const CORS_METHODS = 'GET, POST, DELETE, OPTIONS';
const CORS_HEADERS = 'authorization, content-type, x-api-key, x-request-id';

/**
 * CORS is off unless origins are configured: then a listed origin gets the allow headers (and its
 * preflight a 204); any other gets none, and the browser keeps the response from the page.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin || !(origins.includes(origin) || origins.includes('*'))) return false;
  res.setHeader('access-control-allow-origin', origins.includes('*') ? '*' : origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', 'retry-after, x-request-id');
  if (req.method === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', CORS_METHODS);
    res.setHeader('access-control-allow-headers', CORS_HEADERS);
    res.setHeader('access-control-max-age', '600');
  }
  return true;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Without API keys the server trusts whoever can reach it, which on loopback means this machine's user —
 * but also any web page that user visits: a page can make the browser post a form (an upload, a delete) to
 * 127.0.0.1 without a preflight, or rebind a DNS name to 127.0.0.1. So, keyless, a request must name a
 * loopback host, and a browser request must come from the server's own page or a configured CORS origin.
 */
export function checkKeylessRequest(req: IncomingMessage, corsOrigins: readonly string[]): void {
  const host = req.headers.host ?? '';
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  if (!isLoopbackHost(hostname)) {
    throw new HttpError({ status: 403, code: 'FORBIDDEN', message: `Host "${host}" is not a loopback name; this server only answers as localhost` });
  }
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    let sameOrigin = false;
    try {
      const url = new URL(origin);
      sameOrigin = url.host === host && isLoopbackHost(url.hostname.startsWith('[') ? url.hostname : url.hostname);
    } catch {
      sameOrigin = false;
    }
    if (!sameOrigin && !corsOrigins.includes(origin) && !corsOrigins.includes('*')) {
      throw new HttpError({ status: 403, code: 'FORBIDDEN', message: `Requests from ${origin} are not allowed; start the server with --cors ${origin} to allow them` });
    }
  } else if (origin === 'null') {
    throw new HttpError({ status: 403, code: 'FORBIDDEN', message: 'Requests from opaque origins are not allowed' });
  }
}
