import { Ajv2020 } from 'ajv/dist/2020.js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../index.js';
import { openapiPath } from './openapi.js';
import { ALL_ROUTES } from './routes/all-routes.js';
import { startTestServer, type TestServer } from './test-support/start-test-server.js';
import { asAsyncStore } from '../store/contract/async-store.js';

type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };
type Media = { schema?: Record<string, unknown> };
type Operation = {
  operationId: string;
  parameters?: Array<{ name: string; in: string; schema: Record<string, unknown> }>;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
};

let s: TestServer;
let doc: Doc;
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
ajv.addKeyword('example');

beforeAll(async () => {
  s = await startTestServer({
    setup: (store) => ingest({ store: asAsyncStore(store), paths: [fileURLToPath(new URL('../../examples/wind-turbine-maintenance.md', import.meta.url))], collection: 'manuals' }).then(() => undefined),
  });
  doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as Doc;
});
afterAll(async () => {
  await s?.stop();
});

const responseSchema = (path: string, method: string, status: number) => doc.paths[path]![method]!.responses[String(status)]!.content!['application/json']!.schema!;

function expectValid(schema: Record<string, unknown>, value: unknown): void {
  const validate = ajv.compile(schema);
  expect(validate(value) ? [] : validate.errors).toEqual([]);
}

describe('/openapi.json', () => {
  it('lists exactly the routes the server routes, each once', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const routed = ALL_ROUTES.map((r) => `${r.method} ${openapiPath(r.path)}`);
    expect(documented.sort()).toEqual([...routed].sort());
    const ids = ALL_ROUTES.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const expected of ['POST /v1/chat/completions', 'POST /v1/embeddings', 'GET /v1/models', 'POST /api/search', 'POST /api/ask', 'GET /api/traces', 'GET /metrics', 'GET /readyz', 'GET /healthz']) {
      expect(routed).toContain(expected);
    }
  });

  it('holds JSON Schemas (2020-12) that compile, for every body, parameter and response', () => {
    let count = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const schemas = [
          ...(op.parameters ?? []).map((p) => p.schema),
          ...Object.values(op.requestBody?.content ?? {}).map((m) => m.schema),
          ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {}).map((m) => m.schema)),
        ].filter((x): x is Record<string, unknown> => x !== undefined);
        for (const schema of schemas) {
          expect(() => ajv.compile(schema), `${method} ${path}`).not.toThrow();
          count++;
        }
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(count).toBeGreaterThan(60);
  });

  it('documents request bodies as the server validates them', async () => {
    const search = doc.paths['/api/search']!['post']!.requestBody!.content['application/json']!.schema!;
    const validate = ajv.compile(search);
    for (const [body, ok] of [
      [{ query: 'gearbox' }, true],
      [{ query: 'gearbox', modes: ['keyword', 'hybrid'], k: 5, filter: { type: 'markdown' } }, true],
      [{ query: 'gearbox', mode: 'fuzzy' }, false],
      [{ query: 'gearbox', k: 0 }, false],
      [{ k: 5 }, false],
    ] as const) {
      expect(validate(body)).toBe(ok);
      const res = await fetch(`${s.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, mode: 'mode' in body ? body.mode : 'keyword' }) });
      expect([JSON.stringify(body), res.status === 200]).toEqual([JSON.stringify(body), ok]);
    }
  });

  it('describes the responses the server sends', async () => {
    const json = async (path: string, init?: RequestInit) => (await fetch(`${s.url}${path}`, init)).json();
    const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expectValid(responseSchema('/api/collections', 'get', 200), await json('/api/collections'));
    expectValid(responseSchema('/api/collections/{name}/documents', 'get', 200), await json('/api/collections/manuals/documents'));
    expectValid(responseSchema('/api/search', 'post', 200), await json('/api/search', post({ query: 'gearbox oil', modes: ['keyword', 'hybrid'] })));
    expectValid(responseSchema('/api/ask', 'post', 200), await json('/api/ask?format=json', post({ question: 'How often is the gearbox oil replaced?' })));
    const created = await json('/api/sessions', post({ collection: 'manuals', id: 's1' }));
    expectValid(responseSchema('/api/sessions', 'post', 201), created);
    expectValid(responseSchema('/api/sessions/{id}/messages', 'post', 200), await json('/api/sessions/s1/messages?format=json', post({ question: 'gearbox oil?' })));
    expectValid(responseSchema('/api/sessions/{id}', 'get', 200), await json('/api/sessions/s1'));
    expectValid(responseSchema('/api/sessions', 'get', 200), await json('/api/sessions'));
    expectValid(responseSchema('/api/traces', 'get', 200), await json('/api/traces'));
    expectValid(responseSchema('/v1/models', 'get', 200), await json('/v1/models'));
    expectValid(
      responseSchema('/v1/chat/completions', 'post', 200),
      await json('/v1/chat/completions', post({ model: 'lore/manuals', messages: [{ role: 'user', content: 'gearbox oil interval?' }] })),
    );
    expectValid(responseSchema('/readyz', 'get', 200), await json('/readyz'));
    expectValid(responseSchema('/api/collections/{name}', 'get', 404), await json('/api/collections/nope'));
    expectValid(responseSchema('/v1/chat/completions', 'post', 404), await json('/v1/chat/completions', post({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })));
    expectValid(responseSchema('/api/search', 'post', 400), await json('/api/search', post({})));
  });
});
