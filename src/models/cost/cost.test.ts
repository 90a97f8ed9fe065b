import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withUsage, type CallRecord } from '../middleware/with-usage.js';
import { createOpenAICompatibleModel } from '../providers/openai-compatible.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test-support/fake-openai-server.js';
import { costOfCall, isLocalModel } from './cost-of-call.js';
import { DEFAULT_PRICES, findPrice, loadPriceTable } from './price-table.js';

describe('price table and cost', () => {
  it('finds dated snapshots and router names by prefix, not by accident', () => {
    expect(findPrice(DEFAULT_PRICES, 'gpt-4o-2024-08-06')?.key).toBe('gpt-4o');
    expect(findPrice(DEFAULT_PRICES, 'gpt-4o-mini-2024-07-18')?.key).toBe('gpt-4o-mini');
    expect(findPrice(DEFAULT_PRICES, 'openai/gpt-4.1-mini')?.key).toBe('gpt-4.1-mini');
    expect(findPrice(DEFAULT_PRICES, 'gpt-4oops')).toBeUndefined();
  });

  it('prices API calls from the table and says which entry it used', () => {
    const cost = costOfCall({ modelId: 'openai:gpt-4o-mini', usage: { inputTokens: 1_000_000, outputTokens: 500_000 }, durationMs: 1200, prices: DEFAULT_PRICES });
    expect(cost.basis).toBe('price-table');
    expect(cost.usd).toBeCloseTo(0.15 + 0.3, 10);
    expect(cost.note).toMatch(/gpt-4o-mini/);
  });

  it('costs local models by time, and never as a silent $0', () => {
    expect(isLocalModel('gguf:/m/q.gguf')).toBe(true);
    expect(isLocalModel('openai-compatible:http://127.0.0.1:8080/v1#x')).toBe(true);
    expect(isLocalModel('openai-compatible:https://openrouter.ai/api/v1#x')).toBe(false);
    const free = costOfCall({ modelId: 'ollama:qwen2.5:7b', usage: { inputTokens: 10, outputTokens: 10 }, durationMs: 3500, prices: DEFAULT_PRICES });
    expect(free).toMatchObject({ basis: 'local-time', usd: null, seconds: 3.5 });
    expect(free.note).toMatch(/costed by time, 3\.5 s/);
    const rated = costOfCall({ modelId: 'gguf:/m/q.gguf', durationMs: 3_600_000, prices: DEFAULT_PRICES, localUsdPerHour: 0.2 });
    expect(rated.usd).toBeCloseTo(0.2, 10);
  });

  it('says how to price a model the table lacks', () => {
    const cost = costOfCall({ modelId: 'openai-compatible:https://example.com/v1#mystery', usage: { inputTokens: 1, outputTokens: 1 }, durationMs: 5, prices: DEFAULT_PRICES });
    expect(cost).toMatchObject({ basis: 'unpriced', usd: null });
    expect(cost.note).toMatch(/LORE_PRICES/);
  });

  it('lays a user file over the table and names a bad entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lore-prices-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ mystery: { input: 1, output: 2 }, 'gpt-4o': { input: 9, output: 9 } }));
    const table = loadPriceTable({ file: good });
    expect(table['mystery']).toEqual({ input: 1, output: 2 });
    expect(table['gpt-4o']!.input).toBe(9);
    expect(table['gpt-4o-mini']).toEqual(DEFAULT_PRICES['gpt-4o-mini']);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ cheap: { input: 'free' } }));
    expect(() => loadPriceTable({ file: bad })).toThrow(/"cheap"/);
    writeFileSync(bad, '{ not json');
    expect(() => loadPriceTable({ file: bad })).toThrow(/Cannot read the price table/);
  });
});

describe('usage middleware', () => {
  let server: FakeOpenAIServer;
  beforeAll(async () => {
    server = await startFakeOpenAIServer();
  });
  afterAll(() => server.close());

  it('reports the provider counts, the time to first token and the cost of each call', async () => {
    const records: CallRecord[] = [];
    const model = withUsage(createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'ok' }), { prices: { ok: { input: 1, output: 2 } }, onCall: (r) => records.push(r) });
    const result = await model.generate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(result.text).toBe('Hello world');
    expect(records).toHaveLength(1);
    expect(records[0]!.usage).toEqual({ inputTokens: 12, outputTokens: 2 });
    expect(records[0]!.firstTokenMs).not.toBeNull();
    expect(records[0]!.cost.basis).toBe('price-table');
    expect(records[0]!.cost.usd).toBeCloseTo((12 * 1 + 2 * 2) / 1e6, 12);
  });

  it('estimates, and marks as estimated, the usage a provider did not send', async () => {
    const records: CallRecord[] = [];
    const model = withUsage(createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'tools' }), { prices: DEFAULT_PRICES, onCall: (r) => records.push(r) });
    const events = [];
    for await (const e of model.stream({ messages: [{ role: 'user', content: 'search the gearbox and add two and two' }] })) events.push(e);
    const usage = events.find((e) => e.type === 'usage');
    expect(usage).toMatchObject({ type: 'usage', usage: { estimated: true } });
    expect(records[0]!.usage.inputTokens).toBeGreaterThan(4);
    expect(records[0]!.usage.outputTokens).toBeGreaterThan(0);
    // An unpriced model on a loopback server is a local one: costed by time.
    expect(records[0]!.cost.basis).toBe('local-time');
  });
});
