import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { getTrace, listTraces } from './read-traces.js';
import { pruneTraces } from './prune-traces.js';
import { recordContent } from './record-content.js';
import { redactSecrets } from './redact-secrets.js';
import { startRootSpan } from './root-span.js';
import { startTracing } from './start-tracing.js';
import { withToolSpan } from './tool-span.js';
import { traceEmbedder } from './traced-embedder.js';
import { isTracing } from './tracing-state.js';
import { NOOP_SPAN, withSpan } from './with-span.js';

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lore-trace-'));
  dbPath = join(dir, 'lore.db');
  new SqliteStore({ path: dbPath }).close(); // a Lore database with the v5 trace tables
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBack<T>(fn: (store: SqliteStore) => T): T {
  const store = new SqliteStore({ path: dbPath, readonly: true });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

describe('withSpan without tracing', () => {
  it('calls straight through with a span that records nothing', async () => {
    expect(isTracing()).toBe(false);
    expect(withSpan('x', { a: 1 }, (span) => (span === NOOP_SPAN ? 'noop' : 'real'))).toBe('noop');
    await expect(withSpan('x', undefined, async () => 42)).resolves.toBe(42);
    expect(() => withSpan('x', undefined, () => { throw new Error('boom'); })).toThrow('boom');
  });
});

describe('spans stored in the Lore database', () => {
  it('reads a trace back as a tree with timings, status and totals, across batches', async () => {
    const tracing = await startTracing({ dbPath, flushIntervalMs: 60_000 });
    const root = startRootSpan({ name: 'lore ask', attributes: { 'lore.command': 'ask' } });
    await withSpan('retrieve.search', { 'lore.collection': 'docs' }, async (search) => {
      search.setAttribute('lore.hits', 3);
      // Siblings running at once keep their own parent through async context.
      await Promise.all([
        withSpan('retrieve.keyword', undefined, () => sleep(5)),
        withSpan('retrieve.vector', undefined, async () => {
          await sleep(2);
          withSpan('embeddings local', { 'lore.texts': 1 }, () => undefined);
        }),
      ]);
    });
    await tracing.forceFlush(); // a first batch: the trace row exists before its root arrives
    // Work started where no span is active (a timer) still hangs under the command's root span.
    await new Promise<void>((done) => setTimeout(() => void withSpan('rag.generate', { 'lore.collection': 'docs' }, async () => {
      withSpan('chat gpt-4o-mini', { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20, 'lore.cost_usd': 0.0001 }, () => undefined);
      await expect(withSpan('chat gpt-4o-mini', { 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 0 }, async () => {
        throw new Error('provider said no');
      })).rejects.toThrow('provider said no');
    }).then(done), 1));
    root.end({ exitCode: 0 });
    await tracing.shutdown();
    expect(isTracing()).toBe(false);

    const [summary] = readBack((s) => listTraces({ db: s.db }));
    expect(summary).toMatchObject({ name: 'lore ask', status: 'error', collection: 'docs', spanCount: 8, inputTokens: 105, outputTokens: 20 });
    expect(summary!.costUsd).toBeCloseTo(0.0001, 10);
    expect(summary!.attributes).toMatchObject({ 'lore.command': 'ask', 'lore.collections': ['docs'], 'service.name': 'lore' });

    const detail = readBack((s) => getTrace({ db: s.db, traceId: summary!.traceId.slice(0, 8) }))!;
    expect(detail.spans).toHaveLength(1);
    const tree = (span: (typeof detail.spans)[number]): unknown => ({ [span.name]: span.children.map(tree) });
    expect(tree(detail.spans[0]!)).toEqual({
      'lore ask': [
        { 'retrieve.search': [{ 'retrieve.keyword': [] }, { 'retrieve.vector': [{ 'embeddings local': [] }] }] },
        { 'rag.generate': [{ 'chat gpt-4o-mini': [] }, { 'chat gpt-4o-mini': [] }] },
      ],
    });
    const rootSpan = detail.spans[0]!;
    expect(rootSpan.startMs).toBe(0);
    expect(rootSpan.durationMs).toBe(summary!.durationMs);
    const keyword = rootSpan.children[0]!.children.find((c) => c.name === 'retrieve.keyword')!;
    expect(keyword.durationMs).toBeGreaterThanOrEqual(4);
    expect(keyword.startMs).toBeGreaterThanOrEqual(0);
    const failed = rootSpan.children[1]!.children[1]!;
    expect(failed).toMatchObject({ status: 'error', statusMessage: 'provider said no' });
    expect(failed.attributes['error.type']).toBe('Error');
    expect(failed.events.map((e) => e.name)).toEqual(['exception']);
    expect(rootSpan.attributes['lore.exit_code']).toBe(0);
  });

  it('lists newest, slowest and failed traces, scoped by collection, and keeps only the newest N', async () => {
    const tracing = await startTracing({ dbPath, keep: 1000 });
    for (const [name, ms, collection, fail] of [
      ['a', 1, 'docs', false],
      ['b', 60, 'docs', false],
      ['c', 10, 'other', true],
      ['d', 2, undefined, false],
    ] as const) {
      await withSpan(name, collection ? { 'lore.collection': collection } : undefined, async () => {
        await sleep(ms);
        if (fail) throw new Error('x');
      }).catch(() => undefined);
    }
    // A trace whose steps named two collections belongs to neither.
    await withSpan('e', { 'lore.collection': 'docs' }, () => withSpan('e.inner', { 'lore.collection': 'other' }, () => undefined));
    await tracing.shutdown();
    readBack((s) => {
      expect(listTraces({ db: s.db }).map((t) => t.name)).toEqual(['e', 'd', 'c', 'b', 'a']);
      expect(listTraces({ db: s.db, order: 'slowest', limit: 2 }).map((t) => t.name)).toEqual(['b', 'c']);
      expect(listTraces({ db: s.db, errorsOnly: true }).map((t) => t.name)).toEqual(['c']);
      expect(listTraces({ db: s.db, scope: ['docs'] }).map((t) => t.name)).toEqual(['b', 'a']);
      expect(listTraces({ db: s.db, scope: [] })).toEqual([]);
      const e = listTraces({ db: s.db })[0]!;
      expect(e.collection).toBeNull();
      expect(getTrace({ db: s.db, traceId: e.traceId, scope: ['docs'] })).toBeUndefined();
      expect(getTrace({ db: s.db, traceId: e.traceId })?.trace.name).toBe('e');
    });
    const store = new SqliteStore({ path: dbPath });
    try {
      expect(pruneTraces({ db: store.db, keep: 2 })).toBe(3);
      expect(listTraces({ db: store.db }).map((t) => t.name)).toEqual(['e', 'd']);
      expect(store.db.prepare('SELECT count(*) FROM spans').pluck().get()).toBe(3);
      expect(pruneTraces({ db: store.db, maxAgeDays: 1, now: new Date(Date.now() + 2 * 86_400_000) })).toBe(2);
      expect(store.db.prepare('SELECT count(*) FROM spans').pluck().get()).toBe(0);
    } finally {
      store.close();
    }
  });

  it('prunes as it writes: the database keeps the last `keep` traces', async () => {
    const tracing = await startTracing({ dbPath, keep: 3, flushIntervalMs: 60_000 });
    for (let i = 0; i < 8; i++) {
      withSpan(`t${i}`, undefined, () => undefined);
      await sleep(2);
      await tracing.forceFlush();
    }
    await tracing.shutdown();
    expect(readBack((s) => listTraces({ db: s.db }).map((t) => t.name))).toEqual(['t7', 't6', 't5']);
  });

  it('stores nothing (and fails nothing) when the database file does not exist', async () => {
    const missing = join(dir, 'none.db');
    const tracing = await startTracing({ dbPath: missing });
    withSpan('x', undefined, () => undefined);
    await tracing.shutdown();
    expect(() => readBack(() => undefined)).not.toThrow();
    expect(existsSync(missing)).toBe(false);
  });
});

describe('recorded inputs and outputs', () => {
  const secretText = 'Mail ops@example.com, key sk-abcdefghijklmnopqrstuvwx, card 4111 1111 1111 1111, oil every 5 years.';

  async function recordOne(options: Parameters<typeof startTracing>[0]) {
    const tracing = await startTracing({ dbPath, ...options });
    await withToolSpan({ name: 'search', callId: 'call_1', arguments: { query: secretText }, run: async () => ({ hits: 2 }) });
    withSpan('rag.generate', undefined, (span) => {
      recordContent(span, 'lore.question', secretText);
      recordContent(span, 'lore.answer', 'x'.repeat(5000));
    });
    await tracing.shutdown();
    return readBack((s) => listTraces({ db: s.db }).map((t) => getTrace({ db: s.db, traceId: t.traceId })!.spans[0]!));
  }

  it('records none by default', async () => {
    const [generate, tool] = await recordOne({});
    expect(generate!.attributes).toEqual({});
    expect(tool!.name).toBe('execute_tool search');
    expect(tool!.attributes).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.id': 'call_1' });
  });

  it('records them redacted and cut when enabled', async () => {
    const [generate, tool] = await recordOne({ recordContent: true, maxContentChars: 300 });
    const question = String(generate!.attributes['lore.question']);
    expect(question).toContain('oil every 5 years');
    expect(question).not.toMatch(/ops@example\.com|sk-abc|4111/);
    expect(question).toContain('[email]');
    expect(question).toContain('[secret]');
    expect(question).toContain('[number]');
    expect(String(generate!.attributes['lore.answer'])).toMatch(/^x{300}… \[4700 more characters\]$/);
    // Structures stay JSON, each string redacted.
    expect(JSON.parse(String(tool!.attributes['gen_ai.tool.call.arguments']))).toEqual({ query: redactSecrets(secretText) });
    expect(JSON.parse(String(tool!.attributes['gen_ai.tool.call.result']))).toEqual({ hits: 2 });
  });

  it('records them as they are with redaction off, or through a hook of the caller', async () => {
    const [raw] = await recordOne({ recordContent: true, redact: false });
    expect(raw!.attributes['lore.question']).toBe(secretText);
    rmSync(dbPath);
    new SqliteStore({ path: dbPath }).close();
    const [hooked] = await recordOne({ recordContent: true, redact: (t) => t.replace(/oil/g, '***') });
    expect(hooked!.attributes['lore.question']).toContain('*** every 5 years');
    expect(hooked!.attributes['lore.question']).toContain('ops@example.com');
  });

  it('masks e-mails, keys and tokens, key=value secrets and long digit runs, and leaves ordinary text', () => {
    expect(redactSecrets('write to a.b+c@mail.example.org today')).toBe('write to [email] today');
    expect(redactSecrets('Authorization: Bearer abc.DEF-123_456789')).toBe('Authorization: Bearer [secret]');
    expect(redactSecrets('ghp_abcdefghijklmnopqrstuvwxyz0123 and AKIAABCDEFGHIJKLMNOP')).toBe('[secret] and [secret]');
    expect(redactSecrets('password=hunter2hunter and api_key: "s3cr3tvalue"')).toBe('password=[secret] and api_key: [secret]');
    expect(redactSecrets('身份证 11010519491231002X，电话 +86 138 0013 8000')).toBe('身份证 [number]，电话 +[number]');
    expect(redactSecrets('Replace the oil every 5 years (2024-01-15), torque 3.14159265358 Nm, part 12345678.')).toBe(
      'Replace the oil every 5 years (2024-01-15), torque 3.14159265358 Nm, part 12345678.',
    );
  });
});

describe('embedder spans', () => {
  it('wraps each embed call in a span when tracing, and passes through when not', async () => {
    const embedder = traceEmbedder({ id: 'fake', dimensions: 2, languages: [], embed: async (texts) => texts.map(() => new Float32Array([1, 0])) });
    expect(await embedder.embed(['a'])).toHaveLength(1);
    const tracing = await startTracing({ dbPath });
    await embedder.embed(['a', 'b', 'c']);
    await tracing.shutdown();
    const [trace] = readBack((s) => listTraces({ db: s.db }));
    const span = readBack((s) => getTrace({ db: s.db, traceId: trace!.traceId })!.spans[0]!);
    expect(span.name).toBe('embeddings fake');
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'fake', 'lore.texts': 3 });
  });
});
