import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../test-support/fake-anthropic-server.js';
import { createAnthropicModel } from './anthropic.js';

let server: FakeAnthropicServer;
beforeAll(async () => {
  server = await startFakeAnthropicServer({ scripted: { structured: { replies: ['{"city": "Lyon", "days": 3}'] } } });
});
afterAll(() => server.close());

const model = (name: string) => createAnthropicModel({ baseUrl: server.baseUrl, model: name, apiKey: 'sk-ant-test' });

describe('Anthropic provider (against a local server speaking the messages API)', () => {
  it('streams text with usage, sends the system prompt apart and the API headers', async () => {
    const deltas: string[] = [];
    for await (const e of model('text').stream({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Salut' }], maxTokens: 50 })) {
      if (e.type === 'text') deltas.push(e.delta);
    }
    expect(deltas).toEqual(['Bonjour', ' le monde']);
    const result = await model('text').generate({ messages: [{ role: 'user', content: 'Salut' }] });
    expect(result).toMatchObject({ text: 'Bonjour le monde', finishReason: 'stop', usage: { inputTokens: 25, outputTokens: 4 } });
    const first = server.requests[0]!;
    expect(first.headers['x-api-key']).toBe('sk-ant-test');
    expect(first.headers['anthropic-version']).toBe('2023-06-01');
    expect(first.body).toMatchObject({ system: 'Be brief.', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Salut' }] });
  });

  it('assembles tool_use input from partial JSON and maps tool turns back', async () => {
    const result = await model('tool').generate({
      messages: [
        { role: 'user', content: 'find it' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_0', name: 'search', arguments: '{"query":"x"}' }] },
        { role: 'tool', toolCallId: 'toolu_0', content: 'nothing' },
      ],
      tools: [{ name: 'search', description: 'search the docs', parameters: { type: 'object', properties: { query: { type: 'string' } } } }],
    });
    expect(result.text).toBe('Let me look.');
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([{ id: 'toolu_1', name: 'search', arguments: '{"query": "gearbox"}' }]);
    const sent = server.requests.at(-1)!.body;
    expect(sent['tools']).toEqual([{ name: 'search', description: 'search the docs', input_schema: { type: 'object', properties: { query: { type: 'string' } } } }]);
    expect((sent['messages'] as unknown[])[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_0', name: 'search', input: { query: 'x' } }] });
    expect((sent['messages'] as unknown[])[2]).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: 'nothing' }] });
  });

  it('does json_schema by forcing a tool, streaming its input out as the text of the answer', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] };
    const seen: string[] = [];
    let finish: string | undefined;
    for await (const e of model('structured').stream({ messages: [{ role: 'user', content: 'Plan a trip' }], responseFormat: { type: 'json_schema', name: 'trip', schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema } } })) {
      if (e.type === 'text') seen.push(e.delta);
      if (e.type === 'tool_call' || e.type === 'tool_call_delta') throw new Error('the forced tool is the answer, not a tool call');
      if (e.type === 'finish') finish = e.reason;
    }
    expect(seen.join('')).toBe('{"city": "Lyon", "days": 3}');
    expect(seen.length).toBeGreaterThan(1);
    expect(finish).toBe('stop');
    const sent = server.requests.at(-1)!.body;
    expect(sent['tool_choice']).toEqual({ type: 'tool', name: 'trip' });
    expect(sent['tools']).toEqual([{ name: 'trip', description: 'Give your answer as the input of this tool.', input_schema: schema }]);

    // A non-object root is wrapped, as tool inputs must be objects; the fake refuses anything else, like the API.
    const wrapped = await model('structured').generate({ messages: [{ role: 'user', content: 'x' }], responseFormat: { type: 'json_schema', schema: { type: 'string' } } });
    expect((server.requests.at(-1)!.body['tools'] as Array<{ input_schema: unknown }>)[0]!.input_schema).toEqual({
      type: 'object',
      properties: { value: { type: 'string' } },
      required: ['value'],
      additionalProperties: false,
    });
    // The fake answers with the same object, so unwrapping finds no "value" and passes the input through.
    expect(wrapped.text).toBe('{"city": "Lyon", "days": 3}');
  });

  it('passes text through when a server ignores the forced tool, and does json mode by an instruction', async () => {
    const result = await model('text').generate({ messages: [{ role: 'user', content: 'x' }], responseFormat: { type: 'json_schema', schema: { type: 'object' } } });
    expect(result.text).toBe('Bonjour le monde');
    await model('text').generate({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'x' }], responseFormat: { type: 'json' } });
    const sent = server.requests.at(-1)!.body;
    expect(sent['system']).toMatch(/^Be brief\.\n\nRespond with only a single valid JSON object/);
    expect(sent['tools']).toBeUndefined();
    expect(sent['tool_choice']).toBeUndefined();
  });

  it('reports overload, in-stream errors and truncated streams as retryable; unknown models as not', async () => {
    const user = { messages: [{ role: 'user' as const, content: 'x' }] };
    await expect(model('overloaded').generate(user)).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    await expect(model('stream-error').generate(user)).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    await expect(model('truncated').generate(user)).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    await expect(model('nope').generate(user)).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
  });
});
