import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeRun } from '../../eval/test-support/fake-run.js';
import { isLoreError } from '../../spec/errors.js';
import { startTracing } from '../../trace/start-tracing.js';
import { withSpan } from '../../trace/with-span.js';
import type { StoreCompanions } from '../open-companions.js';

/** One fresh, empty database's companions, the exporter that writes its spans, and how to close it. */
export interface CompanionFixture {
  companions: StoreCompanions;
  /** A span exporter into this database, keeping the newest `keep` traces. */
  spanExporter: (options: { keep: number }) => SpanExporter;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The behaviours of sessions, API keys, evaluation runs and traces that every database must share (SQLite,
 * PostgreSQL), so that a server on either answers alike. `make` returns a new, empty database each time.
 */
export function runCompanionContract(name: string, make: () => Promise<CompanionFixture>): void {
  describe(`companion contract: ${name}`, () => {
    const open: CompanionFixture[] = [];
    const fresh = async () => {
      const fixture = await make();
      open.push(fixture);
      return fixture.companions;
    };
    afterEach(async () => {
      for (const fixture of open.splice(0)) await fixture.close();
    });

    it('keeps sessions: turns in order with citations, titles from the first question, summaries, reset, delete', async () => {
      const { sessions } = await fresh();
      const s = await sessions.createSession({ id: 'turbines', settings: { collection: 'manuals', model: 'm' } });
      expect(s).toMatchObject({ id: 'turbines', title: null, settings: { collection: 'manuals', model: 'm' }, summary: null, summaryThrough: 0, turnCount: 0 });
      const q = await sessions.appendTurn({ sessionId: 'turbines', role: 'user', content: 'How often is the gearbox oil replaced?', tokens: 8 });
      const a = await sessions.appendTurn({ sessionId: 'turbines', role: 'assistant', content: 'Every 18 months [1].', citations: [{ n: 1, source: '/a.md' }], tokens: 6 });
      await sessions.appendTurn({ sessionId: 'turbines', role: 'user', content: 'what does it cost?', standalone: 'what does a gearbox oil change cost?', tokens: 4 });
      expect(a.id).toBeGreaterThan(q.id);
      const turns = await sessions.turns('turbines');
      expect(turns.map((t) => [t.role, t.content, t.standalone])).toEqual([
        ['user', 'How often is the gearbox oil replaced?', null],
        ['assistant', 'Every 18 months [1].', null],
        ['user', 'what does it cost?', 'what does a gearbox oil change cost?'],
      ]);
      expect(turns[1]).toMatchObject({ citations: [{ n: 1, source: '/a.md' }], tokens: 6 });
      expect(typeof turns[0]!.id).toBe('number');
      const info = (await sessions.getSession('turbines'))!;
      expect(info).toMatchObject({ title: 'How often is the gearbox oil replaced?', turnCount: 3 });
      expect(info.updatedAt >= info.createdAt).toBe(true);

      await sessions.setSummary({ sessionId: 'turbines', summary: 'oil every 18 months', through: a.id });
      expect(await sessions.getSession('turbines')).toMatchObject({ summary: 'oil every 18 months', summaryThrough: a.id });

      const other = await sessions.createSession({});
      expect(other.id).toMatch(/^[0-9a-f]{8}$/);
      await sleep(2);
      await sessions.appendTurn({ sessionId: other.id, role: 'user', content: 'x', tokens: 1 });
      expect((await sessions.listSessions()).map((x) => x.id)).toEqual([other.id, 'turbines']);

      await sessions.clearSession('turbines');
      expect(await sessions.getSession('turbines')).toMatchObject({ summary: null, summaryThrough: 0, turnCount: 0, settings: { collection: 'manuals' } });
      expect(await sessions.turns('turbines')).toEqual([]);
      expect(await sessions.deleteSession('turbines')).toBe(true);
      expect(await sessions.deleteSession('turbines')).toBe(false);
      expect(await sessions.getSession('turbines')).toBeUndefined();
    });

    it('refuses bad session names, a taken name, and turns of a missing session, writing nothing', async () => {
      const { sessions } = await fresh();
      await expect(sessions.createSession({ id: 'no spaces' })).rejects.toSatisfy((e) => isLoreError(e, 'INVALID_ARGUMENT'));
      await sessions.createSession({ id: 'one' });
      await expect(sessions.createSession({ id: 'one' })).rejects.toSatisfy((e) => isLoreError(e, 'INVALID_ARGUMENT') && /exists/.test((e as Error).message));
      await expect(sessions.appendTurn({ sessionId: 'ghost', role: 'user', content: 'x', tokens: 1 })).rejects.toSatisfy((e) => isLoreError(e, 'NOT_FOUND'));
      await expect(sessions.turns('ghost')).rejects.toSatisfy((e) => isLoreError(e, 'NOT_FOUND'));
      await expect(sessions.setSummary({ sessionId: 'ghost', summary: 's', through: 1 })).rejects.toSatisfy((e) => isLoreError(e, 'NOT_FOUND'));
      await expect(sessions.clearSession('ghost')).rejects.toSatisfy((e) => isLoreError(e, 'NOT_FOUND'));
      expect((await sessions.listSessions()).map((s) => s.id)).toEqual(['one']);
    });

    it('makes API keys shown once, stored hashed, scoped, verified, revoked', async () => {
      const { keys } = await fresh();
      const { key, info } = await keys.createKey({ collections: ['docs', ' docs', 'notes', ''], readOnly: true, name: 'intranet' });
      expect(key).toMatch(/^lore_[A-Za-z0-9_-]{43}$/);
      expect(info).toMatchObject({ name: 'intranet', collections: ['docs', 'notes'], readOnly: true, lastUsedAt: null, revokedAt: null });
      expect(info.id).toMatch(/^[0-9a-f]{12}$/);
      const all = await keys.createKey({ collections: ['*'] });
      expect(all.info).toMatchObject({ collections: ['*'], readOnly: false, name: null });
      expect(await keys.verifyKey(key)).toMatchObject({ id: info.id, collections: ['docs', 'notes'], readOnly: true });
      // Last use is recorded (once a minute at most).
      expect((await keys.listKeys()).find((k) => k.id === info.id)!.lastUsedAt).not.toBeNull();
      expect(await keys.verifyKey(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
      expect(await keys.verifyKey('not-a-lore-key')).toBeUndefined();
      expect((await keys.listKeys()).map((k) => k.id).sort()).toEqual([info.id, all.info.id].sort());
      expect(JSON.stringify(await keys.listKeys())).not.toContain(key);
      expect(await keys.revokeKey(info.id)).toBe(true);
      expect(await keys.revokeKey(info.id)).toBe(false);
      expect(await keys.revokeKey('nope')).toBe(false);
      expect(await keys.verifyKey(key)).toBeUndefined();
      expect((await keys.listKeys()).find((k) => k.id === info.id)!.revokedAt).not.toBeNull();
      await expect(keys.createKey({ collections: [' ', ''] })).rejects.toSatisfy((e) => isLoreError(e, 'INVALID_ARGUMENT'));
    });

    it('stores evaluation runs with items in test-set order, found by id, prefix, name and latest~N', async () => {
      const { evalRuns } = await fresh();
      const A = fakeRun({ id: 'rag-aaa111', name: 'baseline', createdAt: '2026-01-01T00:00:00.000Z', scores: { q1: { faithfulness: 1, answer_relevance: 0.5 }, q2: { faithfulness: null, answer_relevance: 1 } } });
      const B = fakeRun({ id: 'rag-bbb222', createdAt: '2026-01-02T00:00:00.000Z', scores: { q2: { faithfulness: 0.25, answer_relevance: 1 }, q1: { faithfulness: 1, answer_relevance: 1 }, q9: { faithfulness: 0, answer_relevance: 0 } } });
      // Keys in display order (not sorted), nested output kept.
      B.run.metrics = { zeta: B.run.metrics['faithfulness']!, alpha: B.run.metrics['answer_relevance']! };
      B.items[0]!.output = { answer: 'x', contexts: [{ source: '/a', score: 0.5 }], failures: { judge: 'timeout' } };
      await evalRuns.saveRun(A);
      await evalRuns.saveRun(B);
      expect((await evalRuns.listRuns()).map((r) => r.id)).toEqual(['rag-bbb222', 'rag-aaa111']);
      expect((await evalRuns.listRuns({ limit: 1 })).map((r) => r.id)).toEqual(['rag-bbb222']);
      expect(await evalRuns.listRuns({ kind: 'retrieval' })).toEqual([]);
      const got = await evalRuns.getRun('rag-bbb222');
      expect(got.run).toEqual({ ...B.run, itemCount: 3 });
      expect(Object.keys(got.run.metrics)).toEqual(['zeta', 'alpha']);
      expect(got.items).toEqual(B.items);
      expect((await evalRuns.getRun('baseline')).run.id).toBe('rag-aaa111');
      expect((await evalRuns.getRun('latest')).run.id).toBe('rag-bbb222');
      expect((await evalRuns.getRun('latest~1')).run.id).toBe('rag-aaa111');
      expect((await evalRuns.getRun('bbb')).run.id).toBe('rag-bbb222');
      expect((await evalRuns.getRun('latest', { kind: 'rag' })).run.id).toBe('rag-bbb222');
      await expect(evalRuns.getRun('latest', { kind: 'retrieval' })).rejects.toSatisfy((e) => isLoreError(e, 'NOT_FOUND'));
      await expect(evalRuns.getRun('nope')).rejects.toSatisfy((e) => isLoreError(e, 'NOT_FOUND'));
      await expect(evalRuns.getRun('rag-')).rejects.toThrow(/names 2 runs/);
      await expect(evalRuns.saveRun(A)).rejects.toThrow();
      expect((await evalRuns.getRun('rag-aaa111')).items).toHaveLength(2);
      expect(await evalRuns.deleteRun('rag-aaa111')).toBe(true);
      expect(await evalRuns.deleteRun('rag-aaa111')).toBe(false);
      expect((await evalRuns.listRuns()).map((r) => r.id)).toEqual(['rag-bbb222']);
    });

    it('stores traces from the exporter: totals, trees, newest/slowest/failed, scope by collection, prefixes, retention', async () => {
      const fixture = await make();
      open.push(fixture);
      const { traces } = fixture.companions;
      const tracing = await startTracing({ exporters: [fixture.spanExporter({ keep: 1000 })], flushIntervalMs: 60_000 });
      try {
        for (const [name, ms, collection, fail] of [
          ['a', 1, 'docs', false],
          ['b', 40, 'docs', false],
          ['c', 10, 'other', true],
          ['d', 2, undefined, false],
        ] as const) {
          await withSpan(name, collection ? { 'lore.collection': collection } : undefined, async () => {
            await withSpan(`${name}.model`, { 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 3, 'lore.cost_usd': 0.5 }, () => sleep(ms));
            if (fail) throw new Error('provider said no');
          }).catch(() => undefined);
          await sleep(2);
        }
        // A trace whose steps named two collections belongs to neither.
        await withSpan('e', { 'lore.collection': 'docs' }, () => withSpan('e.inner', { 'lore.collection': 'other' }, () => undefined));
        await tracing.forceFlush();
        // A trace written in two batches: the child first, then its root.
        await withSpan('f', undefined, async () => {
          await withSpan('f.child', { 'gen_ai.usage.input_tokens': 5 }, () => sleep(1));
          await tracing.forceFlush();
        });
      } finally {
        await tracing.shutdown();
      }

      const list = await traces.listTraces();
      expect(list.map((t) => t.name)).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
      const b = list.find((t) => t.name === 'b')!;
      expect(b).toMatchObject({ status: 'ok', collection: 'docs', spanCount: 2, inputTokens: 10, outputTokens: 3, costUsd: 0.5 });
      // Node's timers may fire a fraction of a millisecond before the span clock says 40 ms have passed.
      expect(b.durationMs).toBeGreaterThanOrEqual(39);
      expect(list.find((t) => t.name === 'c')).toMatchObject({ status: 'error', collection: 'other' });
      expect(list.find((t) => t.name === 'e')).toMatchObject({ collection: null, attributes: { 'lore.collections': ['docs', 'other'] } });
      expect(list.find((t) => t.name === 'f')).toMatchObject({ spanCount: 2, inputTokens: 5, outputTokens: 0, costUsd: null });
      // Slowest first (f's root holds a flush to the database, so only the order is checked, and b's lead over a and d).
      const slowest = await traces.listTraces({ order: 'slowest' });
      expect(slowest.map((t) => t.durationMs)).toEqual([...slowest.map((t) => t.durationMs)].sort((x, y) => y - x));
      const rank = (name: string) => slowest.findIndex((t) => t.name === name);
      expect(rank('b')).toBeLessThan(Math.min(rank('a'), rank('d')));
      expect(await traces.listTraces({ order: 'slowest', limit: 2 })).toHaveLength(2);
      expect((await traces.listTraces({ errorsOnly: true })).map((t) => t.name)).toEqual(['c']);
      expect((await traces.listTraces({ collection: 'other' })).map((t) => t.name)).toEqual(['c']);
      expect((await traces.listTraces({ scope: ['docs'] })).map((t) => t.name)).toEqual(['b', 'a']);
      expect(await traces.listTraces({ scope: [] })).toEqual([]);

      const detail = (await traces.getTrace({ traceId: b.traceId.slice(0, 8) }))!;
      expect(detail.trace.traceId).toBe(b.traceId);
      expect(detail.spans).toHaveLength(1);
      const [root] = detail.spans;
      expect(root).toMatchObject({ name: 'b', parentId: null, startMs: 0, status: 'ok' });
      expect(root!.children.map((s) => s.name)).toEqual(['b.model']);
      expect(root!.children[0]!.startMs).toBeGreaterThanOrEqual(0);
      expect(root!.children[0]!.durationMs).toBeGreaterThanOrEqual(39);
      expect(root!.durationMs).toBeGreaterThanOrEqual(root!.children[0]!.durationMs);
      const failed = (await traces.getTrace({ traceId: list.find((t) => t.name === 'c')!.traceId }))!.spans[0]!;
      expect(failed).toMatchObject({ status: 'error', statusMessage: 'provider said no' });
      expect(failed.events.map((e) => e.name)).toEqual(['exception']);
      expect(await traces.getTrace({ traceId: b.traceId, scope: ['other'] })).toBeUndefined();
      expect(await traces.getTrace({ traceId: '0000000000000000000000000000dead' })).toBeUndefined();
      await expect(traces.getTrace({ traceId: 'xyz!' })).rejects.toSatisfy((e) => isLoreError(e, 'INVALID_ARGUMENT'));

      expect(await traces.pruneTraces({ keep: 2 })).toBe(4);
      expect((await traces.listTraces()).map((t) => t.name)).toEqual(['f', 'e']);
      expect(await traces.getTrace({ traceId: b.traceId })).toBeUndefined();
      expect(await traces.pruneTraces({ maxAgeDays: 1, now: new Date(Date.now() + 2 * 86_400_000) })).toBe(2);
      expect(await traces.listTraces()).toEqual([]);
    });

    it('prunes as the exporter writes: the newest `keep` traces stay', async () => {
      const fixture = await make();
      open.push(fixture);
      const tracing = await startTracing({ exporters: [fixture.spanExporter({ keep: 3 })], flushIntervalMs: 60_000 });
      try {
        for (let i = 0; i < 6; i++) {
          withSpan(`t${i}`, undefined, () => undefined);
          await sleep(2);
          await tracing.forceFlush();
        }
      } finally {
        await tracing.shutdown();
      }
      expect((await fixture.companions.traces.listTraces()).map((t) => t.name)).toEqual(['t5', 't4', 't3']);
    });
  });
}
