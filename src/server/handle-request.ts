import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { HttpError, openaiErrorType, toHttpError } from './http-error.js';
import { LOCAL_PRINCIPAL, principalOfKey, type Principal } from './principal.js';
import type { RateLimiter } from './rate-limiter.js';
import { readJsonBody } from './read-body.js';
import { matchRoute, type RouteSpec, type Surface } from './route.js';
import { applyCors, checkKeylessRequest, setSecurityHeaders } from './security-headers.js';
import type { ServerContext } from './server-context.js';
import { serveStatic } from './static-files.js';

export interface RequestHandlerOptions {
  app: ServerContext;
  routes: readonly RouteSpec[];
  rateLimiter: RateLimiter;
}

/** The key a request presents: `Authorization: Bearer …` (what OpenAI clients send) or `X-API-Key`. */
function presentedKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : auth.trim();
  }
  const header = req.headers['x-api-key'];
  return typeof header === 'string' && header ? header.trim() : undefined;
}

/**
 * Who is asking. A valid key gives its scope, on loopback too. A Lore key that is not valid is refused
 * even where none is needed (a wrong key is a mistake worth saying); any other token is ignored on a
 * keyless server, because OpenAI's clients insist on sending one. Without a key, only a keyless server
 * accepts the request, and only from this machine's own pages.
 */
async function authenticate(app: ServerContext, req: IncomingMessage): Promise<Principal> {
  const key = presentedKey(req);
  if (key !== undefined) {
    const info = await app.keys.verifyKey(key);
    if (info) return principalOfKey(info);
    if (app.settings.requireKeys || key.startsWith('lore_')) {
      throw new HttpError({ status: 401, code: 'UNAUTHORIZED', message: 'Invalid or revoked API key', openaiCode: 'invalid_api_key' });
    }
  }
  if (app.settings.requireKeys) {
    throw new HttpError({ status: 401, code: 'UNAUTHORIZED', message: 'This server needs an API key: send Authorization: Bearer <key> (create one with `lore keys create`)', openaiCode: 'invalid_api_key' });
  }
  checkKeylessRequest(req, app.settings.corsOrigins);
  return LOCAL_PRINCIPAL;
}

function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

function validate<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return value as T;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw new HttpError({
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: `Invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
    openaiCode: 'invalid_value',
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** An error in the shape its surface promises: OpenAI's on /v1, Lore's elsewhere. */
export function sendError(res: ServerResponse, surface: Surface, error: HttpError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfterS !== undefined) headers['retry-after'] = String(error.retryAfterS);
  if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="lore"';
  const body =
    surface === 'openai'
      ? { error: { message: error.message, type: openaiErrorType(error.status), code: error.openaiCode ?? null, param: null } }
      : { error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } };
  sendJson(res, error.status, body, headers);
}

/**
 * One request, start to finish: security headers, CORS, routing, authentication, rate limit, validation,
 * the handler, the error shape, and one log line and the metrics when the response is done.
 */
export function createRequestHandler(options: RequestHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { app, routes, rateLimiter } = options;
  return (req, res) => {
    const started = performance.now();
    const requestId = /^[\w.-]{1,64}$/.test(String(req.headers['x-request-id'] ?? '')) ? String(req.headers['x-request-id']) : randomBytes(8).toString('hex');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const surface: Surface = url.pathname.startsWith('/v1/') ? 'openai' : url.pathname.startsWith('/api/') ? 'api' : 'ops';
    let routeLabel = 'unmatched';
    let principal: Principal | undefined;
    let failure: HttpError | undefined;
    const abort = new AbortController();

    res.setHeader('x-request-id', requestId);
    setSecurityHeaders(res);
    if (app.shuttingDown) res.setHeader('connection', 'close');
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
      const seconds = (performance.now() - started) / 1000;
      const status = res.writableFinished ? res.statusCode : 499;
      app.metrics.requests.inc({ method: req.method ?? '?', route: routeLabel, status: String(status) });
      app.metrics.duration.observe({ method: req.method ?? '?', route: routeLabel }, seconds);
      app.logger.log(status >= 500 ? 'error' : 'info', 'request', {
        method: req.method,
        path: url.pathname,
        route: routeLabel,
        status,
        ms: Math.round(seconds * 10000) / 10,
        key: principal?.keyId ?? null,
        ip: req.socket.remoteAddress,
        requestId,
        ...(failure && failure.status >= 500 ? { error: String((failure.cause as Error | undefined)?.stack ?? failure.cause ?? failure.message) } : {}),
      });
    });

    const run = async () => {
      const cors = applyCors(req, res, app.settings.corsOrigins);
      if (req.method === 'OPTIONS') {
        routeLabel = 'preflight';
        res.writeHead(cors ? 204 : 404).end();
        return;
      }
      const match = matchRoute(routes, req.method ?? 'GET', url.pathname);
      if (!match || 'methods' in match) {
        if (!match && (req.method === 'GET' || req.method === 'HEAD') && surface === 'ops') {
          routeLabel = 'static';
          if (await serveStatic({ root: app.settings.webRoot, pathname: url.pathname, res, head: req.method === 'HEAD' })) return;
        }
        if (match) {
          res.setHeader('allow', match.methods.join(', '));
          throw new HttpError({ status: 405, code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed here; use ${match.methods.join(' or ')}` });
        }
        throw new HttpError({ status: 404, code: 'NOT_FOUND', message: `No endpoint ${url.pathname}; see /openapi.json`, openaiCode: 'unknown_url' });
      }
      const { route, params } = match;
      routeLabel = route.path;
      principal = route.access === 'key' ? await authenticate(app, req) : LOCAL_PRINCIPAL;
      if (route.access === 'key' && (route.rateLimited ?? true)) {
        const wait = rateLimiter.take(principal.keyId ?? `ip:${req.socket.remoteAddress ?? '?'}`);
        if (wait > 0) {
          app.metrics.rateLimited.inc();
          throw new HttpError({ status: 429, code: 'RATE_LIMITED', message: `Too many requests; try again in ${wait} s`, retryAfterS: wait, openaiCode: 'rate_limit_exceeded' });
        }
      }
      const query = validate(route.query, Object.fromEntries(url.searchParams), 'query');
      const body = route.body ? validate(route.body, await readJsonBody(req, app.settings.maxBodyBytes), 'request body') : undefined;
      const reply = await route.handle({ req, res, url, params, query: query as never, body: body as never, principal, app, signal: abort.signal, requestId });
      if (reply && !res.headersSent) sendJson(res, reply.status ?? 200, reply.body ?? null, reply.headers);
    };

    run().catch((error: unknown) => {
      failure = toHttpError(error);
      if (!res.headersSent) {
        // An unread body of allowed size is dropped by node:http and the connection kept. A body refused
        // for its size is read and dropped for a few seconds at most, so the client sees the 413 rather than
        // a reset connection; then the connection closes.
        if (!req.complete && failure.status === 413) {
          res.setHeader('connection', 'close');
          req.resume();
          const cut = setTimeout(() => req.socket.destroy(), 5_000);
          cut.unref();
          req.socket.once('close', () => clearTimeout(cut));
        }
        sendError(res, surface, failure);
      } else if (!res.writableEnded) res.end();
    });
  };
}
