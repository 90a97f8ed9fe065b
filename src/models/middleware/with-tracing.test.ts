import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type StartTracingOptions } from '../../trace/start-tracing.js';
import { withSpan } from '../../trace/with-span.js';
import { createOpenAICompatibleModel } from '../providers/openai-compatible.js';
import { resolveLanguageModel } from '../resolve-model.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test-support/fake-openai-server.js';
import { requestModelName, withTracing } from './with-tracing.js';

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(async () => {
  await server.close();
});

const PRICES = { ok: { input: 1, output: 2 }, tools: { input: 1, output: 2 } };

/** Runs `fn` with tracing into memory and returns the finished spans. */
async function traced(fn: () => Promise<unknown>, options: StartTracingOptions = {}): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const tracing = await startTracing({ exporters: [exporter], ...options });
  try {
    await fn();
    await tracing.forceFlush();
    // Read before shutdown: the in-memory exporter forgets its spans when it is shut down.
    return [...exporter.getFinishedSpans()];
  } finally {
    await tracing.shutdown();
  }
}

describe('withTracing: GenAI spans of model calls', () => {
  it('records the request, usage, finish reason, time to first token and cost of a streamed call', async () => {
    const model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#ok`, prices: PRICES });
    let text = '';
    const spans = await traced(() =>
      withSpan('rag.generate', undefined, async () => {
        for await (const event of model.stream({ messages: [{ role: 'user', content: 'Say hello' }], temperature: 0.3, maxTokens: 50 })) {
          if (event.type === 'text') text += event.delta;
        }
      }),
    );
    expect(text).toBe('Hello world');
    const chat = spans.find((s) => s.name === 'chat ok')!;
    const parent = spans.find((s) => s.name === 'rag.generate')!;
    expect(chat.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(chat.kind).toBe(2); // CLIENT: a call to another service
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai_compatible',
      'gen_ai.provider.name': 'openai_compatible',
      'gen_ai.request.model': 'ok',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.max_tokens': 50,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.response.finish_reasons': ['stop'],
      'lore.cost_basis': 'price-table',
    });
    expect(chat.attributes['lore.cost_usd']).toBeCloseTo((12 * 1 + 2 * 2) / 1e6, 12);
    expect(chat.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(chat.attributes['lore.time_to_first_token_ms']).toBeGreaterThan(0);
    expect(chat.status.code).toBe(0);
    // Prompts and completions are not recorded unless asked for.
    expect(chat.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(chat.attributes['gen_ai.output.messages']).toBeUndefined();
  });

  it('records tool calls and, with content recording on, the messages in the conventions’ shape', async () => {
    const model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#tools`, prices: PRICES });
    const spans = await traced(
      () => model.generate({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Find gearbox, mail me at a@b.example' }], tools: [{ name: 'search', parameters: {} }, { name: 'calc', parameters: {} }] }),
      { recordContent: true },
    );
    const chat = spans.find((s) => s.name === 'chat tools')!;
    expect(chat.attributes).toMatchObject({ 'gen_ai.response.finish_reasons': ['tool_calls'], 'lore.tools': ['search', 'calc'] });
    expect(JSON.parse(String(chat.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Find gearbox, mail me at [email]' }] },
    ]);
    const output = JSON.parse(String(chat.attributes['gen_ai.output.messages'])) as Array<{ parts: Array<{ type: string; name?: string }>; finish_reason: string }>;
    expect(output[0]!.finish_reason).toBe('tool_calls');
    expect(output[0]!.parts.map((p) => `${p.type}:${p.name}`)).toEqual(['tool_call:search', 'tool_call:calc']);
  });

  it('marks a failed call failed, with the error code', async () => {
    const model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#bad-key` });
    const spans = await traced(() => expect(model.generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow());
    const chat = spans.find((s) => s.name === 'chat bad-key')!;
    expect(chat.status.code).toBe(2);
    expect(chat.status.message).toMatch(/invalid api key/i);
    expect(chat.attributes['lore.error_code']).toBeTypeOf('string');
    expect(chat.events.map((e) => e.name)).toContain('exception');
  });

  it('passes calls straight through while tracing is off', async () => {
    const inner = createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'ok' });
    const model = withTracing(inner, { system: 'openai' });
    const result = await model.generate({ messages: [{ role: 'user', content: 'x' }] });
    expect(result.text).toBe('Hello world');
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 2 });
  });

  it('names the requested model as the provider knows it', () => {
    expect(requestModelName('openai-compatible:https://api.openai.com/v1#gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(requestModelName('anthropic:claude-sonnet-4-5')).toBe('claude-sonnet-4-5');
    expect(requestModelName('gguf:/models/qwen2.5-0.5b.gguf')).toBe('qwen2.5-0.5b.gguf');
  });
});
