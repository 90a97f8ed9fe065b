import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { getTrace, listTraces, type TraceSpan } from './read-traces.js';
import { startRootSpan } from './root-span.js';
import { startTracing } from './start-tracing.js';
import { startOtlpCollectorStub, type OtlpCollectorStub } from './test-support/otlp-collector-stub.js';
import { withSpan } from './with-span.js';

let collector: OtlpCollectorStub;
let dir: string;

beforeAll(async () => {
  collector = await startOtlpCollectorStub();
  dir = mkdtempSync(join(tmpdir(), 'lore-otlp-'));
});
afterAll(async () => {
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OTLP/HTTP export', () => {
  it('delivers a trace whole to a collector, with the same ids and parent links as the local store', async () => {
    const dbPath = join(dir, 'lore.db');
    new SqliteStore({ path: dbPath }).close();
    // Tiny batches and a flush interval that never fires: the trace must arrive in several requests.
    const tracing = await startTracing({ dbPath, otlpUrl: `${collector.endpoint}/v1/traces`, otlpHeaders: { 'x-test': 'yes' }, serviceName: 'lore-test', flushIntervalMs: 60_000 });
    const root = startRootSpan({ name: 'lore ask', attributes: { 'lore.command': 'ask' } });
    await withSpan('retrieve.search', { 'lore.collection': 'docs', 'lore.hits': 3 }, async () => {
      await Promise.all([withSpan('retrieve.keyword', undefined, async () => undefined), withSpan('retrieve.vector', undefined, async () => undefined)]);
      withSpan('retrieve.fuse', undefined, () => undefined);
    });
    await tracing.forceFlush();
    await withSpan('rag.generate', undefined, async () => {
      withSpan('chat gpt-4o-mini', { 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2, 'gen_ai.response.finish_reasons': ['stop'] }, () => undefined);
      await withSpan('execute_tool search', undefined, async () => {
        throw new Error('tool failed');
      }).catch(() => undefined);
    });
    root.end({ exitCode: 0 });
    await tracing.shutdown();

    expect(collector.requests.length).toBeGreaterThanOrEqual(2);
    expect(collector.requests.every((r) => r.contentType.startsWith('application/json') && r.headers['x-test'] === 'yes')).toBe(true);
    const received = collector.spans;
    expect(new Set(received.map((s) => s.traceId)).size).toBe(1);
    expect(received.every((s) => s.serviceName === 'lore-test' && s.scope === 'lore')).toBe(true);

    // The stored tree and the received spans are the same spans with the same parents.
    const store = new SqliteStore({ path: dbPath, readonly: true });
    const [summary] = listTraces({ db: store.db });
    const detail = getTrace({ db: store.db, traceId: summary!.traceId })!;
    store.close();
    const stored: Array<{ id: string; parent: string; name: string }> = [];
    const walk = (span: TraceSpan) => {
      stored.push({ id: span.spanId, parent: span.parentId ?? '', name: span.name });
      span.children.forEach(walk);
    };
    detail.spans.forEach(walk);
    expect(stored).toHaveLength(8);
    expect(received[0]!.traceId).toBe(summary!.traceId);
    const sortById = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    expect(sortById(received.map((s) => ({ id: s.spanId, parent: s.parentSpanId, name: s.name })))).toEqual(sortById(stored));

    // Every parent link resolves inside the trace, and exactly one span is the root.
    const ids = new Set(received.map((s) => s.spanId));
    expect(received.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['lore ask']);
    expect(received.every((s) => !s.parentSpanId || ids.has(s.parentSpanId))).toBe(true);

    const chat = received.find((s) => s.name === 'chat gpt-4o-mini')!;
    expect(chat.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2, 'gen_ai.response.finish_reasons': ['stop'] });
    const tool = received.find((s) => s.name === 'execute_tool search')!;
    expect(tool.status).toMatchObject({ code: 2, message: 'tool failed' });
    expect(BigInt(tool.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(tool.startTimeUnixNano));
  });
});
