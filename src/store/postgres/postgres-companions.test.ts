import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import { createPostgresSpanExporter } from '../../trace/postgres-span-exporter.js';
import { runCompanionContract } from '../contract/companion-contract.js';
import { companionsOf } from '../open-companions.js';
import { POSTGRES_SCHEMA_VERSION } from './postgres-migrations.js';
import { createPostgresSessionStore } from './postgres-session-store.js';
import { openPostgresStore } from './postgres-store.js';
import { startPgliteVectorServer, type PgliteVectorServer } from './test-support/pglite-vector-server.js';

let server: PgliteVectorServer;
let schemas = 0;

beforeAll(async () => {
  server = await startPgliteVectorServer();
});

afterAll(async () => {
  await server?.close();
});

// PGlite is one session: one connection per pool, one fixture open at a time, each in a schema of its own.
runCompanionContract('PostgreSQL (PGlite over the wire protocol)', async () => {
  const store = await openPostgresStore({ url: server.url, schema: `lore_c${++schemas}`, poolSize: 1 });
  return {
    companions: companionsOf(store),
    spanExporter: ({ keep }) => createPostgresSpanExporter({ pool: store.pool, keep }),
    close: () => store.close(),
  };
});

describe('PostgreSQL companions', () => {
  it('are tables of the store schema (migration v2), so one migration makes a database ready for servers', async () => {
    const store = await openPostgresStore({ url: server.url, schema: 'lore_companion_tables', poolSize: 1 });
    try {
      expect(POSTGRES_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
      const tables = (await store.pool.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', ['lore_companion_tables'])).rows.map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['api_keys', 'eval_items', 'eval_runs', 'session_turns', 'sessions', 'spans', 'traces']));
    } finally {
      await store.close();
    }
  });

  it('leases a session turn to one server at a time: the next waits, an abandoned lease runs out, a missing session is not locked', async () => {
    const store = await openPostgresStore({ url: server.url, schema: 'lore_turn_lease', poolSize: 1 });
    try {
      // Two servers' session stores on one database (one pool here: PGlite is one session; the lease is a row).
      const a = createPostgresSessionStore(store.pool, { turnPollMs: 20 });
      const b = createPostgresSessionStore(store.pool, { turnPollMs: 20 });
      await a.createSession({ id: 'talk' });
      const releaseA = await a.lockTurn!('talk');
      let bHolds = false;
      const waitingB = b.lockTurn!('talk').then((release) => {
        bHolds = true;
        return release;
      });
      await new Promise((r) => setTimeout(r, 200)); // several polls
      expect(bHolds).toBe(false);
      const impatient = createPostgresSessionStore(store.pool, { turnPollMs: 20, turnWaitMs: 0 });
      await expect(impatient.lockTurn!('talk')).rejects.toSatisfy((e) => isLoreError(e, 'TIMEOUT'));
      const aborted = new AbortController();
      const c = b.lockTurn!('talk', { signal: aborted.signal });
      aborted.abort();
      await expect(c).rejects.toSatisfy((e) => isLoreError(e, 'ABORTED'));
      await releaseA();
      const releaseB = await waitingB;
      expect(bHolds).toBe(true);
      // B's server dies holding it: once its lease has run out (here set in the past), A takes it.
      await store.pool.query("UPDATE sessions SET turn_until = clock_timestamp() - interval '1 second' WHERE id = 'talk'");
      const again = await a.lockTurn!('talk');
      await releaseB(); // the dead holder's late release does not free the new holder's lease
      expect((await store.pool.query<{ owner: string | null }>("SELECT turn_owner AS owner FROM sessions WHERE id = 'talk'")).rows[0]!.owner).not.toBeNull();
      await again();
      expect((await store.pool.query<{ owner: string | null }>("SELECT turn_owner AS owner FROM sessions WHERE id = 'talk'")).rows[0]!.owner).toBeNull();
      await (await a.lockTurn!('nobody'))();
    } finally {
      await store.close();
    }
  });

  it('keeps a job board: each job’s latest view, newest first; the server’s publisher posts state changes at once and progress throttled', async () => {
    const store = await openPostgresStore({ url: server.url, schema: 'lore_job_board', poolSize: 1 });
    try {
      const board = companionsOf(store).jobs!;
      const posted: string[] = [];
      const counted = { ...board, publish: (job: Parameters<typeof board.publish>[0]) => (posted.push(`${job.id}:${job.status}:${String(job.view['n'])}`), board.publish(job)) };
      const { createJobPublisher } = await import('../../server/publish-jobs.js');
      const publisher = createJobPublisher({ board: counted, intervalMs: 60_000 });
      const view = (id: string, status: string, n: number, createdAt: string) =>
        ({ id, collection: 'docs', status, phase: status === 'running' ? 'loading' : 'done', createdAt, n }) as unknown as Parameters<typeof publisher.changed>[0];
      publisher.changed(view('j1', 'queued', 0, '2026-01-01T00:00:00.000Z'));
      publisher.changed(view('j1', 'running', 1, '2026-01-01T00:00:00.000Z'));
      for (let n = 2; n < 50; n++) publisher.changed(view('j1', 'running', n, '2026-01-01T00:00:00.000Z'));
      await publisher.flush();
      // queued, running (at once), then only the latest progress: not 50 writes.
      expect(posted).toEqual(['j1:queued:0', 'j1:running:1', 'j1:running:49']);
      publisher.changed(view('j1', 'done', 50, '2026-01-01T00:00:00.000Z'));
      publisher.changed(view('j2', 'queued', 0, '2026-01-02T00:00:00.000Z'));
      await publisher.flush();
      expect(await board.get('j1')).toMatchObject({ id: 'j1', collection: 'docs', status: 'done', view: { n: 50 } });
      expect((await board.list()).map((j) => j.id)).toEqual(['j2', 'j1']);
      expect(await board.get('nope')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('openCompanions opens a database by its URL (schema and pool size from the query) for its companions alone', async () => {
    const { openCompanions } = await import('../open-companions.js');
    const first = await openCompanions({ location: `${server.url}?schema=lore_opened&pool_size=1` });
    let key: string;
    try {
      expect(first.store.path).not.toContain('schema=');
      key = (await first.keys.createKey({ collections: ['docs'] })).key;
    } finally {
      await first.close();
    }
    const again = await openCompanions({ location: server.url, env: { LORE_PG_SCHEMA: 'lore_opened', LORE_PG_POOL_SIZE: '1' } });
    try {
      expect(await again.keys.verifyKey(key)).toMatchObject({ collections: ['docs'] });
    } finally {
      await again.close();
    }
  });

  it('a URL-configured exporter opens its own pool, drops spans while the tables are missing, and stores them once they exist', async () => {
    const { startTracing } = await import('../../trace/start-tracing.js');
    const { withSpan } = await import('../../trace/with-span.js');
    const schema = 'lore_exporter_url';
    const tracing = await startTracing({ exporters: [createPostgresSpanExporter({ url: server.url, schema, poolSize: 1 })], flushIntervalMs: 60_000 });
    try {
      withSpan('before', undefined, () => undefined);
      await tracing.forceFlush();
      const store = await openPostgresStore({ url: server.url, schema, poolSize: 1 });
      try {
        withSpan('after', undefined, () => undefined);
        await tracing.forceFlush();
        expect((await companionsOf(store).traces.listTraces()).map((t) => t.name)).toEqual(['after']);
      } finally {
        await store.close();
      }
    } finally {
      await tracing.shutdown();
    }
  });
});
