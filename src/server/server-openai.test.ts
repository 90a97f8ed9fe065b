import OpenAI from 'openai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../index.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../models/test-support/fake-openai-server.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer } from '../models/test-support/scripted-openai-server.js';
import { createSqliteApiKeyStore } from '../store/sqlite/api-key-store.js';
import { startTestServer, type TestServer } from './test-support/start-test-server.js';
import { asAsyncStore } from '../store/contract/async-store.js';

const EXAMPLES = ['wind-turbine-maintenance.md', '风力发电机维护手册.md'].map((f) => fileURLToPath(new URL(`../../examples/${f}`, import.meta.url)));

let upstream: ScriptedOpenAIServer;
let fake: FakeOpenAIServer;
let withModel: TestServer;
let keyed: TestServer;
let key = '';

type Citation = { n: number; quote: string; collection: string };

beforeAll(async () => {
  // The upstream model cites source 1 when it is given sources, as a grounded model would.
  upstream = await startScriptedOpenAIServer({
    reply: (r) => (r.messages.some((m) => m.content?.includes('<source n="1"')) ? 'Replace the gearbox oil every 18 months [1].' : 'plain reply'),
  });
  fake = await startFakeOpenAIServer();
  const setup = async (store: TestServer['store']) => {
    await ingest({ store: asAsyncStore(store), paths: EXAMPLES, collection: 'manuals' });
    key = (await createSqliteApiKeyStore(store.db).createKey({ collections: ['manuals'] })).key;
  };
  withModel = await startTestServer({
    embedder: 'local',
    models: [`openai-compatible:${upstream.baseUrl}#writer`, `openai-compatible:${fake.baseUrl}#tools`, `openai-compatible:${fake.baseUrl}#ok`],
    setup,
  });
  keyed = await startTestServer({ requireKeys: true, setup });
});
afterAll(async () => {
  await withModel?.stop();
  await keyed?.stop();
  await upstream?.close();
  await fake?.close();
});

const client = (server: TestServer, apiKey = 'anything') => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });

