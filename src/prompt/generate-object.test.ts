import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { isLoreError, LoreError } from '../spec/errors.js';
import type { ChatMessage } from '../spec/models.js';
import { createAnthropicModel } from '../models/providers/anthropic.js';
import { createOpenAICompatibleModel } from '../models/providers/openai-compatible.js';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../models/test-support/fake-anthropic-server.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../models/test-support/fake-openai-server.js';
import { generateObject, rejectsResponseFormat } from './generate-object.js';

const Part = z.object({ name: z.string().min(2), quantity: z.number().int().positive(), tags: z.array(z.string()) });
const partJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { name: { type: 'string', minLength: 2 }, quantity: { type: 'integer', minimum: 1 }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['name', 'quantity', 'tags'],
  additionalProperties: false,
};
const valid = '{"name": "gearbox", "quantity": 2, "tags": ["drive"]}';
const invalid = '{"name": "g", "quantity": -1, "tags": "drive"}';

let openai: FakeOpenAIServer;
let anthropic: FakeAnthropicServer;
beforeAll(async () => {
  openai = await startFakeOpenAIServer({
    scripted: {
      valid: { replies: [valid] },
      prose: { replies: [`Sure! Here is the part:\n\`\`\`json\n${valid}\n\`\`\`\nAnything else?`] },
      'repair-once': { replies: [invalid, valid], usage: { prompt_tokens: 100, completion_tokens: 20 } },
      'never-valid': { replies: ['I cannot do that.', invalid] },
      'old-server': { replies: [valid], rejectFormats: ['json_schema'] },
      'older-server': { replies: [`The part: ${valid}`], rejectFormats: ['json_schema', 'json_object'] },
      list: { replies: ['[{"name": "gearbox", "quantity": 1, "tags": []}]'] },
      // Each scripted model counts its own requests, so every test has models of its own.
      'ajv-repair': { replies: [invalid, valid] },
      'ajv-never': { replies: ['I cannot do that.', invalid] },
    },
  });
  anthropic = await startFakeAnthropicServer({ scripted: { structured: { replies: [invalid, valid] }, list: { replies: ['{"value": [3, 1, 2]}'] } } });
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
});

const openaiModel = (name: string) => createOpenAICompatibleModel({ baseUrl: openai.baseUrl, model: name });
const lastRequests = (model: string) => openai.requests.filter((r) => r['model'] === model);
const prompt = 'Extract the part from: "two gearboxes (drive)"';

