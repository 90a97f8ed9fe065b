import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAICompatibleModel } from '../providers/openai-compatible.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test-support/fake-openai-server.js';
import { withCache } from './with-cache.js';

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(() => server.close());

describe('withCache', () => {
  it('answers a repeated request from disk, and a different one from the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lore-cache-'));
    const model = withCache(createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'ok' }), { dir });
    const before = server.requests.length;
    const first = await model.generate({ messages: [{ role: 'user', content: 'hi' }] });
    const second = await model.generate({ messages: [{ role: 'user', content: 'hi' }], signal: new AbortController().signal });
    expect(second).toEqual(first);
    expect(server.requests.length - before).toBe(1);
    await model.generate({ messages: [{ role: 'user', content: 'hello' }] });
    expect(server.requests.length - before).toBe(2);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });

  it('stores nothing for a failed call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lore-cache-'));
    const model = withCache(createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'drop' }), { dir });
    await expect(model.generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ retryable: true });
    expect(readdirSync(dir)).toEqual([]);
  });
});