describe('the official openai client against lore serve', () => {
  it('lists lore/<collection> and the configured models', async () => {
    const models = await client(withModel).models.list();
    expect(models.data.map((m) => m.id)).toEqual(['lore/manuals', 'writer', 'tools', 'ok']);
    expect((await client(withModel).models.retrieve('lore/manuals')).owned_by).toBe('lore');
  });

  it('answers lore/<collection> extractively (no model configured), with numbered references and lore_citations', async () => {
    const completion = await client(keyed, key).chat.completions.create({ model: 'lore/manuals', messages: [{ role: 'user', content: 'How often should the gearbox oil be replaced?' }] });
    const message = completion.choices[0]!.message as typeof completion.choices[0]['message'] & { lore_citations: Citation[] };
    expect(message.content).toMatch(/18 months.*\[1\]/s);
    expect(message.lore_citations[0]).toMatchObject({ n: 1, collection: 'manuals' });
    expect(message.lore_citations[0]!.quote).toMatch(/18 months/);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
  });

  it('answers lore/<collection> with the configured model, streamed, citations on the final chunk', async () => {
    const stream = await client(withModel).chat.completions.create({
      model: 'lore/manuals',
      messages: [{ role: 'user', content: 'How often should the gearbox oil be replaced?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let citations: Citation[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) text += choice.delta.content;
      const extra = (choice?.delta as { lore_citations?: Citation[] } | undefined)?.lore_citations;
      if (extra) citations = extra;
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Replace the gearbox oil every 18 months [1].');
    expect(finish).toBe('stop');
    expect(citations).toHaveLength(1);
    expect(citations[0]!.quote).toMatch(/18 months/);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    // The model was given the retrieved passages as numbered sources.
    expect(upstream.requests.at(-1)!.messages.at(-1)!.content).toMatch(/<source n="1"/);

    // The SDK's stream helper merges the extension into the final message.
    const final = await client(withModel).chat.completions.stream({ model: 'lore/manuals', messages: [{ role: 'user', content: 'gearbox oil interval?' }] }).finalChatCompletion();
    expect((final.choices[0]!.message as unknown as { lore_citations: Citation[] }).lore_citations).toHaveLength(1);
  });

  it('passes other models through to the configured provider, tools included', async () => {
    const plain = await client(withModel).chat.completions.create({ model: 'ok', messages: [{ role: 'user', content: 'hi' }] });
    expect(plain.choices[0]!.message.content).toBe('Hello world');
    expect(plain.usage?.prompt_tokens).toBe(12);

    const stream = await client(withModel).chat.completions.create({
      model: 'tools',
      messages: [{ role: 'user', content: 'search' }],
      tools: [{ type: 'function', function: { name: 'search', parameters: { type: 'object', properties: {} } } }],
      stream: true,
    });
    const args = new Map<number, string>();
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) args.set(call.index, (args.get(call.index) ?? '') + (call.function?.arguments ?? ''));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(args.get(0)).toBe('{"query":"gearbox"}');
    expect(args.get(1)).toBe('{"expr":"2+2"}');
    expect(finish).toBe('tool_calls');
  });

  it('embeds with the bundled model, as floats and as the base64 the client asks for by default', async () => {
    const base64 = await client(withModel).embeddings.create({ model: 'local', input: ['gearbox oil', 'blade bolts'] });
    expect(base64.data).toHaveLength(2);
    expect(base64.data[0]!.embedding).toHaveLength(512);
    const floats = await client(withModel).embeddings.create({ model: 'local', input: 'gearbox oil', encoding_format: 'float' });
    const a = floats.data[0]!.embedding;
    const b = base64.data[0]!.embedding;
    expect(Math.abs(a.reduce((sum, x, i) => sum + x * b[i]!, 0) - 1)).toBeLessThan(1e-4);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('reports errors in OpenAI’s shape: 401, 404, 400', async () => {
    const failure = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (error) {
        return error as InstanceType<typeof OpenAI.APIError>;
      }
      throw new Error('expected a failure');
    };
    const unauthorized = await failure(client(keyed, 'lore_wrong').models.list());
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });

    const missing = await failure(client(keyed, key).chat.completions.create({ model: 'lore/nowhere', messages: [{ role: 'user', content: 'x' }] }));
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing.error).toMatchObject({ code: 'model_not_found', type: 'invalid_request_error' });
    expect(await failure(client(withModel).chat.completions.create({ model: 'gpt-unknown', messages: [{ role: 'user', content: 'x' }] }))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await failure(client(withModel).embeddings.create({ model: 'text-embedding-3-small', input: 'x' }))).toBeInstanceOf(OpenAI.NotFoundError);

    const invalid = await failure(client(keyed, key).chat.completions.create({ model: 'lore/manuals', messages: [] }));
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect(invalid.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value' });
    expect(invalid.message).toMatch(/messages/);
  });

  it('sends an upstream failure after the stream began as an error event the client raises', async () => {
    const broken = await startTestServer({ models: [`openai-compatible:${fake.baseUrl}#drop`] });
    try {
      const stream = await client(broken).chat.completions.create({ model: 'drop', messages: [{ role: 'user', content: 'x' }], stream: true });
      await expect(async () => {
        for await (const _chunk of stream) {
          /* read until the error */
        }
      }).rejects.toThrow();
    } finally {
      await broken.stop();
    }
  });
});

describe('lore/<collection> with a conversation: the follow-up is condensed before retrieval', () => {
  // "and how much does it cost?" alone finds the delivery page (all about cost); only with the topic of the
  // earlier question does it find the heat pump's price.
  const DOCS = {
    'heat-pump.md': '# The Aurora heat pump\n\nThe Aurora heat pump heats a house of up to 150 square metres with air from outside.\n\nThe Aurora heat pump costs 4,200 euros, installation included.\n',
    'delivery.md': '# Delivery\n\nHow much does delivery cost? Delivery costs 9 euros in town. The cost of delivery is refunded when you return an order, so it costs nothing in the end.\n',
  };
  const FIRST = 'What does the Aurora heat pump heat?';
  const FOLLOW_UP = 'And how much does it cost?';
  const REWRITTEN = 'How much does the Aurora heat pump cost?';
  const conversation = [
    { role: 'system' as const, content: 'Answer from the shop documents.' },
    { role: 'user' as const, content: FIRST },
    { role: 'assistant' as const, content: 'It heats a house of up to 150 square metres [1].' },
    { role: 'user' as const, content: FOLLOW_UP },
  ];
  type LoreQuery = { query: string; condensed: string };
  let docs = '';
  let scripted: ScriptedOpenAIServer;
  let shopWithModel: TestServer;
  let shopExtractive: TestServer;

  beforeAll(async () => {
    docs = mkdtempSync(join(tmpdir(), 'lore-shop-'));
    for (const [name, text] of Object.entries(DOCS)) writeFileSync(join(docs, name), text);
    // A model that condenses correctly by construction, and answers by quoting the first source it is given.
    scripted = await startScriptedOpenAIServer({
      reply: (r) => {
        if (r.messages[0]?.content?.startsWith('Rewrite the last user question')) return REWRITTEN;
        const source = /<source n="1"[^>]*>([\s\S]*?)<\/source>/.exec(r.messages.map((m) => m.content ?? '').join('\n'));
        return source ? `${source[1]!.trim()} [1]` : 'no sources';
      },
    });
    const setup = async (store: TestServer['store']) => {
      await ingest({ store: asAsyncStore(store), paths: Object.keys(DOCS).map((f) => join(docs, f)), collection: 'shop' });
    };
    shopWithModel = await startTestServer({ models: [`openai-compatible:${scripted.baseUrl}#writer`], setup });
    shopExtractive = await startTestServer({ setup });
  });
  afterAll(async () => {
    await shopWithModel?.stop();
    await shopExtractive?.stop();
    await scripted?.close();
    if (docs) rmSync(docs, { recursive: true, force: true });
  });

  const firstSource = (citations: Citation[]) => citations[0]?.quote ?? '';

  it('without a model: the lexical fallback adds the previous question, and the price is found (streamed too)', async () => {
    // The follow-up on its own retrieves the delivery page: the test would pass without condensation otherwise.
    const alone = await client(shopExtractive).chat.completions.create({ model: 'lore/shop', messages: [{ role: 'user', content: FOLLOW_UP }] });
    const aloneMessage = alone.choices[0]!.message as unknown as { lore_citations: Citation[]; lore_query: LoreQuery };
    expect(firstSource(aloneMessage.lore_citations)).toMatch(/[Dd]elivery/);
    expect(aloneMessage.lore_query).toEqual({ query: FOLLOW_UP, condensed: 'unchanged' });

    const completion = await client(shopExtractive).chat.completions.create({ model: 'lore/shop', messages: conversation });
    const message = completion.choices[0]!.message as unknown as { content: string; lore_citations: Citation[]; lore_query: LoreQuery };
    expect(message.lore_query).toEqual({ query: `${FOLLOW_UP} ${FIRST}`, condensed: 'lexical' });
    expect(firstSource(message.lore_citations)).toMatch(/4,200 euros/);
    expect(message.content).toMatch(/4,200 euros/);

    const final = await client(shopExtractive).chat.completions.stream({ model: 'lore/shop', messages: conversation }).finalChatCompletion();
    const streamed = final.choices[0]!.message as unknown as { content: string; lore_citations: Citation[]; lore_query: LoreQuery };
    expect(streamed.lore_query).toEqual(message.lore_query);
    expect(firstSource(streamed.lore_citations)).toMatch(/4,200 euros/);
  });

  it('with a model: the model rewrites the follow-up, retrieval uses the rewrite, the answer gets the history (streamed and not)', async () => {
    const before = scripted.requests.length;
    const completion = await client(shopWithModel).chat.completions.create({ model: 'lore/shop', messages: conversation });
    const message = completion.choices[0]!.message as unknown as { content: string; lore_citations: Citation[]; lore_query: LoreQuery };
    expect(message.lore_query).toEqual({ query: REWRITTEN, condensed: 'model' });
    expect(message.content).toMatch(/4,200 euros.*\[1\]/s);
    expect(firstSource(message.lore_citations)).toMatch(/4,200 euros/);

    const [condense, answer] = scripted.requests.slice(before);
    // The rewrite saw the conversation; the answer was asked the question as written, after the earlier turns.
    expect(condense!.messages.at(-1)!.content).toContain(`User: ${FIRST}`);
    expect(condense!.messages.at(-1)!.content).toContain(`Last question: ${FOLLOW_UP}`);
    const answerText = answer!.messages.map((m) => m.content ?? '').join('\n');
    expect(answer!.messages.some((m) => m.role === 'user' && m.content === FIRST)).toBe(true);
    expect(answer!.messages.some((m) => m.role === 'assistant' && m.content?.startsWith('It heats a house'))).toBe(true);
    expect(answerText).toContain(FOLLOW_UP);

    const stream = await client(shopWithModel).chat.completions.create({ model: 'lore/shop', messages: conversation, stream: true });
    let text = '';
    let query: LoreQuery | undefined;
    let citations: Citation[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; lore_citations?: Citation[]; lore_query?: LoreQuery } | undefined;
      text += delta?.content ?? '';
      if (delta?.lore_query) query = delta.lore_query;
      if (delta?.lore_citations) citations = delta.lore_citations;
    }
    expect(query).toEqual({ query: REWRITTEN, condensed: 'model' });
    expect(text).toMatch(/4,200 euros/);
    expect(firstSource(citations)).toMatch(/4,200 euros/);
  });
});
