import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, startTracing, type TraceDetail, type TraceSummary, type Tracing } from '../index.js';
import { createSqliteApiKeyStore } from '../store/sqlite/api-key-store.js';
import { startTestServer, type TestServer } from './test-support/start-test-server.js';
import { asAsyncStore } from '../store/contract/async-store.js';

const file = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

let s: TestServer;
let tracing: Tracing;
const keys = { alpha: '', beta: '', all: '' };

const call = (key: string, path: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${s.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
const list = async (key: string, query = '') => {
  const res = await call(key, `/api/traces${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { traces: TraceSummary[] }).traces;
};

beforeAll(async () => {
  s = await startTestServer({
    requireKeys: true,
    setup: async (store) => {
      await ingest({ store: asAsyncStore(store), paths: [file('wind-turbine-maintenance.md')], collection: 'alpha' });
      await ingest({ store: asAsyncStore(store), paths: [file('风力发电机维护手册.md')], collection: 'beta' });
      const k = createSqliteApiKeyStore(store.db);
      keys.alpha = (await k.createKey({ collections: ['alpha'] })).key;
      keys.beta = (await k.createKey({ collections: ['beta'] })).key;
      keys.all = (await k.createKey({ collections: ['*'] })).key;
    },
  });
  // As `lore serve` does: every request's steps are recorded in the server's database.
  tracing = await startTracing({ db: s.store.db, flushIntervalMs: 60_000 });
  for (const [key, collection, query] of [
    [keys.alpha, 'alpha', 'gearbox oil'],
    [keys.beta, 'beta', '齿轮油'],
  ] as const) {
    expect((await call(key, '/api/search', { method: 'POST', json: { query, collection, mode: 'keyword' } })).status).toBe(200);
  }
  // A search over everything: its trace belongs to no single collection.
  expect((await call(keys.all, '/api/search', { method: 'POST', json: { query: 'gearbox', mode: 'keyword' } })).status).toBe(200);
  await tracing.forceFlush();
});
afterAll(async () => {
  await tracing?.shutdown();
  await s?.stop();
});

describe('GET /api/traces', () => {
  it('shows a key only the traces of its own collections', async () => {
    const alpha = await list(keys.alpha);
    expect(alpha.map((t) => [t.name, t.collection])).toEqual([['retrieve.search', 'alpha']]);
    expect((await list(keys.beta)).map((t) => t.collection)).toEqual(['beta']);
    const all = await list(keys.all);
    expect(all.map((t) => t.collection)).toEqual([null, 'beta', 'alpha']);
    expect(all[0]!.spanCount).toBeGreaterThanOrEqual(2);
    expect(await list(keys.all, '?collection=alpha')).toHaveLength(1);
    expect(await list(keys.all, '?errors=true')).toEqual([]);
    expect((await list(keys.all, '?slow=true&limit=2')).length).toBe(2);
    // Naming a collection out of scope answers as if it did not exist.
    expect((await call(keys.alpha, '/api/traces?collection=beta')).status).toBe(404);
  });

  it('answers one trace as a tree, by id or its first characters, and 404 out of scope', async () => {
    const [alphaTrace] = await list(keys.alpha);
    const res = await call(keys.alpha, `/api/traces/${alphaTrace!.traceId.slice(0, 10)}`);
    expect(res.status).toBe(200);
    const detail = (await res.json()) as TraceDetail;
    expect(detail.trace.traceId).toBe(alphaTrace!.traceId);
    expect(detail.spans[0]!.name).toBe('retrieve.search');
    expect(detail.spans[0]!.children.map((c) => c.name)).toEqual(['retrieve.keyword']);
    expect(detail.spans[0]!.attributes).toMatchObject({ 'lore.collection': 'alpha', 'lore.mode': 'keyword' });

    const [betaTrace] = await list(keys.beta);
    const [everything] = (await list(keys.all)).filter((t) => t.collection === null);
    for (const id of [betaTrace!.traceId, everything!.traceId, '0123456789abcdef0123456789abcdef', 'not-an-id']) {
      expect((await call(keys.alpha, `/api/traces/${id}`)).status).toBe(404);
    }
    expect((await call(keys.all, `/api/traces/${betaTrace!.traceId}`)).status).toBe(200);
  });
});
