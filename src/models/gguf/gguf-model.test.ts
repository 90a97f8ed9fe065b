import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { LlamaChat } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import type { ChatMessage, GenerateEvent, GenerateRequest, ToolSpec } from '../../spec/models.js';
import { writeTinyGguf } from '../test-support/tiny-gguf.js';
import { toChatHistory } from './chat-history.js';
import { createGgufModel, type GgufModel } from './gguf-model.js';
import { acquireModel } from './load-llama.js';

// One random-weight model file for the whole file; every model below shares its loaded weights.
const dir = mkdtempSync(join(tmpdir(), 'lore-gguf-'));
const path = join(dir, 'tiny.gguf');
const draftPath = join(dir, 'draft.gguf');
writeTinyGguf({ path });
// Same seed, one block fewer: shares the embeddings and the first block, so it agrees with the main model often.
writeTinyGguf({ path: draftPath, layers: 1 });

const SYSTEM = 'Be brief.';
const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ messages: [{ role: 'user', content }], maxTokens: 16, ...extra });

const models: GgufModel[] = [];
function model(options: Partial<Parameters<typeof createGgufModel>[0]> = {}): GgufModel {
  const m = createGgufModel({ path, systemPrompt: SYSTEM, ...options });
  models.push(m);
  return m;
}

let main: GgufModel;
beforeAll(() => {
  main = model();
});
afterAll(async () => {
  for (const m of models) await m.close();
  rmSync(dir, { recursive: true, force: true });
});

