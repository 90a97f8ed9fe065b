import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import { listenOnLoopback } from '../test-support/listen-on-loopback.js';
import { createOpenAICompatibleEmbedder } from './openai-compatible-embedder.js';
import { resolveEmbedder } from './resolve-embedder.js';

/** A bag-of-letters "model": deterministic, unnormalised, so the test can check normalisation and order. */
function letterVector(text: string): number[] {
  const v = new Array<number>(8).fill(0);
  for (const ch of text.toLowerCase()) v[ch.charCodeAt(0) % 8]! += 1;
  return v;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const part of req) raw += String(part);
  return JSON.parse(raw) as Record<string, unknown>;
}

describe('OpenAI-protocol embeddings', () => {
  let server: Awaited<ReturnType<typeof listenOnLoopback>>;
  const requests: Array<{ auth?: string; body: Record<string, unknown> }> = [];
  let failNext: 'rate-limit' | 'short' | undefined;

  beforeAll(async () => {
    server = await listenOnLoopback(
      createServer(async (req, res) => {
        const body = await readBody(req);
        requests.push({ auth: req.headers.authorization, body });
        if (failNext === 'rate-limit') {
          failNext = undefined;
          res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'slow down' } }));
          return;
        }
        const input = body['input'] as string[];
        const rows = input.map((text, index) => ({ object: 'embedding', index, embedding: letterVector(text) }));
        if (failNext === 'short') rows.pop();
        // Servers may answer out of order; `index` says which input a row is.
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: rows.reverse(), model: body['model'] }));
      }),
    );
  });
  afterAll(() => server.close());

  it('embeds in batches, in input order, as unit vectors', async () => {
    requests.length = 0;
    const embedder = createOpenAICompatibleEmbedder({ baseUrl: server.baseUrl, model: 'letters', apiKey: 'k-1', batchSize: 2 });
    expect(embedder.dimensions).toBe(0);
    const texts = ['alpha', 'beta', 'gamma', ''];
    const vectors = await embedder.embed(texts);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.auth).toBe('Bearer k-1');
    expect(requests[1]!.body['input']).toEqual(['gamma', ' ']);
    expect(embedder.dimensions).toBe(8);
    for (const [i, v] of vectors.entries()) {
      if (texts[i] === '') continue;
      const expected = letterVector(texts[i]!);
      const norm = Math.hypot(...expected);
      expect([...v].map((x) => Math.round(x * 1e5))).toEqual(expected.map((x) => Math.round((x / norm) * 1e5)));
    }
  });

  it('retries a 429 and reports a wrong number of vectors clearly', async () => {
    const embedder = createOpenAICompatibleEmbedder({ baseUrl: server.baseUrl, model: 'letters' });
    failNext = 'rate-limit';
    expect(await embedder.embed(['one'])).toHaveLength(1);
    failNext = 'short';
    const error = await embedder.embed(['one', 'two']).catch((e: unknown) => e);
    expect(isLoreError(error, 'PROVIDER_ERROR')).toBe(true);
    expect(String((error as Error).message)).toMatch(/returned 1 embeddings for 2 texts/);
  });

  it('resolves specs to ids without keys, and says which key is missing', () => {
    const spec = `openai-compatible:${server.baseUrl}#letters`;
    expect(resolveEmbedder({ spec }).id).toBe(spec);
    expect(resolveEmbedder({ spec: 'ollama:nomic-embed-text' }).id).toBe('ollama:nomic-embed-text');
    expect(() => resolveEmbedder({ spec: 'openai:text-embedding-3-small' })).toThrow(/Cannot use the embedder/);
    expect(resolveEmbedder({ spec: 'openai:text-embedding-3-small', apiKeys: { openai: 'sk' } }).id).toBe('openai:text-embedding-3-small');
  });
});
