import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../spec/errors.js';
import { executeReadOnly, isRefusal } from './execute-read-only.js';
import { openSqlDatabase } from './open-sql-database.js';
import { sqliteWorkerAvailable } from './sqlite-database.js';
import type { SqlDatabase } from './sql-database.js';
import { HOSTILE_STATEMENTS, RAW_WRITES, type HostileStatement } from './test-support/hostile-statements.js';
import { startWindFarmPostgres, type WindFarmPostgres } from './test-support/pglite-server.js';
import { createWindFarmSqlite } from './test-support/wind-farm.js';

const forDialect = (list: HostileStatement[], dialect: 'sqlite' | 'postgres') => list.filter((h) => !h.dialects || h.dialects.includes(dialect));

/** Feeds every statement to the executor; returns the ones that were not refused by the validator. */
async function notRefused(db: SqlDatabase, list: HostileStatement[]): Promise<string[]> {
  const through: string[] = [];
  for (const h of list) {
    try {
      await executeReadOnly({ db, sql: h.sql, timeoutMs: 2000 });
      through.push(`${h.name} (ran)`);
    } catch (error) {
      if (!isRefusal(error)) through.push(`${h.name} (${(error as Error).message})`);
    }
    // The connection is still usable, and still holds the data, after every attempt.
    expect((await executeReadOnly({ db, sql: 'SELECT count(*) FROM orders' })).rows).toEqual([[55]]);
  }
  return through;
}

/** Sends writes straight to the connection, past the validator: the database itself must refuse them. */
async function rawWritesThatWorked(db: SqlDatabase, list: HostileStatement[]): Promise<string[]> {
  const worked: string[] = [];
  for (const w of list) {
    const outcome = await db.read({ sql: w.sql, maxRows: 5, timeoutMs: 2000 }).then(
      () => 'ran',
      (error: unknown) => (isLoreError(error, 'DATABASE_ERROR') ? undefined : String(error)),
    );
    if (outcome) worked.push(`${w.name}: ${outcome}`);
  }
  return worked;
}

describe('Writes are impossible whatever the model outputs: SQLite', () => {
  let dir: string;
  let path: string;
  let db: SqlDatabase;
  const hash = () => createHash('sha256').update(readFileSync(path)).digest('hex');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lore-sql-ro-'));
    path = join(dir, 'wind.db');
    createWindFarmSqlite(path);
    db = await openSqlDatabase({ url: `sqlite:${path}`, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every hostile statement before it reaches the database, and the file stays byte-identical', async () => {
    const before = hash();
    const list = forDialect(HOSTILE_STATEMENTS, 'sqlite');
    expect(list.length).toBeGreaterThanOrEqual(30);
    expect(await notRefused(db, list)).toEqual([]);
    expect(await rawWritesThatWorked(db, forDialect(RAW_WRITES, 'sqlite'))).toEqual([]);
    expect(hash()).toBe(before);
    // No journal, WAL or attached file was created beside it or where ATTACH pointed.
    expect(readdirSync(dir)).toEqual(['wind.db']);
    expect(existsSync('/tmp/lore-raw-attach.db')).toBe(false);
  });

  it('caps rows and says when it did', async () => {
    const capped = await executeReadOnly({ db, sql: 'SELECT id FROM inspections ORDER BY id', maxRows: 10 });
    expect(capped.rows).toHaveLength(10);
    expect(capped.truncated).toBe(true);
    const whole = await executeReadOnly({ db, sql: 'SELECT id FROM inspections', maxRows: 200 });
    expect(whole.rows).toHaveLength(90);
    expect(whole.truncated).toBe(false);
  });

  // Stopping a statement needs the compiled worker (dist/, built by `npm test`); the query is bounded so that
  // even on the calling thread it would end, in tens of seconds rather than never.
  const RUNAWAY = 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 200000000) SELECT count(*) FROM c';

  it.skipIf(!sqliteWorkerAvailable())('stops a runaway query at the time limit, then keeps working', async () => {
    const started = Date.now();
    const runaway = executeReadOnly({ db, sql: RUNAWAY, timeoutMs: 300 });
    await expect(runaway).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await executeReadOnly({ db, sql: 'SELECT count(*) FROM sites' })).rows).toEqual([[6]]);
  });

  it.skipIf(!sqliteWorkerAvailable())('stops a query when its signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(executeReadOnly({ db, sql: RUNAWAY, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect((await executeReadOnly({ db, sql: 'SELECT count(*) FROM parts' })).rows).toEqual([[14]]);
  });

  it('names a missing file and a file that is not SQLite', async () => {
    await expect(openSqlDatabase({ url: `sqlite:${join(dir, 'missing.db')}` })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(openSqlDatabase({ url: `sqlite:${join(dir, '..', 'nope', 'x.db')}` })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(() => readdirSync(dir)).not.toThrow();
  });
});

describe('Writes are impossible whatever the model outputs: PostgreSQL (PGlite over the wire protocol)', () => {
  let server: WindFarmPostgres;
  let db: SqlDatabase;

  beforeAll(async () => {
    server = await startWindFarmPostgres();
    db = await openSqlDatabase({ url: server.url, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await db?.close();
    await server?.close();
  });

  it('refuses every hostile statement, and every table, the catalog and the settings are unchanged', async () => {
    const before = await server.checksum();
    const list = forDialect(HOSTILE_STATEMENTS, 'postgres');
    expect(list.length).toBeGreaterThanOrEqual(40);
    expect(await notRefused(db, list)).toEqual([]);
    expect(await rawWritesThatWorked(db, forDialect(RAW_WRITES, 'postgres'))).toEqual([]);
    expect(await server.checksum()).toBe(before);
  });

  it('runs each query in a read-only transaction with a statement timeout', async () => {
    const r = await executeReadOnly({ db, sql: "SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS limit_ms", timeoutMs: 1234 });
    expect(r.rows).toEqual([['on', '1234ms']]);
    // …that ends with the query: the session itself is not left read-only or timed.
    const session = await server.pglite.query<{ t: string }>("SELECT current_setting('statement_timeout') AS t");
    expect(session.rows[0]!.t).toBe('0');
  });

  it('caps rows and says when it did', async () => {
    const capped = await executeReadOnly({ db, sql: 'SELECT id FROM inspections ORDER BY id', maxRows: 10 });
    expect(capped.rows).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1]));
    expect(capped.truncated).toBe(true);
  });

  it('reports a failing query with the database’s message and stays usable', async () => {
    await expect(executeReadOnly({ db, sql: 'SELECT serial_no FROM turbines' })).rejects.toMatchObject({ code: 'DATABASE_ERROR', message: expect.stringMatching(/serial_no/) });
    expect((await executeReadOnly({ db, sql: 'SELECT count(*) FROM turbines' })).rows).toEqual([[32]]);
  });

  it('reports a server it cannot reach', async () => {
    await expect(openSqlDatabase({ url: 'postgres://nobody:secret@127.0.0.1:1/none' })).rejects.toMatchObject({ code: 'DATABASE_ERROR', message: expect.not.stringMatching(/secret/) });
  });
});