async function collect(events: AsyncIterable<GenerateEvent>): Promise<GenerateEvent[]> {
  const out: GenerateEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('createGgufModel', () => {
  it('names itself after the file', () => {
    expect(main.id).toBe(`gguf:${path}`);
    expect(main.path).toBe(path);
  });

  it('streams text as it is generated, then usage and the finish reason', async () => {
    const before = main.stats().requests;
    let requestsAtFirstText: number | undefined;
    const events: GenerateEvent[] = [];
    for await (const event of main.stream(ask('Hello there, who are you?', { maxTokens: 24 }))) {
      if (event.type === 'text' && requestsAtFirstText === undefined) requestsAtFirstText = main.stats().requests;
      events.push(event);
    }
    // The first text arrived while the request was still running (its counts are booked at the end).
    expect(requestsAtFirstText).toBe(before);
    const texts = events.filter((e) => e.type === 'text');
    expect(texts.length).toBeGreaterThan(1);
    expect(events.at(-2)?.type).toBe('usage');
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'length' });
    const usage = events.find((e) => e.type === 'usage');
    expect(usage?.type === 'usage' && usage.usage.outputTokens).toBe(24);
  });

  it('counts the prompt with the model’s own tokenizer and chat template', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'Count these tokens, please: {"a": 1}' }];
    const result = await main.generate({ messages, maxTokens: 4 });
    const shared = await acquireModel({ path });
    const context = await shared.model.createContext({ contextSize: 1024, threads: 1 });
    try {
      const chat = new LlamaChat({ contextSequence: context.getSequence() });
      const expected = chat.chatWrapper.generateContextState({ chatHistory: toChatHistory({ messages, systemPrompt: SYSTEM }) }).contextText.tokenize(shared.model.tokenizer).length;
      expect(result.usage).toEqual({ inputTokens: expected, outputTokens: 4 });
      expect(result.finishReason).toBe('length');
    } finally {
      await context.dispose();
      await shared.release();
    }
  });

  it('answers JSON that parses and matches the schema, every time', async () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 8 },
        kind: { enum: ['cat', 'dog', 'bird'] },
        age: { type: 'integer' },
        score: { type: 'number' },
        tags: { type: 'array', items: { type: 'string', maxLength: 5 }, maxItems: 3 },
        ok: { type: 'boolean' },
      },
      required: ['name', 'kind', 'age', 'score', 'tags', 'ok'],
      additionalProperties: false,
    };
    const validate = new Ajv().compile(schema);
    let streamedAll = true;
    for (let i = 0; i < 24; i++) {
      const events = await collect(main.stream(ask(`Describe pet number ${i} as JSON.`, { responseFormat: { type: 'json_schema', schema }, maxTokens: 200, temperature: 1 })));
      const text = events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
      const value: unknown = JSON.parse(text);
      expect(validate(value), `${text}\n${JSON.stringify(validate.errors)}`).toBe(true);
      streamedAll &&= events.filter((e) => e.type === 'text').length > 1;
    }
    expect(streamedAll).toBe(true);
  });

  it('answers a JSON object in json mode', async () => {
    const result = await main.generate(ask('Any JSON object.', { responseFormat: { type: 'json' }, maxTokens: 120 }));
    expect(result.text.startsWith('{')).toBe(true);
    // Random weights may not close a free-form string within the budget; when they stop, the JSON is whole.
    if (result.finishReason === 'stop') expect(typeof JSON.parse(result.text)).toBe('object');
    else expect(result.finishReason).toBe('length');
  });

  const tools: ToolSpec[] = [
    {
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 12 }, unit: { enum: ['c', 'f'] } }, required: ['city', 'unit'], additionalProperties: false },
    },
    {
      name: 'add',
      description: 'Adds two integers',
      parameters: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } }, required: ['a', 'b'], additionalProperties: false },
    },
  ];

  it('calls a tool with arguments that match its parameters (toolChoice required)', async () => {
    const forced = model({ toolChoice: 'required' });
    const ajv = new Ajv();
    const validators = new Map(tools.map((t) => [t.name, ajv.compile(t.parameters)]));
    for (let i = 0; i < 6; i++) {
      const result = await forced.generate(ask(`Request ${i}: the weather in Paris, or 2 + 2?`, { tools, maxTokens: 120, temperature: 1 }));
      expect(result.finishReason).toBe('tool_calls');
      expect(result.text).toBe('');
      expect(result.toolCalls).toHaveLength(1);
      const call = result.toolCalls[0]!;
      expect(call.id).toMatch(/^call_/);
      const validate = validators.get(call.name);
      expect(validate, call.name).toBeDefined();
      expect(validate!(JSON.parse(call.arguments)), call.arguments).toBe(true);
    }
  });

  it('offers tools through the chat template when the model may choose (toolChoice auto)', async () => {
    const plain = await main.generate(ask('What is the weather in Paris?', { maxTokens: 4 }));
    const result = await main.generate(ask('What is the weather in Paris?', { tools, maxTokens: 24 }));
    // The tools are described in the prompt; a random model will hardly ever decide to call one.
    expect(result.usage!.inputTokens).toBeGreaterThan(plain.usage!.inputTokens + 100);
    expect(['length', 'stop', 'tool_calls']).toContain(result.finishReason);
    for (const call of result.toolCalls) expect(tools.map((t) => t.name)).toContain(call.name);
  });

  it('replays a conversation with tool calls and their results', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo","unit":"c"}' }] },
      { role: 'tool', toolCallId: 'call_1', content: '{"temp": -3}' },
      { role: 'tool', toolCallId: 'call_unknown', content: 'orphan result' },
    ];
    const result = await main.generate({ messages, tools, maxTokens: 8 });
    expect(result.usage!.inputTokens).toBeGreaterThan(0);
    const history = toChatHistory({ messages });
    expect(history[1]).toEqual({ type: 'model', response: [{ type: 'functionCall', name: 'get_weather', params: { city: 'Oslo', unit: 'c' }, result: { temp: -3 } }] });
    expect(history[2]).toEqual({ type: 'user', text: 'Tool result (call_unknown):\norphan result' });
    expect(history.at(-1)).toEqual({ type: 'model', response: [] });
  });

  it('stops at a stop sequence and at maxTokens', async () => {
    const fresh = model({ reuseKvCache: false });
    const full = await fresh.generate(ask('Tell me a story.', { maxTokens: 24 }));
    expect(full.finishReason).toBe('length');
    expect(full.usage!.outputTokens).toBe(24);
    // A printable character not right after an invalid byte (random weights write those; a stop drops
    // the incomplete bytes it holds back): the answer must end just before its first occurrence.
    const chars = [...full.text];
    const at = chars.findIndex((c, i) => i >= 2 && /^[!-~]$/.test(c) && chars.indexOf(c) === i && chars[i - 1] !== '\uFFFD');
    expect(at).toBeGreaterThan(0);
    const cut = await fresh.generate(ask('Tell me a story.', { maxTokens: 24, stop: [chars[at]!] }));
    expect(cut.finishReason).toBe('stop');
    expect(cut.text).toBe(chars.slice(0, at).join(''));
    expect(cut.usage!.inputTokens).toBe(full.usage!.inputTokens);
  });

  it('keeps the KV cache between turns: the next turn evaluates only what is new', async () => {
    const reusing = model();
    const fresh = model({ reuseKvCache: false });
    const turns: ChatMessage[] = [{ role: 'user', content: 'First question: what is the capital of France?' }];
    for (const m of [reusing, fresh]) await m.generate({ messages: turns, maxTokens: 8 });
    const next: ChatMessage[] = [...turns, { role: 'assistant', content: 'Paris.' }, { role: 'user', content: 'And of Italy?' }];
    const a = await reusing.generate({ messages: next, maxTokens: 8 });
    const b = await fresh.generate({ messages: next, maxTokens: 8 });
    expect(a.usage!.inputTokens).toBe(b.usage!.inputTokens);
    const withReuse = reusing.stats().last!;
    const without = fresh.stats().last!;
    expect(without.evaluatedInputTokens).toBe(without.inputTokens);
    expect(without.reusedInputTokens).toBe(0);
    // At least the system prompt and the first question were found in the cache.
    expect(withReuse.reusedInputTokens).toBeGreaterThan(40);
    expect(withReuse.evaluatedInputTokens).toBeLessThan(without.evaluatedInputTokens);
    expect(withReuse.evaluatedInputTokens + withReuse.reusedInputTokens).toBe(withReuse.inputTokens);
  });

  it('decodes speculatively with a draft model without changing greedy output', async () => {
    const plain = model({ reuseKvCache: false });
    const drafted = model({ reuseKvCache: false, draftPath, draftMinConfidence: 0 });
    for (const prompt of ['Once upon a time', 'List three colours.']) {
      const a = await plain.generate(ask(prompt, { maxTokens: 24, temperature: 0 }));
      const b = await drafted.generate(ask(prompt, { maxTokens: 24, temperature: 0 }));
      expect(b.text).toBe(a.text);
      expect(b.usage).toEqual(a.usage);
    }
    const stats = drafted.stats().draft!;
    expect(stats.accepted + stats.rejected).toBeGreaterThan(0);
    expect(stats.acceptanceRate).toBeGreaterThanOrEqual(0);
    expect(plain.stats().draft).toBeUndefined();

    // Grammar-constrained answers pause the draft (the UTF-8 guard judges one position at a time) and stay valid.
    const schema = { type: 'object', properties: { word: { type: 'string', maxLength: 6 } }, required: ['word'], additionalProperties: false };
    const validate = new Ajv().compile(schema);
    for (let i = 0; i < 3; i++) {
      const result = await drafted.generate(ask(`One word, ${i}`, { responseFormat: { type: 'json_schema', schema }, maxTokens: 60, temperature: 1 }));
      expect(validate(JSON.parse(result.text)), result.text).toBe(true);
    }
    expect(drafted.stats().draft).toEqual(stats);
    const again = await drafted.generate(ask('Once upon a time', { maxTokens: 24, temperature: 0 }));
    expect(again.text).toBe((await plain.generate(ask('Once upon a time', { maxTokens: 24, temperature: 0 }))).text);
    expect(drafted.stats().draft!.accepted + drafted.stats().draft!.rejected).toBeGreaterThan(stats.accepted + stats.rejected);
  });

  it('stops promptly when cancelled, rejects with ABORTED, and stays usable', async () => {
    const before = main.stats();
    const controller = new AbortController();
    let texts = 0;
    const run = (async () => {
      for await (const event of main.stream(ask('Write a very long essay.', { maxTokens: 3000, signal: controller.signal }))) {
        if (event.type === 'text' && ++texts === 2) controller.abort();
      }
    })();
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLoreError(error, 'ABORTED')).toBe(true);
    expect(texts).toBeLessThan(10);
    expect(main.stats().requests).toBe(before.requests);

    // Cancelled before it started: rejected at once.
    await expect(main.generate(ask('Hi', { signal: AbortSignal.abort() }))).rejects.toMatchObject({ code: 'ABORTED' });
    // A reader that walks away stops the generation too; the model answers the next request.
    for await (const event of main.stream(ask('Another long one.', { maxTokens: 3000 }))) if (event.type === 'text') break;
    const after = await main.generate(ask('Still there?', { maxTokens: 4 }));
    expect(after.usage!.outputTokens).toBe(4);
  });

  it('takes concurrent requests in turn on its one sequence', async () => {
    const before = main.stats().requests;
    const results = await Promise.all([0, 1, 2].map((i) => main.generate(ask(`Question ${i}`, { maxTokens: 6 }))));
    for (const r of results) expect(r.usage!.outputTokens).toBe(6);
    expect(main.stats().requests).toBe(before + 3);
  });

  it('loads again after close', async () => {
    const m = model();
    const a = await m.generate(ask('Same question', { maxTokens: 6 }));
    await m.close();
    const b = await m.generate(ask('Same question', { maxTokens: 6 }));
    expect(b.text).toBe(a.text);
  });

  it('rejects a request without messages', async () => {
    await expect(main.generate({ messages: [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
