import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/server/http-error.js';
import { readJsonBody } from '../../src/server/read-body.js';
import { matchRoute } from '../../src/server/route.js';
import { ALL_ROUTES } from '../../src/server/routes/all-routes.js';

/**
 * The server's request parsers under fuzzing: a body reader that either returns a value or throws an
 * HttpError (a 4xx the client can read), route matching that never throws, and every route's body schema
 * that rejects what it does not accept with a validation result, not an exception. Kept outside src/server
 * (another worker's folder) and small: two cores are shared.
 */
function request(body: Uint8Array, headers: Record<string, string>): IncomingMessage {
  const stream = Readable.from(body.length > 0 ? [Buffer.from(body)] : []) as unknown as IncomingMessage;
  (stream as { headers: Record<string, string> }).headers = headers;
  return stream;
}

const jsonish = fc.oneof(
  fc.json({ depthSize: 'small' }).map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 512 }),
  fc.constant(new TextEncoder().encode('['.repeat(20_000) + ']'.repeat(20_000))),
  fc.constant(new TextEncoder().encode(`{"a":"${'x'.repeat(100_000)}"}`)),
);

describe('server request parsers under fuzzing', () => {
  it('readJsonBody: a value, or an HttpError with a 4xx status', async () => {
    await fc.assert(
      fc.asyncProperty(jsonish, fc.constantFrom('application/json', 'text/plain', '', 'application/vnd.api+json'), fc.integer({ min: 16, max: 200_000 }), async (body, type, limit) => {
        try {
          await readJsonBody(request(body, type ? { 'content-type': type } : {}), limit);
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          expect((error as HttpError).status).toBeGreaterThanOrEqual(400);
          expect((error as HttpError).status).toBeLessThan(500);
        }
      }),
      { numRuns: 150, seed: 5 },
    );
  });

  it('matchRoute and every route body schema accept arbitrary input without throwing', () => {
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), fc.webPath(), fc.jsonValue({ maxDepth: 4 }), (method, path, body) => {
        matchRoute(ALL_ROUTES, method, path);
        matchRoute(ALL_ROUTES, method, `/api/collections/${encodeURIComponent(path)}%ZZ`);
        for (const route of ALL_ROUTES) route.body?.safeParse(body);
      }),
      { numRuns: 200, seed: 6 },
    );
  });
});