describe('generateObject on an OpenAI-compatible server', () => {
  it('returns the typed value when the first reply is valid, asking for the schema as the response format', async () => {
    const result = await generateObject({ model: openaiModel('valid'), schema: Part, prompt, name: 'part' });
    expectTypeOf(result.value).toEqualTypeOf<{ name: string; quantity: number; tags: string[] }>();
    expect(result).toEqual({ value: { name: 'gearbox', quantity: 2, tags: ['drive'] }, raw: valid, attempts: 1, usage: { inputTokens: 10, outputTokens: 5 }, mode: 'json_schema' });
    const sent = lastRequests('valid')[0]!;
    expect(sent['response_format']).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'part',
        strict: true,
        schema: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 2 }, quantity: { type: 'integer', exclusiveMinimum: 0, maximum: 9007199254740991 }, tags: { type: 'array', items: { type: 'string' } } },
          required: ['name', 'quantity', 'tags'],
          additionalProperties: false,
        },
      },
    });
    expect(sent['messages']).toEqual([{ role: 'user', content: prompt }]);
  });

  it('reads JSON out of a fenced block wrapped in prose', async () => {
    const result = await generateObject({ model: openaiModel('prose'), schema: Part, messages: [{ role: 'user', content: prompt }] });
    expect(result.value.name).toBe('gearbox');
  });

  it('repairs an invalid reply by showing the model its output and the validation errors; usage is summed', async () => {
    const result = await generateObject({ model: openaiModel('repair-once'), schema: Part, prompt });
    expect(result).toMatchObject({ value: { name: 'gearbox' }, attempts: 2, usage: { inputTokens: 200, outputTokens: 40 }, mode: 'json_schema' });
    const repair = lastRequests('repair-once')[1]!;
    const messages = repair['messages'] as ChatMessage[];
    expect(messages).toHaveLength(3);
    expect(messages[1]).toEqual({ role: 'assistant', content: invalid });
    expect(messages[2]!.content).toContain('- name: Too small');
    expect(messages[2]!.content).toContain('- quantity: Too small');
    expect(messages[2]!.content).toContain('- tags: Invalid input: expected array');
    expect(messages[2]!.content).toContain('Reply with only the corrected JSON');
    expect(repair['response_format']).toMatchObject({ type: 'json_schema' });
  });

  it('falls back to JSON mode with the schema in the prompt when json_schema is refused', async () => {
    const result = await generateObject({ model: openaiModel('old-server'), schema: Part, prompt });
    expect(result).toMatchObject({ value: { quantity: 2 }, attempts: 1, mode: 'json' });
    const [refused, accepted] = lastRequests('old-server');
    expect(refused!['response_format']).toMatchObject({ type: 'json_schema' });
    expect(accepted!['response_format']).toEqual({ type: 'json_object' });
    const user = (accepted!['messages'] as ChatMessage[])[0]!.content;
    expect(user.startsWith(prompt)).toBe(true);
    expect(user).toContain('Reply with only a JSON value that conforms to this JSON Schema');
    expect(user).toContain('"minLength": 2');
  });

  it('falls back to plain text when JSON mode is refused too', async () => {
    const result = await generateObject({ model: openaiModel('older-server'), schema: partJsonSchema, prompt });
    expect(result).toMatchObject({ value: { name: 'gearbox' }, attempts: 1, mode: 'text' });
    const requests = lastRequests('older-server');
    expect(requests.map((r) => (r['response_format'] as { type?: string } | undefined)?.type ?? 'none')).toEqual(['json_schema', 'json_object', 'none']);
    // The $schema line is for validators; providers get the schema without it.
    expect(JSON.stringify(requests[0]!['response_format'])).not.toContain('$schema');
  });

  it('gives up after maxRepairs with a PARSE_ERROR carrying the last validation errors', async () => {
    const error = await generateObject({ model: openaiModel('never-valid'), schema: Part, prompt, maxRepairs: 1 }).catch((e: unknown) => e);
    expect(isLoreError(error, 'PARSE_ERROR')).toBe(true);
    const message = (error as LoreError).message;
    expect(message).toContain('in 2 replies');
    expect(message).toContain('name: Too small');
    expect(message).toContain('tags: Invalid input: expected array, received string');
    expect(lastRequests('never-valid')).toHaveLength(2);
    // The first repair turn told the model there was no JSON at all.
    expect((lastRequests('never-valid')[1]!['messages'] as ChatMessage[])[2]!.content).toContain('- the reply contains no JSON');
  });

  it('validates with a JSON Schema (ajv), reporting errors by path', async () => {
    const ok = await generateObject<{ name: string }>({ model: openaiModel('ajv-repair'), schema: partJsonSchema, prompt });
    expectTypeOf(ok.value).toEqualTypeOf<{ name: string }>();
    expect(ok).toMatchObject({ value: { name: 'gearbox', quantity: 2 }, attempts: 2 });
    const repair = (lastRequests('ajv-repair')[1]!['messages'] as ChatMessage[])[2]!.content;
    expect(repair).toContain('- name: must NOT have fewer than 2 characters\n- quantity: must be >= 1\n- tags: must be array');
    const error = await generateObject({ model: openaiModel('ajv-never'), schema: partJsonSchema, prompt, maxRepairs: 0 }).catch((e: unknown) => e);
    expect(isLoreError(error, 'PARSE_ERROR')).toBe(true);
    expect((error as Error).message).toContain('in 1 reply. Last errors: the reply contains no JSON');
  });

  it('accepts a non-object root and keeps the schema untyped (unknown) for plain JSON Schema', async () => {
    const result = await generateObject({ model: openaiModel('list'), schema: { type: 'array', items: { type: 'object' } }, prompt });
    expectTypeOf(result.value).toBeUnknown();
    expect(result.value).toEqual([{ name: 'gearbox', quantity: 1, tags: [] }]);
  });

  it('rejects bad arguments before asking the model', async () => {
    const model = openaiModel('valid');
    const before = openai.requests.length;
    await expect(generateObject({ model, schema: Part })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(generateObject({ model, schema: Part, prompt, maxRepairs: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(generateObject({ model, schema: Part, prompt, name: 'has spaces' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(generateObject({ model, schema: { type: 'nonsense' }, prompt })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(generateObject({ model, schema: Part, prompt, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(openai.requests.length).toBe(before);
  });

  it('passes other provider errors through instead of falling back', async () => {
    await expect(generateObject({ model: openaiModel('error-500'), schema: Part, prompt })).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    expect(lastRequests('error-500')).toHaveLength(1);
    expect(rejectsResponseFormat(new LoreError({ code: 'PROVIDER_ERROR', message: 'http://x/chat/completions answered 400: bad request' }))).toBe(true);
    expect(rejectsResponseFormat(new LoreError({ code: 'PROVIDER_ERROR', message: 'http://x answered 404: model not found' }))).toBe(false);
    expect(rejectsResponseFormat(new LoreError({ code: 'INVALID_ARGUMENT', message: 'json_schema is not supported by this model' }))).toBe(true);
  });
});

describe('generateObject on Anthropic (a forced tool)', () => {
  const model = (name: string) => createAnthropicModel({ baseUrl: anthropic.baseUrl, model: name, apiKey: 'sk-ant-test' });

  it('gets the object as the forced tool input, repairs it like any other reply, and sums usage', async () => {
    const result = await generateObject({ model: model('structured'), schema: Part, prompt, name: 'record_part' });
    expect(result).toMatchObject({ value: { name: 'gearbox', quantity: 2, tags: ['drive'] }, attempts: 2, mode: 'json_schema', usage: { inputTokens: 50, outputTokens: 18 } });
    const [first, second] = anthropic.requests.filter((r) => r.body['model'] === 'structured').map((r) => r.body);
    expect(first!['tool_choice']).toEqual({ type: 'tool', name: 'record_part' });
    expect(first!['tools']).toEqual([expect.objectContaining({ name: 'record_part', input_schema: expect.objectContaining({ type: 'object', required: ['name', 'quantity', 'tags'] }) })]);
    expect((second!['messages'] as Array<{ role: string; content: unknown }>)[1]).toEqual({ role: 'assistant', content: invalid });
  });

  it('wraps a non-object schema in { value } and unwraps the answer', async () => {
    const result = await generateObject({ model: model('list'), schema: z.array(z.number()), prompt: 'Three numbers.' });
    expect(result.value).toEqual([3, 1, 2]);
    const sent = anthropic.requests.at(-1)!.body;
    expect(sent['tools']).toEqual([expect.objectContaining({ name: 'output', input_schema: { type: 'object', properties: { value: { type: 'array', items: { type: 'number' } } }, required: ['value'], additionalProperties: false } })]);
  });
});
