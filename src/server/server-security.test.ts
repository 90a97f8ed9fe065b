import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../index.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../models/test-support/fake-openai-server.js';
import { createSqliteApiKeyStore } from '../store/sqlite/api-key-store.js';
import { readSse, startTestServer, waitForJob, type TestServer } from './test-support/start-test-server.js';
import { asAsyncStore } from '../store/contract/async-store.js';

const file = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

let s: TestServer;
const keys: Record<'alpha' | 'alphaRead' | 'beta' | 'all' | 'revoked', string> = { alpha: '', alphaRead: '', beta: '', all: '' , revoked: '' };
let betaDoc = { id: '', documentId: 0 };

const call = (key: string | undefined, path: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${s.url}${path}`, {
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });

beforeAll(async () => {
  s = await startTestServer({
    requireKeys: true,
    setup: async (store) => {
      // alpha: the English manual; beta: the Chinese one and the FAQ (words alpha never has: 偏航, FAQ).
      await ingest({ store: asAsyncStore(store), paths: [file('wind-turbine-maintenance.md')], collection: 'alpha' });
      await ingest({ store: asAsyncStore(store), paths: [file('风力发电机维护手册.md'), file('faq.html')], collection: 'beta' });
      const k = createSqliteApiKeyStore(store.db);
      keys.alpha = (await k.createKey({ collections: ['alpha'] })).key;
      keys.alphaRead = (await k.createKey({ collections: ['alpha'], readOnly: true })).key;
      keys.beta = (await k.createKey({ collections: ['beta'] })).key;
      keys.all = (await k.createKey({ collections: ['*'] })).key;
      const revoked = await k.createKey({ collections: ['alpha'] });
      keys.revoked = revoked.key;
      await k.revokeKey(revoked.info.id);
      const doc = store.listDocuments({ collection: 'beta' })[0]!;
      betaDoc = { id: doc.uid, documentId: doc.id };
    },
  });
});
afterAll(async () => {
  await s?.stop();
});

describe('API keys', () => {
  it('refuses requests without a valid key (401), accepts valid ones', async () => {
    const none = await call(undefined, '/api/collections');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await call('lore_not-a-key', '/api/collections')).status).toBe(401);
    expect((await call(keys.revoked, '/api/collections')).status).toBe(401);
    expect((await call(undefined, '/v1/models')).status).toBe(401);
    expect((await call(undefined, '/metrics')).status).toBe(401);
    expect((await call(keys.alpha, '/metrics')).status).toBe(200);
    expect((await call(undefined, '/healthz')).status).toBe(200);
    expect((await fetch(`${s.url}/api/collections`, { headers: { 'x-api-key': keys.alpha } })).status).toBe(200);
  });

  it('never shows a key another collection’s documents, through any endpoint', async () => {
    const k = keys.alpha;
    const list = (await (await call(k, '/api/collections')).json()) as { collections: Array<{ name: string }> };
    expect(list.collections.map((c) => c.name)).toEqual(['alpha']);
    const models = (await (await call(k, '/v1/models')).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['lore/alpha']);

    // Everything that names beta answers as if beta did not exist.
    const hidden: Array<[string, RequestInit & { json?: unknown }]> = [
      ['/api/collections/beta', {}],
      ['/api/collections/beta', { method: 'DELETE' }],
      ['/api/collections', { method: 'POST', json: { name: 'beta' } }],
      ['/api/collections/beta/documents', {}],
      [`/api/documents/${betaDoc.id}`, {}],
      [`/api/documents/${betaDoc.documentId}`, {}],
      [`/api/documents/${betaDoc.id}/chunks`, {}],
      [`/api/documents/${betaDoc.id}`, { method: 'DELETE' }],
      [`/api/documents/${betaDoc.id}/reingest`, { method: 'POST' }],
      ['/api/search', { method: 'POST', json: { query: '齿轮油', collection: 'beta' } }],
      ['/api/ask', { method: 'POST', json: { question: '齿轮油多久更换一次', collection: 'beta' } }],
      ['/api/sessions', { method: 'POST', json: { collection: 'beta' } }],
      ['/api/traces?collection=beta', {}],
      ['/v1/chat/completions', { method: 'POST', json: { model: 'lore/beta', messages: [{ role: 'user', content: '齿轮油' }] } }],
      ['/v1/models/lore%2Fbeta', {}],
    ];
    for (const [path, init] of hidden) {
      const res = await call(k, path, init);
      expect([path, init.method ?? 'GET', res.status]).toEqual([path, init.method ?? 'GET', 404]);
    }
    const upload = new FormData();
    upload.append('f', new Blob(['# x\n\ntext']), 'x.md');
    expect((await call(k, '/api/collections/beta/documents', { method: 'POST', body: upload })).status).toBe(404);

    // Searches and answers without a collection cover only the key's own.
    for (const query of ['齿轮油多久更换一次', 'yaw system FAQ gearbox oil']) {
      for (const mode of ['keyword', 'hybrid']) {
        const body = (await (await call(k, '/api/search', { method: 'POST', json: { query, mode, k: 20 } })).json()) as { results: Array<{ hits: Array<{ collection: string }> }> };
        expect(body.results[0]!.hits.every((h) => h.collection === 'alpha')).toBe(true);
      }
    }
    const ask = await readSse(await call(k, '/api/ask', { method: 'POST', json: { question: 'yaw system FAQ gearbox oil 齿轮油' } }));
    const answer = ask.find((e) => e.event === 'answer')!.data as { answer: { citations: Array<{ collection: string }> } };
    expect(answer.answer.citations.every((c) => c.collection === 'alpha')).toBe(true);
    const chat = (await (await call(k, '/v1/chat/completions', { method: 'POST', json: { model: 'lore/alpha', messages: [{ role: 'user', content: '齿轮油 FAQ yaw' }] } })).json()) as {
      choices: Array<{ message: { lore_citations: Array<{ collection: string }> } }>;
    };
    expect(chat.choices[0]!.message.lore_citations.every((c) => c.collection === 'alpha')).toBe(true);

    // Another key's sessions and jobs are invisible.
    await call(keys.beta, '/api/sessions', { method: 'POST', json: { collection: 'beta', id: 'beta-chat' } });
    await call(keys.beta, '/api/sessions/beta-chat/messages?format=json', { method: 'POST', json: { question: '齿轮油多久更换一次' } });
    expect((await call(keys.beta, '/api/sessions/beta-chat')).status).toBe(200);
    for (const [path, method] of [
      ['/api/sessions/beta-chat', 'GET'],
      ['/api/sessions/beta-chat', 'DELETE'],
      ['/api/sessions/beta-chat/messages', 'POST'],
    ] as const) {
      expect((await call(k, path, { method, ...(method === 'POST' ? { json: { question: 'x' } } : {}) })).status).toBe(404);
    }
    const sessions = (await (await call(k, '/api/sessions')).json()) as { sessions: unknown[] };
    expect(sessions.sessions).toEqual([]);
    expect((await call(k, '/api/sessions', { method: 'POST', json: {} })).status).toBe(400);
    // The local-user view (an unrestricted key) is not a way around it either: sessions belong to their key.
    expect(((await (await call(keys.all, '/api/sessions')).json()) as { sessions: unknown[] }).sessions).toEqual([]);

    const form = new FormData();
    form.append('f', new Blob(['# Yaw\n\nThe yaw brake pads are replaced every 5 years.']), 'yaw.md');
    const { job } = (await (await call(keys.beta, '/api/collections/beta/documents', { method: 'POST', body: form })).json()) as { job: { id: string } };
    await waitForJob(s.url, job.id, { authorization: `Bearer ${keys.beta}` });
    expect((await call(k, `/api/jobs/${job.id}`)).status).toBe(404);
    expect((await call(k, `/api/jobs/${job.id}/events`)).status).toBe(404);
    expect(((await (await call(k, '/api/jobs')).json()) as { jobs: unknown[] }).jobs).toEqual([]);
    expect((await call(keys.beta, `/api/jobs/${job.id}`)).status).toBe(200);
    const traces = await call(k, '/api/traces');
    expect(traces.status).toBe(200);
  });

  it('lets a read-only key search and ask but not change anything (403)', async () => {
    const k = keys.alphaRead;
    expect((await call(k, '/api/search', { method: 'POST', json: { query: 'gearbox' } })).status).toBe(200);
    const docs = (await (await call(k, '/api/collections/alpha/documents')).json()) as { documents: Array<{ id: string }> };
    const upload = new FormData();
    upload.append('f', new Blob(['# x\n\ntext']), 'x.md');
    const writes: Array<[string, RequestInit & { json?: unknown }]> = [
      ['/api/collections/alpha/documents', { method: 'POST', body: upload }],
      [`/api/documents/${docs.documents[0]!.id}`, { method: 'DELETE' }],
      [`/api/documents/${docs.documents[0]!.id}/reingest`, { method: 'POST' }],
      ['/api/collections/alpha', { method: 'DELETE' }],
      ['/api/collections', { method: 'POST', json: { name: 'alpha' } }],
    ];
    for (const [path, init] of writes) expect([path, (await call(k, path, init)).status]).toEqual([path, 403]);
    expect((await call(keys.alpha, '/api/collections/alpha')).status).toBe(200);
  });
});

describe('keyless loopback server', () => {
  let open: TestServer;
  beforeAll(async () => {
    open = await startTestServer({ corsOrigins: ['http://app.example'] });
  });
  afterAll(async () => {
    await open?.stop();
  });

  const raw = (path: string, headers: Record<string, string>, method = 'GET') =>
    new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = request(`${open.url}${path}`, { method, headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode!, headers: res.headers });
      });
      req.on('error', reject);
      req.end();
    });

  it('answers only requests for a loopback host, from its own pages or a configured origin', async () => {
    const port = new URL(open.url).port;
    expect((await raw('/api/collections', {})).status).toBe(200);
    expect((await raw('/api/collections', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await raw('/api/collections', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw('/api/collections', { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    const allowed = await raw('/api/collections', { origin: 'http://app.example' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://app.example');
    const preflight = await raw('/api/search', { origin: 'http://app.example', 'access-control-request-method': 'POST' }, 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/authorization/);
    // Without --cors, no CORS headers at all.
    expect((await raw('/api/collections', { origin: `http://127.0.0.1:${port}` })).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('limits', () => {
  let fake: FakeOpenAIServer;
  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('refuses bodies and uploads over the limit with 413, keeping nothing', async () => {
    const small = await startTestServer({ maxBodyBytes: 1024, maxUploadBytes: 2000 });
    try {
      const big = await fetch(`${small.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'x'.repeat(3000) }) });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
      const form = new FormData();
      form.append('f', new Blob(['# big\n\n' + 'word '.repeat(2000)]), 'big.md');
      const upload = await fetch(`${small.url}/api/collections/c1/documents`, { method: 'POST', body: form });
      expect(upload.status).toBe(413);
      const { documents } = (await (await fetch(`${small.url}/api/collections/c1/documents`)).json()) as { documents: unknown[] };
      expect(documents).toEqual([]);
      const chat = await fetch(`${small.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'y'.repeat(2000) }] }) });
      expect(chat.status).toBe(413);
      expect(((await chat.json()) as { error: { type: string; code: string } }).error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    } finally {
      await small.stop();
    }
  });

  it('rate-limits each caller with 429 and Retry-After', async () => {
    const limited = await startTestServer({ rateLimitPerMinute: 3 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${limited.url}/api/collections`);
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(retryAfter)).toBeLessThanOrEqual(20);
      // Health checks are not rate-limited.
      expect((await fetch(`${limited.url}/healthz`)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('answers 503 when the work queue is full, and serves the others', async () => {
    const busy = await startTestServer({ concurrency: 1, queue: 1, models: [`openai-compatible:${fake.baseUrl}#slow`] });
    try {
      const send = () =>
        fetch(`${busy.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'x' }] }) });
      const first = send();
      await new Promise((r) => setTimeout(r, 50));
      const second = send();
      await new Promise((r) => setTimeout(r, 50));
      const third = await send();
      expect(third.status).toBe(503);
      expect(third.headers.get('retry-after')).toBe('1');
      expect(((await third.json()) as { error: { type: string } }).error.type).toBe('server_error');
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      const metrics = await (await fetch(`${busy.url}/metrics`)).text();
      expect(metrics).toMatch(/lore_work_queue_rejected_total 1/);
      expect(metrics).toMatch(/lore_model_tokens_total\{model="[^"]*slow",kind="output"\} \d/);
    } finally {
      await busy.stop();
    }
  });
});
