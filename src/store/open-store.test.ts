import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../spec/errors.js';
import { syncStoreOf } from './contract/async-store.js';
import { isPostgresLocation, openStore, postgresStoreOptions } from './open-store.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { startPgliteVectorServer, type PgliteVectorServer } from './postgres/test-support/pglite-vector-server.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

describe('openStore', () => {
  let dir: string;
  let pg: PgliteVectorServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lore-open-store-'));
    pg = await startPgliteVectorServer();
  });
  afterAll(async () => {
    await pg?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tells URLs from paths', () => {
    expect(isPostgresLocation('postgres://u@h/db')).toBe(true);
    expect(isPostgresLocation(' postgresql://u@h/db')).toBe(true);
    expect(isPostgresLocation('POSTGRES://u@h/db')).toBe(true);
    expect(isPostgresLocation('./postgres/lore.db')).toBe(false);
    expect(isPostgresLocation('/data/lore.db')).toBe(false);
    expect(isPostgresLocation('sqlite:lore.db')).toBe(false);
  });

  it("takes Lore's settings from the URL's query (then LORE_PG_*), and leaves the driver's own in the URL", () => {
    const fromUrl = postgresStoreOptions({ url: 'postgres://lore:pw@db:5432/lore?schema=lore&pool_size=4&ef_search=120&sslmode=require', env: { LORE_PG_SCHEMA: 'other', LORE_PG_POOL_SIZE: '9' } });
    expect(fromUrl).toEqual({ url: 'postgres://lore:pw@db:5432/lore?sslmode=require', schema: 'lore', poolSize: 4, hnsw: { efSearch: 120 } });
    expect(postgresStoreOptions({ url: 'postgres://db/lore', env: { LORE_PG_SCHEMA: 'kb', LORE_PG_POOL_SIZE: '3' } })).toEqual({ url: 'postgres://db/lore', schema: 'kb', poolSize: 3 });
    expect(postgresStoreOptions({ url: 'postgres://db/lore', env: {} })).toEqual({ url: 'postgres://db/lore' });
    for (const bad of ['postgres://db/lore?pool_size=0', 'postgres://db/lore?pool_size=two', 'postgres://db/lore?ef_search=1.5']) {
      try {
        postgresStoreOptions({ url: bad, env: {} });
        expect.unreachable(bad);
      } catch (error) {
        expect(isLoreError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
      }
    }
  });

  it('opens a SQLite file behind the async contract, and finds the SqliteStore again', async () => {
    const store = await openStore({ location: join(dir, 'lore.db') });
    try {
      expect(syncStoreOf(store)).toBeInstanceOf(SqliteStore);
      await store.ensureCollection('notes');
      expect((await store.listCollections()).map((c) => c.name)).toEqual(['notes']);
      expect(store.path).toBe(join(dir, 'lore.db'));
    } finally {
      await store.close();
    }
    // Read-only is the file's: a write is refused, as before.
    const readonly = await openStore({ location: join(dir, 'lore.db'), readonly: true });
    try {
      await expect(readonly.ensureCollection('more')).rejects.toThrow();
    } finally {
      await readonly.close();
    }
  });

  it('read-only on an empty PostgreSQL schema: NOT_FOUND, as for a missing SQLite file, and nothing created', async () => {
    for (const location of [`${pg.url}?schema=never_made&pool_size=1`, join(dir, 'missing.db')]) {
      try {
        await openStore({ location, readonly: true, env: {} });
        expect.unreachable(location);
      } catch (error) {
        expect(isLoreError(error, 'NOT_FOUND'), String(error)).toBe(true);
        expect((error as Error).message).toMatch(/^No Lore database at /);
      }
    }
    const schemas = await pg.pglite.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'never_made'");
    expect(schemas.rows[0]!.n).toBe(0);
  });

  it('opens PostgreSQL for a postgres:// URL, in the schema the URL names', async () => {
    const store = await openStore({ location: `${pg.url}?schema=kb_test&pool_size=1`, env: {} });
    try {
      expect(store).toBeInstanceOf(PostgresStore);
      expect(syncStoreOf(store)).toBeUndefined();
      expect(store.path).toBe(pg.url);
      await store.ensureCollection('handbook');
      expect((store as PostgresStore).schema).toBe('kb_test');
      const tables = await pg.pglite.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'kb_test' AND table_name = 'collections'");
      expect(tables.rows[0]!.n).toBe(1);
      expect((await store.listCollections()).map((c) => c.name)).toEqual(['handbook']);
    } finally {
      await store.close();
    }
  });
});
