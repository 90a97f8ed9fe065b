import pg from 'pg';
import { LoreError } from '../spec/errors.js';
import { DEFAULT_TIMEOUT_MS, formatSeconds, type SqlDatabase, type SqlReadOptions, type SqlRows, type SqlValue } from './sql-database.js';

export interface OpenPostgresDatabaseOptions {
  /** postgres://user:password@host:port/database (a missing password is read from PGPASSWORD by pg). */
  url: string;
  /** Statement time limit (default 15 s), set as `statement_timeout` and enforced on the client too. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

const TEXT = (value: string) => value;
/** Types kept as JavaScript values; everything else (dates, json, arrays, intervals, uuids…) stays as PostgreSQL writes it. */
const PARSERS: Record<number, (value: string) => SqlValue> = {
  16: (v) => v === 't',
  21: Number,
  23: Number,
  26: Number,
  700: Number,
  701: Number,
  // bigint (count(*), sum of integers) and numeric (avg): numbers while they fit exactly enough to show.
  20: (v) => (Number.isSafeInteger(Number(v)) ? Number(v) : v),
  1700: (v) => {
    const n = Number(v);
    return Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : v;
  },
};
const TYPES = { getTypeParser: ((oid: number) => PARSERS[oid] ?? TEXT) as unknown as typeof pg.types.getTypeParser };

/** The URL as it can be shown: without the password. */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

/**
 * A PostgreSQL database read through one connection. Every statement runs in its own `BEGIN READ ONLY`
 * transaction with `SET LOCAL statement_timeout`, is declared as a cursor (the server itself then refuses
 * anything but a query, and data-modifying CTEs), is fetched up to the row cap, and is always rolled back.
 * `DECLARE` goes over the extended protocol, which refuses more than one statement in the text. The
 * client gives up too, a little after the server should have; the connection is then dropped and the next
 * statement opens a new one. For defence in depth, connect as a role that can only read.
 */
export async function openPostgresDatabase(options: OpenPostgresDatabaseOptions): Promise<SqlDatabase> {
  const target = redactPostgresUrl(options.url);
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let client: pg.Client | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const connect = async (): Promise<pg.Client> => {
    const fresh = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000, application_name: 'lore-sql', types: TYPES });
    // An idle connection the server drops must not crash the process; the next statement reconnects.
    fresh.on('error', () => {
      if (client === fresh) client = undefined;
    });
    try {
      await fresh.connect();
    } catch (error) {
      throw new LoreError({ code: 'DATABASE_ERROR', message: `Cannot connect to ${target}: ${(error as Error).message}`, subject: target, cause: error });
    }
    return fresh;
  };
  client = await connect();

  const run = async (read: SqlReadOptions): Promise<SqlRows> => {
    if (read.signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'The query was cancelled', cause: read.signal.reason });
    const timeoutMs = Math.max(1, Math.round(read.timeoutMs ?? defaultTimeout));
    client ??= await connect();
    const active = client;
    let abandon: ((error: LoreError) => void) | undefined;
    const giveUp = new Promise<never>((_, reject) => (abandon = reject));
    const drop = (error: LoreError) => {
      if (client === active) client = undefined;
      void active.end().catch(() => undefined);
      abandon!(error);
    };
    // The server's statement_timeout should fire first; this catches a server that ignores it, or a network that hangs.
    const timer = setTimeout(() => drop(new LoreError({ code: 'TIMEOUT', message: `The query ran longer than ${formatSeconds(timeoutMs)} and was stopped`, subject: target })), timeoutMs + 2000);
    const onAbort = () => drop(new LoreError({ code: 'ABORTED', message: 'The query was cancelled', cause: read.signal?.reason }));
    read.signal?.addEventListener('abort', onAbort, { once: true });
    const work = (async () => {
      await active.query('BEGIN READ ONLY');
      try {
        await active.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
        // The validator lexes strings by the standard rules; make the server read them the same way.
        await active.query('SET LOCAL standard_conforming_strings = on');
        await active.query({ text: `DECLARE lore_rows NO SCROLL CURSOR FOR ${read.sql}`, values: read.params ?? [], queryMode: 'extended' } as pg.QueryConfig);
        const fetched = await active.query({ text: `FETCH FORWARD ${read.maxRows + 1} FROM lore_rows`, rowMode: 'array' });
        const rows = fetched.rows as SqlValue[][];
        const truncated = rows.length > read.maxRows;
        return { columns: fetched.fields.map((f) => f.name), rows: truncated ? rows.slice(0, read.maxRows) : rows, truncated };
      } finally {
        await active.query('ROLLBACK').catch(() => undefined);
      }
    })();
    try {
      return await Promise.race([work, giveUp]);
    } catch (error) {
      if (error instanceof LoreError) throw error;
      const pgError = error as { message?: string; code?: string };
      if (pgError.code === '57014') throw new LoreError({ code: 'TIMEOUT', message: `The query ran longer than ${formatSeconds(timeoutMs)} and was stopped`, subject: target, cause: error });
      throw new LoreError({ code: 'DATABASE_ERROR', message: pgError.message ?? String(error), subject: target, cause: error });
    } finally {
      clearTimeout(timer);
      read.signal?.removeEventListener('abort', onAbort);
      work.catch(() => undefined);
    }
  };

  return {
    dialect: 'postgres',
    target,
    read(read) {
      const result = queue.then(() => run(read));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      await queue;
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
