import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { ApiKeyInfo, ApiKeyStore } from '../../spec/api-keys.js';
import { LoreError } from '../../spec/errors.js';
import { hashApiKey } from '../sqlite/api-key-store.js';
import { jsonValue } from './pg-transaction.js';

interface KeyRow {
  id: string;
  name: string | null;
  collections: unknown;
  read_only: boolean;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const KEY_PREFIX = 'lore_';
const KEY_COLUMNS = 'id, name, collections, read_only, created_at, last_used_at, revoked_at';
/** As in SQLite: last use is recorded at most once a minute per key and process, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

function toInfo(row: KeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    collections: jsonValue<string[]>(row.collections, []),
    readOnly: row.read_only === true,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * API keys in PostgreSQL, shared by every server on the database: a key made with `lore keys create` (or
 * on one server) opens all of them, and a revocation takes effect on all at their next request (keys are
 * looked up per request, not cached). Only the SHA-256 of a key is stored, as in SQLite.
 */
export function createPostgresApiKeyStore(pool: pg.Pool): ApiKeyStore {
  const touched = new Map<string, number>();
  return {
    async createKey(options) {
      const collections = [...new Set(options.collections.map((c) => c.trim()).filter(Boolean))];
      if (collections.length === 0) {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'A key needs at least one collection', hint: 'e.g. --collections docs,notes (or "*" for all)' });
      }
      const key = KEY_PREFIX + randomBytes(32).toString('base64url');
      const id = randomBytes(6).toString('hex');
      const row = await pool.query<KeyRow>(
        `INSERT INTO api_keys (id, hash, name, collections, read_only, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${KEY_COLUMNS}`,
        [id, hashApiKey(key), options.name ?? null, JSON.stringify(collections), options.readOnly === true, new Date().toISOString()],
      );
      return { key, info: toInfo(row.rows[0]!) };
    },
    async verifyKey(key) {
      if (!key.startsWith(KEY_PREFIX)) return undefined;
      const row = (await pool.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = $1 AND revoked_at IS NULL`, [hashApiKey(key)])).rows[0];
      if (!row) return undefined;
      const now = Date.now();
      if (now - (touched.get(row.id) ?? 0) > TOUCH_INTERVAL_MS) {
        touched.set(row.id, now);
        // Informational: a failed write (a read-only replica, a busy server) must not fail the request.
        await pool.query('UPDATE api_keys SET last_used_at = $1 WHERE id = $2', [new Date(now).toISOString(), row.id]).catch(() => undefined);
      }
      return toInfo(row);
    },
    async listKeys() {
      return (await pool.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`)).rows.map(toInfo);
    },
    async revokeKey(id) {
      return ((await pool.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [new Date().toISOString(), id])).rowCount ?? 0) > 0;
    },
  };
}
