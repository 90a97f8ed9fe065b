import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import type { GenerateEvent } from '../../spec/models.js';
import { withRetry } from '../middleware/with-retry.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test-support/fake-openai-server.js';
import { createOpenAICompatibleModel, parseRetryAfter } from './openai-compatible.js';

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(() => server.close());

const model = (name: string, timeoutMs?: number) => createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: name, apiKey: 'sk-test', timeoutMs });
const user = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

async function events(iterable: AsyncIterable<GenerateEvent>): Promise<GenerateEvent[]> {
  const out: GenerateEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

describe('OpenAI-compatible provider (against a local server speaking the protocol)', () => {
  it('streams text, then usage and the finish reason; generate() folds the same stream', async () => {
    const seen = await events(model('ok').stream(user('hi')));
    expect(seen.filter((e) => e.type === 'text').map((e) => (e as { delta: string }).delta)).toEqual(['Hello', ' world']);
    expect(seen.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    const result = await model('ok').generate({ ...user('hi'), maxTokens: 5, temperature: 0 });
    expect(result).toMatchObject({ text: 'Hello world', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 2 }, toolCalls: [] });
    const body = server.requests.at(-1)!;
    expect(body).toMatchObject({ model: 'ok', stream: true, max_tokens: 5, temperature: 0, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('reassembles parallel tool calls from interleaved deltas, keeping ids and names', async () => {
    const seen = await events(
      model('tools').stream({
        ...user('find and compute'),
        tools: [
          { name: 'search', parameters: { type: 'object', properties: { query: { type: 'string' } } } },
          { name: 'calc', parameters: { type: 'object', properties: { expr: { type: 'string' } } } },
        ],
      }),
    );
    expect(seen.filter((e) => e.type === 'tool_call_delta')).toHaveLength(4);
    const calls = seen.filter((e) => e.type === 'tool_call').map((e) => (e as { call: unknown }).call);
    expect(calls).toEqual([
      { id: 'call_a', name: 'search', arguments: '{"query":"gearbox"}' },
      { id: 'call_b', name: 'calc', arguments: '{"expr":"2+2"}' },
    ]);
    expect(seen.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' });
    expect((server.requests.at(-1)!['tools'] as unknown[])[0]).toMatchObject({ type: 'function', function: { name: 'search' } });
  });

  it('sends JSON Schema as response_format', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    const result = await model('echo-format').generate({ ...user('json please'), responseFormat: { type: 'json_schema', name: 'answer', schema } });
    expect(JSON.parse(result.text)).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } });
  });

  it('reports every fault as a LoreError that says whether to retry', async () => {
    const codeOf = async (name: string, timeoutMs?: number) => {
      try {
        await model(name, timeoutMs).generate(user('x'));
        return 'no error';
      } catch (error) {
        expect(isLoreError(error)).toBe(true);
        const e = error as { code: string; retryable: boolean; message: string };
        return `${e.code}/${e.retryable}`;
      }
    };
    expect(await codeOf('error-500')).toBe('PROVIDER_ERROR/true');
    expect(await codeOf('bad-key')).toBe('PROVIDER_ERROR/false');
    expect(await codeOf('unknown-model')).toBe('PROVIDER_ERROR/false');
    expect(await codeOf('malformed')).toBe('PROVIDER_ERROR/true');
    expect(await codeOf('drop')).toBe('PROVIDER_ERROR/true');
    expect(await codeOf('no-finish')).toBe('PROVIDER_ERROR/true');
    expect(await codeOf('slow', 100)).toBe('TIMEOUT/true');
    const closed = createOpenAICompatibleModel({ baseUrl: 'http://127.0.0.1:9/v1', model: 'x' });
    await expect(closed.generate(user('x'))).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
  });

  it('cancels with an AbortSignal', async () => {
    const controller = new AbortController();
    const pending = model('slow').generate({ ...user('x'), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('withRetry', () => {
  it('waits at least what Retry-After asks, then succeeds', async () => {
    const waits: number[] = [];
    const retried = withRetry(model('rate-limit-once'), { sleep: async (ms) => void waits.push(ms), random: () => 0 });
    const result = await retried.generate(user('x'));
    expect(result.text).toBe('after the wait');
    expect(waits).toEqual([2000]);
  });

  it('backs off exponentially and gives up after the retries, with the last error', async () => {
    const waits: number[] = [];
    const retried = withRetry(model('error-500'), { retries: 3, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms), random: () => 0.999 });
    await expect(retried.generate(user('x'))).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    expect(waits.map(Math.round)).toEqual([100, 200, 400]);
  });

  it('never retries what cannot succeed, nor a stream that already produced text', async () => {
    let waits = 0;
    const sleep = async () => void waits++;
    await expect(withRetry(model('bad-key'), { sleep }).generate(user('x'))).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    const streamed: string[] = [];
    await expect(
      (async () => {
        for await (const e of withRetry(model('drop'), { sleep }).stream(user('x'))) if (e.type === 'text') streamed.push(e.delta);
      })(),
    ).rejects.toMatchObject({ retryable: true });
    expect(streamed).toEqual(['partial ']);
    expect(waits).toBe(0);
  });

  it('parses Retry-After in seconds and as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    const inTwo = new Date(Date.now() + 2000).toUTCString();
    expect(parseRetryAfter(inTwo)).toBeGreaterThan(500);
  });
});

describe('strict structured outputs', () => {
  it('asks for strict mode only when the schema allows it', async () => {
    const { fitsStrictMode } = await import('./openai-compatible.js');
    const closed = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'object', properties: { c: { type: 'number' } }, required: ['c'], additionalProperties: false } } }, required: ['a', 'b'], additionalProperties: false };
    expect(fitsStrictMode(closed)).toBe(true);
    expect(fitsStrictMode({ ...closed, required: ['a'] })).toBe(false);
    expect(fitsStrictMode({ ...closed, additionalProperties: true })).toBe(false);
    const nestedOpen = structuredClone(closed);
    (nestedOpen.properties.b.items as Record<string, unknown>)['additionalProperties'] = undefined;
    expect(fitsStrictMode(nestedOpen)).toBe(false);
    expect(fitsStrictMode({ type: 'string', enum: ['x', 'y'] })).toBe(true);
  });
});
