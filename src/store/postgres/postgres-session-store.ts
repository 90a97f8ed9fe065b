import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { LoreError } from '../../spec/errors.js';
import { sessionExists, type SessionInfo, type SessionStore, type SessionTurn } from '../../spec/session.js';
import { jsonValue, pgTransaction, type PgQueryable } from './pg-transaction.js';

interface SessionRow {
  id: string;
  title: string | null;
  settings: unknown;
  summary: string | null;
  summary_through: string | number;
  created_at: string;
  updated_at: string;
  turn_count: string | number;
}

interface TurnRow {
  id: string | number;
  role: 'user' | 'assistant';
  content: string;
  standalone: string | null;
  citations: unknown;
  tokens: number;
  created_at: string;
}

const SESSION_SELECT = `SELECT s.id, s.title, s.settings, s.summary, s.summary_through, s.created_at, s.updated_at,
  (SELECT count(*) FROM session_turns t WHERE t.session_id = s.id) AS turn_count FROM sessions s`;
const TURN_COLUMNS = 'id, role, content, standalone, citations, tokens, created_at';

function toInfo(row: SessionRow): SessionInfo {
  return {
    id: row.id,
    title: row.title,
    settings: jsonValue<Record<string, unknown>>(row.settings, {}),
    summary: row.summary,
    summaryThrough: Number(row.summary_through),
    turnCount: Number(row.turn_count),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toTurn(row: TurnRow): SessionTurn {
  return {
    id: Number(row.id),
    role: row.role,
    content: row.content,
    standalone: row.standalone,
    citations: jsonValue<unknown[]>(row.citations, []),
    tokens: Number(row.tokens),
    createdAt: row.created_at,
  };
}

/** Session names people type: letters, digits, `-`, `_`, `.`; up to 64 characters (as in SQLite). */
const SESSION_ID = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,63}$/u;

export interface PostgresSessionStoreOptions {
  /** How long a turn lease lasts without renewal (default 60 s): a crashed server's lease runs out after it. */
  turnLeaseMs?: number;
  /** How often a waiting turn asks again (default 100 ms). */
  turnPollMs?: number;
  /** How long a turn waits for another server's turn of the same session before giving up (default 2 min). */
  turnWaitMs?: number;
}

/** Waits `ms`, or rejects with ABORTED when the signal fires first. */
function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => new LoreError({ code: 'ABORTED', message: 'The turn was cancelled while another server answered in this conversation', cause: signal?.reason });
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sessions in PostgreSQL (schema v2 of the Postgres store), shared by every server on the database: a
 * conversation started on one continues on another. Same names, results and errors as the SQLite store, plus
 * `lockTurn`: a lease on the session row (owner and expiry by the database's clock, renewed while held), so
 * that servers answer one conversation's questions one at a time without holding a connection meanwhile.
 */
export function createPostgresSessionStore(pool: pg.Pool, options: PostgresSessionStoreOptions = {}): SessionStore {
  const leaseMs = options.turnLeaseMs ?? 60_000;
  const pollMs = options.turnPollMs ?? 100;
  const waitMs = options.turnWaitMs ?? 120_000;
  const now = () => new Date().toISOString();
  const getRow = async (db: PgQueryable, id: string) => (await db.query<SessionRow>(`${SESSION_SELECT} WHERE s.id = $1`, [id])).rows[0];
  const require = async (db: PgQueryable, id: string): Promise<SessionInfo> => {
    const row = await getRow(db, id);
    if (!row) throw new LoreError({ code: 'NOT_FOUND', message: `No session "${id}"`, hint: 'list sessions with `lore chat --list`', subject: id });
    return toInfo(row);
  };

  return {
    async createSession(o) {
      const id = o.id ?? randomUUID().slice(0, 8);
      if (!SESSION_ID.test(id)) {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: `"${id}" cannot name a session`, hint: 'use letters, digits, ".", "-" or "_", at most 64 characters', subject: id });
      }
      const at = now();
      try {
        await pool.query('INSERT INTO sessions (id, title, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)', [id, o.title ?? null, JSON.stringify(o.settings ?? {}), at, at]);
      } catch (cause) {
        if ((cause as { code?: string }).code === '23505') throw sessionExists(id, cause);
        throw cause;
      }
      return require(pool, id);
    },
    async getSession(id) {
      const row = await getRow(pool, id);
      return row ? toInfo(row) : undefined;
    },
    async listSessions() {
      return (await pool.query<SessionRow>(`${SESSION_SELECT} ORDER BY s.updated_at DESC, s.id`)).rows.map(toInfo);
    },
    async deleteSession(id) {
      return ((await pool.query('DELETE FROM sessions WHERE id = $1', [id])).rowCount ?? 0) > 0;
    },
    async appendTurn(o) {
      return pgTransaction(pool, async (client) => {
        // The row lock orders the turns of one session written by different servers at once.
        const locked = await client.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [o.sessionId]);
        if (locked.rowCount === 0) await require(client, o.sessionId);
        const at = now();
        const turn = await client.query<TurnRow>(
          `INSERT INTO session_turns (session_id, role, content, standalone, citations, tokens, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${TURN_COLUMNS}`,
          [o.sessionId, o.role, o.content, o.standalone ?? null, JSON.stringify(o.citations ?? []), o.tokens, at],
        );
        await client.query('UPDATE sessions SET updated_at = $1 WHERE id = $2', [at, o.sessionId]);
        // A session is titled by its first question, as chat apps do.
        if (o.role === 'user') await client.query('UPDATE sessions SET title = $1 WHERE id = $2 AND title IS NULL', [o.content.slice(0, 80), o.sessionId]);
        return toTurn(turn.rows[0]!);
      });
    },
    async turns(sessionId) {
      await require(pool, sessionId);
      return (await pool.query<TurnRow>(`SELECT ${TURN_COLUMNS} FROM session_turns WHERE session_id = $1 ORDER BY id`, [sessionId])).rows.map(toTurn);
    },
    async setSummary(o) {
      await require(pool, o.sessionId);
      await pool.query('UPDATE sessions SET summary = $1, summary_through = $2, updated_at = $3 WHERE id = $4', [o.summary, o.through, now(), o.sessionId]);
    },
    async lockTurn(sessionId, { signal } = {}) {
      const owner = randomUUID();
      const deadline = Date.now() + waitMs;
      for (;;) {
        if (signal?.aborted) await wait(0, signal);
        const got = await pool.query(
          `UPDATE sessions SET turn_owner = $2, turn_until = clock_timestamp() + $3 * interval '1 millisecond'
           WHERE id = $1 AND (turn_owner IS NULL OR turn_until < clock_timestamp())`,
          [sessionId, owner, leaseMs],
        );
        if ((got.rowCount ?? 0) > 0) break;
        if ((await pool.query('SELECT 1 FROM sessions WHERE id = $1', [sessionId])).rowCount === 0) return async () => {};
        if (Date.now() >= deadline) {
          throw new LoreError({
            code: 'TIMEOUT',
            message: `Another answer in session "${sessionId}" is still being written`,
            hint: 'ask again once it is done',
            subject: sessionId,
            retryable: true,
          });
        }
        await wait(pollMs, signal);
      }
      // Renewed well before it runs out, so a long answer keeps it; a crashed holder stops renewing.
      const renew = setInterval(() => {
        pool.query(`UPDATE sessions SET turn_until = clock_timestamp() + $3 * interval '1 millisecond' WHERE id = $1 AND turn_owner = $2`, [sessionId, owner, leaseMs]).catch(() => undefined);
      }, Math.max(10, Math.floor(leaseMs / 3)));
      renew.unref();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        await pool.query('UPDATE sessions SET turn_owner = NULL, turn_until = NULL WHERE id = $1 AND turn_owner = $2', [sessionId, owner]).catch(() => undefined);
      };
    },
    async clearSession(id) {
      await require(pool, id);
      await pgTransaction(pool, async (client) => {
        await client.query('DELETE FROM session_turns WHERE session_id = $1', [id]);
        await client.query('UPDATE sessions SET summary = NULL, summary_through = 0, updated_at = $1 WHERE id = $2', [now(), id]);
      });
    },
  };
}
