import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { LoreError } from '../../spec/errors.js';
import { sessionExists, type SessionInfo, type SessionStore, type SessionTurn } from '../../spec/session.js';

interface SessionRow {
  id: string;
  title: string | null;
  settings: string;
  summary: string | null;
  summary_through: number;
  created_at: string;
  updated_at: string;
  turn_count: number;
}

interface TurnRow {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  standalone: string | null;
  citations: string;
  tokens: number;
  created_at: string;
}

const SESSION_COLUMNS = `s.*, (SELECT count(*) FROM session_turns t WHERE t.session_id = s.id) AS turn_count`;

function toInfo(row: SessionRow): SessionInfo {
  return {
    id: row.id,
    title: row.title,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    summary: row.summary,
    summaryThrough: row.summary_through,
    turnCount: row.turn_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toTurn(row: TurnRow): SessionTurn {
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    standalone: row.standalone,
    citations: JSON.parse(row.citations) as unknown[],
    tokens: row.tokens,
    createdAt: row.created_at,
  };
}

/** Session names people type: letters, digits, `-`, `_`, `.`; up to 64 characters. */
const SESSION_ID = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,63}$/u;

/**
 * Sessions in a Lore SQLite file (schema v3), sharing the store's connection and its transactions. The
 * work is synchronous (better-sqlite3); the methods are async to meet the contract PostgreSQL shares.
 */
export function createSqliteSessionStore(db: Database.Database): SessionStore {
  const getRow = db.prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = ?`);
  const touch = db.prepare<[string, string]>('UPDATE sessions SET updated_at = ? WHERE id = ?');
  const now = () => new Date().toISOString();
  const require = (id: string): SessionInfo => {
    const row = getRow.get(id);
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
        db.prepare('INSERT INTO sessions (id, title, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, o.title ?? null, JSON.stringify(o.settings ?? {}), at, at);
      } catch (cause) {
        if ((cause as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw sessionExists(id, cause);
        throw cause;
      }
      return require(id);
    },
    getSession: async (id) => {
      const row = getRow.get(id);
      return row ? toInfo(row) : undefined;
    },
    listSessions: async () => db.prepare<[], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions s ORDER BY s.updated_at DESC`).all().map(toInfo),
    deleteSession: async (id) => db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes > 0,
    async appendTurn(o) {
      require(o.sessionId);
      const at = now();
      const write = db.transaction(() => {
        const info = db
          .prepare('INSERT INTO session_turns (session_id, role, content, standalone, citations, tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(o.sessionId, o.role, o.content, o.standalone ?? null, JSON.stringify(o.citations ?? []), o.tokens, at);
        touch.run(at, o.sessionId);
        // A session is titled by its first question, as chat apps do.
        if (o.role === 'user') db.prepare('UPDATE sessions SET title = ? WHERE id = ? AND title IS NULL').run(o.content.slice(0, 80), o.sessionId);
        return Number(info.lastInsertRowid);
      });
      const id = write();
      return toTurn(db.prepare<[number], TurnRow>('SELECT * FROM session_turns WHERE id = ?').get(id)!);
    },
    async turns(sessionId) {
      require(sessionId);
      return db.prepare<[string], TurnRow>('SELECT * FROM session_turns WHERE session_id = ? ORDER BY id').all(sessionId).map(toTurn);
    },
    async setSummary(o) {
      require(o.sessionId);
      db.prepare('UPDATE sessions SET summary = ?, summary_through = ?, updated_at = ? WHERE id = ?').run(o.summary, o.through, now(), o.sessionId);
    },
    async clearSession(id) {
      require(id);
      db.transaction(() => {
        db.prepare('DELETE FROM session_turns WHERE session_id = ?').run(id);
        db.prepare('UPDATE sessions SET summary = NULL, summary_through = 0, updated_at = ? WHERE id = ?').run(now(), id);
      })();
    },
  };
}
